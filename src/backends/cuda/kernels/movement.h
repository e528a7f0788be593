// Host launchers of the data-movement kernels (strided copy, tiled transpose, concatenation,
// gather): they move elements of 1, 2, 4 or 8 bytes and see only pointers, sizes and a stream.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "backends/cuda/kernels/common.cuh"

namespace kiln::cuda {

// dst (dense, row-major over view.dims) = the elements of src at view.strides (in elements, may
// be negative or 0); src points at the element the view's index 0 reads. Size-1 dims are dropped
// and mergeable dims merged first; then a dense view is one cudaMemcpyAsync, a view that swaps a
// src-contiguous dim to the front of the last one goes through a tiled shared-memory transpose,
// and anything else through an output-ordered strided copy (widened to 16-byte moves when the
// rows allow). Launches nothing for a zero-size view. dst must not overlap src unless dst == src
// and the view is dense.
void strided_copy(void* dst, const void* src, int64_t element_size, const StridedShape& view,
                  cudaStream_t stream);

// One input of concat_rows: `data` is dense [outer, width] (width in elements).
struct ConcatInput {
  const void* data = nullptr;
  int64_t width = 0;
};
constexpr int32_t kMaxConcatInputs = 8;  // inputs per concat_rows call (one launch)

// Concatenation along an axis, seen as rows: dst is [outer, dst_row] and this call fills the
// columns [dst_offset, dst_offset + sum of widths) of every row with the inputs' rows side by side,
// in order (outer = product of the dims before the axis; width = the input's dims from it on).
// At most kMaxConcatInputs inputs; more are written by further calls at later offsets.
void concat_rows(void* dst, int64_t dst_row, int64_t dst_offset, const ConcatInput* inputs,
                 int32_t num_inputs, int64_t outer, int64_t element_size, cudaStream_t stream);

// dst [outer, num_indices, inner] = src [outer, axis_size, inner] at the positions in `indices`
// (num_indices int32 or int64 values; negative ones count from the back). An index outside
// [-axis_size, axis_size) yields zeros: the kernel never reads out of bounds.
void gather(void* dst, const void* src, const void* indices, bool indices_int64, int64_t outer,
            int64_t axis_size, int64_t num_indices, int64_t inner, int64_t element_size,
            cudaStream_t stream);

}  // namespace kiln::cuda
