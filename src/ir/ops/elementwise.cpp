// Shape and type inference for ElementWiseLayer (two inputs) and SelectLayer (three inputs):
// numpy broadcasting of the shapes, and the type rules of each operation.
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
}

}  // namespace kiln::ir
