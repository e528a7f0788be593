// Host launcher of kiln's top-k kernels (TopKLayer): the k largest or smallest values along one
// axis, ordered, with their int32 indices. Raw device pointers, sizes, a data type and a stream.
//
// Same order as the CPU reference (backends/cpu/topk.cpp): ties go to the lower index, NaN is
// above every number (first for largest, last for smallest), -0 equals +0. Values are copied bit
// for bit from the input.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "kiln/types.h"

namespace kiln::cuda {

// Workspace bytes launch_topk needs for these sizes (nonzero for k = 1 over long rows, and for
// k > 4096 (2048 for int64) over rows longer than that). It grows with every size, so the size at
// a profile's max shapes covers all smaller ones.
size_t topk_workspace_size(DataType type, int64_t outer, int64_t size, int64_t inner, int64_t k);

// x is [outer, size, inner] of `type` (float32, float16, bfloat16, int32, int64); values ([outer,
// k, inner], `type`) and indices ([outer, k, inner], int32) receive the k best of each row along
// the middle axis. 1 <= k <= size <= INT32_MAX.
void launch_topk(DataType type, bool largest, const void* x, void* values, int32_t* indices,
                 int64_t outer, int64_t size, int64_t inner, int64_t k, void* workspace,
                 size_t workspace_size, cudaStream_t stream);

}  // namespace kiln::cuda
