// Resize kernel: each output element computes its input coordinates per dimension with the ONNX
// formulas; nearest reads one element, linear/cubic sum the product of the per-dimension taps over
// the interpolating dims (2 or 4 taps each), neighbours clamped to the edge.
#include "backends/cuda/check.h"
#include "backends/cuda/kernels/resize.h"

namespace kiln::cuda {
namespace {

constexpr int kThreads = 256;

template <typename T>
__global__ void resize_nearest_kernel(T* __restrict__ dst, const T* __restrict__ src,
                                      ResizeGeometry g, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t rest = i, offset = 0;
    for (int32_t d = g.rank - 1; d >= 0; --d) {
      int64_t j = rest % g.axes[d].out;
      rest /= g.axes[d].out;
      offset += resize::nearest_index(g.axes[d], g.rounding, j) * g.in_strides[d];
    }
    dst[i] = src[offset];
  }
}

template <typename T>
__global__ void resize_interpolate_kernel(T* __restrict__ dst, const T* __restrict__ src,
                                          ResizeGeometry g, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t index[kMaxRank][4];
    float weight[kMaxRank][4];
    int32_t count[kMaxRank];
    int64_t rest = i, base = 0, combos = 1;
    for (int32_t d = g.rank - 1; d >= 0; --d) {
      int64_t j = rest % g.axes[d].out;
      rest /= g.axes[d].out;
      if (g.active[d]) {
        count[d] =
            resize::taps(g.axes[d], g.mode, g.cubic_a, g.exclude_outside, j, index[d], weight[d]);
        combos *= count[d];
      } else {
        count[d] = 1;
        base += j * g.in_strides[d];
      }
    }
    float sum = 0.0f;
    for (int64_t c = 0; c < combos; ++c) {
      int64_t r = c, offset = base;
      float w = 1.0f;
      for (int32_t d = g.rank - 1; d >= 0; --d) {
        if (!g.active[d]) continue;
        int32_t t = static_cast<int32_t>(r % count[d]);
        r /= count[d];
        offset += index[d][t] * g.in_strides[d];
        w *= weight[d][t];
      }
      if (w != 0.0f) sum += w * load_f32(src + offset);
    }
    dst[i] = from_f32<T>(sum);
  }
}

}  // namespace

void resize(void* dst, const void* src, int32_t type, int64_t element_size, const ResizeGeometry& g,
            cudaStream_t stream) {
  int64_t n = 1;
  for (int32_t d = 0; d < g.rank; ++d) n *= g.axes[d].out;
  if (n == 0) return;
  unsigned int blocks = grid_for(n, kThreads);
  if (g.mode == resize::kNEAREST) {
    switch (element_size) {
      case 1:
        resize_nearest_kernel<<<blocks, kThreads, 0, stream>>>(
            static_cast<uint8_t*>(dst), static_cast<const uint8_t*>(src), g, n);
        break;
      case 2:
        resize_nearest_kernel<<<blocks, kThreads, 0, stream>>>(
            static_cast<uint16_t*>(dst), static_cast<const uint16_t*>(src), g, n);
        break;
      case 4:
        resize_nearest_kernel<<<blocks, kThreads, 0, stream>>>(
            static_cast<uint32_t*>(dst), static_cast<const uint32_t*>(src), g, n);
        break;
      default:
        resize_nearest_kernel<<<blocks, kThreads, 0, stream>>>(
            static_cast<uint64_t*>(dst), static_cast<const uint64_t*>(src), g, n);
        break;
    }
  } else if (type == 1) {
    resize_interpolate_kernel<<<blocks, kThreads, 0, stream>>>(
        static_cast<__half*>(dst), static_cast<const __half*>(src), g, n);
  } else if (type == 2) {
    resize_interpolate_kernel<<<blocks, kThreads, 0, stream>>>(
        static_cast<__nv_bfloat16*>(dst), static_cast<const __nv_bfloat16*>(src), g, n);
  } else {
    resize_interpolate_kernel<<<blocks, kThreads, 0, stream>>>(
        static_cast<float*>(dst), static_cast<const float*>(src), g, n);
  }
  KILN_CUDA_CHECK_LAUNCH();
}

}  // namespace kiln::cuda
