// SoftMax CPU kernel: softmax over the joint set of the axes in the bitmask, numerically stable
// (the maximum is subtracted before exp), exps summed in double. A group holding NaN, +inf or
// only -inf comes out NaN, as in PyTorch.
#include <cmath>
#include <limits>

#include "backends/cpu/common.h"

namespace kiln::cpu {
namespace {

// Row-major element offsets of every index over the dims selected by `mask` (the other dims held
// at 0): the positions of one softmax group (mask = axes) or of every group's start (~axes).
std::vector<int64_t> offsets_over(const Dims& dims, uint32_t mask) {
  Dims strides = strides_of(dims);
  std::vector<int64_t> offsets{0};
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (!(mask & (1u << i))) continue;
    std::vector<int64_t> next;
    next.reserve(offsets.size() * static_cast<size_t>(dims.d[i]));
    for (int64_t base : offsets) {
      for (int64_t j = 0; j < dims.d[i]; ++j) next.push_back(base + j * strides.d[i]);
    }
    offsets = std::move(next);
  }
  return offsets;
}

}  // namespace

void run_softmax(const ir::Node& node, std::span<const TensorView> inputs,
                 std::span<const TensorView> outputs) {
  uint32_t axes = node.get<SoftMaxAttrs>().axes;
  const TensorView& x = inputs[0];
  if (numel(x) == 0) return;
  std::vector<int64_t> group = offsets_over(x.dims, axes);
  std::vector<int64_t> starts = offsets_over(x.dims, ~axes);
  FloatInput in(x);
  FloatOutput out(outputs[0]);
  for (int64_t start : starts) {
    const float* xs = in.data() + start;
    float* ys = out.data() + start;
    float max = -std::numeric_limits<float>::infinity();
    for (int64_t off : group) max = std::fmax(max, xs[off]);
    double sum = 0.0;
    for (int64_t off : group) {
      float e = std::exp(xs[off] - max);
      ys[off] = e;
      sum += e;
    }
    float inv = static_cast<float>(1.0 / sum);
    for (int64_t off : group) ys[off] *= inv;
  }
  out.commit();
}

}  // namespace kiln::cpu
