// SoftMax CPU kernel: softmax over the joint set of the axes in the bitmask, numerically stable
// (the maximum is subtracted before exp), exps summed in double. A group holding NaN, +inf or
// only -inf comes out NaN, as in PyTorch.
#include <cmath>
#include <limits>

#include "backends/cpu/common.h"
#include "backends/cpu/thread_pool.h"

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
  // A group of consecutive elements (softmax over the last axis) is read directly.
  bool contiguous = true;
  for (size_t i = 0; i < group.size() && contiguous; ++i) contiguous = group[i] == int64_t(i);
  const int64_t n = static_cast<int64_t>(group.size());
  // Groups split over the engine's threads.
  parallel_for(static_cast<int64_t>(starts.size()),
               std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(n, 1)),
               [&](int64_t first, int64_t last) {
                 for (int64_t s = first; s < last; ++s) {
                   const float* xs = in.data() + starts[s];
                   float* ys = out.data() + starts[s];
                   float max = -std::numeric_limits<float>::infinity();
                   double sum = 0.0;
                   if (contiguous) {
                     for (int64_t i = 0; i < n; ++i) max = std::fmax(max, xs[i]);
                     for (int64_t i = 0; i < n; ++i) {
                       float e = std::exp(xs[i] - max);
                       ys[i] = e;
                       sum += e;
                     }
                     float inv = static_cast<float>(1.0 / sum);
                     for (int64_t i = 0; i < n; ++i) ys[i] *= inv;
                     continue;
                   }
                   for (int64_t off : group) max = std::fmax(max, xs[off]);
                   for (int64_t off : group) {
                     float e = std::exp(xs[off] - max);
                     ys[off] = e;
                     sum += e;
                   }
                   float inv = static_cast<float>(1.0 / sum);
                   for (int64_t off : group) ys[off] *= inv;
                 }
               });
  out.commit();
}

}  // namespace kiln::cpu
