// Pooling that the pooling layer does not express (dilated windows, like TensorRT's pooling
// without dilation; average pooling that counts explicit padding under ceil_mode) as one strided
// slice per window tap, combined with max or sum, and a build-time divisor for averages.
#include <cmath>
#include <limits>

#include "onnx/importers/families.h"

namespace kiln::onnx {

Tensor& pool_by_slices(ImportContext& ctx, Tensor& x, PoolKind kind, const Dims& kernel,
                       bool ceil_mode, bool include_pad, float p) {
  Dims xd = x.dimensions();
  int32_t rank = kernel.nb_dims;
  if (xd.nb_dims != rank + 2)
    ctx.invalid(str_cat("input ", xd, " does not match kernel_shape ", kernel));
  if (xd.is_dynamic()) ctx.unsupported(str_cat("dilated pooling of dynamic dims ", xd));
  Window win = window_attrs(ctx, xd, kernel, ceil_mode);
  Window plain = window_attrs(ctx, xd, kernel, false);  // explicit pads, without ceil's extra
  Dims out = xd;
  int64_t taps = 1;
  for (int32_t i = 0; i < rank; ++i) {
    int64_t span = (kernel.d[i] - 1) * win.dilation.d[i] + 1;
    out.d[i + 2] = (xd.d[i + 2] + win.pre.d[i] + win.post.d[i] - span) / win.stride.d[i] + 1;
    if (out.d[i + 2] <= 0) ctx.invalid(str_cat("the window is larger than the padded input ", xd));
    taps *= kernel.d[i];
  }
  if (taps > 1024) ctx.unsupported(str_cat("a dilated window of ", taps, " taps"));
  Tensor* src = &x;
  if (kind == PoolKind::kLP) {
    src = &elementwise(ctx, unary(ctx, x, UnaryOperation::kABS, "abs"),
                       ctx.scalar(x.type(), p, xd.nb_dims, "p"), ElementWiseOperation::kPOW, "pow");
  }
  double fill = kind == PoolKind::kMAX ? -std::numeric_limits<double>::infinity() : 0.0;
  Dims stride = Dims::filled(xd.nb_dims, 1);
  for (int32_t i = 0; i < rank; ++i) stride.d[i + 2] = win.stride.d[i];
  std::vector<int64_t> tap(static_cast<size_t>(rank), 0);
  Tensor* acc = nullptr;
  for (int64_t t = 0; t < taps; ++t) {
    Dims start = Dims::filled(xd.nb_dims, 0);
    for (int32_t i = 0; i < rank; ++i)
      start.d[i + 2] = tap[static_cast<size_t>(i)] * win.dilation.d[i] - win.pre.d[i];
    SliceLayer& s = ctx.named(ctx.network().add_slice(*src, start, out, stride), str_cat("tap", t));
    s.set_mode(SampleMode::kFILL);
    s.set_fill_value(fill);
    Tensor* v = s.get_output(0);
    acc = !acc ? v
               : &elementwise(ctx, *acc, *v,
                              kind == PoolKind::kMAX ? ElementWiseOperation::kMAX
                                                     : ElementWiseOperation::kSUM,
                              str_cat("acc", t));
    for (int32_t i = rank - 1; i >= 0; --i) {
      if (++tap[static_cast<size_t>(i)] < kernel.d[i]) break;
      tap[static_cast<size_t>(i)] = 0;
    }
  }
  if (kind == PoolKind::kMAX) return *acc;
  if (kind == PoolKind::kLP) {
    return elementwise(ctx, *acc, ctx.scalar(x.type(), 1.0 / p, xd.nb_dims, "inv_p"),
                       ElementWiseOperation::kPOW, "");
  }
  // The divisor of each output position: the taps inside the input (or inside the explicitly
  // padded input when padding counts).
  std::vector<int64_t> odims(out.d + 2, out.d + out.nb_dims);
  int64_t positions = 1;
  for (int64_t o : odims) positions *= o;
  std::vector<double> count(static_cast<size_t>(positions));
  std::vector<int64_t> pos(static_cast<size_t>(rank), 0);
  for (int64_t q = 0; q < positions; ++q) {
    double c = 1;
    for (int32_t i = 0; i < rank; ++i) {
      int64_t lo = include_pad ? -plain.pre.d[i] : 0;
      int64_t hi = xd.d[i + 2] + (include_pad ? plain.post.d[i] : 0);
      int64_t n = 0;
      for (int64_t k = 0; k < kernel.d[i]; ++k) {
        int64_t at =
            pos[static_cast<size_t>(i)] * win.stride.d[i] - win.pre.d[i] + k * win.dilation.d[i];
        n += at >= lo && at < hi;
      }
      c *= static_cast<double>(n);
    }
    count[static_cast<size_t>(q)] = c > 0 ? c : 1;
    for (int32_t i = rank - 1; i >= 0; --i) {
      if (++pos[static_cast<size_t>(i)] < odims[static_cast<size_t>(i)]) break;
      pos[static_cast<size_t>(i)] = 0;
    }
  }
  std::vector<int64_t> cdims = {1, 1};
  cdims.insert(cdims.end(), odims.begin(), odims.end());
  Tensor& divisor = ctx.constant_tensor(make_value(x.type(), cdims, count), "count");
  return elementwise(ctx, *acc, divisor, ElementWiseOperation::kDIV, "");
}

}  // namespace kiln::onnx
