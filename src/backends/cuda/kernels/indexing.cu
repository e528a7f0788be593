// Indexing kernels: one thread per output (or update) element in a grid-stride loop, 64-bit
// offsets throughout; elements are moved as unsigned integers of their size.
#include "backends/cuda/check.h"
#include "backends/cuda/kernels/indexing.h"

namespace kiln::cuda {
namespace {

constexpr int kThreads = 256;

template <typename Fn>
void by_size(int64_t size, Fn&& fn) {
  switch (size) {
    case 1:
      return fn(uint8_t{});
    case 2:
      return fn(uint16_t{});
    case 4:
      return fn(uint32_t{});
    default:
      return fn(uint64_t{});
  }
}

__device__ __forceinline__ int64_t load_index(const void* indices, bool int64, int64_t i) {
  return int64 ? static_cast<const int64_t*>(indices)[i] : static_cast<const int32_t*>(indices)[i];
}

// -1 when v lies outside [-n, n).
__device__ __forceinline__ int64_t wrap_index(int64_t v, int64_t n) {
  if (v < -n || v >= n) return -1;
  return v < 0 ? v + n : v;
}

__device__ __forceinline__ int64_t sample(int32_t mode, int64_t p, int64_t d) {
  if (p >= 0 && p < d) return p;
  switch (mode) {
    case 1:
      return ((p % d) + d) % d;
    case 2:
      return p < 0 ? 0 : d - 1;
    case 4: {
      if (d == 1) return 0;
      int64_t period = 2 * (d - 1);
      int64_t m = ((p % period) + period) % period;
      return m < d ? m : period - m;
    }
    default:
      return -1;
  }
}

template <typename T>
__global__ void slice_sampled_kernel(T* __restrict__ dst, const T* __restrict__ src,
                                     SliceSampling s, T fill, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t rest = i, offset = 0;
    bool filled = false;
    for (int32_t d = s.rank - 1; d >= 0; --d) {
      int64_t j = rest % s.out_dims[d];
      rest /= s.out_dims[d];
      int64_t p = sample(s.mode, s.start[d] + j * s.step[d], s.in_dims[d]);
      if (p < 0) filled = true;
      offset += p * s.in_strides[d];
    }
    dst[i] = filled ? fill : src[offset];
  }
}

template <typename T>
__global__ void gather_elements_kernel(T* __restrict__ dst, const T* __restrict__ data,
                                       const void* indices, bool int64, ElementIndexing e,
                                       int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t rest = i, offset = 0;
    int64_t at = wrap_index(load_index(indices, int64, i), e.axis_size);
    for (int32_t d = e.rank - 1; d >= 0; --d) {
      int64_t c = rest % e.index_dims[d];
      rest /= e.index_dims[d];
      offset += (d == e.axis ? at : c) * e.data_strides[d];
    }
    dst[i] = at < 0 ? T{0} : data[offset];
  }
}

template <typename T>
__global__ void scatter_elements_kernel(T* __restrict__ dst, const T* __restrict__ updates,
                                        const void* indices, bool int64, ElementIndexing e,
                                        int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t at = wrap_index(load_index(indices, int64, i), e.axis_size);
    if (at < 0) continue;
    int64_t rest = i, offset = 0;
    for (int32_t d = e.rank - 1; d >= 0; --d) {
      int64_t c = rest % e.index_dims[d];
      rest /= e.index_dims[d];
      offset += (d == e.axis ? at : c) * e.data_strides[d];
    }
    dst[offset] = updates[i];
  }
}

// The data offset of tuple `row` (batch item b), or -1 when an index is out of range.
__device__ __forceinline__ int64_t tuple_offset(const void* indices, bool int64,
                                                const TupleIndexing& t, int64_t b, int64_t row) {
  int64_t offset = b * t.batch_stride;
  for (int32_t j = 0; j < t.k; ++j) {
    int64_t v = wrap_index(load_index(indices, int64, row * t.k + j), t.sizes[j]);
    if (v < 0) return -1;
    offset += v * t.strides[j];
  }
  return offset;
}

template <typename T>
__global__ void gather_nd_kernel(T* __restrict__ dst, const T* __restrict__ data,
                                 const void* indices, bool int64, TupleIndexing t, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t e = i % t.block, row = i / t.block;  // row = b * tuples + tuple
    int64_t offset = tuple_offset(indices, int64, t, row / t.tuples, row);
    dst[i] = offset < 0 ? T{0} : data[offset + e];
  }
}

