// Host launcher of the direct deconvolution (transposed convolution) kernel: sees only pointers,
// sizes and a stream.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kiln::cuda {

// Spatial geometry padded at the front to 3 dims (size 1, kernel 1, stride 1, no padding).
struct DeconvGeometry {
  int64_t batch = 1, channels = 1, maps = 1, groups = 1;
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  int64_t kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0};  // pre padding
  int64_t dilation[3] = {1, 1, 1};
};

// y [N, K, out...] = bias + sum over the channel group and kernel taps of x [N, C, in...] times
// w [C, K/groups, kernel...]; `type` 0 float32, 1 float16, 2 bfloat16 for x, w, bias and y
// (bias may be null), accumulated in float32.
void deconvolution(void* y, const void* x, const void* w, const void* bias, int32_t type,
                   const DeconvGeometry& g, cudaStream_t stream);

}  // namespace kiln::cuda
