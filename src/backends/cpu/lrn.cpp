// CPU kernel of the LRN layer (ONNX LRN): for each element, the sum of squares over the channel
// window [c - (window-1)/2, c + window/2] (clipped to the channels), in float32.
#include <cmath>

#include "backends/cpu/common.h"

namespace kiln::cpu {

void run_lrn(const ir::Node& node, std::span<const TensorView> inputs,
             std::span<const TensorView> outputs) {
  const LRNAttrs& a = node.get<LRNAttrs>();
  const Dims& dims = inputs[0].dims;
  FloatInput x(inputs[0]);
  FloatOutput y(outputs[0]);
  int64_t batch = dims.d[0], channels = dims.d[1], spatial = 1;
  for (int32_t i = 2; i < dims.nb_dims; ++i) spatial *= dims.d[i];
  int64_t before = (a.window - 1) / 2, after = a.window / 2;
  float scale = a.alpha / static_cast<float>(a.window);
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      int64_t lo = c - before < 0 ? 0 : c - before;
      int64_t hi = c + after >= channels ? channels - 1 : c + after;
      for (int64_t s = 0; s < spatial; ++s) {
        float sum = 0.0f;
        for (int64_t k = lo; k <= hi; ++k) {
          float v = x[(n * channels + k) * spatial + s];
          sum += v * v;
        }
        int64_t at = (n * channels + c) * spatial + s;
        y[at] = x[at] / std::pow(a.k + scale * sum, a.beta);
      }
    }
  }
  y.commit();
}

}  // namespace kiln::cpu
