// Binary and n-ary elementwise ops with numpy broadcasting; comparisons, logic, Where and Mod
// (composed from floor division).
#include "onnx/importers/families.h"

namespace kiln::onnx {

Tensor& elementwise(ImportContext& ctx, Tensor& a, Tensor& b, ElementWiseOperation op,
                    const std::string& suffix) {
  return *ctx.named(ctx.network().add_elementwise(a, b, op), suffix).get_output(0);
}

Tensor& unary(ImportContext& ctx, Tensor& x, UnaryOperation op, const std::string& suffix) {
  return *ctx.named(ctx.network().add_unary(x, op), suffix).get_output(0);
}

namespace {

// uint8 arithmetic, which kiln's elementwise layer lacks: computed in int32 and wrapped modulo
// 256 (numpy's uint8 rule) where the result can leave 0..255.
Tensor& uint8_op(ImportContext& ctx, Tensor& a, Tensor& b, ElementWiseOperation op) {
  Tensor& y = elementwise(ctx, cast(ctx, a, DataType::kINT32, "a_int"),
                          cast(ctx, b, DataType::kINT32, "b_int"), op, "int");
  Tensor* r = &y;
  if (op == ElementWiseOperation::kSUM || op == ElementWiseOperation::kSUB ||
      op == ElementWiseOperation::kPROD) {
    Tensor& m = ctx.scalar(DataType::kINT32, 256, y.dimensions().nb_dims, "modulus");
    Tensor& q = elementwise(ctx, y, m, ElementWiseOperation::kFLOOR_DIV, "wraps");
    r = &elementwise(ctx, y, elementwise(ctx, q, m, ElementWiseOperation::kPROD, "wrapped"),
                     ElementWiseOperation::kSUB, "wrap");
  }
  return cast(ctx, *r, DataType::kUINT8, "");
}

bool uint8_arithmetic(ElementWiseOperation op) {
  using Op = ElementWiseOperation;
  return op == Op::kSUM || op == Op::kSUB || op == Op::kPROD || op == Op::kDIV || op == Op::kMAX ||
         op == Op::kMIN;
}

void binary(ImportContext& ctx, ElementWiseOperation op) {
  Tensor& a = ctx.input(0);
  Tensor& b = ctx.input(1);
  if (a.type() == DataType::kUINT8 && b.type() == DataType::kUINT8 && uint8_arithmetic(op)) {
    ctx.set_output(0, uint8_op(ctx, a, b, op));
    return;
  }
  if (a.type() != b.type()) {
    // Pow (opset 12+) allows a different exponent type; convert it to the base's type.
    if (op == ElementWiseOperation::kPOW) {
      ctx.set_output(0, elementwise(ctx, a, cast(ctx, b, a.type(), "exponent"), op, ""));
      return;
    }
    ctx.invalid(str_cat("inputs have different types ", a.type(), " and ", b.type()));
  }
  ctx.set_output(0, elementwise(ctx, a, b, op, ""));
}

// Max, Min, Sum, Mean: any number of inputs.
void variadic(ImportContext& ctx, ElementWiseOperation op, bool mean) {
  if (ctx.num_inputs() < 1) ctx.invalid("needs at least one input");
  Tensor* acc = &ctx.input(0);
  for (int32_t i = 1; i < ctx.num_inputs(); ++i) {
    if (acc->type() == DataType::kUINT8 && !mean && uint8_arithmetic(op)) {
      acc = &uint8_op(ctx, *acc, ctx.input(i), op);
      continue;
    }
    acc = &elementwise(ctx, *acc, ctx.input(i), op, str_cat("acc", i));
  }
  if (mean) {
    Tensor& n = ctx.scalar(acc->type(), ctx.num_inputs(), acc->dimensions().nb_dims, "count");
    acc = &elementwise(ctx, *acc, n, ElementWiseOperation::kDIV, "");
  } else if (ctx.num_inputs() == 1) {
    acc = ctx.named(ctx.network().add_identity(*acc)).get_output(0);
  }
  ctx.set_output(0, *acc);
}

void compare_or_equal(ImportContext& ctx, ElementWiseOperation op) {
  Tensor& a = ctx.input(0);
  Tensor& b = ctx.input(1);
  Tensor& strict = elementwise(ctx, a, b, op, "strict");
  Tensor& eq = elementwise(ctx, a, b, ElementWiseOperation::kEQUAL, "equal");
  ctx.set_output(0, elementwise(ctx, strict, eq, ElementWiseOperation::kOR, ""));
}

bool is_float(DataType t) {
  return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16;
}

// fmod = 0: a - floor(a / b) * b (the sign of b, Python's rule); fmod = 1: C's fmod, the sign
// of a: a - trunc(a / b) * b.
void mod(ImportContext& ctx) {
  Tensor* pa = &ctx.input(0);
  Tensor* pb = &ctx.input(1);
  bool fmod = ctx.attr_int("fmod", 0) != 0;
  if (pa->type() == DataType::kUINT8 && pb->type() == DataType::kUINT8) {
    // uint8 in int32 (both rules agree for non-negative values), cast back at the end.
    pa = &cast(ctx, *pa, DataType::kINT32, "a_int");
    pb = &cast(ctx, *pb, DataType::kINT32, "b_int");
    Tensor& q = elementwise(ctx, *pa, *pb, ElementWiseOperation::kFLOOR_DIV, "floor_div");
    Tensor& qb = elementwise(ctx, q, *pb, ElementWiseOperation::kPROD, "times");
    ctx.set_output(0, cast(ctx, elementwise(ctx, *pa, qb, ElementWiseOperation::kSUB, "int"),
                           DataType::kUINT8, ""));
    return;
  }
  Tensor& a = *pa;
  Tensor& b = *pb;
  if (!fmod) {
    if (is_float(a.type())) ctx.invalid("Mod with fmod=0 needs integer inputs");
    Tensor& q = elementwise(ctx, a, b, ElementWiseOperation::kFLOOR_DIV, "floor_div");
    Tensor& qb = elementwise(ctx, q, b, ElementWiseOperation::kPROD, "times");
    ctx.set_output(0, elementwise(ctx, a, qb, ElementWiseOperation::kSUB, ""));
    return;
  }
  if (!is_float(a.type())) {
    // trunc division for integers: floor_div corrected where the signs differ and a remainder
    // is left; the remainder then takes the sign of a.
    Tensor& q = elementwise(ctx, a, b, ElementWiseOperation::kFLOOR_DIV, "floor_div");
    Tensor& r = elementwise(ctx, a, elementwise(ctx, q, b, ElementWiseOperation::kPROD, "qb"),
                            ElementWiseOperation::kSUB, "floor_mod");
    // floor_mod has b's sign; where it is nonzero and a's sign differs from b's, subtract b.
    Tensor& zero = ctx.scalar(a.type(), 0, a.dimensions().nb_dims, "zero");
    Tensor& a_neg = elementwise(ctx, a, zero, ElementWiseOperation::kLESS, "a_neg");
    Tensor& b_neg = elementwise(ctx, b, zero, ElementWiseOperation::kLESS, "b_neg");
    Tensor& differ = elementwise(ctx, a_neg, b_neg, ElementWiseOperation::kXOR, "differ");
    Tensor& r_zero = elementwise(ctx, r, zero, ElementWiseOperation::kEQUAL, "r_zero");
    Tensor& r_nonzero = unary(ctx, r_zero, UnaryOperation::kNOT, "r_nonzero");
    Tensor& fix = elementwise(ctx, differ, r_nonzero, ElementWiseOperation::kAND, "fix");
    Tensor& r_fixed = elementwise(ctx, r, b, ElementWiseOperation::kSUB, "fixed");
    ctx.set_output(0, *ctx.named(ctx.network().add_select(fix, r_fixed, r)).get_output(0));
    return;
  }
  // Floats: a - trunc(a / b) * b with trunc(x) = sign(x) * floor(|x|).
  Tensor& q = elementwise(ctx, a, b, ElementWiseOperation::kDIV, "div");
  Tensor& t = elementwise(
      ctx, unary(ctx, q, UnaryOperation::kSIGN, "sign"),
      unary(ctx, unary(ctx, q, UnaryOperation::kABS, "abs"), UnaryOperation::kFLOOR, "floor"),
      ElementWiseOperation::kPROD, "trunc");
  Tensor& tb = elementwise(ctx, t, b, ElementWiseOperation::kPROD, "times");
  ctx.set_output(0, elementwise(ctx, a, tb, ElementWiseOperation::kSUB, ""));
}

void where(ImportContext& ctx) {
  ctx.set_output(
      0,
      *ctx.named(ctx.network().add_select(ctx.input(0), ctx.input(1), ctx.input(2))).get_output(0));
}

}  // namespace

void register_elementwise(ImporterMap& m) {
  using Op = ElementWiseOperation;
  m["Add"] = [](ImportContext& c) { binary(c, Op::kSUM); };
  m["Sub"] = [](ImportContext& c) { binary(c, Op::kSUB); };
  m["Mul"] = [](ImportContext& c) { binary(c, Op::kPROD); };
  m["Div"] = [](ImportContext& c) {
    // Integer Div truncates toward zero in ONNX; kiln's kDIV on integers does the same.
    binary(c, Op::kDIV);
  };
  m["Pow"] = [](ImportContext& c) { binary(c, Op::kPOW); };
  m["Max"] = [](ImportContext& c) { variadic(c, Op::kMAX, false); };
  m["Min"] = [](ImportContext& c) { variadic(c, Op::kMIN, false); };
  m["Sum"] = [](ImportContext& c) { variadic(c, Op::kSUM, false); };
  m["Mean"] = [](ImportContext& c) { variadic(c, Op::kSUM, true); };
  m["Equal"] = [](ImportContext& c) { binary(c, Op::kEQUAL); };
  m["Less"] = [](ImportContext& c) { binary(c, Op::kLESS); };
  m["Greater"] = [](ImportContext& c) { binary(c, Op::kGREATER); };
  m["LessOrEqual"] = [](ImportContext& c) { compare_or_equal(c, Op::kLESS); };
  m["GreaterOrEqual"] = [](ImportContext& c) { compare_or_equal(c, Op::kGREATER); };
  m["And"] = [](ImportContext& c) { binary(c, Op::kAND); };
  m["Or"] = [](ImportContext& c) { binary(c, Op::kOR); };
  m["Xor"] = [](ImportContext& c) { binary(c, Op::kXOR); };
  m["Where"] = where;
  m["Mod"] = mod;
}

}  // namespace kiln::onnx
