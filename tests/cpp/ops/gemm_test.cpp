// Tests of the CPU gemm: hand-checked products, alpha/beta handling, and random shapes against a
// double-precision reference for every transpose combination, padded leading dims and block edges.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backends/cpu/gemm.h"
#include "op_test_util.h"

namespace kiln {
namespace {

// Runs gemm on random data with the given shape and leading-dim padding and compares every element
// of C with a double reference; elements of C's padding must be left untouched.
void check_random(bool ta, bool tb, int64_t m, int64_t n, int64_t k, int64_t pad, float alpha,
                  float beta, uint32_t seed) {
  int64_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
  std::vector<float> a = test::random_floats((ta ? k : m) * lda, seed);
  std::vector<float> b = test::random_floats((tb ? n : k) * ldb, seed + 1);
  std::vector<float> c = test::random_floats(m * ldc, seed + 2);
  std::vector<float> c0 = c;
  cpu::gemm(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      float got = c[i * ldc + j];
      if (j >= n) {
        ASSERT_EQ(got, c0[i * ldc + j]) << "padding of C written at " << i << "," << j;
        continue;
      }
      double dot = 0.0, abs_dot = 0.0;
      for (int64_t p = 0; p < k; ++p) {
        double av = ta ? a[p * lda + i] : a[i * lda + p];
        double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
        dot += av * bv;
        abs_dot += std::abs(av * bv);
      }
      double want = alpha * dot + (beta == 0.0f ? 0.0 : beta * c0[i * ldc + j]);
      // The worst-case fp32 bound for any summation order, (k + 2) * 2^-23 * sum |terms|, is still
      // far below the size of a missing or doubled term.
      double tol = 1.2e-7 * (k + 2) * (std::abs(alpha) * abs_dot + std::abs(beta) + 1.0);
      ASSERT_NEAR(got, want, tol) << "ta=" << ta << " tb=" << tb << " m=" << m << " n=" << n
                                  << " k=" << k << " at " << i << "," << j;
    }
  }
}

TEST(Gemm, HandChecked) {
  // [1 2 3; 4 5 6] * [7 8; 9 10; 11 12] = [58 64; 139 154]
  std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12}, c(4, -1.0f);
  cpu::gemm(false, false, 2, 2, 3, 1.0f, a.data(), 3, b.data(), 2, 0.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{58, 64, 139, 154}));
  // The same product from transposed storage: A^T stored 3x2, B^T stored 2x3.
  std::vector<float> at = {1, 4, 2, 5, 3, 6}, bt = {7, 9, 11, 8, 10, 12};
  cpu::gemm(true, true, 2, 2, 3, 1.0f, at.data(), 2, bt.data(), 3, 0.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{58, 64, 139, 154}));
}

TEST(Gemm, AlphaBeta) {
  std::vector<float> a = {1, 2, 3, 4}, b = {1, 0, 0, 1}, c = {10, 20, 30, 40};
  // C = 2 * A * I + 0.5 * C
  cpu::gemm(false, false, 2, 2, 2, 2.0f, a.data(), 2, b.data(), 2, 0.5f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{7, 14, 21, 28}));
}

TEST(Gemm, BetaZeroIgnoresNaN) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> a = {1, 2}, b = {3, 4}, c = {nan, nan, nan, nan};
  cpu::gemm(false, false, 2, 2, 1, 1.0f, a.data(), 1, b.data(), 2, 0.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{3, 4, 6, 8}));
  // Through the matrix-vector path as well.
  std::vector<float> y = {nan, nan};
  cpu::gemm(false, false, 2, 1, 1, 1.0f, a.data(), 1, b.data(), 1, 0.0f, y.data(), 1);
  EXPECT_EQ(y, (std::vector<float>{3, 6}));
}

TEST(Gemm, EmptyInnerDimensionScalesC) {
  std::vector<float> c = {1, 2, 3, 4};
  cpu::gemm(false, false, 2, 2, 0, 1.0f, nullptr, 1, nullptr, 2, 3.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{3, 6, 9, 12}));
  cpu::gemm(false, false, 2, 2, 0, 1.0f, nullptr, 1, nullptr, 2, 0.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{0, 0, 0, 0}));
}

TEST(Gemm, RandomShapesAllTransposes) {
  const int64_t sizes[] = {1, 7, 33, 130};
  uint32_t seed = 1;
  for (int t = 0; t < 4; ++t) {
    for (int64_t m : sizes) {
      for (int64_t n : sizes) {
        for (int64_t k : sizes) {
          check_random(t & 1, t & 2, m, n, k, 0, 1.0f, 0.0f, seed += 3);
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST(Gemm, PaddedLeadingDimsAndBeta) {
  const int64_t sizes[] = {1, 7, 33, 130};
  uint32_t seed = 100;
  for (int t = 0; t < 4; ++t) {
    for (int64_t m : sizes) {
      for (int64_t n : sizes) {
        check_random(t & 1, t & 2, m, n, 33, 5, 0.75f, -1.5f, seed += 3);
        if (HasFatalFailure()) return;
      }
    }
  }
}

// Shapes past each cache block (KC 512, MC 96, NC 3072): partial blocks and several k blocks with
// beta, which must scale C only once.
TEST(Gemm, AcrossBlockBoundaries) {
  check_random(false, false, 200, 45, 1100, 3, 1.0f, 2.0f, 7);
  check_random(true, true, 97, 50, 513, 0, -1.0f, 0.5f, 8);
  check_random(false, true, 13, 3100, 5, 1, 1.0f, 1.0f, 9);
  check_random(true, false, 2, 3, 1500, 0, 1.0f, 0.0f, 10);
}

}  // namespace
}  // namespace kiln
