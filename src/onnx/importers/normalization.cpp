// BatchNormalization (inference form: folded into a per-channel scale and shift when its
// parameters are constants), LayerNormalization, InstanceNormalization and GroupNormalization
// (NormalizationLayer).
#include "onnx/importers/families.h"

#include <cmath>

namespace kiln::onnx {

namespace {

// [C] -> [1, C, 1, ...] for an input of rank `rank`.
Dims channel_dims(int64_t channels, int32_t rank) {
  Dims d = Dims::filled(rank, 1);
  d.d[1] = channels;
  return d;
}

void batch_norm(ImportContext& ctx) {
  if (ctx.attr_int("training_mode", 0) != 0 || ctx.has_output(1) || ctx.has_output(2)) {
    ctx.unsupported("training mode (running mean/variance outputs)");
  }
  Tensor& x = ctx.input(0);
  Dims xd = x.dimensions();
  if (xd.nb_dims < 2) ctx.invalid(str_cat("X must have rank 2 or more, got ", xd));
  float eps = ctx.attr_float("epsilon", 1e-5f);
  const TensorValue* scale = ctx.constant(1);
  const TensorValue* bias = ctx.constant(2);
  const TensorValue* mean = ctx.constant(3);
  const TensorValue* var = ctx.constant(4);
  if (scale && bias && mean && var) {
    std::vector<double> s = to_doubles(*scale), b = to_doubles(*bias), m = to_doubles(*mean),
                        v = to_doubles(*var);
    size_t c = s.size();
    if (b.size() != c || m.size() != c || v.size() != c) {
      ctx.invalid(str_cat("scale, B, mean and var must have the same size, got ", s.size(), ", ",
                          b.size(), ", ", m.size(), ", ", v.size()));
    }
    std::vector<double> mul(c), add(c);
    for (size_t i = 0; i < c; ++i) {
      mul[i] = s[i] / std::sqrt(v[i] + static_cast<double>(eps));
      add[i] = b[i] - m[i] * mul[i];
    }
    std::vector<int64_t> cd(static_cast<size_t>(xd.nb_dims), 1);
    cd[1] = static_cast<int64_t>(c);
    Tensor& mt = ctx.constant_tensor(make_value(x.type(), cd, mul), "scale");
    Tensor& at = ctx.constant_tensor(make_value(x.type(), cd, add), "shift");
    Tensor& y = elementwise(ctx, x, mt, ElementWiseOperation::kPROD, "mul");
    ctx.set_output(0, elementwise(ctx, y, at, ElementWiseOperation::kSUM, ""));
    return;
  }
  // Parameters known only at run time: (x - mean) / sqrt(var + eps) * scale + B.
  int64_t c = ctx.input(1).dimensions().d[0];
  Dims cd = channel_dims(c, xd.nb_dims);
  auto param = [&](int32_t i, const char* name) -> Tensor& {
    return reshape(ctx, ctx.input(i), cd, name);
  };
  Tensor& centered = elementwise(ctx, x, param(3, "mean"), ElementWiseOperation::kSUB, "center");
  Tensor& ve = elementwise(ctx, param(4, "var"), ctx.scalar(x.type(), eps, xd.nb_dims, "eps"),
                           ElementWiseOperation::kSUM, "var_eps");
  Tensor& sd = unary(ctx, ve, UnaryOperation::kSQRT, "std");
  Tensor& n = elementwise(ctx, centered, sd, ElementWiseOperation::kDIV, "normalized");
  Tensor& sc = elementwise(ctx, n, param(1, "scale"), ElementWiseOperation::kPROD, "scaled");
  ctx.set_output(0, elementwise(ctx, sc, param(2, "bias"), ElementWiseOperation::kSUM, ""));
}

Tensor& zeros_like_shape(ImportContext& ctx, DataType type, const Dims& d, const char* suffix) {
  std::vector<int64_t> dims(d.d, d.d + d.nb_dims);
  return ctx.constant_tensor(make_value(type, dims, {0.0}), suffix);
}

// LayerNormalization with its Mean and InvStdDev outputs, composed in float32 (stash_type 1).
void layer_norm_with_stats(ImportContext& ctx, uint32_t mask) {
  Tensor& x0 = ctx.input(0);
  DataType type = x0.type();
  Tensor& x = cast(ctx, x0, DataType::kFLOAT, "x_float");
  int32_t rank = x.dimensions().nb_dims;
  float eps = ctx.attr_float("epsilon", 1e-5f);
  Tensor& mean = *ctx.named(ctx.network().add_reduce(x, ReduceOperation::kAVG, mask, true), "mean")
                      .get_output(0);
  Tensor& d = elementwise(ctx, x, mean, ElementWiseOperation::kSUB, "centered");
  Tensor& var = *ctx.named(ctx.network().add_reduce(
                               elementwise(ctx, d, d, ElementWiseOperation::kPROD, "square"),
                               ReduceOperation::kAVG, mask, true),
                           "var")
                     .get_output(0);
  Tensor& inv = unary(ctx,
                      unary(ctx,
                            elementwise(ctx, var, ctx.scalar(DataType::kFLOAT, eps, rank, "eps"),
                                        ElementWiseOperation::kSUM, "var_eps"),
                            UnaryOperation::kSQRT, "std"),
                      UnaryOperation::kRECIP, "inv_std");
  Tensor* y = &elementwise(ctx, d, inv, ElementWiseOperation::kPROD, "normalized");
  y = &elementwise(ctx, *y, cast(ctx, ctx.input(1), DataType::kFLOAT, "scale_float"),
                   ElementWiseOperation::kPROD, "scaled");
  if (ctx.has_input(2)) {
    y = &elementwise(ctx, *y, cast(ctx, ctx.input(2), DataType::kFLOAT, "bias_float"),
                     ElementWiseOperation::kSUM, "biased");
  }
  ctx.set_output(0, cast(ctx, *y, type, "y"));
  ctx.set_output(1, mean);
  ctx.set_output(2, inv);
}

void layer_norm(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  int32_t rank = x.dimensions().nb_dims;
  int32_t axis = normalize_axis(ctx, ctx.attr_int("axis", -1), rank);
  uint32_t mask = 0;
  for (int32_t i = axis; i < rank; ++i) mask |= 1u << i;
  if (ctx.has_output(1) || ctx.has_output(2)) {
    layer_norm_with_stats(ctx, mask);
    return;
  }
  Tensor& scale = ctx.input(1);
  Tensor& bias = ctx.has_input(2) ? ctx.input(2)
                                  : zeros_like_shape(ctx, scale.type(), scale.dimensions(), "bias");
  NormalizationLayer& n = ctx.named(ctx.network().add_normalization(x, scale, bias, mask));
  n.set_epsilon(ctx.attr_float("epsilon", 1e-5f));
  ctx.set_output(0, n);
}

void instance_norm(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims xd = x.dimensions();
  if (xd.nb_dims < 3) ctx.invalid(str_cat("input must have rank 3 or more, got ", xd));
  int64_t c = ctx.input(1).dimensions().d[0];
  Dims cd = channel_dims(c, xd.nb_dims);
  uint32_t mask = 0;
  for (int32_t i = 2; i < xd.nb_dims; ++i) mask |= 1u << i;
  NormalizationLayer& n = ctx.named(ctx.network().add_normalization(
      x, reshape(ctx, ctx.input(1), cd, "scale"), reshape(ctx, ctx.input(2), cd, "bias"), mask));
  n.set_epsilon(ctx.attr_float("epsilon", 1e-5f));
  ctx.set_output(0, n);
}

void group_norm(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims xd = x.dimensions();
  if (xd.nb_dims < 3) ctx.invalid(str_cat("input must have rank 3 or more, got ", xd));
  int64_t groups = ctx.attr_int("num_groups", 0);
  if (groups < 1) ctx.invalid("attribute num_groups must be at least 1");
  if (xd.d[1] < 0) ctx.unsupported("a dynamic channel count");
  int64_t c = xd.d[1];
  uint32_t mask = 0;
  for (int32_t i = 2; i < xd.nb_dims; ++i) mask |= 1u << i;
  float eps = ctx.attr_float("epsilon", 1e-5f);
  int64_t scale_size = ctx.input(1).dimensions().d[0];
  if (scale_size == c) {  // opset 21: per-channel scale and bias
    Dims cd = channel_dims(c, xd.nb_dims);
    NormalizationLayer& n = ctx.named(ctx.network().add_normalization(
        x, reshape(ctx, ctx.input(1), cd, "scale"), reshape(ctx, ctx.input(2), cd, "bias"), mask));
    n.set_epsilon(eps);
    n.set_nb_groups(groups);
    ctx.set_output(0, n);
    return;
  }
  if (scale_size != groups) {
    ctx.invalid(str_cat("scale has ", scale_size, " values; expected num_groups (", groups,
                        ") or channels (", c, ")"));
  }
  // Opset 18: per-group scale and bias. Normalize with unit scale, then scale the groups of
  // [N, G, C/G * spatial].
  if (xd.is_dynamic()) ctx.unsupported("opset-18 GroupNormalization with dynamic dims");
  Dims cd = channel_dims(c, xd.nb_dims);
  std::vector<int64_t> cv(cd.d, cd.d + cd.nb_dims);
  Tensor& ones = ctx.constant_tensor(make_value(x.type(), cv, {1.0}), "ones");
  Tensor& zeros = ctx.constant_tensor(make_value(x.type(), cv, {0.0}), "zeros");
  NormalizationLayer& n =
      ctx.named(ctx.network().add_normalization(x, ones, zeros, mask), "normalize");
  n.set_epsilon(eps);
  n.set_nb_groups(groups);
  Tensor& grouped = reshape(ctx, *n.get_output(0), Dims{xd.d[0], groups, -1}, "grouped");
  Tensor& s = reshape(ctx, ctx.input(1), Dims{1, groups, 1}, "scale");
  Tensor& b = reshape(ctx, ctx.input(2), Dims{1, groups, 1}, "bias");
  Tensor& y = elementwise(ctx, elementwise(ctx, grouped, s, ElementWiseOperation::kPROD, "mul"), b,
                          ElementWiseOperation::kSUM, "add");
  ctx.set_output(0, reshape(ctx, y, xd, ""));
}

// RMSNormalization: x / sqrt(mean(x^2) + epsilon) * scale over the axes from `axis` on.
void rms_norm(ImportContext& ctx) {
  Tensor& x0 = ctx.input(0);
  DataType type = x0.type();
  Tensor& x = cast(ctx, x0, DataType::kFLOAT, "x_float");
  int32_t rank = x.dimensions().nb_dims;
  int32_t axis = normalize_axis(ctx, ctx.attr_int("axis", -1), rank);
  uint32_t mask = 0;
  for (int32_t i = axis; i < rank; ++i) mask |= 1u << i;
  Tensor& ms = *ctx.named(ctx.network().add_reduce(
                              elementwise(ctx, x, x, ElementWiseOperation::kPROD, "square"),
                              ReduceOperation::kAVG, mask, true),
                          "mean_square")
                    .get_output(0);
  Tensor& rms =
      unary(ctx,
            elementwise(ctx, ms,
                        ctx.scalar(DataType::kFLOAT, ctx.attr_float("epsilon", 1e-5f), rank, "eps"),
                        ElementWiseOperation::kSUM, "plus_eps"),
            UnaryOperation::kSQRT, "rms");
  Tensor& n = elementwise(ctx, x, rms, ElementWiseOperation::kDIV, "normalized");
  Tensor& y = elementwise(ctx, n, cast(ctx, ctx.input(1), DataType::kFLOAT, "scale_float"),
                          ElementWiseOperation::kPROD, "scaled");
  ctx.set_output(0, cast(ctx, y, type, "y"));
}

// LpNormalization: x / ||x||_p along one axis (p = 1 or 2).
void lp_norm(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  int32_t rank = x.dimensions().nb_dims;
  uint32_t mask = 1u << normalize_axis(ctx, ctx.attr_int("axis", -1), rank);
  int64_t p = ctx.attr_int("p", 2);
  Tensor* norm = nullptr;
  if (p == 1) {
    norm = ctx.named(ctx.network().add_reduce(unary(ctx, x, UnaryOperation::kABS, "abs"),
                                              ReduceOperation::kSUM, mask, true),
                     "norm")
               .get_output(0);
  } else if (p == 2) {
    Tensor& s = *ctx.named(ctx.network().add_reduce(
                               elementwise(ctx, x, x, ElementWiseOperation::kPROD, "square"),
                               ReduceOperation::kSUM, mask, true),
                           "sum")
                     .get_output(0);
    norm = &unary(ctx, s, UnaryOperation::kSQRT, "norm");
  } else {
    ctx.invalid(str_cat("p must be 1 or 2, got ", p));
  }
  ctx.set_output(0, elementwise(ctx, x, *norm, ElementWiseOperation::kDIV, ""));
}

// MeanVarianceNormalization: (x - mean) / sqrt(var) over `axes` (default 0, 2, 3), epsilon 1e-9.
void mvn(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  int32_t rank = x.dimensions().nb_dims;
  std::vector<int64_t> axes = ctx.attr_ints("axes", {0, 2, 3});
  for (int64_t& a : axes) a = normalize_axis(ctx, a, rank);
  uint32_t mask = axes_mask(axes);
  Tensor& mean = *ctx.named(ctx.network().add_reduce(x, ReduceOperation::kAVG, mask, true), "mean")
                      .get_output(0);
  Tensor& d = elementwise(ctx, x, mean, ElementWiseOperation::kSUB, "centered");
  Tensor& var = *ctx.named(ctx.network().add_reduce(
                               elementwise(ctx, d, d, ElementWiseOperation::kPROD, "square"),
                               ReduceOperation::kAVG, mask, true),
                           "var")
                     .get_output(0);
  Tensor& sd = unary(ctx,
                     elementwise(ctx, var, ctx.scalar(x.type(), 1e-9, rank, "eps"),
                                 ElementWiseOperation::kSUM, "var_eps"),
                     UnaryOperation::kSQRT, "std");
  ctx.set_output(0, elementwise(ctx, d, sd, ElementWiseOperation::kDIV, ""));
}

}  // namespace

void register_normalization(ImporterMap& m) {
  m["RMSNormalization"] = rms_norm;
  m["LpNormalization"] = lp_norm;
  m["MeanVarianceNormalization"] = mvn;
  m["BatchNormalization"] = batch_norm;
  m["LayerNormalization"] = layer_norm;
  m["InstanceNormalization"] = instance_norm;
  m["GroupNormalization"] = group_norm;
}

}  // namespace kiln::onnx
