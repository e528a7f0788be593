// Host launcher of the resize kernel (ONNX Resize formulas of core/resize_math.h): one thread per
// output element; it sees only pointers, sizes and a stream.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "backends/cuda/kernels/common.cuh"
#include "core/resize_math.h"

namespace kiln::cuda {

struct ResizeGeometry {
  int32_t rank = 0;
  int32_t mode = resize::kNEAREST;
  int32_t rounding = resize::kFLOOR;
  float cubic_a = -0.75f;
  bool exclude_outside = false;
  resize::Axis axes[kMaxRank];
  int64_t in_strides[kMaxRank] = {};
  bool active[kMaxRank] = {};  // linear/cubic: the dims that interpolate (others copy)
};

// Nearest: any element size (1, 2, 4, 8 bytes). Linear/cubic: `type` 0 float32, 1 float16,
// 2 bfloat16 (kiln::DataType values), summed in float32.
void resize(void* dst, const void* src, int32_t type, int64_t element_size, const ResizeGeometry& g,
            cudaStream_t stream);

}  // namespace kiln::cuda
