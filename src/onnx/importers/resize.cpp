// Resize (opsets 10-19) and Upsample onto ResizeLayer: scales or sizes must be build-time
// constants; `axes` and keep_aspect_ratio_policy are expanded to every dimension here.
#include "onnx/importers/families.h"

#include <cmath>

namespace kiln::onnx {

namespace {

void resize(ImportContext& ctx, bool upsample) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  int32_t rank = d.nb_dims;
  std::string mode = ctx.attr_string("mode", "nearest");
  std::string ctm = ctx.attr_string("coordinate_transformation_mode", "half_pixel");
  if (upsample || ctx.opset() < 11) ctm = "asymmetric";
  if (ctx.attr_int("antialias", 0) != 0) ctx.unsupported("antialias = 1");
  std::vector<int64_t> axes = ctx.attr_ints("axes");
  if (axes.empty()) {
    for (int32_t i = 0; i < rank; ++i) axes.push_back(i);
  }
  for (int64_t& a : axes) a = normalize_axis(ctx, a, rank);

  std::vector<double> scales;
  std::vector<int64_t> sizes;
  if (upsample || ctx.opset() < 11) {
    if (ctx.opset() < 9 || (upsample && ctx.has_attr("scales"))) {
      std::vector<float> f = ctx.attr_floats("scales");
      scales.assign(f.begin(), f.end());
    } else {
      scales = to_doubles(ctx.require_constant(1, "scales"));
    }
  } else {
    if (ctx.has_input(3)) sizes = to_int64s(ctx.require_constant(3, "sizes"));
    if (sizes.empty() && ctx.has_input(2)) scales = to_doubles(ctx.require_constant(2, "scales"));
  }
  if (ctm == "tf_crop_and_resize")
    ctx.unsupported("coordinate_transformation_mode tf_crop_and_resize");

  ResizeLayer& r = ctx.named(ctx.network().add_resize(x));
  if (!sizes.empty()) {
    if (sizes.size() != axes.size()) ctx.invalid("sizes must have one value per axis");
    if (d.is_dynamic()) ctx.unsupported("Resize by sizes of an input with dynamic dims");
    std::string policy = ctx.attr_string("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch") {
      double s = policy == "not_larger" ? INFINITY : 0;
      for (size_t i = 0; i < axes.size(); ++i) {
        double si = static_cast<double>(sizes[i]) / static_cast<double>(d.d[axes[i]]);
        s = policy == "not_larger" ? std::min(s, si) : std::max(s, si);
      }
      for (size_t i = 0; i < axes.size(); ++i) {
        sizes[i] = static_cast<int64_t>(std::round(s * static_cast<double>(d.d[axes[i]])));
      }
    }
    Dims out = d;
    for (size_t i = 0; i < axes.size(); ++i) out.d[axes[i]] = sizes[i];
    r.set_output_dimensions(out);
  } else {
    if (scales.size() != axes.size()) {
      ctx.invalid(str_cat("scales has ", scales.size(), " values for ", axes.size(), " axes"));
    }
    std::vector<float> full(static_cast<size_t>(rank), 1.0f);
    for (size_t i = 0; i < axes.size(); ++i) full[axes[i]] = static_cast<float>(scales[i]);
    r.set_scales(full.data(), rank);
  }
  if (mode == "nearest") {
    r.set_resize_mode(InterpolationMode::kNEAREST);
  } else if (mode == "linear" || mode == "bilinear" || mode == "trilinear") {
    r.set_resize_mode(InterpolationMode::kLINEAR);
  } else if (mode == "cubic") {
    r.set_resize_mode(InterpolationMode::kCUBIC);
  } else {
    ctx.invalid(str_cat("unknown mode '", mode, "'"));
  }
  using T = ResizeCoordinateTransformation;
  if (ctm == "half_pixel")
    r.set_coordinate_transformation(T::kHALF_PIXEL);
  else if (ctm == "pytorch_half_pixel")
    r.set_coordinate_transformation(T::kPYTORCH_HALF_PIXEL);
  else if (ctm == "align_corners")
    r.set_coordinate_transformation(T::kALIGN_CORNERS);
  else if (ctm == "asymmetric")
    r.set_coordinate_transformation(T::kASYMMETRIC);
  else if (ctm == "tf_half_pixel_for_nn")
    r.set_coordinate_transformation(T::kTF_HALF_PIXEL_FOR_NN);
  else
    ctx.unsupported(str_cat("coordinate_transformation_mode ", ctm));
  std::string nearest = ctx.attr_string("nearest_mode", "round_prefer_floor");
  if (upsample || ctx.opset() < 11) nearest = "floor";
  if (nearest == "round_prefer_floor")
    r.set_nearest_rounding(ResizeRoundMode::kHALF_DOWN);
  else if (nearest == "round_prefer_ceil")
    r.set_nearest_rounding(ResizeRoundMode::kHALF_UP);
  else if (nearest == "floor")
    r.set_nearest_rounding(ResizeRoundMode::kFLOOR);
  else if (nearest == "ceil")
    r.set_nearest_rounding(ResizeRoundMode::kCEIL);
  else
    ctx.invalid(str_cat("unknown nearest_mode '", nearest, "'"));
  r.set_cubic_coeff(ctx.attr_float("cubic_coeff_a", -0.75f));
  r.set_exclude_outside(ctx.attr_int("exclude_outside", 0) != 0);
  ctx.set_output(0, r);
}

}  // namespace

void register_resize(ImporterMap& m) {
  m["Resize"] = [](ImportContext& c) { resize(c, false); };
  m["Upsample"] = [](ImportContext& c) { resize(c, true); };
}

}  // namespace kiln::onnx
