// Small generating and scanning kernels (see generate.h). Grid-stride loops, 64-bit indexing.
#include "backends/cuda/check.h"
#include "backends/cuda/kernels/generate.h"

namespace kiln::cuda {
namespace {

constexpr int kThreads = 256;

struct DimsArg {
  int64_t d[kMaxRank];
};

__global__ void write_dims_kernel(int64_t* dst, DimsArg dims, int32_t rank) {
  int32_t i = threadIdx.x;
  if (i < rank) dst[i] = dims.d[i];
}

template <typename T>
__global__ void linspace_kernel(T* dst, int64_t n, double alpha, double beta) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    double v = alpha + static_cast<double>(i) * beta;
    if constexpr (std::is_integral_v<T>) {
      dst[i] = static_cast<T>(v);
    } else {
      dst[i] = from_f32<T>(static_cast<float>(v));
    }
  }
}

template <typename T, typename Acc>
__global__ void cumulative_kernel(T* __restrict__ dst, const T* __restrict__ src, int64_t outer,
                                  int64_t n, int64_t inner, bool exclusive, bool reverse) {
  for (int64_t line = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; line < outer * inner;
       line += int64_t{gridDim.x} * blockDim.x) {
    int64_t o = line / inner, e = line % inner;
    Acc sum = 0;
    for (int64_t s = 0; s < n; ++s) {
      int64_t j = reverse ? n - 1 - s : s;
      int64_t at = (o * n + j) * inner + e;
      Acc v;
      if constexpr (std::is_integral_v<T>) {
        v = static_cast<Acc>(src[at]);
      } else {
        v = load_f32(src + at);
      }
      if (!exclusive) sum += v;
      if constexpr (std::is_integral_v<T>) {
        dst[at] = static_cast<T>(sum);
      } else {
        dst[at] = from_f32<T>(sum);
      }
      if (exclusive) sum += v;
    }
  }
}

template <typename T>
__global__ void lrn_kernel(T* __restrict__ dst, const T* __restrict__ src, int64_t channels,
                           int64_t spatial, int64_t window, float alpha, float beta, float k,
                           int64_t total) {
  int64_t before = (window - 1) / 2, after = window / 2;
  float scale = alpha / static_cast<float>(window);
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t s = i % spatial, c = (i / spatial) % channels, b = i / (spatial * channels);
    int64_t lo = c - before < 0 ? 0 : c - before;
    int64_t hi = c + after >= channels ? channels - 1 : c + after;
    float sum = 0.0f;
    for (int64_t j = lo; j <= hi; ++j) {
      float v = load_f32(src + (b * channels + j) * spatial + s);
      sum += v * v;
    }
    dst[i] = from_f32<T>(load_f32(src + i) / powf(k + scale * sum, beta));
  }
}

template <typename Fn>
void by_float_type(int32_t type, Fn&& fn) {
  if (type == 1) return fn(__half{});
  if (type == 2) return fn(__nv_bfloat16{});
  return fn(float{});
}

}  // namespace

void write_dims(int64_t* dst, const int64_t* dims, int32_t rank, cudaStream_t stream) {
  if (rank == 0) return;
  DimsArg arg{};
  for (int32_t i = 0; i < rank; ++i) arg.d[i] = dims[i];
  write_dims_kernel<<<1, kMaxRank, 0, stream>>>(dst, arg, rank);
  KILN_CUDA_CHECK_LAUNCH();
}

void linspace(void* dst, int32_t type, int64_t n, double alpha, double beta, cudaStream_t stream) {
  if (n == 0) return;
  unsigned int blocks = grid_for(n, kThreads);
  switch (type) {
    case 5:  // kINT32
      linspace_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<int32_t*>(dst), n, alpha, beta);
      break;
    case 6:  // kINT64
      linspace_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<int64_t*>(dst), n, alpha, beta);
      break;
    default:
      by_float_type(type, [&](auto tag) {
        using T = decltype(tag);
        linspace_kernel<<<blocks, kThreads, 0, stream>>>(static_cast<T*>(dst), n, alpha, beta);
      });
  }
  KILN_CUDA_CHECK_LAUNCH();
}

void cumulative_sum(void* dst, const void* src, int32_t type, int64_t outer, int64_t n,
                    int64_t inner, bool exclusive, bool reverse, cudaStream_t stream) {
  int64_t lines = outer * inner;
  if (lines == 0 || n == 0) return;
  unsigned int blocks = grid_for(lines, kThreads);
  if (type == 5) {
    cumulative_kernel<int32_t, int64_t><<<blocks, kThreads, 0, stream>>>(
        static_cast<int32_t*>(dst), static_cast<const int32_t*>(src), outer, n, inner, exclusive,
        reverse);
  } else if (type == 6) {
    cumulative_kernel<int64_t, int64_t><<<blocks, kThreads, 0, stream>>>(
        static_cast<int64_t*>(dst), static_cast<const int64_t*>(src), outer, n, inner, exclusive,
        reverse);
  } else {
    by_float_type(type, [&](auto tag) {
      using T = decltype(tag);
      cumulative_kernel<T, float><<<blocks, kThreads, 0, stream>>>(
          static_cast<T*>(dst), static_cast<const T*>(src), outer, n, inner, exclusive, reverse);
    });
  }
  KILN_CUDA_CHECK_LAUNCH();
}

void lrn(void* dst, const void* src, int32_t type, int64_t batch, int64_t channels, int64_t spatial,
         int64_t window, float alpha, float beta, float k, cudaStream_t stream) {
  int64_t total = batch * channels * spatial;
  if (total == 0) return;
  by_float_type(type, [&](auto tag) {
    using T = decltype(tag);
    lrn_kernel<<<grid_for(total, kThreads), kThreads, 0, stream>>>(
        static_cast<T*>(dst), static_cast<const T*>(src), channels, spatial, window, alpha, beta, k,
        total);
  });
  KILN_CUDA_CHECK_LAUNCH();
}

}  // namespace kiln::cuda
