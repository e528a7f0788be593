// Shape and type inference for ElementWiseLayer (two inputs) and SelectLayer (three inputs):
// numpy broadcasting of the shapes, and the type rules of each operation.
#include <algorithm>

#include "ir/op.h"

namespace kiln::ir {

namespace {

const char* op_name(ElementWiseOperation op) {
  switch (op) {
    case ElementWiseOperation::kSUM:
      return "sum";
    case ElementWiseOperation::kPROD:
      return "prod";
    case ElementWiseOperation::kMAX:
      return "max";
    case ElementWiseOperation::kMIN:
      return "min";
    case ElementWiseOperation::kSUB:
      return "sub";
    case ElementWiseOperation::kDIV:
      return "div";
    case ElementWiseOperation::kPOW:
      return "pow";
    case ElementWiseOperation::kFLOOR_DIV:
      return "floor_div";
    case ElementWiseOperation::kAND:
      return "and";
    case ElementWiseOperation::kOR:
      return "or";
    case ElementWiseOperation::kXOR:
      return "xor";
    case ElementWiseOperation::kEQUAL:
      return "equal";
    case ElementWiseOperation::kGREATER:
      return "greater";
    case ElementWiseOperation::kLESS:
      return "less";
  }
  return "unknown";
}

// One element of integer (or bool) shape arithmetic, as the CPU kernels compute it. Returns false
// for operations kiln does not evaluate on shape tensors (pow).
bool apply(ElementWiseOperation op, int64_t a, int64_t b, int64_t& out) {
  switch (op) {
    case ElementWiseOperation::kSUM:  // wrapping, as the kernels
      out = static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
      return true;
    case ElementWiseOperation::kSUB:
      out = static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
      return true;
    case ElementWiseOperation::kPROD:
      out = static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
      return true;
    case ElementWiseOperation::kMAX:
      out = std::max(a, b);
      return true;
    case ElementWiseOperation::kMIN:
      out = std::min(a, b);
      return true;
    case ElementWiseOperation::kDIV:  // truncation; by zero gives 0 (backends/cpu/elementwise.cpp)
      out = b == 0 ? 0 : b == -1 ? static_cast<int64_t>(0 - static_cast<uint64_t>(a)) : a / b;
      return true;
    case ElementWiseOperation::kFLOOR_DIV:
      if (b == 0 || b == -1) return apply(ElementWiseOperation::kDIV, a, b, out);
      out = a / b;
      if (a % b != 0 && ((a < 0) != (b < 0))) --out;
      return true;
    case ElementWiseOperation::kAND:
      out = a && b;
      return true;
    case ElementWiseOperation::kOR:
      out = a || b;
      return true;
    case ElementWiseOperation::kXOR:
      out = (a != 0) != (b != 0);
      return true;
    case ElementWiseOperation::kEQUAL:
      out = a == b;
      return true;
    case ElementWiseOperation::kGREATER:
      out = a > b;
      return true;
    case ElementWiseOperation::kLESS:
      out = a < b;
      return true;
    case ElementWiseOperation::kPOW:
      return false;
  }
  return false;
}

}  // namespace

void infer_elementwise(const Node& node, std::span<const TensorDesc> inputs,
                       std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 2, 2);
  const TensorDesc& a = inputs[0];
  const TensorDesc& b = inputs[1];
  ElementWiseOperation op = node.get<ElementWiseAttrs>().op;
  if (a.type != b.type) {
    fail_at(node, op_name(op), " needs inputs of the same type, got ", a.type, " and ", b.type);
  }
  DataType out_type = a.type;
  switch (op) {
    case ElementWiseOperation::kAND:
    case ElementWiseOperation::kOR:
    case ElementWiseOperation::kXOR:
      if (a.type != DataType::kBOOL) fail_at(node, op_name(op), " needs bool inputs, got ", a.type);
      break;
    case ElementWiseOperation::kEQUAL:
      out_type = DataType::kBOOL;
      break;
    case ElementWiseOperation::kGREATER:
    case ElementWiseOperation::kLESS:
      if (a.type == DataType::kBOOL) {
        fail_at(node, op_name(op), " needs numeric inputs, got ", a.type);
      }
      out_type = DataType::kBOOL;
      break;
    default:
      if (a.type == DataType::kBOOL || a.type == DataType::kUINT8) {
        fail_at(node, op_name(op),
                " needs float32, float16, bfloat16, int8, int32 or int64 inputs, got ", a.type);
      }
      break;
  }
  outputs[0] = {out_type, broadcast(node, a.dims, b.dims)};
  // Shape arithmetic (B * S, Equal(shape, -1), ...) on shape tensors.
  const Dims& dims = outputs[0].dims;
  int64_t n = volume(dims);
  if (!a.has_value || !b.has_value || n < 0 || n > kMaxValueElements) return;
  std::vector<int64_t> value(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t x = a.value[broadcast_index(a.dims, dims, i)];
    int64_t y = b.value[broadcast_index(b.dims, dims, i)];
    if (x == kUnknownValue || y == kUnknownValue) {
      value[i] = kUnknownValue;
    } else if (!apply(op, x, y, value[i])) {
      return;
    } else if (out_type == DataType::kINT32) {
      value[i] = static_cast<int32_t>(value[i]);
    }
  }
  set_value(outputs[0], std::move(value));
}

void infer_select(const Node& node, std::span<const TensorDesc> inputs,
                  std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 3, 3);
  const TensorDesc& cond = inputs[0];
  const TensorDesc& then_t = inputs[1];
  const TensorDesc& else_t = inputs[2];
  if (cond.type != DataType::kBOOL) fail_at(node, "condition must be bool, got ", cond.type);
  if (then_t.type != else_t.type) {
    fail_at(node, "then and else must have the same type, got ", then_t.type, " and ", else_t.type);
  }
  Dims dims = broadcast(node, broadcast(node, cond.dims, then_t.dims), else_t.dims);
  outputs[0] = {then_t.type, dims};
  // Where on shape tensors (exporters replace -1 or 0 in a target shape this way).
  int64_t n = volume(dims);
  if (!cond.has_value || !then_t.has_value || !else_t.has_value || n < 0 || n > kMaxValueElements) {
    return;
  }
  std::vector<int64_t> value(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t c = cond.value[broadcast_index(cond.dims, dims, i)];
    int64_t x = then_t.value[broadcast_index(then_t.dims, dims, i)];
    int64_t y = else_t.value[broadcast_index(else_t.dims, dims, i)];
    value[i] = c == kUnknownValue ? kUnknownValue : c ? x : y;
  }
  set_value(outputs[0], std::move(value));
}

}  // namespace kiln::ir
