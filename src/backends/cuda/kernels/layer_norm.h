// LayerNorm / RMSNorm over the last dimension, with an optional residual added first (skip-
// LayerNorm) whose rounded sum can be written as a second output. One block per row; rows whose
// length is a multiple of 8 (and 16-byte aligned data) keep the row in registers and use 16-byte
// loads, others take a scalar loop. Statistics in float32 (two passes over the cached row).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kiln/types.h"

namespace kiln::cuda {

// x, residual (or null), y, sum (or null): rows x h of `type` (float32, float16, bfloat16);
// scale, bias (or null): h values of `type`.
void launch_layer_norm(DataType type, const void* x, const void* residual, const void* scale,
                       const void* bias, void* y, void* sum, int64_t rows, int64_t h, float epsilon,
                       bool rms, cudaStream_t stream);

}  // namespace kiln::cuda
