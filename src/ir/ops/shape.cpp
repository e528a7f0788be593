// Shape inference of the shape layer: any input gives an int64 vector of its rank, whose value is
// the input's dims (a shape tensor; dims known only at run time are kUnknownValue until then).
#include "ir/op.h"

namespace kiln::ir {

void infer_shape(const Node& node, std::span<const TensorDesc> inputs,
                 std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  const Dims& in = inputs[0].dims;
  outputs[0] = {DataType::kINT64, Dims{in.nb_dims}};
  std::vector<int64_t> value;
  for (int32_t i = 0; i < in.nb_dims; ++i) value.push_back(in.d[i] < 0 ? kUnknownValue : in.d[i]);
  set_value(outputs[0], std::move(value));
}

}  // namespace kiln::ir
