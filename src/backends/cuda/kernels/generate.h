// Host launchers of small generating and scanning kernels: shape (dims as int64), linspace fill,
// cumulative sum along an axis, LRN across channels. Pointers, sizes and a stream only; `type` is
// a kiln::DataType value.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "backends/cuda/kernels/common.cuh"

namespace kiln::cuda {

// dst[i] = dims[i] for i < rank.
void write_dims(int64_t* dst, const int64_t* dims, int32_t rank, cudaStream_t stream);

// dst[i] = alpha + i * beta, computed in double, for float32/16, bfloat16, int32, int64.
void linspace(void* dst, int32_t type, int64_t n, double alpha, double beta, cudaStream_t stream);

// Running sum along the middle dim of [outer, n, inner]; fp in float32, int32/int64 in int64, in
// order (one thread per line), so it matches the CPU reference bit for bit in float32.
void cumulative_sum(void* dst, const void* src, int32_t type, int64_t outer, int64_t n,
                    int64_t inner, bool exclusive, bool reverse, cudaStream_t stream);

// ONNX LRN on [batch, channels, spatial] (fp types 0, 1, 2).
void lrn(void* dst, const void* src, int32_t type, int64_t batch, int64_t channels, int64_t spatial,
         int64_t window, float alpha, float beta, float k, cudaStream_t stream);

}  // namespace kiln::cuda
