// Host-side helpers tactics share: strided shapes for kernels, dtype dispatch to launchers.
#pragma once

#include "backends/cuda/kernels/common.cuh"
#include "backends/cuda/tactic.h"

namespace kiln::cuda {

// Row-major strides of `dims`, or broadcast strides for reading `in` as `out` (numpy rules,
// aligned at the back; 0 along broadcast dims). The result has out's rank.
StridedShape contiguous(const Dims& dims);
StridedShape broadcast_to(const Dims& in, const Dims& out);

}  // namespace kiln::cuda
