// Ops that move elements around, composed from slice, gather, scatter, deconvolution and matrix
// multiply layers: Compress and ReverseSequence (build-time condition / lengths), CenterCropPad,
// Col2Im (a deconvolution with a one-hot kernel), MaxUnpool, TensorScatter and AffineGrid.
#include <algorithm>
#include <cstring>

#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

Dims static_dims(ImportContext& ctx, Tensor& t, const char* what) {
  Dims d = t.dimensions();
  if (d.is_dynamic()) ctx.unsupported(str_cat(what, " with dynamic dims ", d));
  return d;
}

Tensor& int64_constant(ImportContext& ctx, const std::vector<int64_t>& dims,
                       const std::vector<int64_t>& values, const std::string& suffix) {
  TensorValue v;
  v.type = DataType::kINT64;
  v.dims = dims;
  v.bytes.resize(values.size() * 8);
  if (!values.empty()) std::memcpy(v.bytes.data(), values.data(), v.bytes.size());
  return ctx.constant_tensor(v, suffix);
}

Tensor& float_constant(ImportContext& ctx, const std::vector<int64_t>& dims,
                       const std::vector<float>& values, const std::string& suffix) {
  TensorValue v;
  v.type = DataType::kFLOAT;
  v.dims = dims;
  v.bytes.resize(values.size() * 4);
  if (!values.empty()) std::memcpy(v.bytes.data(), values.data(), v.bytes.size());
  return ctx.constant_tensor(v, suffix);
}

// Compress: the entries along `axis` (of the flattened input without one) whose condition is
// true, as a gather with build-time indices.
void compress(ImportContext& ctx) {
  Tensor* x = &ctx.input(0);
  std::vector<int64_t> cond = to_int64s(ctx.require_constant(1, "the condition"));
  int32_t axis = 0;
  if (ctx.has_attr("axis")) {
    axis = normalize_axis(ctx, ctx.attr_int("axis", 0), x->dimensions().nb_dims);
  } else {
    x = &reshape(ctx, *x, Dims{volume(static_dims(ctx, *x, "Compress without axis"))}, "flat");
  }
  int64_t n = x->dimensions().d[axis];
  if (n >= 0 && static_cast<int64_t>(cond.size()) > n) {
    ctx.invalid(str_cat("condition has ", cond.size(), " values for a dimension of ", n));
  }
  std::vector<int64_t> idx;
  for (size_t i = 0; i < cond.size(); ++i) {
    if (cond[i]) idx.push_back(static_cast<int64_t>(i));
  }
  if (idx.empty()) ctx.unsupported("a condition that selects nothing (an empty output)");
  Tensor& indices = int64_constant(ctx, {static_cast<int64_t>(idx.size())}, idx, "indices");
  ctx.set_output(0, *ctx.named(ctx.network().add_gather(*x, indices, axis)).get_output(0));
}

// Element-wise gather along `axis` with indices of the input's full shape, from `index(pos)`
// where pos is the multi-index of each element.
template <typename F>
Tensor& gather_elements(ImportContext& ctx, Tensor& x, const Dims& d, int32_t axis, F index) {
  std::vector<int64_t> dims(d.d, d.d + d.nb_dims), pos(static_cast<size_t>(d.nb_dims), 0);
  std::vector<int64_t> idx(static_cast<size_t>(volume(d)));
  for (size_t i = 0; i < idx.size(); ++i) {
    idx[i] = index(pos);
    for (int32_t k = d.nb_dims - 1; k >= 0; --k) {
      if (++pos[static_cast<size_t>(k)] < d.d[k]) break;
      pos[static_cast<size_t>(k)] = 0;
    }
  }
  GatherLayer& g =
      ctx.named(ctx.network().add_gather(x, int64_constant(ctx, dims, idx, "indices"), axis));
  g.set_mode(GatherMode::kELEMENT);
  return *g.get_output(0);
}

