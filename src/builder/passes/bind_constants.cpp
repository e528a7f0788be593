// bind_constants: constant layers become weight-bound tensors, so later passes and the runtime
// see a constant as data, not as a step.
#include "builder/passes.h"

namespace kiln::builder {

ir::Graph bind_constants(const ir::Graph& graph) {
  ir::Graph out = graph;
  std::vector<bool> keep(graph.nodes.size(), true);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& node = graph.nodes[i];
    if (node.kind() != LayerType::kCONSTANT) continue;
    ir::Tensor& t = out.tensors[node.outputs[0]];
    t.weights = node.get<ConstantAttrs>().weights;
    t.producer = -1;
    keep[i] = false;
  }
  return remove_nodes(out, keep);
}

}  // namespace kiln::builder
