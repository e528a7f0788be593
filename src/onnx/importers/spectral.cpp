// DFT and STFT as matrix multiplies by build-time cosine and sine tables (length known at build
// time): real and imaginary parts are sliced from the trailing complex axis, the transformed axis
// is moved last, and STFT's frames are a gather with build-time indices. The window functions of
// a build-time size are constants.
#include <cmath>
#include <cstring>
#include <numbers>
#include <utility>

#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

// cos and sin of 2 pi m / n with m = (j * k) mod n, exact at the quarter turns.
std::pair<double, double> turn(int64_t j, int64_t k, int64_t n) {
  int64_t m = (j * k) % n;
  if (4 * m % n == 0) {
    switch (4 * m / n) {
      case 0:
        return {1, 0};
      case 1:
        return {0, 1};
      case 2:
        return {-1, 0};
      default:
        return {0, -1};
    }
  }
  double a = 2.0 * std::numbers::pi * static_cast<double>(m) / static_cast<double>(n);
  return {std::cos(a), std::sin(a)};
}

Tensor& table(ImportContext& ctx, int32_t rank, int64_t n, int64_t k, bool sine, DataType type,
              const std::string& suffix) {
  std::vector<double> v(static_cast<size_t>(n * k));
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t f = 0; f < k; ++f) {
      auto [c, s] = turn(j, f, n);
      v[static_cast<size_t>(j * k + f)] = sine ? s : c;
    }
  }
  std::vector<int64_t> dims(static_cast<size_t>(rank), 1);
  dims[static_cast<size_t>(rank - 2)] = n;
  dims[static_cast<size_t>(rank - 1)] = k;
  return ctx.constant_tensor(make_value(type, dims, v), suffix);
}

Tensor& mm(ImportContext& ctx, Tensor& a, Tensor& b, const std::string& suffix) {
  return *ctx.named(ctx.network().add_matrix_multiply(a, MatrixOperation::kNONE, b,
                                                      MatrixOperation::kNONE),
                    suffix)
              .get_output(0);
}

// The DFT of length n along the last axis of re (+ i im, im may be null), first k frequencies.
std::pair<Tensor*, Tensor*> dft_last(ImportContext& ctx, Tensor& re, Tensor* im, int64_t n,
                                     int64_t k, bool inverse) {
  int32_t rank = re.dimensions().nb_dims;
  DataType type = re.type();
  Tensor& c = table(ctx, rank, n, k, false, type, "cos");
  Tensor& s = table(ctx, rank, n, k, true, type, "sin");
  // forward: (re + i im)(cos - i sin); inverse: (re + i im)(cos + i sin) / n
  Tensor* yr = &mm(ctx, re, c, "re_cos");
  Tensor* yi = &mm(ctx, re, s, "re_sin");
  if (!inverse) yi = &unary(ctx, *yi, UnaryOperation::kNEG, "neg_re_sin");
  if (im) {
    Tensor& is = mm(ctx, *im, s, "im_sin");
    Tensor& ic = mm(ctx, *im, c, "im_cos");
    yr = &elementwise(ctx, *yr, is,
                      inverse ? ElementWiseOperation::kSUB : ElementWiseOperation::kSUM, "re");
    yi = &elementwise(ctx, ic, *yi, ElementWiseOperation::kSUM, "im");
  }
  if (inverse) {
    Tensor& scale = ctx.scalar(type, 1.0 / static_cast<double>(n), rank, "inv_n");
    yr = &elementwise(ctx, *yr, scale, ElementWiseOperation::kPROD, "re_scaled");
    yi = &elementwise(ctx, *yi, scale, ElementWiseOperation::kPROD, "im_scaled");
  }
  return {yr, yi};
}

Tensor& permute(ImportContext& ctx, Tensor& t, const std::vector<int32_t>& perm,
                const std::string& suffix) {
  Permutation p;
  for (size_t i = 0; i < perm.size(); ++i) p.order[i] = perm[i];
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(t), suffix);
  s.set_first_transpose(p);
  return *s.get_output(0);
}

// Real and imaginary parts of x [..., 1 or 2] without the complex axis.
std::pair<Tensor*, Tensor*> split_complex(ImportContext& ctx, Tensor& x) {
  Dims d = x.dimensions();
  int32_t r = d.nb_dims;
  if (r < 2 || (d.d[r - 1] != 1 && d.d[r - 1] != 2))
    ctx.invalid(str_cat("input must end in a complex axis of 1 or 2, got ", d));
  if (d.is_dynamic()) ctx.unsupported(str_cat("an input with dynamic dims ", d));
  Dims part = d;
  part.d[r - 1] = 1;
  Dims squeezed = d;
  squeezed.nb_dims = r - 1;
  auto take = [&](int64_t i, const char* name) -> Tensor* {
    Dims start = Dims::filled(r, 0);
    start.d[r - 1] = i;
    Tensor& s =
        *ctx.named(ctx.network().add_slice(x, start, part, Dims::filled(r, 1)), name).get_output(0);
    return &reshape(ctx, s, squeezed, str_cat(name, "_squeezed"));
  };
  Tensor* re = d.d[r - 1] == 1 ? &reshape(ctx, x, squeezed, "re_in") : take(0, "re_in");
  Tensor* im = d.d[r - 1] == 2 ? take(1, "im_in") : nullptr;
  return {re, im};
}

