// Unary math ops, Identity, Dropout (inference: identity), Cast and CastLike; Sinh/Cosh composed
// from Exp.
#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

void simple(ImportContext& ctx, UnaryOperation op) {
  ctx.set_output(0, unary(ctx, ctx.input(0), op, ""));
}

void identity(ImportContext& ctx) {
  ctx.set_output(0, *ctx.named(ctx.network().add_identity(ctx.input(0))).get_output(0));
}

void dropout(ImportContext& ctx) {
  bool training = ctx.attr_int("is_test", 1) == 0 && ctx.opset() < 7;
  if (ctx.has_input(2)) {
    const TensorValue* mode = ctx.constant(2);
    if (!mode) ctx.unsupported("training_mode known only at run time");
    training = to_doubles(*mode).at(0) != 0;
  }
  if (training) ctx.unsupported("training mode (random dropout)");
  Tensor& x = ctx.input(0);
  ctx.set_output(0, *ctx.named(ctx.network().add_identity(x)).get_output(0));
  if (ctx.has_output(1)) {
    // The mask is all true in inference: (x == x) or not (x == x), true even for NaN.
    Tensor& same = elementwise(ctx, x, x, ElementWiseOperation::kEQUAL, "mask_same");
    ctx.set_output(1, elementwise(ctx, same, unary(ctx, same, UnaryOperation::kNOT, "mask_not"),
                                  ElementWiseOperation::kOR, "mask"));
  }
}

void cast_to(ImportContext& ctx, int32_t to) {
  DataType type;
  if (!to_kiln_type(to, type)) {
    ctx.unsupported(str_cat("cast to ", onnx_type_name(to), " (kiln has no such type)"));
  }
  Tensor& x = ctx.input(0);
  ctx.set_output(0, *ctx.named(ctx.network().add_cast(x, type)).get_output(0));
}

// IsInf with detect_positive / detect_negative: isinf(x) and the sign test.
void is_inf(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  bool pos = ctx.attr_int("detect_positive", 1) != 0;
  bool neg = ctx.attr_int("detect_negative", 1) != 0;
  if (pos && neg) {
    simple(ctx, UnaryOperation::kISINF);
    return;
  }
  Tensor& inf = unary(ctx, x, UnaryOperation::kISINF, "isinf");
  Tensor& zero = ctx.scalar(x.type(), 0, x.dimensions().nb_dims, "zero");
  Tensor& sign = elementwise(
      ctx, x, zero, pos ? ElementWiseOperation::kGREATER : ElementWiseOperation::kLESS, "sign");
  Tensor& y = elementwise(ctx, inf, sign, ElementWiseOperation::kAND, "");
  if (!pos && !neg) {
    ctx.set_output(0, elementwise(ctx, y, unary(ctx, y, UnaryOperation::kNOT, "not"),
                                  ElementWiseOperation::kAND, "none"));
    return;
  }
  ctx.set_output(0, y);
}

}  // namespace

void register_unary(ImporterMap& m) {
  using U = UnaryOperation;
  m["Exp"] = [](ImportContext& c) { simple(c, U::kEXP); };
  m["Log"] = [](ImportContext& c) { simple(c, U::kLOG); };
  m["Sqrt"] = [](ImportContext& c) { simple(c, U::kSQRT); };
  m["Reciprocal"] = [](ImportContext& c) { simple(c, U::kRECIP); };
  m["Abs"] = [](ImportContext& c) { simple(c, U::kABS); };
  m["Neg"] = [](ImportContext& c) { simple(c, U::kNEG); };
  m["Sin"] = [](ImportContext& c) { simple(c, U::kSIN); };
  m["Cos"] = [](ImportContext& c) { simple(c, U::kCOS); };
  m["Tan"] = [](ImportContext& c) { simple(c, U::kTAN); };
  m["Erf"] = [](ImportContext& c) { simple(c, U::kERF); };
  m["Floor"] = [](ImportContext& c) { simple(c, U::kFLOOR); };
  m["Ceil"] = [](ImportContext& c) { simple(c, U::kCEIL); };
  m["Round"] = [](ImportContext& c) { simple(c, U::kROUND); };
  m["Not"] = [](ImportContext& c) { simple(c, U::kNOT); };
  m["Sign"] = [](ImportContext& c) { simple(c, U::kSIGN); };
  m["Sinh"] = [](ImportContext& c) { simple(c, U::kSINH); };
  m["Cosh"] = [](ImportContext& c) { simple(c, U::kCOSH); };
  m["Asin"] = [](ImportContext& c) { simple(c, U::kASIN); };
  m["Acos"] = [](ImportContext& c) { simple(c, U::kACOS); };
  m["Atan"] = [](ImportContext& c) { simple(c, U::kATAN); };
  m["Asinh"] = [](ImportContext& c) { simple(c, U::kASINH); };
  m["Acosh"] = [](ImportContext& c) { simple(c, U::kACOSH); };
  m["Atanh"] = [](ImportContext& c) { simple(c, U::kATANH); };
  m["IsNaN"] = [](ImportContext& c) { simple(c, U::kISNAN); };
  m["IsInf"] = is_inf;
  m["Identity"] = identity;
  m["Dropout"] = dropout;
  m["Cast"] = [](ImportContext& c) {
    if (!c.has_attr("to")) c.invalid("attribute 'to' is missing");
    cast_to(c, static_cast<int32_t>(c.attr_int("to", 0)));
  };
  m["CastLike"] = [](ImportContext& c) { cast_to(c, to_onnx_type(c.input_type(1))); };
}

}  // namespace kiln::onnx