template <typename T>
__global__ void scatter_nd_kernel(T* __restrict__ dst, const T* __restrict__ updates,
                                  const void* indices, bool int64, TupleIndexing t, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t e = i % t.block, row = i / t.block;
    int64_t offset = tuple_offset(indices, int64, t, 0, row);
    if (offset >= 0) dst[offset + e] = updates[i];
  }
}

template <typename T>
__global__ void one_hot_kernel(T* __restrict__ dst, const void* indices, bool int64,
                               const T* __restrict__ values, int64_t depth, int64_t inner,
                               int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t e = i % inner, j = (i / inner) % depth, o = i / (inner * depth);
    int64_t v = load_index(indices, int64, o * inner + e);
    if (v < 0) v += depth;
    dst[i] = values[v == j ? 1 : 0];
  }
}

}  // namespace

void slice_sampled(void* dst, const void* src, int64_t element_size, const SliceSampling& s,
                   uint64_t fill, cudaStream_t stream) {
  int64_t n = 1;
  for (int32_t d = 0; d < s.rank; ++d) n *= s.out_dims[d];
  if (n == 0) return;
  by_size(element_size, [&](auto tag) {
    using T = decltype(tag);
    slice_sampled_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(
        static_cast<T*>(dst), static_cast<const T*>(src), s, static_cast<T>(fill), n);
  });
  KILN_CUDA_CHECK_LAUNCH();
}

void gather_elements(void* dst, const void* data, const void* indices, bool indices_int64,
                     const ElementIndexing& e, int64_t element_size, cudaStream_t stream) {
  int64_t n = 1;
  for (int32_t d = 0; d < e.rank; ++d) n *= e.index_dims[d];
  if (n == 0) return;
  by_size(element_size, [&](auto tag) {
    using T = decltype(tag);
    gather_elements_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(
        static_cast<T*>(dst), static_cast<const T*>(data), indices, indices_int64, e, n);
  });
  KILN_CUDA_CHECK_LAUNCH();
}

void scatter_elements(void* dst, const void* updates, const void* indices, bool indices_int64,
                      const ElementIndexing& e, int64_t element_size, cudaStream_t stream) {
  int64_t n = 1;
  for (int32_t d = 0; d < e.rank; ++d) n *= e.index_dims[d];
  if (n == 0) return;
  by_size(element_size, [&](auto tag) {
    using T = decltype(tag);
    scatter_elements_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(
        static_cast<T*>(dst), static_cast<const T*>(updates), indices, indices_int64, e, n);
  });
  KILN_CUDA_CHECK_LAUNCH();
}

void gather_nd(void* dst, const void* data, const void* indices, bool indices_int64,
               const TupleIndexing& t, int64_t element_size, cudaStream_t stream) {
  int64_t n = t.batches * t.tuples * t.block;
  if (n == 0) return;
  by_size(element_size, [&](auto tag) {
    using T = decltype(tag);
    gather_nd_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(
        static_cast<T*>(dst), static_cast<const T*>(data), indices, indices_int64, t, n);
  });
  KILN_CUDA_CHECK_LAUNCH();
}

void scatter_nd(void* dst, const void* updates, const void* indices, bool indices_int64,
                const TupleIndexing& t, int64_t element_size, cudaStream_t stream) {
  int64_t n = t.tuples * t.block;
  if (n == 0) return;
  by_size(element_size, [&](auto tag) {
    using T = decltype(tag);
    scatter_nd_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(
        static_cast<T*>(dst), static_cast<const T*>(updates), indices, indices_int64, t, n);
  });
  KILN_CUDA_CHECK_LAUNCH();
}

void one_hot(void* dst, const void* indices, bool indices_int64, const void* values, int64_t outer,
             int64_t depth, int64_t inner, int64_t element_size, cudaStream_t stream) {
  int64_t n = outer * depth * inner;
  if (n == 0) return;
  by_size(element_size, [&](auto tag) {
    using T = decltype(tag);
    one_hot_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(
        static_cast<T*>(dst), indices, indices_int64, static_cast<const T*>(values), depth, inner,
        n);
  });
  KILN_CUDA_CHECK_LAUNCH();
}

}  // namespace kiln::cuda