// [..., k] real and imaginary parts into [..., k, 2].
Tensor& join_complex(ImportContext& ctx, Tensor& re, Tensor& im) {
  Dims d = re.dimensions();
  Dims u = d;
  u.d[u.nb_dims++] = 1;
  Tensor* parts[2] = {&reshape(ctx, re, u, "re_out"), &reshape(ctx, im, u, "im_out")};
  ConcatenationLayer& c = ctx.named(ctx.network().add_concatenation(parts, 2), "complex");
  c.set_axis(u.nb_dims - 1);
  return *c.get_output(0);
}

// Pads with zeros or truncates the last axis to n.
Tensor& fit_last(ImportContext& ctx, Tensor& t, int64_t n, const std::string& suffix) {
  Dims d = t.dimensions();
  if (d.d[d.nb_dims - 1] == n) return t;
  Dims size = d;
  size.d[d.nb_dims - 1] = n;
  SliceLayer& s = ctx.named(
      ctx.network().add_slice(t, Dims::filled(d.nb_dims, 0), size, Dims::filled(d.nb_dims, 1)),
      suffix);
  s.set_mode(SampleMode::kFILL);
  s.set_fill_value(0.0);
  return *s.get_output(0);
}

void dft(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  auto [re, im] = split_complex(ctx, x);
  int32_t rank = re->dimensions().nb_dims;  // without the complex axis
  int64_t axis_attr = ctx.opset() >= 20 ? -2 : 1;
  if (ctx.opset() >= 20 && ctx.has_input(2)) {
    std::vector<int64_t> a = to_int64s(ctx.require_constant(2, "the axis"));
    if (a.size() != 1) ctx.invalid("axis must be a scalar");
    axis_attr = a[0];
  } else if (ctx.opset() < 20) {
    axis_attr = ctx.attr_int("axis", 1);
  }
  // The axis counts the complex axis too; it may not be that axis.
  int32_t axis = normalize_axis(ctx, axis_attr, rank + 1);
  if (axis == rank || axis == 0)
    ctx.invalid(str_cat("axis ", axis_attr, " is the batch or complex axis"));
  bool inverse = ctx.attr_int("inverse", 0) != 0;
  bool onesided = ctx.attr_int("onesided", 0) != 0;
  if (onesided && im) ctx.invalid("onesided needs a real input");
  int64_t n = re->dimensions().d[axis];
  if (ctx.has_input(1)) {
    std::vector<int64_t> l = to_int64s(ctx.require_constant(1, "dft_length"));
    if (l.size() != 1 || l[0] <= 0) ctx.invalid("dft_length must be a positive scalar");
    n = l[0];
  }
  int64_t k = onesided ? n / 2 + 1 : n;
  std::vector<int32_t> to_last, back(static_cast<size_t>(rank));
  for (int32_t i = 0; i < rank; ++i) {
    if (i != axis) to_last.push_back(i);
  }
  to_last.push_back(axis);
  for (int32_t i = 0; i < rank; ++i) back[static_cast<size_t>(to_last[static_cast<size_t>(i)])] = i;
  bool moved = axis != rank - 1;
  auto prepare = [&](Tensor* t, const char* name) -> Tensor* {
    if (!t) return nullptr;
    Tensor* m = moved ? &permute(ctx, *t, to_last, str_cat(name, "_axis_last")) : t;
    return &fit_last(ctx, *m, n, str_cat(name, "_fit"));
  };
  Tensor* r2 = prepare(re, "re");
  Tensor* i2 = prepare(im, "im");
  auto [yr, yi] = dft_last(ctx, *r2, i2, n, k, inverse);
  if (moved) {
    yr = &permute(ctx, *yr, back, "re_axis_back");
    yi = &permute(ctx, *yi, back, "im_axis_back");
  }
  ctx.set_output(0, join_complex(ctx, *yr, *yi));
}

