// CPU kernel of the resize layer (ONNX Resize formulas, core/resize_math.h). Nearest: one gather
// with a per-dimension index table, any element type. Linear and cubic: separable, one 1-D pass
// per dimension that changes, in float32.
#include <vector>

#include "backends/cpu/common.h"
#include "core/resize_math.h"

namespace kiln::cpu {
namespace {

resize::Axis axis_of(const ResizeAttrs& a, int64_t in, int64_t out, int32_t i) {
  resize::Axis axis;
  axis.in = in;
  axis.out = out;
  axis.scale = a.use_scales ? static_cast<double>(a.scales[i])
                            : static_cast<double>(out) / static_cast<double>(in);
  axis.transformation = static_cast<int32_t>(a.transformation);
  axis.upper_for_single_pixel = a.selector == ResizeSelector::kUPPER;
  return axis;
}

void resize_nearest(const ResizeAttrs& a, const TensorView& x, const TensorView& y) {
  int32_t rank = x.dims.nb_dims;
  Dims strides = strides_of(x.dims);
  std::vector<std::vector<int64_t>> offsets(static_cast<size_t>(rank));
  for (int32_t i = 0; i < rank; ++i) {
    resize::Axis axis = axis_of(a, x.dims.d[i], y.dims.d[i], i);
    for (int64_t j = 0; j < y.dims.d[i]; ++j) {
      offsets[i].push_back(
          resize::nearest_index(axis, static_cast<int32_t>(a.nearest_rounding), j) * strides.d[i]);
    }
  }
  int64_t esize = element_size(x.type);
  const auto* src = static_cast<const uint8_t*>(x.data);
  auto* dst = static_cast<uint8_t*>(y.data);
  int64_t count = numel(y);
  int64_t index[Dims::kMaxDims] = {};
  for (int64_t o = 0; o < count; ++o) {
    int64_t offset = 0;
    for (int32_t i = 0; i < rank; ++i) offset += offsets[i][index[i]];
    std::memcpy(dst + o * esize, src + offset * esize, static_cast<size_t>(esize));
    for (int32_t i = rank - 1; i >= 0; --i) {
      if (++index[i] < y.dims.d[i]) break;
      index[i] = 0;
    }
  }
}

void resize_interpolate(const ResizeAttrs& a, const TensorView& x, const TensorView& y) {
  int32_t rank = x.dims.nb_dims;
  FloatInput in(x);
  std::vector<float> current(in.data(), in.data() + numel(x));
  Dims shape = x.dims;
  for (int32_t i = 0; i < rank; ++i) {
    resize::Axis axis = axis_of(a, x.dims.d[i], y.dims.d[i], i);
    if (resize::is_identity(axis, static_cast<int32_t>(a.mode), 0, a.cubic_coeff,
                            a.exclude_outside)) {
      continue;
    }
    int64_t outer = 1, inner = 1;
    for (int32_t k = 0; k < i; ++k) outer *= shape.d[k];
    for (int32_t k = i + 1; k < rank; ++k) inner *= shape.d[k];
    std::vector<float> next(static_cast<size_t>(outer * axis.out * inner));
    for (int64_t j = 0; j < axis.out; ++j) {
      int64_t index[4];
      float weight[4];
      int32_t n = resize::taps(axis, static_cast<int32_t>(a.mode), a.cubic_coeff, a.exclude_outside,
                               j, index, weight);
      for (int64_t o = 0; o < outer; ++o) {
        float* dst = &next[(o * axis.out + j) * inner];
        for (int64_t e = 0; e < inner; ++e) dst[e] = 0.0f;
        for (int32_t t = 0; t < n; ++t) {
          const float* src = &current[(o * axis.in + index[t]) * inner];
          for (int64_t e = 0; e < inner; ++e) dst[e] += weight[t] * src[e];
        }
      }
    }
    current = std::move(next);
    shape.d[i] = axis.out;
  }
  FloatOutput out(y);
  std::copy(current.begin(), current.end(), out.data());
  out.commit();
}

}  // namespace

void run_resize(const ir::Node& node, std::span<const TensorView> inputs,
                std::span<const TensorView> outputs) {
  const ResizeAttrs& a = node.get<ResizeAttrs>();
  if (numel(outputs[0]) == 0) return;
  if (a.mode == InterpolationMode::kNEAREST) {
    resize_nearest(a, inputs[0], outputs[0]);
  } else {
    resize_interpolate(a, inputs[0], outputs[0]);
  }
}

}  // namespace kiln::cpu
