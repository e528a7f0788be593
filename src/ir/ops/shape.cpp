// Shape inference of the shape layer: any input gives an int64 vector of its rank.
#include "ir/op.h"

namespace kiln::ir {

void infer_shape(const Node& node, std::span<const TensorDesc> inputs,
                 std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  outputs[0] = {DataType::kINT64, Dims{inputs[0].dims.nb_dims}};
}

}  // namespace kiln::ir
