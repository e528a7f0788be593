// Activations: ONNX ops that map onto ActivationLayer, plus PRelu, HardSwish, Softsign,
// ThresholdedRelu, Celu and Mish composed from elementwise layers.
#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

Tensor& activation(ImportContext& ctx, Tensor& x, ActivationType type, float alpha, float beta,
                   const std::string& suffix) {
  ActivationLayer& a = ctx.named(ctx.network().add_activation(x, type), suffix);
  a.set_alpha(alpha);
  a.set_beta(beta);
  return *a.get_output(0);
}

void simple(ImportContext& ctx, ActivationType type, float alpha, float beta) {
  ctx.set_output(0, activation(ctx, ctx.input(0), type, alpha, beta, ""));
}

// Clip: min/max as attributes (opset < 11) or optional inputs.
void clip(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  bool is_float =
      x.type() == DataType::kFLOAT || x.type() == DataType::kHALF || x.type() == DataType::kBF16;
  if (ctx.opset() < 11) {
    simple(ctx, ActivationType::kCLIP, ctx.attr_float("min", -3.402823e38f),
           ctx.attr_float("max", 3.402823e38f));
    return;
  }
  const TensorValue* lo = ctx.constant(1);
  const TensorValue* hi = ctx.constant(2);
  bool const_bounds = (!ctx.has_input(1) || lo) && (!ctx.has_input(2) || hi);
  if (is_float && const_bounds) {
    float a = lo ? static_cast<float>(to_doubles(*lo).at(0)) : -3.402823e38f;
    float b = hi ? static_cast<float>(to_doubles(*hi).at(0)) : 3.402823e38f;
    simple(ctx, ActivationType::kCLIP, a, b);
    return;
  }
  // Integer inputs or bounds known only at run time: max then min.
  Tensor* y = &x;
  int32_t rank = x.dimensions().nb_dims;
  if (ctx.has_input(1)) {
    y = &elementwise(ctx, *y, broadcast_rank(ctx, ctx.input(1), rank, "min_rank"),
                     ElementWiseOperation::kMAX, "max");
  }
  if (ctx.has_input(2)) {
    y = &elementwise(ctx, *y, broadcast_rank(ctx, ctx.input(2), rank, "max_rank"),
                     ElementWiseOperation::kMIN, "min");
  }
  if (y == &x) y = ctx.named(ctx.network().add_identity(x)).get_output(0);
  ctx.set_output(0, *y);
}

void prelu(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Tensor& slope = ctx.input(1);
  Tensor& zero = ctx.scalar(x.type(), 0, x.dimensions().nb_dims, "zero");
  Tensor& pos = elementwise(ctx, x, zero, ElementWiseOperation::kMAX, "pos");
  Tensor& neg = elementwise(ctx, x, zero, ElementWiseOperation::kMIN, "neg");
  Tensor& scaled = elementwise(ctx, neg, slope, ElementWiseOperation::kPROD, "scaled");
  ctx.set_output(0, elementwise(ctx, pos, scaled, ElementWiseOperation::kSUM, ""));
}

void hard_swish(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Tensor& hs = activation(ctx, x, ActivationType::kHARD_SIGMOID, 1.0f / 6.0f, 0.5f, "gate");
  ctx.set_output(0, elementwise(ctx, x, hs, ElementWiseOperation::kPROD, ""));
}

void softsign(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Tensor& one = ctx.scalar(x.type(), 1, x.dimensions().nb_dims, "one");
  Tensor& den = elementwise(ctx, unary(ctx, x, UnaryOperation::kABS, "abs"), one,
                            ElementWiseOperation::kSUM, "den");
  ctx.set_output(0, elementwise(ctx, x, den, ElementWiseOperation::kDIV, ""));
}

void thresholded_relu(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  int32_t rank = x.dimensions().nb_dims;
  Tensor& alpha = ctx.scalar(x.type(), ctx.attr_float("alpha", 1.0f), rank, "alpha");
  Tensor& keep = elementwise(ctx, x, alpha, ElementWiseOperation::kGREATER, "keep");
  Tensor& zero = ctx.scalar(x.type(), 0, rank, "zero");
  ctx.set_output(0, *ctx.named(ctx.network().add_select(keep, x, zero)).get_output(0));
}

// Celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) = elu(x / alpha) * alpha.
void celu(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  float alpha = ctx.attr_float("alpha", 1.0f);
  int32_t rank = x.dimensions().nb_dims;
  Tensor& a = ctx.scalar(x.type(), alpha, rank, "alpha");
  Tensor& scaled = elementwise(ctx, x, a, ElementWiseOperation::kDIV, "scaled");
  Tensor& e = activation(ctx, scaled, ActivationType::kELU, 1.0f, 0.0f, "elu");
  ctx.set_output(0, elementwise(ctx, e, a, ElementWiseOperation::kPROD, ""));
}

void mish(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Tensor& sp = activation(ctx, x, ActivationType::kSOFTPLUS, 1.0f, 1.0f, "softplus");
  Tensor& t = activation(ctx, sp, ActivationType::kTANH, 0, 0, "tanh");
  ctx.set_output(0, elementwise(ctx, x, t, ElementWiseOperation::kPROD, ""));
}

void gelu(ImportContext& ctx) {
  std::string approx = ctx.attr_string("approximate", "none");
  if (approx == "tanh")
    simple(ctx, ActivationType::kGELU_TANH, 0, 0);
  else if (approx == "none")
    simple(ctx, ActivationType::kGELU_ERF, 0, 0);
  else
    ctx.invalid(str_cat("approximate must be 'none' or 'tanh', got '", approx, "'"));
}

}  // namespace

void register_activation(ImporterMap& m) {
  using A = ActivationType;
  m["Relu"] = [](ImportContext& c) { simple(c, A::kRELU, 0, 0); };
  m["Sigmoid"] = [](ImportContext& c) { simple(c, A::kSIGMOID, 0, 0); };
  m["Tanh"] = [](ImportContext& c) { simple(c, A::kTANH, 0, 0); };
  m["LeakyRelu"] = [](ImportContext& c) {
    simple(c, A::kLEAKY_RELU, c.attr_float("alpha", 0.01f), 0);
  };
  m["Elu"] = [](ImportContext& c) { simple(c, A::kELU, c.attr_float("alpha", 1.0f), 0); };
  m["Selu"] = [](ImportContext& c) {
    simple(c, A::kSELU, c.attr_float("alpha", 1.67326319217681884765625f),
           c.attr_float("gamma", 1.05070102214813232421875f));
  };
  m["Softplus"] = [](ImportContext& c) { simple(c, A::kSOFTPLUS, 1.0f, 1.0f); };
  m["HardSigmoid"] = [](ImportContext& c) {
    simple(c, A::kHARD_SIGMOID, c.attr_float("alpha", 0.2f), c.attr_float("beta", 0.5f));
  };
  m["HardSwish"] = hard_swish;
  m["Gelu"] = gelu;
  m["Clip"] = clip;
  m["PRelu"] = prelu;
  m["Softsign"] = softsign;
  m["ThresholdedRelu"] = thresholded_relu;
  m["Celu"] = celu;
  m["Mish"] = mish;
  m["Swish"] = [](ImportContext& c) {
    Tensor& x = c.input(0);
    Tensor& a = c.scalar(x.type(), c.attr_float("alpha", 1.0f), x.dimensions().nb_dims, "alpha");
    Tensor& g = activation(c, elementwise(c, x, a, ElementWiseOperation::kPROD, "ax"),
                           ActivationType::kSIGMOID, 0, 0, "gate");
    c.set_output(0, elementwise(c, x, g, ElementWiseOperation::kPROD, ""));
  };
  m["Shrink"] = [](ImportContext& c) {
    // x < -lambd: x + bias; x > lambd: x - bias; else 0.
    Tensor& x = c.input(0);
    int32_t r = x.dimensions().nb_dims;
    float lambd = c.attr_float("lambd", 0.5f), bias = c.attr_float("bias", 0.0f);
    Tensor& lo = c.scalar(x.type(), -lambd, r, "neg_lambd");
    Tensor& hi = c.scalar(x.type(), lambd, r, "lambd");
    Tensor& b = c.scalar(x.type(), bias, r, "bias");
    Tensor& zero = c.scalar(x.type(), 0, r, "zero");
    Tensor& below = elementwise(c, x, lo, ElementWiseOperation::kLESS, "below");
    Tensor& above = elementwise(c, x, hi, ElementWiseOperation::kGREATER, "above");
    Tensor& up = elementwise(c, x, b, ElementWiseOperation::kSUM, "plus_bias");
    Tensor& down = elementwise(c, x, b, ElementWiseOperation::kSUB, "minus_bias");
    Tensor& inner = *c.named(c.network().add_select(above, down, zero), "above_sel").get_output(0);
    c.set_output(0, *c.named(c.network().add_select(below, up, inner)).get_output(0));
  };
}

}  // namespace kiln::onnx
