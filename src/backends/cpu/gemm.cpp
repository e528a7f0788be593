// Single-precision GEMM for the CPU backend: GotoBLAS-style blocking (KC x NC panels of B and
// MC x KC blocks of A packed into contiguous micro-panels) around a register-tiled micro-kernel.
//
// The micro-kernel is a plain fixed-size loop nest that the compiler vectorizes. The build targets
// baseline x86-64 (SSE2), so on x86 it is compiled a second time for AVX2+FMA and for AVX-512 and
// chosen once at run time; elsewhere the baseline version is the only one.
#include "backends/cpu/gemm.h"

#include <algorithm>
#include <vector>

#include "backends/cpu/thread_pool.h"

namespace kiln::cpu {
namespace {

// Block sizes: a KC x NR micro-panel of B stays in L1/L2 while the MC x KC block of A sits in
// L2. Measured on a Sapphire Rapids core: KC 256..512 and MC 96..120 are within noise.
constexpr int64_t kKC = 512;
constexpr int64_t kMC = 96;  // a multiple of every MR below
constexpr int64_t kNC = 3072;

// out[MR x NR] = sum over p < kc of a[p * MR + i] * b[p * NR + j], the packed micro-panels of A
// (a column of MR per p) and B (a row of NR per p). Always the full tile: packing pads with
// zeros. Unrolling i (and only i) leaves NR-wide j loops that the vectorizer turns into a few
// register-resident vector FMAs each, at -O2 and -O3 alike. If j is unrolled as well (by hand,
// or by -O3's complete peeling when NR <= 16), GCC 12 falls back to shuffle-heavy SLP code at
// half the speed or worse.
template <int MR, int NR>
[[gnu::always_inline]] inline void micro_kernel_body(int64_t kc, const float* __restrict a,
                                                     const float* __restrict b,
                                                     float* __restrict out) {
  float acc[MR * NR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    const float* ap = a + p * MR;
    const float* bp = b + p * NR;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      float av = ap[i];
#pragma GCC unroll 1
      for (int j = 0; j < NR; ++j) acc[i * NR + j] += av * bp[j];
    }
  }
  for (int i = 0; i < MR * NR; ++i) out[i] = acc[i];
}

using MicroKernel = void (*)(int64_t kc, const float* a, const float* b, float* out);

struct KernelChoice {
  int mr, nr;
  MicroKernel fn;
};

// 12 accumulator registers of 16 (4 floats each).
void micro_kernel_sse(int64_t kc, const float* a, const float* b, float* out) {
  micro_kernel_body<6, 8>(kc, a, b, out);
}

#if defined(__x86_64__) && defined(__GNUC__)
// 12 of 16 ymm registers.
[[gnu::target("avx2,fma")]] void micro_kernel_avx2(int64_t kc, const float* a, const float* b,
                                                   float* out) {
  micro_kernel_body<6, 16>(kc, a, b, out);
}
// 24 of 32 zmm registers.
[[gnu::target("avx512f,fma")]] void micro_kernel_avx512(int64_t kc, const float* a, const float* b,
                                                        float* out) {
  micro_kernel_body<12, 32>(kc, a, b, out);
}
#endif

KernelChoice choose_kernel() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) {
    return {12, 32, &micro_kernel_avx512};
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {6, 16, &micro_kernel_avx2};
  }
#endif
  return {6, 8, &micro_kernel_sse};
}

// Packs op(A)[i0 : i0 + mc, p0 : p0 + kc] into ceil(mc / mr) micro-panels of kc x mr, zero-padded.
void pack_a(bool trans, const float* a, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc,
            int mr, float* dst) {
  for (int64_t ib = 0; ib < mc; ib += mr) {
    int64_t rows = std::min<int64_t>(mr, mc - ib);
    for (int64_t p = 0; p < kc; ++p) {
      float* d = dst + p * mr;
      for (int64_t i = 0; i < rows; ++i) {
        int64_t r = i0 + ib + i, c = p0 + p;
        d[i] = trans ? a[c * lda + r] : a[r * lda + c];
      }
      for (int64_t i = rows; i < mr; ++i) d[i] = 0.0f;
    }
    dst += kc * mr;
  }
}

