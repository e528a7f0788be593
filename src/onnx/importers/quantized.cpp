// Integer and quantized linear algebra: MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv and
// DynamicQuantizeLinear, composed from casts, float matrix multiplies/convolutions and
// elementwise layers (the integer products are exact in float32 below 2^24, as in TensorRT's
// explicit-quantization graphs, which dequantize into float layers).
#include <cmath>

#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

Tensor& to_float(ImportContext& ctx, Tensor& t, const std::string& suffix) {
  return cast(ctx, t, DataType::kFLOAT, suffix);
}

// A zero point or scale of matrix `a` ([.., M, K]): a scalar, or one value per row (`per_row`)
// or per column, reshaped so it broadcasts against the matrix.
Tensor& matrix_param(ImportContext& ctx, Tensor& p, int32_t rank, bool per_row,
                     const std::string& suffix) {
  Dims d = p.dimensions();
  if (d.nb_dims == 0 || volume(d) == 1) return reshape(ctx, p, Dims::filled(rank, 1), suffix);
  if (d.nb_dims != 1) {
    ctx.unsupported(str_cat(suffix, " of shape ", d, " (only scalars and 1-D per-row/column)"));
  }
  Dims out = Dims::filled(rank, 1);
  out.d[per_row ? rank - 2 : rank - 1] = d.d[0];
  return reshape(ctx, p, out, suffix);
}

// float(x) - float(zero point), or float(x) without a zero point.
Tensor& centered_matrix(ImportContext& ctx, int32_t x, int32_t zp, bool per_row,
                        const std::string& name) {
  Tensor& xf = to_float(ctx, ctx.input(x), name + "_float");
  if (!ctx.has_input(zp)) return xf;
  int32_t rank = std::max(2, xf.dimensions().nb_dims);
  Tensor& z = matrix_param(ctx, to_float(ctx, ctx.input(zp), name + "_zp_float"), rank, per_row,
                           name + "_zp");
  return elementwise(ctx, xf, z, ElementWiseOperation::kSUB, name + "_centered");
}

Tensor& matmul_of(ImportContext& ctx, Tensor& a, Tensor& b, const std::string& suffix) {
  if (a.dimensions().nb_dims < 2 || b.dimensions().nb_dims < 2) {
    ctx.invalid(
        str_cat("A and B must have rank 2 or more, got ", a.dimensions(), " and ", b.dimensions()));
  }
  return *ctx.named(ctx.network().add_matrix_multiply(a, MatrixOperation::kNONE, b,
                                                      MatrixOperation::kNONE),
                    suffix)
              .get_output(0);
}

// Rounds `y` (float) half to even, adds the zero point, saturates to the zero point's type and
// casts to it (uint8 without a zero point).
Tensor& requantize(ImportContext& ctx, Tensor& y, int32_t zp_input, Tensor* zp) {
  int32_t rank = y.dimensions().nb_dims;
  DataType out = ctx.has_input(zp_input) ? ctx.input_type(zp_input) : DataType::kUINT8;
  double lo = 0, hi = 255;
  if (out == DataType::kINT8) {
    lo = -128;
    hi = 127;
  } else if (out != DataType::kUINT8) {
    ctx.unsupported(str_cat("quantizing to ", out));
  }
  Tensor* r = &unary(ctx, y, UnaryOperation::kROUND, "rounded");
  if (zp) r = &elementwise(ctx, *r, *zp, ElementWiseOperation::kSUM, "shifted");
  r = &elementwise(ctx, *r, ctx.scalar(DataType::kFLOAT, lo, rank, "lo"),
                   ElementWiseOperation::kMAX, "low");
  r = &elementwise(ctx, *r, ctx.scalar(DataType::kFLOAT, hi, rank, "hi"),
                   ElementWiseOperation::kMIN, "high");
  return cast(ctx, *r, out, "");
}

// MatMulInteger: int32 (a - a_zero_point) x (b - b_zero_point).
void matmul_integer(ImportContext& ctx) {
  Tensor& a = centered_matrix(ctx, 0, 2, true, "a");
  Tensor& b = centered_matrix(ctx, 1, 3, false, "b");
  ctx.set_output(0, cast(ctx, matmul_of(ctx, a, b, "matmul"), DataType::kINT32, ""));
}

