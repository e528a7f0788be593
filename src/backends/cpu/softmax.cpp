// SoftMax CPU kernel: softmax over the joint set of the axes in the bitmask, numerically stable
// (the maximum is subtracted before exp), exps summed in double. A group holding NaN, +inf or
// only -inf comes out NaN, as in PyTorch.
#include <cmath>
#include <limits>

#include "backends/cpu/common.h"

namespace kiln::cpu {
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