// Packs op(B)[p0 : p0 + kc, j0 : j0 + nc] into ceil(nc / nr) micro-panels of kc x nr, zero-padded.
void pack_b(bool trans, const float* b, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int64_t nc,
            int nr, float* dst) {
  for (int64_t jb = 0; jb < nc; jb += nr) {
    int64_t cols = std::min<int64_t>(nr, nc - jb);
    for (int64_t p = 0; p < kc; ++p) {
      float* d = dst + p * nr;
      int64_t r = p0 + p, c = j0 + jb;
      if (!trans) {
        const float* src = b + r * ldb + c;
        for (int64_t j = 0; j < cols; ++j) d[j] = src[j];
      } else {
        for (int64_t j = 0; j < cols; ++j) d[j] = b[(c + j) * ldb + r];
      }
      for (int64_t j = cols; j < nr; ++j) d[j] = 0.0f;
    }
    dst += kc * nr;
  }
}

// C[rows x cols] = alpha * tile + (first ? beta * C : C); beta == 0 ignores C.
void store_tile(const float* tile, int nr, int64_t rows, int64_t cols, float alpha, float beta,
                bool first, float* c, int64_t ldc) {
  for (int64_t i = 0; i < rows; ++i) {
    float* ci = c + i * ldc;
    const float* ti = tile + i * nr;
    if (!first) {
      for (int64_t j = 0; j < cols; ++j) ci[j] += alpha * ti[j];
    } else if (beta == 0.0f) {
      for (int64_t j = 0; j < cols; ++j) ci[j] = alpha * ti[j];
    } else {
      for (int64_t j = 0; j < cols; ++j) ci[j] = alpha * ti[j] + beta * ci[j];
    }
  }
}

// C = beta * C, for k == 0 or alpha == 0 (no product to add).
void scale_c(int64_t m, int64_t n, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    if (beta == 0.0f) {
      std::fill(ci, ci + n, 0.0f);
    } else {
      for (int64_t j = 0; j < n; ++j) ci[j] *= beta;
    }
  }
}

// Partial sums of the dot products in gemv.
constexpr int64_t kLanes = 16;

// y[r] = alpha * sum_p mat(r, p) * x[p * incx] + beta * y[r * incy] for r < rows, where
// mat(r, p) is mat[r * ld + p] (rows_contiguous) or mat[p * ld + r]. Matrix-vector products go
// here rather than through the tiles, which would waste all but one row or column of each.
void gemv(bool rows_contiguous, int64_t rows, int64_t k, float alpha, const float* mat, int64_t ld,
          const float* x, int64_t incx, float beta, float* y, int64_t incy) {
  std::vector<float> xs(static_cast<size_t>(k));
  for (int64_t p = 0; p < k; ++p) xs[p] = x[p * incx];
  std::vector<float> acc(static_cast<size_t>(rows), 0.0f);
  if (rows_contiguous) {
    // Dot products, with 16 partial sums so that the loop vectorizes without reassociation
    // (unrolled, so that the partial sums stay in registers).
    for (int64_t r = 0; r < rows; ++r) {
      const float* __restrict row = mat + r * ld;
      const float* __restrict xv = xs.data();
      float part[kLanes] = {};
      int64_t p = 0;
      for (; p + kLanes <= k; p += kLanes) {
#pragma GCC unroll 16
        for (int64_t l = 0; l < kLanes; ++l) part[l] += row[p + l] * xv[p + l];
      }
      float sum = 0.0f;
      for (; p < k; ++p) sum += row[p] * xv[p];
      for (int64_t l = 0; l < kLanes; ++l) sum += part[l];
      acc[r] = sum;
    }
  } else {
    float* __restrict av = acc.data();
    for (int64_t p = 0; p < k; ++p) {
      const float* __restrict col = mat + p * ld;
      float xp = xs[p];
      for (int64_t r = 0; r < rows; ++r) av[r] += col[r] * xp;
    }
  }
  for (int64_t r = 0; r < rows; ++r) {
    float* yr = y + r * incy;
    *yr = beta == 0.0f ? alpha * acc[r] : alpha * acc[r] + beta * *yr;
  }
}

