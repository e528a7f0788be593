// Host launchers of the indexing kernels: slice with a sample mode, gather by element and by
// n-tuple, scatter by element and by n-tuple, one-hot. They move elements of 1, 2, 4 or 8 bytes
// and see only pointers, sizes and a stream. Indices are int32 or int64; negative ones count from
// the back; an out-of-range index yields zeros (gathers) or is skipped (scatters): the kernels
// never read or write out of bounds.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "backends/cuda/kernels/common.cuh"

namespace kiln::cuda {

// Slice in a sample mode (kiln::SampleMode values: 1 wrap, 2 clamp, 3 fill, 4 reflect).
struct SliceSampling {
  int32_t rank = 0;
  int32_t mode = 0;
  int64_t out_dims[kMaxRank] = {};
  int64_t start[kMaxRank] = {};
  int64_t step[kMaxRank] = {};
  int64_t in_dims[kMaxRank] = {};
  int64_t in_strides[kMaxRank] = {};
};
// fill: the fill element's bytes (element_size of them, little-endian in the low bytes).
void slice_sampled(void* dst, const void* src, int64_t element_size, const SliceSampling& s,
                   uint64_t fill, cudaStream_t stream);

// GatherElements: dst has the indices' shape (rank, index_dims); the data offset of element i is
// sum over dims of coordinate * data_strides, with the axis coordinate from indices.
struct ElementIndexing {
  int32_t rank = 0;
  int32_t axis = 0;
  int64_t axis_size = 0;
  int64_t index_dims[kMaxRank] = {};
  int64_t data_strides[kMaxRank] = {};
};
void gather_elements(void* dst, const void* data, const void* indices, bool indices_int64,
                     const ElementIndexing& e, int64_t element_size, cudaStream_t stream);
// ScatterElements (no reduction): dst already holds a copy of data.
void scatter_elements(void* dst, const void* updates, const void* indices, bool indices_int64,
                      const ElementIndexing& e, int64_t element_size, cudaStream_t stream);

// GatherND / ScatterND: `batches` batch items of `tuples` k-tuples, each addressing a block of
// `block` elements; data dims batch..batch+k-1 have sizes `sizes` and strides `strides`.
struct TupleIndexing {
  int64_t batches = 1;
  int64_t tuples = 0;
  int32_t k = 0;
  int64_t block = 1;
  int64_t batch_stride = 0;
  int64_t sizes[kMaxRank] = {};
  int64_t strides[kMaxRank] = {};
};
void gather_nd(void* dst, const void* data, const void* indices, bool indices_int64,
               const TupleIndexing& t, int64_t element_size, cudaStream_t stream);
void scatter_nd(void* dst, const void* updates, const void* indices, bool indices_int64,
                const TupleIndexing& t, int64_t element_size, cudaStream_t stream);

// OneHot: dst [outer, depth, inner] = values[1] where the depth position equals the index of
// [outer, inner], values[0] elsewhere.
void one_hot(void* dst, const void* indices, bool indices_int64, const void* values, int64_t outer,
             int64_t depth, int64_t inner, int64_t element_size, cudaStream_t stream);

}  // namespace kiln::cuda
