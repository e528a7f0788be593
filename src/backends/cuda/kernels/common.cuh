// Device-side helpers every kernel file shares: float conversion of the storage types, shapes with
// strides passed by value, launch sizes. Kernels know nothing of ir/, builder/ or runtime/.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace kiln::cuda {

constexpr int kMaxRank = 8;

// A shape and, per dimension, the element stride to read it with (0 along broadcast dims).
struct StridedShape {
  int32_t rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t strides[kMaxRank] = {};
};

// Offset of flat (row-major) index `i` of s.dims under s.strides.
__device__ __forceinline__ int64_t strided_offset(int64_t i, const StridedShape& s) {
  int64_t off = 0;
  for (int32_t d = s.rank - 1; d >= 0; --d) {
    int64_t n = s.dims[d];
    off += (i % n) * s.strides[d];
    i /= n;
  }
  return off;
}

template <typename T>
__device__ __forceinline__ float load_f32(const T* p) {
  return static_cast<float>(*p);
}
template <>
__device__ __forceinline__ float load_f32<__half>(const __half* p) {
  return __half2float(*p);
}
template <>
__device__ __forceinline__ float load_f32<__nv_bfloat16>(const __nv_bfloat16* p) {
  return __bfloat162float(*p);
}

template <typename T>
__device__ __forceinline__ T from_f32(float v) {
  return static_cast<T>(v);
}
template <>
__device__ __forceinline__ __half from_f32<__half>(float v) {
  return __float2half_rn(v);
}
template <>
__device__ __forceinline__ __nv_bfloat16 from_f32<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

// Blocks for a grid-stride loop over n elements.
inline unsigned int grid_for(int64_t n, int threads = 256) {
  int64_t blocks = (n + threads - 1) / threads;
  if (blocks < 1) blocks = 1;
  if (blocks > 65535LL * 16) blocks = 65535LL * 16;
  return static_cast<unsigned int>(blocks);
}

}  // namespace kiln::cuda
