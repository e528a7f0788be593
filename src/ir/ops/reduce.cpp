// Reduce shape inference: sum/prod/max/min/avg over the axes of a bitmask, which become 1
// (keep_dims) or disappear. Float types for all; int32/int64 for all but avg.
#include <algorithm>

#include "ir/op.h"

namespace kiln::ir {

void infer_reduce(const Node& node, std::span<const TensorDesc> inputs,
                  std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  const auto& attrs = node.get<ReduceAttrs>();
  const TensorDesc& x = inputs[0];
  bool int_type = x.type == DataType::kINT32 || x.type == DataType::kINT64;
  if (!is_floating(x.type) && !int_type) {
    fail_at(node, "input must be float32, float16, bfloat16, int32 or int64, got ", x.type);
  }
  if (int_type && attrs.op == ReduceOperation::kAVG) {
    fail_at(node, "average needs a float input, got ", x.type, " (cast it first)");
  }
  if (attrs.axes == 0) fail_at(node, "axes bitmask is 0; it must name at least one axis");
  check_axes(node, attrs.axes, x.dims.nb_dims);
  Dims out;
  for (int32_t i = 0; i < x.dims.nb_dims; ++i) {
    if (attrs.axes & (1u << i)) {
      if (attrs.keep_dims) out.d[out.nb_dims++] = 1;
    } else {
      out.d[out.nb_dims++] = x.dims.d[i];
    }
  }
  outputs[0] = {x.type, out};
  // A shape tensor reduced whole (Size = product of the shape).
  bool all_axes = x.dims.nb_dims < 32 && attrs.axes == (1u << x.dims.nb_dims) - 1;
  if (!x.has_value || !all_axes || attrs.op == ReduceOperation::kAVG || x.value.empty()) return;
  int64_t r = x.value[0];
  for (size_t i = 1; i < x.value.size() && r != kUnknownValue; ++i) {
    int64_t v = x.value[i];
    if (v == kUnknownValue) {
      r = kUnknownValue;
    } else if (attrs.op == ReduceOperation::kSUM) {
      r += v;
    } else if (attrs.op == ReduceOperation::kPROD) {
      r *= v;
    } else if (attrs.op == ReduceOperation::kMAX) {
      r = std::max(r, v);
    } else {
      r = std::min(r, v);
    }
  }
  if (r != kUnknownValue && x.type == DataType::kINT32) r = static_cast<int32_t>(r);
  set_value(outputs[0], {r});
}

}  // namespace kiln::ir