// ReverseSequence: the first sequence_lens[b] entries along time_axis reversed for each batch b.
void reverse_sequence(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = static_dims(ctx, x, "ReverseSequence");
  if (d.nb_dims < 2) ctx.invalid(str_cat("input must have rank 2 or more, got ", d));
  int32_t batch = normalize_axis(ctx, ctx.attr_int("batch_axis", 1), d.nb_dims);
  int32_t time = normalize_axis(ctx, ctx.attr_int("time_axis", 0), d.nb_dims);
  if (batch == time || batch > 1 || time > 1)
    ctx.invalid("batch_axis and time_axis must be 0 and 1 in some order");
  std::vector<int64_t> lens = to_int64s(ctx.require_constant(1, "sequence_lens"));
  if (static_cast<int64_t>(lens.size()) != d.d[batch]) {
    ctx.invalid(str_cat("sequence_lens has ", lens.size(), " values for a batch of ", d.d[batch]));
  }
  for (int64_t l : lens) {
    if (l < 0 || l > d.d[time])
      ctx.invalid(str_cat("sequence length ", l, " outside 0..", d.d[time]));
  }
  ctx.set_output(0, gather_elements(ctx, x, d, time, [&](const std::vector<int64_t>& p) {
                   int64_t t = p[static_cast<size_t>(time)];
                   int64_t l = lens[static_cast<size_t>(p[static_cast<size_t>(batch)])];
                   return t < l ? l - 1 - t : t;
                 }));
}

// CenterCropPad: one slice per node, cropping (start inside) or padding with zeros (start before
// the input, kFILL) each listed axis around its center.
void center_crop_pad(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  std::vector<int64_t> shape = to_int64s(ctx.require_constant(1, "the shape"));
  std::vector<int64_t> axes = ctx.attr_ints("axes");
  if (axes.empty()) {
    for (int32_t i = 0; i < d.nb_dims; ++i) axes.push_back(i);
  }
  if (axes.size() != shape.size()) {
    ctx.invalid(str_cat("shape has ", shape.size(), " values for ", axes.size(), " axes"));
  }
  Dims start = Dims::filled(d.nb_dims, 0), size = d, stride = Dims::filled(d.nb_dims, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    int32_t a = normalize_axis(ctx, axes[i], d.nb_dims);
    int64_t in = d.d[a], s = shape[i];
    if (in < 0) ctx.unsupported(str_cat("a dynamic dimension on axis ", a));
    if (s < 0) ctx.invalid(str_cat("negative size ", s, " for axis ", a));
    start.d[a] = s <= in ? (in - s) / 2 : -((s - in) / 2);
    size.d[a] = s;
  }
  for (int32_t i = 0; i < d.nb_dims; ++i) {
    if (size.d[i] < 0) ctx.unsupported(str_cat("a dynamic dimension on axis ", i));
  }
  SliceLayer& s = ctx.named(ctx.network().add_slice(x, start, size, stride));
  s.set_mode(SampleMode::kFILL);
  s.set_fill_value(0.0);
  ctx.set_output(0, s);
}