// STFT: frames of frame_length every frame_step samples, times the window, transformed.
void stft(ImportContext& ctx) {
  Tensor& signal = ctx.input(0);
  auto [re, im] = split_complex(ctx, signal);
  Dims d = re->dimensions();
  if (d.nb_dims != 2)
    ctx.invalid(str_cat("signal must be [batch, length, 1 or 2], got ", signal.dimensions()));
  std::vector<int64_t> step = to_int64s(ctx.require_constant(1, "frame_step"));
  if (step.size() != 1 || step[0] <= 0) ctx.invalid("frame_step must be a positive scalar");
  int64_t n = -1;
  if (ctx.has_input(2)) n = ctx.input_dims(2).nb_dims == 1 ? ctx.input_dims(2).d[0] : -2;
  if (n == -2) ctx.invalid(str_cat("window must be 1-D, got ", ctx.input_dims(2)));
  if (ctx.has_input(3)) {
    std::vector<int64_t> l = to_int64s(ctx.require_constant(3, "frame_length"));
    if (l.size() != 1 || l[0] <= 0) ctx.invalid("frame_length must be a positive scalar");
    if (n >= 0 && n != l[0])
      ctx.invalid(str_cat("frame_length ", l[0], " differs from the window's length ", n));
    n = l[0];
  }
  if (n < 0) ctx.invalid("STFT needs a window or a frame_length");
  if (n > d.d[1]) ctx.invalid(str_cat("frame length ", n, " exceeds the signal length ", d.d[1]));
  bool onesided = ctx.attr_int("onesided", 1) != 0;
  if (onesided && im) ctx.invalid("onesided needs a real signal");
  int64_t frames = (d.d[1] - n) / step[0] + 1;
  std::vector<int64_t> idx(static_cast<size_t>(frames * n));
  for (int64_t f = 0; f < frames; ++f) {
    for (int64_t j = 0; j < n; ++j) idx[static_cast<size_t>(f * n + j)] = f * step[0] + j;
  }
  TensorValue iv;
  iv.type = DataType::kINT64;
  iv.dims = {frames, n};
  iv.bytes.resize(idx.size() * 8);
  std::memcpy(iv.bytes.data(), idx.data(), iv.bytes.size());
  Tensor& indices = ctx.constant_tensor(iv, "frame_indices");
  auto frame = [&](Tensor* t, const char* name) -> Tensor* {
    if (!t) return nullptr;
    Tensor* f = ctx.named(ctx.network().add_gather(*t, indices, 1), name).get_output(0);
    if (ctx.has_input(2)) {
      Tensor& w = reshape(ctx, cast(ctx, ctx.input(2), t->type(), "window_cast"), Dims{1, 1, n},
                          str_cat(name, "_window"));
      f = &elementwise(ctx, *f, w, ElementWiseOperation::kPROD, str_cat(name, "_windowed"));
    }
    return f;
  };
  Tensor* fr = frame(re, "re_frames");
  Tensor* fi = frame(im, "im_frames");
  auto [yr, yi] = dft_last(ctx, *fr, fi, n, onesided ? n / 2 + 1 : n, false);
  ctx.set_output(0, join_complex(ctx, *yr, *yi));
}

// HannWindow, HammingWindow, BlackmanWindow of a build-time size: a constant
// sum_k a_k cos(2 pi k n / N), N = size (periodic) or size - 1 (symmetric).
void window(ImportContext& ctx, std::vector<double> a) {
  std::vector<int64_t> size = to_int64s(ctx.require_constant(0, "the window size"));
  if (size.size() != 1 || size[0] < 0) ctx.invalid("size must be a non-negative scalar");
  int64_t n = size[0];
  int64_t period = ctx.attr_int("periodic", 1) != 0 ? n : n - 1;
  DataType type = DataType::kFLOAT;
  if (ctx.has_attr("output_datatype") &&
      !to_kiln_type(static_cast<int32_t>(ctx.attr_int("output_datatype", 1)), type)) {
    ctx.unsupported("an output_datatype kiln does not have");
  }
  std::vector<double> w(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double v = 0;
    for (size_t k = 0; k < a.size(); ++k) {
      double angle = period > 0 ? 2.0 * std::numbers::pi * static_cast<double>(k * i) /
                                      static_cast<double>(period)
                                : 0.0;
      v += a[k] * std::cos(angle);
    }
    w[static_cast<size_t>(i)] = v;
  }
  ctx.set_constant_output(0, make_value(type, {n}, w));
}

}  // namespace

void register_spectral(ImporterMap& m) {
  m["DFT"] = dft;
  m["STFT"] = stft;
  m["HannWindow"] = [](ImportContext& c) { window(c, {0.5, -0.5}); };
  m["HammingWindow"] = [](ImportContext& c) { window(c, {25.0 / 46.0, -21.0 / 46.0}); };
  m["BlackmanWindow"] = [](ImportContext& c) { window(c, {0.42, -0.5, 0.08}); };
}

}  // namespace kiln::onnx
