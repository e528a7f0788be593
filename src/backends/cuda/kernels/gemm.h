// kiln's batched GEMM: a tiled shared-memory kernel (float32, float16, bfloat16 storage, float32
// accumulation) over row-major matrices, with per-operand batch strides that may broadcast.
//
// GemmShape is also the common description both matrix_multiply tactics (kiln's and cuBLASLt's)
// derive from a MatrixMultiply layer's operations and dims, so they agree on what is computed.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "backends/cuda/kernels/common.cuh"
#include "kiln/types.h"

namespace kiln::cuda {

// One row-major product per batch item: C[m x n] = op(A)[m x k] * op(B)[k x n].
// A is stored [m][lda] or, with trans_a, [k][lda]; B is stored [k][ldb] or, with trans_b,
// [n][ldb]. C items are dense ([m][n]) and follow each other in batch order; A's and B's items
// start at the offsets (in elements) that a_batch and b_batch give for the item's flat index.
// Both have the output's batch dims; their strides are 0 along the dims an operand broadcasts.
struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  int64_t lda = 0, ldb = 0;
  StridedShape a_batch, b_batch;
};

// Batch items (the product of a_batch.dims; 1 without batch dims).
int64_t batch_count(const GemmShape& shape);

// The GEMM a MatrixMultiply layer computes (the CPU reference's semantics): a kVECTOR a is a
// 1 x K matrix (m = 1), a kVECTOR b a K x 1 one (n = 1); leading dims broadcast numpy-style into
// the output's batch dims. `out` is the layer's output dims.
GemmShape matrix_multiply_shape(MatrixOperation op_a, const Dims& a, MatrixOperation op_b,
                                const Dims& b, const Dims& out);

// C = A * B as `shape` says, all three of `type` (float32, float16 or bfloat16; others throw
// kiln::Error). k == 0 writes zeros; an empty output launches nothing. C must not overlap A or B.
// `tile`: 64 (64x64 output tiles) or 32 (32x32, more blocks for small problems).
void launch_gemm(DataType type, const GemmShape& shape, const void* a, const void* b, void* c,
                 cudaStream_t stream, int32_t tile = 64);

}  // namespace kiln::cuda
