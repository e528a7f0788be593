// Shape inference of the LRN layer: a floating input [N, C, ...] of rank 3 or more, output alike.
#include "ir/op.h"

namespace kiln::ir {

void infer_lrn(const Node& node, std::span<const TensorDesc> inputs,
               std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  const TensorDesc& x = inputs[0];
  const LRNAttrs& a = node.get<LRNAttrs>();
  if (x.dims.nb_dims < 3) {
    fail_at(node, "input ", x.dims, " has rank ", x.dims.nb_dims,
            "; expected [N, C, spatial...] of rank 3 or more");
  }
  check_float(node, "input", x.type);
  if (a.window < 1) fail_at(node, "window is ", a.window, "; expected 1 or more");
  outputs[0] = x;
}

}  // namespace kiln::ir
