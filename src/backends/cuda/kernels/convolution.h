// Host launcher of kiln's convolution kernels: implicit GEMM (no im2col buffer) for many output
// maps per group, a direct kernel for depthwise and narrow groups; pointers and sizes only.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kiln/types.h"

namespace kiln::cuda {

// Geometry of one convolution, with the spatial dims padded at the front to three (size 1, kernel
// 1, stride 1, no padding, dilation 1) so that 1-D, 2-D and 3-D run the same code. Post padding
// only shows in the output size, which the caller gives.
struct ConvGeometry {
  int64_t batch = 0;
  int64_t channels = 0;  // input channels, all groups
  int64_t maps = 0;      // output maps, all groups
  int64_t groups = 1;
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  int64_t kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0};  // pre padding
  int64_t dilation[3] = {1, 1, 1};
};

// y [batch, maps, out...] = conv(x [batch, channels, in...], w [maps, channels / groups,
// kernel...]) + bias [maps] (bias may be null). x and y have `type`; w and bias may each have any
// float type (float32, float16, bfloat16). Products and sums in float32, one rounding at the end,
// like the CPU reference. Tensor cores (WMMA, sm_80+) run fp16/bf16 layers whose weights have the
// input's type and at least 16 output maps per group. Nothing is launched for an empty output.
// Which kernel runs: kAuto picks by shape (tensor cores for 16-bit data with >= 16 maps per
// group, the 64x64 implicit GEMM for >= 32, the 16x256 one for >= 8, else the direct kernel); the
// others force one, which the autotuner times.
enum class ConvKernel : uint8_t { kAuto = 0, kGemm64 = 1, kGemm16x256 = 2, kDirect = 3 };

void launch_convolution(const ConvGeometry& g, DataType type, const void* x, DataType w_type,
                        const void* w, DataType bias_type, const void* bias, void* y,
                        cudaStream_t stream, ConvKernel kernel = ConvKernel::kAuto);

}  // namespace kiln::cuda
