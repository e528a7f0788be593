// Host-side helpers tactics share: strided shapes for kernels, dtype dispatch to launchers.
#pragma once

#include "backends/cuda/kernels/common.cuh"
#include "backends/cuda/tactic.h"

namespace kiln::cuda {

// Row-major strides of `dims`, or broadcast strides for reading `in` as `out` (numpy rules,
// aligned at the back; 0 along broadcast dims). The result has out's rank.
StridedShape contiguous(const Dims& dims);
StridedShape broadcast_to(const Dims& in, const Dims& out);

// The parts of a fused epilogue a tactic did not run itself, in place on y: the bias (broadcast
// along y's last dims) unless `bias_done`, then the activation unless `activation_done`.
void run_epilogue(const DeviceTensor* bias, const FusedActivation& activation,
                  const DeviceTensor& y, cudaStream_t stream, bool bias_done = false,
                  bool activation_done = false);

}  // namespace kiln::cuda
