// SoftMax shape inference: the output has the input's type and shape; the axes bitmask must name
// at least one axis of the input (the network API resolves the default before this runs).
#include "ir/op.h"

namespace kiln::ir {

void infer_softmax(const Node& node, std::span<const TensorDesc> inputs,
                   std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  const auto& attrs = node.get<SoftMaxAttrs>();
  const TensorDesc& x = inputs[0];
  if (!is_floating(x.type)) {
    fail_at(node, "input must be float32, float16 or bfloat16, got ", x.type);
  }
  if (attrs.axes == 0) fail_at(node, "axes bitmask is 0; it must name at least one axis");
  check_axes(node, attrs.axes, x.dims.nb_dims);
  outputs[0] = x;
}

}  // namespace kiln::ir
