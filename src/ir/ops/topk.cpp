// TopK shape inference: outputs the k largest (or smallest) values along one axis and their int32
// indices; both have the input's shape with that axis replaced by k.
#include <bit>

#include "ir/op.h"

namespace kiln::ir {

void infer_topk(const Node& node, std::span<const TensorDesc> inputs,
                std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  const auto& attrs = node.get<TopKAttrs>();
  const TensorDesc& x = inputs[0];
  if (!is_floating(x.type) && x.type != DataType::kINT32 && x.type != DataType::kINT64) {
    fail_at(node, "input must be float32, float16, bfloat16, int32 or int64, got ", x.type);
  }
  if (std::popcount(attrs.axes) != 1) {
    fail_at(node, "axes bitmask must name exactly one axis, got 0x", std::hex, attrs.axes);
  }
  check_axes(node, attrs.axes, x.dims.nb_dims);
  int32_t axis = std::countr_zero(attrs.axes);
  if (attrs.k < 1) fail_at(node, "k must be at least 1, got ", attrs.k);
  int64_t size = x.dims.d[axis];
  if (size >= 0 && attrs.k > size) {
    fail_at(node, "k is ", attrs.k, " but axis ", axis, " of input ", x.dims, " has only ", size,
            " elements");
  }
  Dims out = x.dims;
  out.d[axis] = attrs.k;
  outputs[0] = {x.type, out};
  outputs[1] = {DataType::kINT32, out};
}

}  // namespace kiln::ir
