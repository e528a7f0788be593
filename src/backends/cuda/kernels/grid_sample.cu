// The built-in GridSample plugin's kernel: one thread per output value, grid-stride, the sampling
// of core/grid_sample_math.h (the CPU reference's too).
#include <algorithm>

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/common.cuh"
#include "backends/cuda/kernels/grid_sample.h"

namespace kiln::cuda {
namespace {

__global__ void grid_sample_kernel(float* y, const float* x, const float* grid, int64_t channels,
                                   int64_t points, int64_t plane, int64_t n,
                                   grid_sample::Params p) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t point = i % points;
    int64_t nc = i / points;  // batch * channels + channel
    int64_t b = nc / channels;
    y[i] = grid_sample::sample(x + nc * plane, p, grid + (b * points + point) * p.rank);
  }
}

}  // namespace

void grid_sample(float* y, const float* x, const float* grid, int64_t batch, int64_t channels,
                 int64_t points, const grid_sample::Params& p, cudaStream_t stream) {
  int64_t n = batch * channels * points;
  if (n == 0) return;
  int64_t plane = 1;
  for (int32_t d = 0; d < p.rank; ++d) plane *= p.size[d];
  constexpr int kThreads = 256;
  int64_t blocks = std::min<int64_t>((n + kThreads - 1) / kThreads, 65535);
  grid_sample_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(y, x, grid, channels,
                                                                             points, plane, n, p);
  KILN_CUDA_CHECK_LAUNCH();
}

}  // namespace kiln::cuda
