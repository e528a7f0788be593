// The built-in BiasGelu plugin's kernel: one thread per element, grid-stride.
#include <algorithm>

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/bias_gelu.h"
#include "backends/cuda/kernels/common.cuh"

namespace kiln::cuda {
namespace {

__global__ void bias_gelu_kernel(float* y, const float* x, const float* bias, int64_t n,
                                 int64_t channels, bool tanh_approximation) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    float v = x[i] + (bias ? bias[i % channels] : 0.0f);
    if (tanh_approximation) {
      y[i] = 0.5f * v * (1.0f + tanhf(0.7978845608f * (v + 0.044715f * v * v * v)));
    } else {
      y[i] = 0.5f * v * (1.0f + erff(v * 0.7071067812f));
    }
  }
}

}  // namespace

void bias_gelu(float* y, const float* x, const float* bias, int64_t n, int64_t channels,
               bool tanh_approximation, cudaStream_t stream) {
  if (n == 0) return;
  constexpr int kThreads = 256;
  int64_t blocks = std::min<int64_t>((n + kThreads - 1) / kThreads, 65535);
  bias_gelu_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(y, x, bias, n, channels,
                                                                           tanh_approximation);
  KILN_CUDA_CHECK_LAUNCH();
}

}  // namespace kiln::cuda
