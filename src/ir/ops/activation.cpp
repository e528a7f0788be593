// Shape and type inference for ActivationLayer: one floating-point input, output of the same
// type and shape.
#include "ir/op.h"

namespace kiln::ir {

void infer_activation(const Node& node, std::span<const TensorDesc> inputs,
                      std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  const TensorDesc& x = inputs[0];
  if (!is_floating(x.type)) {
    fail_at(node, "activation needs a float32, float16 or bfloat16 input, got ", x.type);
  }
  outputs[0] = x;
}

}  // namespace kiln::ir
