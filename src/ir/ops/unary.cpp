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
  outputs[0] = {x.type, x.dims};
  if (op == UnaryOperation::kISINF || op == UnaryOperation::kISNAN)
    outputs[0].type = DataType::kBOOL;
  // abs, neg, sign and not of a shape tensor.
  bool evaluated = op == UnaryOperation::kABS || op == UnaryOperation::kNEG ||
                   op == UnaryOperation::kSIGN || op == UnaryOperation::kNOT;
  if (!x.has_value || !evaluated) return;
  std::vector<int64_t> value = x.value;
  for (int64_t& v : value) {
    if (v == kUnknownValue) continue;
    switch (op) {
      case UnaryOperation::kABS:
        v = v < 0 ? -v : v;
        break;
      case UnaryOperation::kNEG:
        v = -v;
        break;
      case UnaryOperation::kSIGN:
        v = (v > 0) - (v < 0);
        break;
      default:
        v = v == 0;
        break;
    }
    if (x.type == DataType::kINT32) v = static_cast<int32_t>(v);
    if (x.type == DataType::kINT8) v = static_cast<int8_t>(v);
  }
  set_value(outputs[0], std::move(value));
}

}  // namespace kiln::ir