// QLinearMatMul: y = saturate(round((a - a_zp)(b - b_zp) * a_scale * b_scale / y_scale) + y_zp).
// The scale factor is computed in the scales' type, as ONNX's reference does.
void qlinear_matmul(ImportContext& ctx) {
  for (int32_t i : {1, 2, 4, 5, 6, 7}) {
    if (!ctx.has_input(i)) ctx.invalid(str_cat("input ", i, " is required"));
  }
  Tensor& a = centered_matrix(ctx, 0, 2, true, "a");
  Tensor& b = centered_matrix(ctx, 3, 5, false, "b");
  Tensor& c = matmul_of(ctx, a, b, "matmul");
  int32_t rank = c.dimensions().nb_dims;
  Tensor& as = matrix_param(ctx, ctx.input(1), rank, true, "a_scale");
  Tensor& bs = matrix_param(ctx, ctx.input(4), rank, false, "b_scale");
  Tensor& ys = matrix_param(ctx, ctx.input(6), rank, false, "y_scale");
  if (as.type() != bs.type() || as.type() != ys.type())
    ctx.invalid("a_scale, b_scale and y_scale must have the same type");
  Tensor& factor =
      elementwise(ctx, elementwise(ctx, as, bs, ElementWiseOperation::kPROD, "ab_scale"), ys,
                  ElementWiseOperation::kDIV, "factor");
  Tensor& y = elementwise(ctx, c, to_float(ctx, factor, "factor_float"),
                          ElementWiseOperation::kPROD, "scaled");
  Tensor& zp = matrix_param(ctx, to_float(ctx, ctx.input(7), "y_zp_float"), rank, false, "y_zp");
  ctx.set_output(0, requantize(ctx, y, 7, &zp));
}

// float(w) - float(w_zero_point) on the host: a scalar or one zero point per output channel.
std::vector<float> centered_kernel(ImportContext& ctx, const TensorValue& w, int32_t zp_input) {
  std::vector<double> wv = to_doubles(w);
  std::vector<float> out(wv.begin(), wv.end());
  if (!ctx.has_input(zp_input)) return out;
  std::vector<double> zp = to_doubles(ctx.require_constant(zp_input, "the kernel's zero point"));
  int64_t m = w.dims[0];
  int64_t per = m > 0 ? w.count() / m : 0;
  if (zp.size() != 1 && static_cast<int64_t>(zp.size()) != m) {
    ctx.invalid(
        str_cat("the kernel's zero point has ", zp.size(), " values for ", m, " output channels"));
  }
  for (int64_t i = 0; i < w.count(); ++i)
    out[static_cast<size_t>(i)] -= static_cast<float>(zp.size() == 1 ? zp[0] : zp[i / per]);
  return out;
}

// A float convolution of (x - x_zero_point) with the centered kernel and an optional bias.
Tensor& integer_conv(ImportContext& ctx, int32_t x_input, int32_t xzp_input, int32_t w_input,
                     int32_t wzp_input, const std::vector<float>* bias) {
  Tensor* x = &to_float(ctx, ctx.input(x_input), "x_float");
  if (x->dimensions().nb_dims < 3)
    ctx.invalid(str_cat("X must have rank 3 or more, got ", x->dimensions()));
  if (ctx.has_input(xzp_input)) {
    Tensor& zp = to_float(ctx, ctx.input(xzp_input), "x_zp_float");
    if (volume(zp.dimensions()) != 1) ctx.unsupported("a per-channel zero point of X");
    x = &elementwise(ctx, *x, reshape(ctx, zp, Dims::filled(x->dimensions().nb_dims, 1), "x_zp"),
                     ElementWiseOperation::kSUB, "x_centered");
  }
  const TensorValue& w = ctx.require_constant(w_input, "the kernel");
  if (w.dims.size() < 3) ctx.invalid(str_cat("W must have rank 3 or more, got ", w.dims.size()));
  std::vector<float> kernel = centered_kernel(ctx, w, wzp_input);
  Dims wk = to_dims(ctx, std::vector<int64_t>(w.dims.begin() + 2, w.dims.end()));
  Dims k = ctx.has_attr("kernel_shape") ? to_dims(ctx, ctx.attr_ints("kernel_shape")) : wk;
  Window win = window_attrs(ctx, x->dimensions(), k, false);
  Weights bw{};
  if (bias) bw = Weights{DataType::kFLOAT, bias->data(), static_cast<int64_t>(bias->size())};
  ConvolutionLayer& c = ctx.named(
      ctx.network().add_convolution_nd(
          *x, w.dims[0], k,
          Weights{DataType::kFLOAT, kernel.data(), static_cast<int64_t>(kernel.size())}, bw),
      "conv");
  c.set_num_groups(ctx.attr_int("group", 1));
  c.set_stride_nd(win.stride);
  c.set_dilation_nd(win.dilation);
  c.set_pre_padding(win.pre);
  c.set_post_padding(win.post);
  return *c.get_output(0);
}

void conv_integer(ImportContext& ctx) {
  ctx.set_output(0, cast(ctx, integer_conv(ctx, 0, 2, 1, 3, nullptr), DataType::kINT32, ""));
}

