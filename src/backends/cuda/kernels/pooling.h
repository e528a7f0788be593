// Host launcher of kiln's pooling kernel: max or average over windows clipped to the input,
// 1 to 3 spatial dims, as the CPU reference computes them; pointers and sizes only.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kiln/types.h"

namespace kiln::cuda {

// Geometry of one pooling, the spatial dims padded at the front to three (size 1, window 1,
// stride 1, no padding). Post padding only shows in the output size, which the caller gives.
struct PoolGeometry {
  int64_t planes = 0;  // batch * channels
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  int64_t window[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0};  // pre padding
};

// y [planes, out...] = pool(x [planes, in...]). Each window is clipped to the input, so padding
// never takes part in a maximum (NaN propagates); an average divides the float32 sum by the
// clipped window's size (count_excludes_padding) or by the full window's. x and y have `type`
// (float32, float16 or bfloat16). Nothing is launched when the output is empty.
void launch_pooling(const PoolGeometry& g, PoolingType op, bool count_excludes_padding,
                    DataType type, const void* x, void* y, cudaStream_t stream);

}  // namespace kiln::cuda
