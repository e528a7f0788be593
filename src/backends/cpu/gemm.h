// Single-precision matrix product for the CPU backend (used by matrix_multiply and convolution).
#pragma once

#include <cstdint>

namespace kiln::cpu {

// C[m x n] = alpha * op(A) * op(B) + beta * C, row-major. op(A) is m x k: A is m x k (lda >= k)
// or, with trans_a, k x m (lda >= m). op(B) is k x n likewise. ldc >= n. beta == 0 ignores C's
// previous contents (NaN included).
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace kiln::cpu