// QLinearConv: y = saturate(round((conv(x - x_zp, w - w_zp) + B) * x_scale * w_scale / y_scale)
// + y_zp), w_scale per tensor or per output channel.
void qlinear_conv(ImportContext& ctx) {
  for (int32_t i : {1, 2, 4, 5, 6, 7}) {
    if (!ctx.has_input(i)) ctx.invalid(str_cat("input ", i, " is required"));
  }
  std::vector<float> bias;
  if (ctx.has_input(8)) {
    std::vector<double> b = to_doubles(ctx.require_constant(8, "the bias"));
    bias.assign(b.begin(), b.end());
  }
  Tensor& c = integer_conv(ctx, 0, 2, 3, 5, ctx.has_input(8) ? &bias : nullptr);
  int32_t rank = c.dimensions().nb_dims;
  Dims one = Dims::filled(rank, 1);
  Tensor& xs = reshape(ctx, ctx.input(1), one, "x_scale");
  Tensor* ws = &ctx.input(4);
  Dims channel = one;
  channel.d[1] = volume(ws->dimensions());
  ws = &reshape(ctx, *ws, channel, "w_scale");
  Tensor& ys = reshape(ctx, ctx.input(6), one, "y_scale");
  Tensor& factor =
      elementwise(ctx, elementwise(ctx, xs, *ws, ElementWiseOperation::kPROD, "xw_scale"), ys,
                  ElementWiseOperation::kDIV, "factor");
  Tensor& y = elementwise(ctx, c, to_float(ctx, factor, "factor_float"),
                          ElementWiseOperation::kPROD, "scaled");
  Tensor& zp = reshape(ctx, to_float(ctx, ctx.input(7), "y_zp_float"), one, "y_zp");
  ctx.set_output(0, requantize(ctx, y, 7, &zp));
}

// DynamicQuantizeLinear: uint8 quantization over the range [min(0, min x), max(0, max x)].
void dynamic_quantize(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  if (x.type() != DataType::kFLOAT) ctx.invalid(str_cat("X must be float32, got ", x.type()));
  int32_t rank = x.dimensions().nb_dims;
  uint32_t all = rank == 0 ? 0 : (1u << rank) - 1;
  auto reduce = [&](ReduceOperation op, ElementWiseOperation with_zero,
                    const char* name) -> Tensor& {
    Tensor* r = &x;
    if (rank > 0) r = ctx.named(ctx.network().add_reduce(x, op, all, false), name).get_output(0);
    return elementwise(ctx, *r, ctx.scalar(DataType::kFLOAT, 0.0, 0, str_cat(name, "_zero")),
                       with_zero, str_cat(name, "_with_zero"));
  };
  Tensor& lo = reduce(ReduceOperation::kMIN, ElementWiseOperation::kMIN, "min");
  Tensor& hi = reduce(ReduceOperation::kMAX, ElementWiseOperation::kMAX, "max");
  Tensor& scale = elementwise(ctx, elementwise(ctx, hi, lo, ElementWiseOperation::kSUB, "range"),
                              ctx.scalar(DataType::kFLOAT, 255.0, 0, "qmax"),
                              ElementWiseOperation::kDIV, "scale");
  auto clamp_round = [&](Tensor& v, const std::string& name) -> Tensor& {
    Tensor* r = &unary(ctx, v, UnaryOperation::kROUND, name + "_rounded");
    int32_t rr = r->dimensions().nb_dims;
    r = &elementwise(ctx, *r, ctx.scalar(DataType::kFLOAT, 0.0, rr, name + "_lo"),
                     ElementWiseOperation::kMAX, name + "_low");
    return elementwise(ctx, *r, ctx.scalar(DataType::kFLOAT, 255.0, rr, name + "_hi"),
                       ElementWiseOperation::kMIN, name + "_high");
  };
  Tensor& zp =
      clamp_round(unary(ctx, elementwise(ctx, lo, scale, ElementWiseOperation::kDIV, "min_scaled"),
                        UnaryOperation::kNEG, "zp_float"),
                  "zp");
  Dims one = Dims::filled(rank, 1);
  Tensor& q = elementwise(ctx,
                          unary(ctx,
                                elementwise(ctx, x, reshape(ctx, scale, one, "scale_b"),
                                            ElementWiseOperation::kDIV, "x_scaled"),
                                UnaryOperation::kROUND, "x_rounded"),
                          reshape(ctx, zp, one, "zp_b"), ElementWiseOperation::kSUM, "x_shifted");
  Tensor& y = elementwise(ctx,
                          elementwise(ctx, q, ctx.scalar(DataType::kFLOAT, 0.0, rank, "y_lo"),
                                      ElementWiseOperation::kMAX, "y_low"),
                          ctx.scalar(DataType::kFLOAT, 255.0, rank, "y_hi"),
                          ElementWiseOperation::kMIN, "y_high");
  ctx.set_output(0, cast(ctx, y, DataType::kUINT8, "y"));
  if (ctx.has_output(1))
    ctx.set_output(1, ctx.named(*ctx.network().add_identity(scale), "y_scale"));
  if (ctx.has_output(2)) ctx.set_output(2, cast(ctx, zp, DataType::kUINT8, "y_zero_point"));
}

}  // namespace

void register_quantized(ImporterMap& m) {
  m["MatMulInteger"] = matmul_integer;
  m["ConvInteger"] = conv_integer;
  m["QLinearMatMul"] = qlinear_matmul;
  m["QLinearConv"] = qlinear_conv;
  m["DynamicQuantizeLinear"] = dynamic_quantize;
}

}  // namespace kiln::onnx