// Col2Im: input [N, C * prod(block), L] rearranged into [N, C, image...], overlapping blocks
// summed. Each column is a deconvolution input pixel; a grouped deconvolution (C groups) whose
// kernel routes channel j of a group to block position j sums the blocks.
void col2im(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims xd = static_dims(ctx, x, "Col2Im");
  std::vector<int64_t> image = to_int64s(ctx.require_constant(1, "image_shape"));
  std::vector<int64_t> block = to_int64s(ctx.require_constant(2, "block_shape"));
  size_t n = image.size();
  if (xd.nb_dims != 3) ctx.invalid(str_cat("input must have rank 3, got ", xd));
  if (n == 0 || block.size() != n || n + 2 > Dims::kMaxDims) {
    ctx.invalid(str_cat("image_shape and block_shape must have the same 1 to 6 values, got ", n,
                        " and ", block.size()));
  }
  std::vector<int64_t> dil = ctx.attr_ints("dilations", std::vector<int64_t>(n, 1));
  std::vector<int64_t> str = ctx.attr_ints("strides", std::vector<int64_t>(n, 1));
  std::vector<int64_t> pads = ctx.attr_ints("pads", std::vector<int64_t>(2 * n, 0));
  if (dil.size() != n || str.size() != n || pads.size() != 2 * n)
    ctx.invalid("dilations, strides and pads must match image_shape's length");
  int64_t k = 1;
  for (int64_t b : block) k *= b;
  if (k <= 0 || xd.d[1] % k != 0) {
    ctx.invalid(str_cat("input channels ", xd.d[1], " are not a multiple of the block size ", k));
  }
  int64_t c = xd.d[1] / k;
  Dims blocks_dims;
  blocks_dims.nb_dims = static_cast<int32_t>(n) + 2;
  blocks_dims.d[0] = xd.d[0];
  blocks_dims.d[1] = xd.d[1];
  int64_t l = 1;
  Dims post = Dims::filled(static_cast<int32_t>(n), 0);
  for (size_t i = 0; i < n; ++i) {
    int64_t span = dil[i] * (block[i] - 1) + 1;
    int64_t count = (image[i] + pads[i] + pads[i + n] - span) / str[i] + 1;
    if (count <= 0) ctx.invalid(str_cat("block ", i, " does not fit the padded image"));
    blocks_dims.d[i + 2] = count;
    l *= count;
    // A deconvolution covers (count - 1) * stride + span - pads; the rest of the image, which no
    // block reaches, is zero.
    int64_t covered = (count - 1) * str[i] + span - pads[i];
    post.d[i] = covered - image[i];
  }
  if (l != xd.d[2]) ctx.invalid(str_cat("input has ", xd.d[2], " blocks, the shapes give ", l));
  std::vector<float> w(static_cast<size_t>(c * k * k), 0.0f);
  for (int64_t g = 0; g < c; ++g) {
    for (int64_t j = 0; j < k; ++j) w[static_cast<size_t>((g * k + j) * k + j)] = 1.0f;
  }
  Tensor& cols = reshape(ctx, x, blocks_dims, "blocks");
  Tensor& wt = cast(ctx, cols, DataType::kFLOAT, "blocks_float");
  DeconvolutionLayer& dc =
      ctx.named(ctx.network().add_deconvolution_nd(
                    wt, c, to_dims(ctx, block),
                    Weights{DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())}, Weights{}),
                "deconv");
  dc.set_num_groups(c);
  dc.set_stride_nd(to_dims(ctx, str));
  dc.set_dilation_nd(to_dims(ctx, dil));
  dc.set_pre_padding(to_dims(ctx, std::vector<int64_t>(pads.begin(), pads.begin() + n)));
  // Cropping at the end: what lies past the image; a negative amount (the image reaches past the
  // last block) is added back as zeros by the slice below.
  Dims crop = Dims::filled(static_cast<int32_t>(n), 0);
  for (size_t i = 0; i < n; ++i) crop.d[i] = std::max<int64_t>(0, post.d[i]);
  dc.set_post_padding(crop);
  Tensor* y = dc.get_output(0);
  bool short_of_image = false;
  for (size_t i = 0; i < n; ++i) short_of_image |= post.d[i] < 0;
  if (short_of_image) {
    Dims size = y->dimensions();
    for (size_t i = 0; i < n; ++i) size.d[i + 2] = image[i];
    SliceLayer& s = ctx.named(ctx.network().add_slice(*y, Dims::filled(size.nb_dims, 0), size,
                                                      Dims::filled(size.nb_dims, 1)),
                              "extend");
    s.set_mode(SampleMode::kFILL);
    s.set_fill_value(0.0);
    y = s.get_output(0);
  }
  ctx.set_output(0, cast(ctx, *y, x.type(), "cast"));
}

