// Conv (weights must be build-time constants), MaxPool, AveragePool (auto_pad and ceil_mode
// turned into explicit padding; dilated windows through pool_slices.cpp) and the global pools
// (reductions over the spatial axes).
#include "onnx/importers/families.h"

#include <cmath>

namespace kiln::onnx {

// Reads kernel_shape/strides/dilations/pads/auto_pad for `rank` spatial dims of input `x`.
Window window_attrs(ImportContext& ctx, const Dims& x, const Dims& kernel, bool ceil_mode) {
  int32_t rank = kernel.nb_dims;
  Window w;
  w.kernel = kernel;
  std::vector<int64_t> strides = ctx.attr_ints("strides", std::vector<int64_t>(rank, 1));
  std::vector<int64_t> dil = ctx.attr_ints("dilations", std::vector<int64_t>(rank, 1));
  std::vector<int64_t> pads = ctx.attr_ints("pads", std::vector<int64_t>(2 * rank, 0));
  if (static_cast<int32_t>(strides.size()) != rank || static_cast<int32_t>(dil.size()) != rank ||
      static_cast<int32_t>(pads.size()) != 2 * rank) {
    ctx.invalid(str_cat("strides, dilations and pads must have ", rank, ", ", rank, " and ",
                        2 * rank, " values for kernel_shape ", kernel));
  }
  w.stride = to_dims(ctx, strides);
  w.dilation = to_dims(ctx, dil);
  w.pre = to_dims(ctx, std::vector<int64_t>(pads.begin(), pads.begin() + rank));
  w.post = to_dims(ctx, std::vector<int64_t>(pads.begin() + rank, pads.end()));
  std::string auto_pad = ctx.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "VALID") {
    w.pre = w.post = Dims::filled(rank, 0);
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (int32_t i = 0; i < rank; ++i) {
      int64_t in = x.d[x.nb_dims - rank + i];
      if (in < 0) ctx.unsupported("auto_pad SAME with a dynamic spatial dimension");
      int64_t s = w.stride.d[i];
      int64_t out = (in + s - 1) / s;
      int64_t total =
          std::max<int64_t>(0, (out - 1) * s + (w.kernel.d[i] - 1) * w.dilation.d[i] + 1 - in);
      int64_t small = total / 2;
      w.pre.d[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      w.post.d[i] = total - w.pre.d[i];
    }
  } else if (auto_pad != "NOTSET") {
    ctx.invalid(str_cat("unknown auto_pad '", auto_pad, "'"));
  }
  if (ceil_mode) {
    for (int32_t i = 0; i < rank; ++i) {
      int64_t in = x.d[x.nb_dims - rank + i];
      if (in < 0) ctx.unsupported("ceil_mode with a dynamic spatial dimension");
      int64_t k = (w.kernel.d[i] - 1) * w.dilation.d[i] + 1;
      int64_t span = in + w.pre.d[i] + w.post.d[i] - k;
      int64_t s = w.stride.d[i];
      int64_t out = (span + s - 1) / s + 1;
      // The last window must start inside the input or its left padding.
      if ((out - 1) * s >= in + w.pre.d[i]) --out;
      int64_t needed = (out - 1) * s + k - (in + w.pre.d[i] + w.post.d[i]);
      if (needed > 0) w.post.d[i] += needed;
    }
  }
  return w;
}

namespace {

Dims kernel_from_attr_or(ImportContext& ctx, const Dims& fallback) {
  if (ctx.has_attr("kernel_shape")) return to_dims(ctx, ctx.attr_ints("kernel_shape"));
  if (fallback.nb_dims == 0) ctx.invalid("attribute kernel_shape is missing");
  return fallback;
}

void conv(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  const TensorValue& w = ctx.require_constant(1, "the kernel");
  if (w.dims.size() < 3) ctx.invalid(str_cat("W must have rank 3 or more, got ", w.dims.size()));
  Dims wk = to_dims(ctx, std::vector<int64_t>(w.dims.begin() + 2, w.dims.end()));
  Dims kernel = kernel_from_attr_or(ctx, wk);
  Dims xd = x.dimensions();
  Window win = window_attrs(ctx, xd, kernel, false);
  Weights bias{};
  const TensorValue* b = nullptr;
  if (ctx.has_input(2)) {
    b = &ctx.require_constant(2, "the bias");
    bias = Weights{b->type, b->bytes.data(), b->count()};
  }
  ConvolutionLayer& c = ctx.named(ctx.network().add_convolution_nd(
      x, w.dims[0], kernel, Weights{w.type, w.bytes.data(), w.count()}, bias));
  c.set_num_groups(ctx.attr_int("group", 1));
  c.set_stride_nd(win.stride);
  c.set_dilation_nd(win.dilation);
  c.set_pre_padding(win.pre);
  c.set_post_padding(win.post);
  ctx.set_output(0, c);
}

bool dilated(ImportContext& ctx) {
  for (int64_t d : ctx.attr_ints("dilations")) {
    if (d != 1) return true;
  }
  return false;
}

void pool(ImportContext& ctx, PoolingType type) {
  Tensor* in = &ctx.input(0);
  if (ctx.has_output(1)) ctx.unsupported("the Indices output of MaxPool");
  // 8-bit integers max-pool exactly in float32 (the pooling layer takes float types).
  DataType int_type = in->type();
  bool small_int =
      type == PoolingType::kMAX && (int_type == DataType::kUINT8 || int_type == DataType::kINT8);
  if (small_int) in = &cast(ctx, *in, DataType::kFLOAT, "x_float");
  Tensor& x = *in;
  Dims kernel = kernel_from_attr_or(ctx, Dims{});
  bool ceil_mode = ctx.attr_int("ceil_mode", 0) != 0;
  bool include_pad = ctx.attr_int("count_include_pad", 0) != 0;
  if (dilated(ctx) || (ceil_mode && include_pad && type == PoolingType::kAVERAGE)) {
    PoolKind kind = type == PoolingType::kMAX ? PoolKind::kMAX : PoolKind::kAVERAGE;
    Tensor& y = pool_by_slices(ctx, x, kind, kernel, ceil_mode, include_pad, 0.0f);
    ctx.set_output(0, small_int ? cast(ctx, y, int_type, "cast") : y);
    return;
  }
  Dims xd = x.dimensions();
  Window win = window_attrs(ctx, xd, kernel, ceil_mode);
  PoolingLayer& p = ctx.named(ctx.network().add_pooling_nd(x, type, kernel));
  p.set_stride_nd(win.stride);
  p.set_pre_padding(win.pre);
  p.set_post_padding(win.post);
  if (type == PoolingType::kAVERAGE) p.set_average_count_excludes_padding(!include_pad);
  ctx.set_output(0, small_int ? cast(ctx, *p.get_output(0), int_type, "cast") : *p.get_output(0));
}

void global_pool(ImportContext& ctx, ReduceOperation op) {
  Tensor& x = ctx.input(0);
  int32_t rank = x.dimensions().nb_dims;
  if (rank < 3) ctx.invalid(str_cat("input must have rank 3 or more, got ", x.dimensions()));
  uint32_t mask = 0;
  for (int32_t i = 2; i < rank; ++i) mask |= 1u << i;
  ctx.set_output(0, *ctx.named(ctx.network().add_reduce(x, op, mask, true)).get_output(0));
}

// LpPool: (sum over the window of |x|^p)^(1/p), as an average pool (padding counted) times the
// window size.
void lp_pool(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims kernel = kernel_from_attr_or(ctx, Dims{});
  float p = static_cast<float>(ctx.attr_int("p", 2));
  if (dilated(ctx)) {
    ctx.set_output(0, pool_by_slices(ctx, x, PoolKind::kLP, kernel,
                                     ctx.attr_int("ceil_mode", 0) != 0, true, p));
    return;
  }
  int32_t rank = x.dimensions().nb_dims;
  Window win = window_attrs(ctx, x.dimensions(), kernel, ctx.attr_int("ceil_mode", 0) != 0);
  Tensor& pe = ctx.scalar(x.type(), p, rank, "p");
  Tensor& xp = elementwise(ctx, unary(ctx, x, UnaryOperation::kABS, "abs"), pe,
                           ElementWiseOperation::kPOW, "pow");
  PoolingLayer& pl =
      ctx.named(ctx.network().add_pooling_nd(xp, PoolingType::kAVERAGE, kernel), "avg");
  pl.set_stride_nd(win.stride);
  pl.set_pre_padding(win.pre);
  pl.set_post_padding(win.post);
  pl.set_average_count_excludes_padding(false);
  Tensor& sum =
      elementwise(ctx, *pl.get_output(0),
                  ctx.scalar(x.type(), static_cast<double>(volume(kernel)), rank, "window"),
                  ElementWiseOperation::kPROD, "sum");
  ctx.set_output(0, elementwise(ctx, sum, ctx.scalar(x.type(), 1.0 / p, rank, "inv_p"),
                                ElementWiseOperation::kPOW, ""));
}

}  // namespace

void register_conv_pool(ImporterMap& m) {
  m["LpPool"] = lp_pool;
  m["Conv"] = conv;
  m["MaxPool"] = [](ImportContext& c) { pool(c, PoolingType::kMAX); };
  m["AveragePool"] = [](ImportContext& c) { pool(c, PoolingType::kAVERAGE); };
  m["GlobalAveragePool"] = [](ImportContext& c) { global_pool(c, ReduceOperation::kAVG); };
  m["GlobalMaxPool"] = [](ImportContext& c) { global_pool(c, ReduceOperation::kMAX); };
}

}  // namespace kiln::onnx
