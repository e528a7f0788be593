// Host launchers of kiln's reduction kernels: softmax, reduce and normalization (top-k: topk.h).
// Raw device pointers, dense row-major dims, data types and a stream; nothing of ir/ or runtime/.
//
// Each computes what its CPU reference (backends/cpu/) computes: fp16/bf16 storage with float32
// (softmax) or float64 (reduce, normalization statistics) arithmetic, int32/int64 exact with
// wrap-around, the same NaN/inf and empty-reduction results. Nothing is launched for an empty
// output. Workspace, where a launcher needs one, is the size its *_workspace_size function gives
// for the same dims (0 bytes allowed when that is 0).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "kiln/types.h"

namespace kiln::cuda {

// y = softmax of x over the joint set of the axes in the bitmask (max-subtracted; a group holding
// NaN, +inf or only -inf comes out NaN). `type`: float32, float16 or bfloat16; y like x. Long
// rows of few outputs split across blocks through the workspace (without it, a block a row).
size_t softmax_workspace_size(const Dims& dims, uint32_t axes);
void launch_softmax(DataType type, const void* x, void* y, const Dims& dims, uint32_t axes,
                    void* workspace, size_t workspace_size, cudaStream_t stream);

// y = op over the axes in the bitmask of x (dims); y holds the kept dims in order (keep_dims only
// changes y's shape, not its layout). Float types accumulate in double (max/min propagate NaN);
// int32/int64 (not avg) in 64 bits, wrapping. Empty reductions give 0, 1, -inf / lowest,
// +inf / highest, NaN (avg). Large reductions with few outputs split across blocks through the
// workspace.
size_t reduce_workspace_size(const Dims& dims, uint32_t axes);
void launch_reduce(ReduceOperation op, DataType type, const void* x, void* y, const Dims& dims,
                   uint32_t axes, void* workspace, size_t workspace_size, cudaStream_t stream);

// y = (x - mean) / sqrt(var + epsilon) * scale + bias, mean and biased variance per normalized
// group: the axes in the bitmask, and with num_groups > 1 dim 1 split into num_groups groups of
// channels (NormalizationLayer). scale and bias broadcast to x (numpy rules, no shape change).
// All four tensors have `type` (float32, float16 or bfloat16). x may not have 8 dims when
// num_groups > 1.
size_t normalization_workspace_size(const Dims& x_dims, uint32_t axes, int64_t num_groups);
void launch_normalization(DataType type, const void* x, const Dims& x_dims, const void* scale,
                          const Dims& scale_dims, const void* bias, const Dims& bias_dims, void* y,
                          uint32_t axes, int64_t num_groups, float epsilon, void* workspace,
                          size_t workspace_size, cudaStream_t stream);

}  // namespace kiln::cuda
