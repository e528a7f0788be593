// Direct deconvolution: one thread per output element gathers the inputs that reach it (output
// position o receives input i through tap k when i * stride + k * dilation - pad == o).
// Correctness first: no tiling or shared memory.
#include "backends/cuda/check.h"
#include "backends/cuda/kernels/common.cuh"
#include "backends/cuda/kernels/deconvolution.h"

namespace kiln::cuda {
namespace {

constexpr int kThreads = 256;

// The input position along one dimension that tap k of output o reads, or -1.
__device__ __forceinline__ int64_t source(int64_t o, int64_t k, const DeconvGeometry& g, int d) {
  int64_t num = o + g.pad[d] - k * g.dilation[d];
  if (num < 0 || num % g.stride[d] != 0) return -1;
  int64_t i = num / g.stride[d];
  return i < g.in[d] ? i : -1;
}

template <typename T>
__global__ void deconvolution_kernel(T* __restrict__ y, const T* __restrict__ x,
                                     const T* __restrict__ w, const T* __restrict__ bias,
                                     DeconvGeometry g, int64_t n) {
  const int64_t out_volume = g.out[0] * g.out[1] * g.out[2];
  const int64_t in_volume = g.in[0] * g.in[1] * g.in[2];
  const int64_t kernel_volume = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const int64_t group_channels = g.channels / g.groups, group_maps = g.maps / g.groups;
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < n;
       e += int64_t{gridDim.x} * blockDim.x) {
    int64_t o = e % out_volume;
    int64_t m = (e / out_volume) % g.maps;
    int64_t b = e / (out_volume * g.maps);
    int64_t od = o / (g.out[1] * g.out[2]), oh = (o / g.out[2]) % g.out[1], ow = o % g.out[2];
    int64_t group = m / group_maps, gm = m % group_maps;
    float sum = bias != nullptr ? load_f32(bias + m) : 0.0f;
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
      int64_t id = source(od, kd, g, 0);
      if (id < 0) continue;
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
        int64_t ih = source(oh, kh, g, 1);
        if (ih < 0) continue;
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          int64_t iw = source(ow, kw, g, 2);
          if (iw < 0) continue;
          int64_t in_at = (id * g.in[1] + ih) * g.in[2] + iw;
          int64_t tap = (kd * g.kernel[1] + kh) * g.kernel[2] + kw;
          for (int64_t c = group * group_channels; c < (group + 1) * group_channels; ++c) {
            sum += load_f32(x + (b * g.channels + c) * in_volume + in_at) *
                   load_f32(w + (c * group_maps + gm) * kernel_volume + tap);
          }
        }
      }
    }
    y[e] = from_f32<T>(sum);
  }
}

template <typename T>
void launch(void* y, const void* x, const void* w, const void* bias, const DeconvGeometry& g,
            int64_t n, cudaStream_t stream) {
  deconvolution_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(
      static_cast<T*>(y), static_cast<const T*>(x), static_cast<const T*>(w),
      static_cast<const T*>(bias), g, n);
}

}  // namespace

void deconvolution(void* y, const void* x, const void* w, const void* bias, int32_t type,
                   const DeconvGeometry& g, cudaStream_t stream) {
  int64_t n = g.batch * g.maps * g.out[0] * g.out[1] * g.out[2];
  if (n == 0) return;
  if (type == 1) {
    launch<__half>(y, x, w, bias, g, n, stream);
  } else if (type == 2) {
    launch<__nv_bfloat16>(y, x, w, bias, g, n, stream);
  } else {
    launch<float>(y, x, w, bias, g, n, stream);
  }
  KILN_CUDA_CHECK_LAUNCH();
}

}  // namespace kiln::cuda
