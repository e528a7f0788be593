// Shape and type inference for CastLayer and IdentityLayer: any type to any type, same shape.
// The conversion rules themselves live in the kernels (backends/cpu/conversion.cpp).
#include "ir/op.h"

namespace kiln::ir {

namespace {

// Attributes may come from a plan file; an out-of-range enum must not reach the kernels.
void check_type(const Node& node, DataType type) {
  int32_t v = static_cast<int32_t>(type);
  if (v < static_cast<int32_t>(DataType::kFLOAT) || v > static_cast<int32_t>(DataType::kBOOL)) {
    fail_at(node, "output type must be a DataType, got value ", v);
  }
}

// A shape tensor converted between integer types (and bool) keeps its values.
void convert_value(const TensorDesc& in, TensorDesc& out) {
  if (!in.has_value) return;
  std::vector<int64_t> value = in.value;
  for (int64_t& v : value) {
    if (v == kUnknownValue) continue;
    if (out.type == DataType::kBOOL) v = v != 0;
    if (out.type == DataType::kINT32) v = static_cast<int32_t>(v);
  }
  if (out.type == DataType::kINT32 || out.type == DataType::kINT64 || out.type == DataType::kBOOL) {
    set_value(out, std::move(value));
  }
}

}  // namespace

void infer_cast(const Node& node, std::span<const TensorDesc> inputs,
                std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  DataType to = node.get<CastAttrs>().to_type;
  check_type(node, to);
  outputs[0] = {to, inputs[0].dims};
  convert_value(inputs[0], outputs[0]);
}

void infer_identity(const Node& node, std::span<const TensorDesc> inputs,
                    std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  DataType to = node.get<IdentityAttrs>().output_type;
  check_type(node, to);
  outputs[0] = {to, inputs[0].dims};
  convert_value(inputs[0], outputs[0]);
}

}  // namespace kiln::ir
