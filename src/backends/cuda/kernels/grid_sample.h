// Host launcher of the built-in GridSample plugin's kernel (src/plugin/grid_sample.cpp).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "core/grid_sample_math.h"

namespace kiln::cuda {

// y [batch, channels, points] = x [batch, channels, volume(p.size)] sampled at grid
// [batch, points, p.rank] (float32), one thread per output value.
void grid_sample(float* y, const float* x, const float* grid, int64_t batch, int64_t channels,
                 int64_t points, const grid_sample::Params& p, cudaStream_t stream);

}  // namespace kiln::cuda
