// Shape and type inference for UnaryLayer: output has the input's type (bool for isinf/isnan) and
// shape; which types an
// operation accepts is checked here, so the kernels can assume a valid combination.
#include "ir/op.h"

namespace kiln::ir {

namespace {

const char* op_name(UnaryOperation op) {
  switch (op) {
    case UnaryOperation::kEXP:
      return "exp";
    case UnaryOperation::kLOG:
      return "log";
    case UnaryOperation::kSQRT:
      return "sqrt";
    case UnaryOperation::kRECIP:
      return "recip";
    case UnaryOperation::kABS:
      return "abs";
    case UnaryOperation::kNEG:
      return "neg";
    case UnaryOperation::kSIN:
      return "sin";
    case UnaryOperation::kCOS:
      return "cos";
    case UnaryOperation::kTAN:
      return "tan";
    case UnaryOperation::kERF:
      return "erf";
    case UnaryOperation::kFLOOR:
      return "floor";
    case UnaryOperation::kCEIL:
      return "ceil";
    case UnaryOperation::kROUND:
      return "round";
    case UnaryOperation::kNOT:
      return "not";
    case UnaryOperation::kSIGN:
      return "sign";
    case UnaryOperation::kSINH:
      return "sinh";
    case UnaryOperation::kCOSH:
      return "cosh";
    case UnaryOperation::kASIN:
      return "asin";
    case UnaryOperation::kACOS:
      return "acos";
    case UnaryOperation::kATAN:
      return "atan";
    case UnaryOperation::kASINH:
      return "asinh";
    case UnaryOperation::kACOSH:
      return "acosh";
    case UnaryOperation::kATANH:
      return "atanh";
    case UnaryOperation::kISINF:
      return "isinf";
    case UnaryOperation::kISNAN:
      return "isnan";
  }
  return "unknown";
}

bool is_signed_integer(DataType t) {
  return t == DataType::kINT8 || t == DataType::kINT32 || t == DataType::kINT64;
}

}  // namespace

void infer_unary(const Node& node, std::span<const TensorDesc> inputs,
                 std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  const TensorDesc& x = inputs[0];
  UnaryOperation op = node.get<UnaryAttrs>().op;
  switch (op) {
    case UnaryOperation::kNOT:
      if (x.type != DataType::kBOOL) fail_at(node, "not needs a bool input, got ", x.type);
      break;
    case UnaryOperation::kABS:
    case UnaryOperation::kNEG:
    case UnaryOperation::kSIGN:
      if (!is_floating(x.type) && !is_signed_integer(x.type)) {
        fail_at(node, op_name(op),
                " needs a float32, float16, bfloat16, int8, int32 or int64 input, got ", x.type);
      }
      break;
    default:
      if (!is_floating(x.type)) {
        fail_at(node, op_name(op), " needs a float32, float16 or bfloat16 input, got ", x.type);
      }
      break;
  }
  outputs[0] = x;
  if (op == UnaryOperation::kISINF || op == UnaryOperation::kISNAN)
    outputs[0].type = DataType::kBOOL;
}

}  // namespace kiln::ir