// MaxUnpool: zeros of the output shape with X scattered to the flat positions in I.
void max_unpool(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims xd = static_dims(ctx, x, "MaxUnpool");
  if (xd.nb_dims < 3) ctx.invalid(str_cat("X must have rank 3 or more, got ", xd));
  int32_t rank = xd.nb_dims - 2;
  std::vector<int64_t> kernel = ctx.attr_ints("kernel_shape");
  if (static_cast<int32_t>(kernel.size()) != rank)
    ctx.invalid(str_cat("kernel_shape needs ", rank, " values"));
  std::vector<int64_t> strides = ctx.attr_ints("strides", std::vector<int64_t>(rank, 1));
  std::vector<int64_t> pads = ctx.attr_ints("pads", std::vector<int64_t>(2 * rank, 0));
  if (static_cast<int32_t>(strides.size()) != rank || static_cast<int32_t>(pads.size()) != 2 * rank)
    ctx.invalid("strides and pads must match kernel_shape");
  // The indices address the shape the pooling came from; output_shape may add zeros at the end.
  Dims pooled = xd;
  for (int32_t i = 0; i < rank; ++i) {
    pooled.d[i + 2] = (xd.d[i + 2] - 1) * strides[static_cast<size_t>(i)] +
                      kernel[static_cast<size_t>(i)] - pads[static_cast<size_t>(i)] -
                      pads[static_cast<size_t>(i + rank)];
  }
  Dims out = pooled;
  if (ctx.has_input(2)) {
    std::vector<int64_t> shape = to_int64s(ctx.require_constant(2, "output_shape"));
    if (static_cast<int32_t>(shape.size()) != xd.nb_dims)
      ctx.invalid(str_cat("output_shape has ", shape.size(), " values for rank ", xd.nb_dims));
    out = to_dims(ctx, shape);
  }
  if (out.d[0] != xd.d[0] || out.d[1] != xd.d[1])
    ctx.invalid(str_cat("output_shape ", out, " must keep X's batch and channels ", xd));
  for (int32_t i = 0; i < rank; ++i) {
    if (out.d[i + 2] < pooled.d[i + 2])
      ctx.invalid(str_cat("output_shape ", out, " is smaller than the unpooled shape ", pooled));
  }
  Tensor& indices = ctx.input(1);
  if (indices.dimensions() != xd)
    ctx.invalid(str_cat("I has shape ", indices.dimensions(), ", X ", xd));
  int64_t total = volume(pooled);
  Tensor& zeros = ctx.constant_tensor(
      make_value(x.type(), {1, total}, std::vector<double>(static_cast<size_t>(total), 0.0)),
      "zeros");
  Dims flat{1, volume(xd)};
  ScatterLayer& s = ctx.named(ctx.network().add_scatter(
      zeros, reshape(ctx, cast(ctx, indices, DataType::kINT64, "indices64"), flat, "indices"),
      reshape(ctx, x, flat, "values"), ScatterMode::kELEMENT));
  s.set_axis(1);
  Tensor* y = &reshape(ctx, *s.get_output(0), pooled, "unflatten");
  if (out != pooled) {
    SliceLayer& grow = ctx.named(ctx.network().add_slice(*y, Dims::filled(out.nb_dims, 0), out,
                                                         Dims::filled(out.nb_dims, 1)),
                                 "output_shape");
    grow.set_mode(SampleMode::kFILL);
    grow.set_fill_value(0.0);
    y = grow.get_output(0);
  }
  ctx.set_output(0, *y);
}

// TensorScatter: `update` written into `past_cache` along `axis` from write_indices[b] on (modulo
// the cache length in circular mode), as an element-wise scatter with build-time indices.
void tensor_scatter(ImportContext& ctx) {
  Tensor& cache = ctx.input(0);
  Tensor& update = ctx.input(1);
  Dims cd = static_dims(ctx, cache, "TensorScatter");
  Dims ud = static_dims(ctx, update, "TensorScatter");
  if (cd.nb_dims != ud.nb_dims || cd.nb_dims < 2)
    ctx.invalid(str_cat("past_cache ", cd, " and update ", ud, " must have the same rank >= 2"));
  int32_t axis = normalize_axis(ctx, ctx.attr_int("axis", -2), cd.nb_dims);
  if (axis == 0) ctx.invalid("axis must not be the batch axis 0");
  for (int32_t i = 0; i < cd.nb_dims; ++i) {
    if (i == axis ? ud.d[i] > cd.d[i] : ud.d[i] != cd.d[i])
      ctx.invalid(str_cat("update ", ud, " does not fit past_cache ", cd, " on axis ", i));
  }
  std::string mode = ctx.attr_string("mode", "linear");
  if (mode != "linear" && mode != "circular") ctx.invalid(str_cat("unknown mode '", mode, "'"));
  std::vector<int64_t> at(static_cast<size_t>(cd.d[0]), 0);
  if (ctx.has_input(2)) at = to_int64s(ctx.require_constant(2, "write_indices"));
  if (static_cast<int64_t>(at.size()) != cd.d[0])
    ctx.invalid(str_cat("write_indices has ", at.size(), " values for a batch of ", cd.d[0]));
  int64_t len = cd.d[axis];
  std::vector<int64_t> dims(ud.d, ud.d + ud.nb_dims), pos(dims.size(), 0);
  std::vector<int64_t> idx(static_cast<size_t>(volume(ud)));
  for (size_t i = 0; i < idx.size(); ++i) {
    int64_t p = at[static_cast<size_t>(pos[0])] + pos[static_cast<size_t>(axis)];
    if (mode == "circular") p = ((p % len) + len) % len;
    if (p < 0 || p >= len)
      ctx.invalid(str_cat("write position ", p, " is outside the cache length ", len));
    idx[i] = p;
    for (int32_t k = ud.nb_dims - 1; k >= 0; --k) {
      if (++pos[static_cast<size_t>(k)] < ud.d[k]) break;
      pos[static_cast<size_t>(k)] = 0;
    }
  }
  ScatterLayer& s = ctx.named(ctx.network().add_scatter(
      cache, int64_constant(ctx, dims, idx, "indices"), update, ScatterMode::kELEMENT));
  s.set_axis(axis);
  ctx.set_output(0, s);
}

