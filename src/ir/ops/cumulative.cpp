// Shape inference of the cumulative layer: the output is the input's type and shape; the axis
// must exist and the type be numeric.
#include "ir/op.h"

namespace kiln::ir {

void infer_cumulative(const Node& node, std::span<const TensorDesc> inputs,
                      std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  const TensorDesc& x = inputs[0];
  if (x.dims.nb_dims < 1) fail_at(node, "input is 0-d; expected rank 1 or more");
  normalize_axis(node, node.get<CumulativeAttrs>().axis, x.dims.nb_dims);
  if (!is_floating(x.type) && x.type != DataType::kINT32 && x.type != DataType::kINT64) {
    fail_at(node, "input has type ", x.type,
            "; expected float32, float16, bfloat16, int32 or int64");
  }
  outputs[0] = x;
}

}  // namespace kiln::ir
