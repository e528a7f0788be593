// Host launcher of the built-in BiasGelu plugin's kernel (src/plugin/bias_gelu.cpp).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kiln::cuda {

// y[i] = gelu(x[i] + bias[i % channels]) over n float32 values; bias may be null (no bias).
// tanh_approximation: 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3))), else 0.5 v (1 +
// erf(v/sqrt2)).
void bias_gelu(float* y, const float* x, const float* bias, int64_t n, int64_t channels,
               bool tanh_approximation, cudaStream_t stream);

}  // namespace kiln::cuda
