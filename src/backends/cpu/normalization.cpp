// Normalization CPU kernel (layer, instance, group norm): two passes in double per normalized
// group, mean then biased variance, then y = (x - mean) / sqrt(var + eps) * scale + bias.
#include <cmath>

#include "backends/cpu/common.h"

namespace kiln::cpu {
namespace {

// x's shape, with dim 1 split into [groups, channels per group] when grouped, and for each dim the
// strides of x, scale and bias (0 along broadcast dims).
struct Layout {
  std::vector<int64_t> shape, x_strides, scale_strides, bias_strides;
  uint64_t axes = 0;  // the normalized dims of `shape`
};

Layout layout_of(const Dims& x, const Dims& scale, const Dims& bias, uint32_t axes,
                 int64_t groups) {
  Dims xs = strides_of(x), ss = broadcast_strides(scale, x), bs = broadcast_strides(bias, x);
  Layout l;
  for (int32_t i = 0; i < x.nb_dims; ++i) {
    int32_t at = static_cast<int32_t>(l.shape.size());
    if (i == 1 && groups > 1) {
      int64_t per_group = x.d[1] / groups;
      l.shape.insert(l.shape.end(), {groups, per_group});
      l.x_strides.insert(l.x_strides.end(), {xs.d[1] * per_group, xs.d[1]});
      l.scale_strides.insert(l.scale_strides.end(), {ss.d[1] * per_group, ss.d[1]});
      l.bias_strides.insert(l.bias_strides.end(), {bs.d[1] * per_group, bs.d[1]});
      l.axes |= uint64_t{1} << (at + 1);  // the channels of one group are normalized together
      continue;
    }
    l.shape.push_back(x.d[i]);
    l.x_strides.push_back(xs.d[i]);
    l.scale_strides.push_back(ss.d[i]);
    l.bias_strides.push_back(bs.d[i]);
    if (axes & (1u << i)) l.axes |= uint64_t{1} << at;
  }
  return l;
}

// Offsets under `strides` of every index over the dims selected by `mask` (row-major, the other
// dims held at 0).
std::vector<int64_t> offsets_over(const std::vector<int64_t>& shape,
                                  const std::vector<int64_t>& strides, uint64_t mask) {
  std::vector<int64_t> offsets{0};
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!(mask & (uint64_t{1} << i))) continue;
    std::vector<int64_t> next;
    next.reserve(offsets.size() * static_cast<size_t>(shape[i]));
    for (int64_t base : offsets) {
      for (int64_t j = 0; j < shape[i]; ++j) next.push_back(base + j * strides[i]);
    }
    offsets = std::move(next);
  }
  return offsets;
}

}  // namespace

void run_normalization(const ir::Node& node, std::span<const TensorView> inputs,
                       std::span<const TensorView> outputs) {
  const auto& attrs = node.get<NormalizationAttrs>();
  const TensorView& x = inputs[0];
  if (numel(x) == 0) return;
  Layout l = layout_of(x.dims, inputs[1].dims, inputs[2].dims, attrs.axes, attrs.num_groups);
  uint64_t rest = ~l.axes;
  // Per normalized group: its first element (outer) and every element relative to it (inner).
  std::vector<int64_t> x_outer = offsets_over(l.shape, l.x_strides, rest);
  std::vector<int64_t> s_outer = offsets_over(l.shape, l.scale_strides, rest);
  std::vector<int64_t> b_outer = offsets_over(l.shape, l.bias_strides, rest);
  std::vector<int64_t> x_inner = offsets_over(l.shape, l.x_strides, l.axes);
  std::vector<int64_t> s_inner = offsets_over(l.shape, l.scale_strides, l.axes);
  std::vector<int64_t> b_inner = offsets_over(l.shape, l.bias_strides, l.axes);

  FloatInput xv(x), scale(inputs[1]), bias(inputs[2]);
  FloatOutput out(outputs[0]);
  const double n = static_cast<double>(x_inner.size());
  for (size_t o = 0; o < x_outer.size(); ++o) {
    const float* xs = xv.data() + x_outer[o];
    double sum = 0.0;
    for (int64_t off : x_inner) sum += xs[off];
    double mean = sum / n;
    double sq = 0.0;
    for (int64_t off : x_inner) {
      double d = xs[off] - mean;
      sq += d * d;
    }
    double inv_std = 1.0 / std::sqrt(sq / n + static_cast<double>(attrs.epsilon));
    float* ys = out.data() + x_outer[o];
    const float* ss = scale.data() + s_outer[o];
    const float* bs = bias.data() + b_outer[o];
    for (size_t i = 0; i < x_inner.size(); ++i) {
      double y = (xs[x_inner[i]] - mean) * inv_std * ss[s_inner[i]] + bs[b_inner[i]];
      ys[x_inner[i]] = static_cast<float>(y);
    }
  }
  out.commit();
}

}  // namespace kiln::cpu
