// Constant: no inputs; its output takes the type and shape of its weights. The graph-level
// inference reads those from the weights table (ir::infer_graph), so this is only reached when a
// constant is inferred on its own, which kiln never does.
#include "ir/op.h"

namespace kiln::ir {

void infer_constant(const Node& node, std::span<const TensorDesc>, std::span<TensorDesc>) {
  fail_at(node, "a constant's shape comes from its weights; infer it through infer_graph");
}

}  // namespace kiln::ir