// AffineGrid: theta [N, r, r+1] applied to the normalized coordinates of every output position,
// as a matrix multiply of the constant base grid [P, r+1] (x, y[, z], 1) by theta transposed.
void affine_grid(ImportContext& ctx) {
  Tensor& theta = ctx.input(0);
  Dims td = static_dims(ctx, theta, "AffineGrid");
  std::vector<int64_t> size = to_int64s(ctx.require_constant(1, "size"));
  if (size.size() != 4 && size.size() != 5)
    ctx.invalid(str_cat("size must have 4 or 5 values, got ", size.size()));
  int64_t r = static_cast<int64_t>(size.size()) - 2;
  if (td.nb_dims != 3 || td.d[0] != size[0] || td.d[1] != r || td.d[2] != r + 1) {
    ctx.invalid(str_cat("theta must be [", size[0], ", ", r, ", ", r + 1, "], got ", td));
  }
  bool align = ctx.attr_int("align_corners", 0) != 0;
  // Spatial sizes in ONNX order (D,) H, W; coordinates in x, y(, z) order (W first).
  std::vector<int64_t> sp(size.begin() + 2, size.end());
  auto coord = [&](int64_t i, int64_t n) -> float {
    double di = static_cast<double>(i), dn = static_cast<double>(n);
    if (align) return n <= 1 ? -1.0f : static_cast<float>(-1.0 + 2.0 * di / (dn - 1));
    return static_cast<float>(-1.0 + 1.0 / dn + 2.0 * di / dn);
  };
  int64_t points = 1;
  for (int64_t s : sp) points *= s;
  std::vector<float> base;
  base.reserve(static_cast<size_t>(points * (r + 1)));
  std::vector<int64_t> pos(sp.size(), 0);
  for (int64_t p = 0; p < points; ++p) {
    for (int64_t a = r - 1; a >= 0; --a)  // x is the last spatial dim
      base.push_back(coord(pos[static_cast<size_t>(a)], sp[static_cast<size_t>(a)]));
    base.push_back(1.0f);
    for (int64_t k = r - 1; k >= 0; --k) {
      if (++pos[static_cast<size_t>(k)] < sp[static_cast<size_t>(k)]) break;
      pos[static_cast<size_t>(k)] = 0;
    }
  }
  Tensor& grid = float_constant(ctx, {1, points, r + 1}, base, "base");
  Tensor& grid_t = cast(ctx, grid, theta.type(), "base_cast");
  Tensor& y = *ctx.named(ctx.network().add_matrix_multiply(grid_t, MatrixOperation::kNONE, theta,
                                                           MatrixOperation::kTRANSPOSE),
                         "matmul")
                   .get_output(0);
  Dims out;
  out.nb_dims = static_cast<int32_t>(r) + 2;
  out.d[0] = size[0];
  for (int64_t i = 0; i < r; ++i) out.d[i + 1] = sp[static_cast<size_t>(i)];
  out.d[r + 1] = r;
  ctx.set_output(0, reshape(ctx, y, out, ""));
}

}  // namespace

void register_rearrange(ImporterMap& m) {
  m["Compress"] = compress;
  m["ReverseSequence"] = reverse_sequence;
  m["CenterCropPad"] = center_crop_pad;
  m["Col2Im"] = col2im;
  m["MaxUnpool"] = max_unpool;
  m["TensorScatter"] = tensor_scatter;
  m["AffineGrid"] = affine_grid;
}

}  // namespace kiln::onnx