// `row_vector` / `col_vector`: the whole product (not just this block of it) has m == 1 / n == 1,
// so that how a product is split never changes which path computes an element.
void gemm_serial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                 int64_t ldc, bool row_vector, bool col_vector) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  if (col_vector) {  // C[:, 0] = op(A) * op(B)[:, 0]
    gemv(!trans_a, m, k, alpha, a, lda, b, trans_b ? 1 : ldb, beta, c, ldc);
    return;
  }
  if (row_vector) {  // C[0, :] = op(B)^T * op(A)[0, :]
    gemv(trans_b, n, k, alpha, b, ldb, a, trans_a ? lda : 1, beta, c, 1);
    return;
  }
  static const KernelChoice kernel = choose_kernel();
  const int mr = kernel.mr, nr = kernel.nr;

  int64_t nc_max = std::min(kNC, (n + nr - 1) / nr * nr);
  int64_t kc_max = std::min(kKC, k);
  int64_t mc_max = std::min(kMC, (m + mr - 1) / mr * mr);
  // Scratch is per call (and per thread): gemm may run on several threads at once.
  std::vector<float> packed_b(static_cast<size_t>(kc_max * nc_max));
  std::vector<float> packed_a(static_cast<size_t>(kc_max * mc_max));
  alignas(64) float tile[12 * 32];

  for (int64_t j0 = 0; j0 < n; j0 += kNC) {
    int64_t nc = std::min(kNC, n - j0);
    for (int64_t p0 = 0; p0 < k; p0 += kKC) {
      int64_t kc = std::min(kKC, k - p0);
      bool first = p0 == 0;
      pack_b(trans_b, b, ldb, p0, kc, j0, nc, nr, packed_b.data());
      for (int64_t i0 = 0; i0 < m; i0 += kMC) {
        int64_t mc = std::min(kMC, m - i0);
        pack_a(trans_a, a, lda, i0, mc, p0, kc, mr, packed_a.data());
        for (int64_t jb = 0; jb < nc; jb += nr) {
          const float* bp = packed_b.data() + (jb / nr) * kc * nr;
          for (int64_t ib = 0; ib < mc; ib += mr) {
            const float* ap = packed_a.data() + (ib / mr) * kc * mr;
            kernel.fn(kc, ap, bp, tile);
            store_tile(tile, nr, std::min<int64_t>(mr, mc - ib), std::min<int64_t>(nr, nc - jb),
                       alpha, beta, first, c + (i0 + ib) * ldc + j0 + jb, ldc);
          }
        }
      }
    }
  }
}

}  // namespace

// Splits C into blocks of rows (or of columns when C is wider than tall) over the engine's
// threads; each block is an independent product with the same k-blocking, so the result does
// not depend on the thread count.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  // kParallelMacs per task at least: below that the hand-off costs more than it saves.
  const int64_t work = m * n * std::max<int64_t>(k, 1);
  const bool by_rows = m >= n;
  const int64_t extent = by_rows ? m : n;
  const int64_t unit = by_rows ? 16 : 32;  // multiples of every MR / NR
  const int64_t units = (extent + unit - 1) / unit;
  const int64_t grain = std::max<int64_t>(1, kParallelMacs * units / std::max<int64_t>(work, 1));
  if (parallel_chunks(units, grain) <= 1) {
    gemm_serial(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, m == 1, n == 1);
    return;
  }
  parallel_for(units, grain, [&](int64_t u0, int64_t u1) {
    const int64_t begin = u0 * unit, end = std::min(extent, u1 * unit);
    if (by_rows) {
      const float* a_rows = trans_a ? a + begin : a + begin * lda;
      gemm_serial(trans_a, trans_b, end - begin, n, k, alpha, a_rows, lda, b, ldb, beta,
                  c + begin * ldc, ldc, m == 1, n == 1);
    } else {
      const float* b_cols = trans_b ? b + begin * ldb : b + begin;
      gemm_serial(trans_a, trans_b, m, end - begin, k, alpha, a, lda, b_cols, ldb, beta, c + begin,
                  ldc, m == 1, n == 1);
    }
  });
}

}  // namespace kiln::cpu
