// kiln's pooling kernel: one thread per output element (grid-stride, 64-bit indices) reads its
// window clipped to the input, in the CPU reference's order, so max is exact and average matches.
#include "backends/cuda/kernels/pooling.h"

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/common.cuh"
#include "core/error.h"

namespace kiln::cuda {

namespace {

constexpr int kThreads = 256;

struct Pool {
  int64_t planes;
  int64_t in[3], out[3], window[3], stride[3], pad[3];
  int64_t in_volume, out_volume;
  float full_count;  // the window's volume, padding included
};

template <typename T, bool kMax>
__global__ void __launch_bounds__(kThreads)
    pool_kernel(Pool g, bool count_excludes_padding, const T* __restrict__ x, T* __restrict__ y) {
  const int64_t total = g.planes * g.out_volume;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += step) {
    int64_t rest = i;
    const int64_t ow = rest % g.out[2];
    rest /= g.out[2];
    const int64_t oh = rest % g.out[1];
    rest /= g.out[1];
    const int64_t od = rest % g.out[0];
    const int64_t plane = rest / g.out[0];
    // The window along each dim, clipped to [0, in): [begin, end).
    const int64_t o[3] = {od, oh, ow};
    int64_t begin[3], end[3];
#pragma unroll
    for (int d = 0; d < 3; ++d) {
      const int64_t start = o[d] * g.stride[d] - g.pad[d];
      begin[d] = start > 0 ? start : 0;
      end[d] = start + g.window[d] < g.in[d] ? start + g.window[d] : g.in[d];
    }
    const T* src = x + plane * g.in_volume;
    float result;
    if (kMax) {
      result = -INFINITY;
      for (int64_t id = begin[0]; id < end[0]; ++id) {
        for (int64_t ih = begin[1]; ih < end[1]; ++ih) {
          const T* row = src + (id * g.in[1] + ih) * g.in[2];
          for (int64_t iw = begin[2]; iw < end[2]; ++iw) {
            const float v = load_f32(row + iw);
            // NaN propagates: once result is NaN, no comparison replaces it.
            if (v > result || isnan(v)) result = v;
          }
        }
      }
    } else {
      float sum = 0.0f;
      for (int64_t id = begin[0]; id < end[0]; ++id) {
        for (int64_t ih = begin[1]; ih < end[1]; ++ih) {
          const T* row = src + (id * g.in[1] + ih) * g.in[2];
          for (int64_t iw = begin[2]; iw < end[2]; ++iw) sum += load_f32(row + iw);
        }
      }
      const float count =
          count_excludes_padding
              ? static_cast<float>((end[0] - begin[0]) * (end[1] - begin[1]) * (end[2] - begin[2]))
              : g.full_count;
      result = __fdiv_rn(sum, count);
    }
    y[i] = from_f32<T>(result);
  }
}

template <typename T>
void launch_typed(const Pool& p, PoolingType op, bool count_excludes_padding, const void* x,
                  void* y, cudaStream_t stream) {
  const int64_t total = p.planes * p.out_volume;
  const unsigned int blocks = grid_for(total, kThreads);
  if (op == PoolingType::kMAX) {
    pool_kernel<T, true><<<blocks, kThreads, 0, stream>>>(
        p, count_excludes_padding, static_cast<const T*>(x), static_cast<T*>(y));
  } else {
    pool_kernel<T, false><<<blocks, kThreads, 0, stream>>>(
        p, count_excludes_padding, static_cast<const T*>(x), static_cast<T*>(y));
  }
  KILN_CUDA_CHECK_LAUNCH();
}

}  // namespace

void launch_pooling(const PoolGeometry& g, PoolingType op, bool count_excludes_padding,
                    DataType type, const void* x, void* y, cudaStream_t stream) {
  Pool p{};
  p.planes = g.planes;
  for (int d = 0; d < 3; ++d) {
    p.in[d] = g.in[d];
    p.out[d] = g.out[d];
    p.window[d] = g.window[d];
    p.stride[d] = g.stride[d];
    p.pad[d] = g.pad[d];
  }
  p.in_volume = p.in[0] * p.in[1] * p.in[2];
  p.out_volume = p.out[0] * p.out[1] * p.out[2];
  p.full_count = static_cast<float>(p.window[0] * p.window[1] * p.window[2]);
  if (p.planes * p.out_volume <= 0) return;
  if (op != PoolingType::kMAX && op != PoolingType::kAVERAGE) {
    fail("[cuda pooling] unknown pooling type ", static_cast<int32_t>(op));
  }
  switch (type) {
    case DataType::kFLOAT:
      launch_typed<float>(p, op, count_excludes_padding, x, y, stream);
      return;
    case DataType::kHALF:
      launch_typed<__half>(p, op, count_excludes_padding, x, y, stream);
      return;
    case DataType::kBF16:
      launch_typed<__nv_bfloat16>(p, op, count_excludes_padding, x, y, stream);
      return;
    default:
      fail("[cuda pooling] unsupported type ", type);
  }
}

}  // namespace kiln::cuda
