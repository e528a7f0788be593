// ConvTranspose (DeconvolutionLayer; weights must be build-time constants), Pad (a slice in
// fill/clamp/reflect/wrap mode) and LRN.
#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

void conv_transpose(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims xd = x.dimensions();
  const TensorValue& w = ctx.require_constant(1, "the kernel");
  if (w.dims.size() < 3) ctx.invalid("W must have rank 3 or more");
  int32_t rank = static_cast<int32_t>(w.dims.size()) - 2;
  Dims kernel = to_dims(ctx, std::vector<int64_t>(w.dims.begin() + 2, w.dims.end()));
  if (ctx.has_attr("kernel_shape")) kernel = to_dims(ctx, ctx.attr_ints("kernel_shape"));
  int64_t group = ctx.attr_int("group", 1);
  int64_t maps = w.dims[1] * group;
  std::vector<int64_t> strides = ctx.attr_ints("strides", std::vector<int64_t>(rank, 1));
  std::vector<int64_t> dil = ctx.attr_ints("dilations", std::vector<int64_t>(rank, 1));
  std::vector<int64_t> pads = ctx.attr_ints("pads", std::vector<int64_t>(2 * rank, 0));
  std::vector<int64_t> out_pad = ctx.attr_ints("output_padding", std::vector<int64_t>(rank, 0));
  std::vector<int64_t> out_shape = ctx.attr_ints("output_shape");
  std::string auto_pad = ctx.attr_string("auto_pad", "NOTSET");
  if (static_cast<int32_t>(strides.size()) != rank || static_cast<int32_t>(dil.size()) != rank ||
      static_cast<int32_t>(pads.size()) != 2 * rank ||
      static_cast<int32_t>(out_pad.size()) != rank) {
    ctx.invalid("strides, dilations, pads or output_padding have the wrong length");
  }
  if (!out_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    if (static_cast<int32_t>(out_shape.size()) > rank) {
      out_shape.erase(out_shape.begin(), out_shape.end() - rank);
    }
    for (int32_t i = 0; i < rank; ++i) {
      int64_t in = xd.d[xd.nb_dims - rank + i];
      if (in < 0) ctx.unsupported("output_shape or auto_pad with a dynamic spatial dim");
      int64_t target = out_shape.empty() ? in * strides[i] : out_shape[i];
      int64_t total = strides[i] * (in - 1) + out_pad[i] + (kernel.d[i] - 1) * dil[i] + 1 - target;
      if (total < 0) total = 0;  // output_shape larger than the natural size: grow the end
      int64_t half = total / 2;
      bool upper = auto_pad == "SAME_UPPER";
      pads[i] = upper ? half : total - half;
      pads[rank + i] = upper ? total - half : half;
      if (!out_shape.empty()) {
        int64_t natural = strides[i] * (in - 1) + out_pad[i] + (kernel.d[i] - 1) * dil[i] + 1 -
                          pads[i] - pads[rank + i];
        out_pad[i] += target - natural;
      }
    }
  } else if (auto_pad == "VALID") {
    std::fill(pads.begin(), pads.end(), 0);
  }
  Dims pre, post;
  pre.nb_dims = post.nb_dims = rank;
  for (int32_t i = 0; i < rank; ++i) {
    pre.d[i] = pads[i];
    post.d[i] = pads[rank + i] - out_pad[i];
  }
  Weights bias{};
  if (ctx.has_input(2)) {
    const TensorValue& b = ctx.require_constant(2, "the bias");
    bias = Weights{b.type, b.bytes.data(), b.count()};
  }
  DeconvolutionLayer& d = ctx.named(ctx.network().add_deconvolution_nd(
      x, maps, kernel, Weights{w.type, w.bytes.data(), w.count()}, bias));
  d.set_num_groups(group);
  d.set_stride_nd(to_dims(ctx, strides));
  d.set_dilation_nd(to_dims(ctx, dil));
  d.set_pre_padding(pre);
  d.set_post_padding(post);
  ctx.set_output(0, d);
}

void pad(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  int32_t rank = d.nb_dims;
  std::string mode = ctx.attr_string("mode", "constant");
  std::vector<int64_t> pads;
  double value = 0;
  std::vector<int64_t> axes;
  if (ctx.opset() < 11) {
    pads = ctx.attr_ints("pads");
    value = ctx.attr_float("value", 0.0f);
  } else {
    pads = to_int64s(ctx.require_constant(1, "pads"));
    if (ctx.has_input(2)) {
      std::vector<double> v = to_doubles(ctx.require_constant(2, "constant_value"));
      if (!v.empty()) value = v[0];
    }
    if (ctx.has_input(3)) axes = to_int64s(ctx.require_constant(3, "axes"));
  }
  if (axes.empty()) {
    for (int32_t i = 0; i < rank; ++i) axes.push_back(i);
  }
  if (pads.size() != 2 * axes.size()) {
    ctx.invalid(str_cat("pads has ", pads.size(), " values; expected ", 2 * axes.size()));
  }
  Dims start = Dims::filled(rank, 0), size = d, stride = Dims::filled(rank, 1);
  int32_t n = static_cast<int32_t>(axes.size());
  for (int32_t i = 0; i < n; ++i) {
    int32_t a = normalize_axis(ctx, axes[i], rank);
    if (d.d[a] < 0) ctx.unsupported("padding a dynamic dimension");
    start.d[a] = -pads[i];
    size.d[a] = d.d[a] + pads[i] + pads[n + i];
  }
  // Added in bounds, then given its mode, then the out-of-bounds window: every setter re-checks.
  SliceLayer& s =
      ctx.named(ctx.network().add_slice(x, Dims::filled(rank, 0), d, Dims::filled(rank, 1)));
  if (mode == "constant") {
    s.set_mode(SampleMode::kFILL);
    s.set_fill_value(value);
  } else if (mode == "edge") {
    s.set_mode(SampleMode::kCLAMP);
  } else if (mode == "reflect") {
    s.set_mode(SampleMode::kREFLECT);
  } else if (mode == "wrap") {
    s.set_mode(SampleMode::kWRAP);
  } else {
    ctx.invalid(str_cat("unknown mode '", mode, "'"));
  }
  s.set_start(start);
  s.set_shape(size);
  ctx.set_output(0, s);
}

void lrn(ImportContext& ctx) {
  if (!ctx.has_attr("size")) ctx.invalid("attribute 'size' is missing");
  LRNLayer& l = ctx.named(
      ctx.network().add_lrn(ctx.input(0), ctx.attr_int("size", 1), ctx.attr_float("alpha", 1e-4f),
                            ctx.attr_float("beta", 0.75f), ctx.attr_float("bias", 1.0f)));
  ctx.set_output(0, l);
}

}  // namespace

void register_deconv_pad(ImporterMap& m) {
  m["ConvTranspose"] = conv_transpose;
  m["Pad"] = pad;
  m["LRN"] = lrn;
}

}  // namespace kiln::onnx
