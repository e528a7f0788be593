// kiln's batched GEMM kernel: 64x64 (or 32x32, for problems too small to fill the GPU with 64x64
// tiles) output tiles per 256-thread block, k-slices of 16 staged through shared memory as
// float32, 4x4 (2x2) outputs per thread accumulated in float32 registers.
//
// Loads are coalesced whichever way an operand is stored: consecutive threads read consecutive
// addresses along the operand's contiguous dim (k for A untransposed and B transposed, m or n
// otherwise). The next k-slice is loaded into registers while the current one is multiplied.
// Edge tiles read zeros past m, n and k, so every shape is handled, down to 1x1x1 and k == 0.
#include "backends/cuda/kernels/gemm.h"

#include <algorithm>
#include <climits>

#include "backends/cuda/check.h"
#include "core/error.h"

namespace kiln::cuda {

namespace {

// The output tile is kTile x kTile, kTile a template parameter (64 or 32).
constexpr int kTileK = 16;     // k-slice staged per step
constexpr int kThreadsX = 16;  // threads along n; 16 along m
constexpr int kThreads = 256;
template <int kTile>
constexpr int kPerThread = kTile / kThreadsX;  // outputs per thread along m and along n
template <int kTile>
constexpr int kLoads = kTile* kTileK / kThreads;  // elements per thread per operand per slice
static_assert(kThreadsX * kThreadsX == kThreads, "16 x 16 threads");
constexpr int64_t kMaxBatchBlocks = 65535;  // gridDim.y limit; further items loop

// Where slice element e (0 <= e < kTile * kTileK) lies: outer index o (m for A, n for B) and kk.
// With k contiguous in memory, consecutive e walk along k; otherwise along the outer dim.
template <int kTile>
__device__ __forceinline__ void slot(int e, bool k_contiguous, int& o, int& kk) {
  if (k_contiguous) {
    kk = e % kTileK;
    o = e / kTileK;
  } else {
    o = e % kTile;
    kk = e / kTile;
  }
}

// Registers <- the slice [o0, o0 + kTile) x [k0, k0 + kTileK) of an operand stored [outer][ld]
// (k_contiguous) or [k][ld]; zeros outside [0, outer) x [0, k).
template <int kTile, typename T>
__device__ __forceinline__ void load_slice(float (&r)[kLoads<kTile>], const T* p, int64_t ld,
                                           bool k_contiguous, int64_t outer, int64_t k, int64_t o0,
                                           int64_t k0, int tid) {
#pragma unroll
  for (int i = 0; i < kLoads<kTile>; ++i) {
    int o, kk;
    slot<kTile>(tid + i * kThreads, k_contiguous, o, kk);
    int64_t go = o0 + o, gk = k0 + kk;
    r[i] = 0.0f;
    if (go < outer && gk < k) r[i] = load_f32(p + (k_contiguous ? go * ld + gk : gk * ld + go));
  }
}

// Shared slice [kk][o] <- the registers load_slice filled. The +1 column spreads the k-contiguous
// stores (consecutive kk, stride kTile + 1) over the banks.
template <int kTile>
__device__ __forceinline__ void store_slice(float (*s)[kTile + 1], const float (&r)[kLoads<kTile>],
                                            bool k_contiguous, int tid) {
#pragma unroll
  for (int i = 0; i < kLoads<kTile>; ++i) {
    int o, kk;
    slot<kTile>(tid + i * kThreads, k_contiguous, o, kk);
    s[kk][o] = r[i];
  }
}

// Block (x: output tile, m-tile major; y: first batch item, striding by gridDim.y). Thread
// (tx, ty) owns rows ty + 16 i and columns tx + 16 j of the tile: shared reads of B are
// consecutive across a warp, reads of A are broadcasts, and the stores of C coalesce.
template <int kTile, typename T>
__global__ void __launch_bounds__(kThreads)
    gemm_kernel(GemmShape s, int64_t tiles_n, int64_t count, const T* __restrict__ a,
                const T* __restrict__ b, T* __restrict__ c) {
  __shared__ float as[kTileK][kTile + 1];
  __shared__ float bs[kTileK][kTile + 1];
  const int tid = static_cast<int>(threadIdx.x);
  const int tx = tid % kThreadsX, ty = tid / kThreadsX;
  const int64_t tile = blockIdx.x;
  const int64_t m0 = (tile / tiles_n) * kTile, n0 = (tile % tiles_n) * kTile;
  const bool a_k_contiguous = !s.trans_a;  // A [m][lda]
  const bool b_k_contiguous = s.trans_b;   // B [n][ldb]

  for (int64_t item = blockIdx.y; item < count; item += gridDim.y) {
    const T* pa = a + strided_offset(item, s.a_batch);
    const T* pb = b + strided_offset(item, s.b_batch);
    constexpr int kPer = kPerThread<kTile>;
    float acc[kPer][kPer] = {};
    float ra[kLoads<kTile>], rb[kLoads<kTile>];
    load_slice<kTile>(ra, pa, s.lda, a_k_contiguous, s.m, s.k, m0, 0, tid);
    load_slice<kTile>(rb, pb, s.ldb, b_k_contiguous, s.n, s.k, n0, 0, tid);
    for (int64_t k0 = 0; k0 < s.k; k0 += kTileK) {
      store_slice<kTile>(as, ra, a_k_contiguous, tid);
      store_slice<kTile>(bs, rb, b_k_contiguous, tid);
      __syncthreads();
      if (k0 + kTileK < s.k) {  // prefetch the next slice while this one is multiplied
        load_slice<kTile>(ra, pa, s.lda, a_k_contiguous, s.m, s.k, m0, k0 + kTileK, tid);
        load_slice<kTile>(rb, pb, s.ldb, b_k_contiguous, s.n, s.k, n0, k0 + kTileK, tid);
      }
#pragma unroll
      for (int kk = 0; kk < kTileK; ++kk) {
        float av[kPer], bv[kPer];
#pragma unroll
        for (int i = 0; i < kPer; ++i) {
          av[i] = as[kk][ty + i * kThreadsX];
          bv[i] = bs[kk][tx + i * kThreadsX];
        }
#pragma unroll
        for (int i = 0; i < kPer; ++i) {
#pragma unroll
          for (int j = 0; j < kPer; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
        }
      }
      __syncthreads();  // the slice is consumed before the next store overwrites it
    }
    T* pc = c + item * s.m * s.n;
#pragma unroll
    for (int i = 0; i < kPer; ++i) {
      int64_t row = m0 + ty + i * kThreadsX;
      if (row >= s.m) continue;
#pragma unroll
      for (int j = 0; j < kPer; ++j) {
        int64_t col = n0 + tx + j * kThreadsX;
        if (col < s.n) pc[row * s.n + col] = from_f32<T>(acc[i][j]);
      }
    }
  }
}

template <int kTile, typename T>
void launch_typed(const GemmShape& s, int64_t count, const void* a, const void* b, void* c,
                  cudaStream_t stream) {
  int64_t tiles_m = (s.m + kTile - 1) / kTile, tiles_n = (s.n + kTile - 1) / kTile;
  KILN_CHECK(tiles_m * tiles_n <= INT32_MAX, "[cuda gemm] ", s.m, " x ", s.n,
             " output has too many tiles");
  dim3 grid(static_cast<unsigned int>(tiles_m * tiles_n),
            static_cast<unsigned int>(std::min(count, kMaxBatchBlocks)));
  gemm_kernel<kTile, T><<<grid, kThreads, 0, stream>>>(
      s, tiles_n, count, static_cast<const T*>(a), static_cast<const T*>(b), static_cast<T*>(c));
  KILN_CUDA_CHECK_LAUNCH();
}

// A MatrixMultiply operand as a matrix (rows x cols as stored) behind `batch_rank` batch dims.
struct Operand {
  int32_t batch_rank = 0;
  int64_t rows = 1, cols = 1;
  bool trans = false;
};

// As the CPU reference: a vector of a is a 1 x K matrix; of b, a K x 1 one, stored as 1 x K and
// transposed.
Operand split(const Dims& dims, MatrixOperation op, bool is_b) {
  Operand r;
  int32_t n = dims.nb_dims;
  if (op == MatrixOperation::kVECTOR) {
    r.batch_rank = n - 1;
    r.cols = dims.d[n - 1];
    r.trans = is_b;
  } else {
    r.batch_rank = n - 2;
    r.rows = dims.d[n - 2];
    r.cols = dims.d[n - 1];
    r.trans = op == MatrixOperation::kTRANSPOSE;
  }
  return r;
}

// The operand's batch items (dense, `item` elements each, row-major over its own batch dims) read
// as the output's batch dims: aligned at the back, stride 0 along dims it lacks or has as 1.
StridedShape batch_view(const Dims& dims, const Operand& op, const Dims& out, int32_t out_rank) {
  StridedShape s;
  s.rank = out_rank;
  int64_t stride = op.rows * op.cols;
  for (int32_t i = out_rank - 1; i >= 0; --i) {
    int32_t j = i - (out_rank - op.batch_rank);  // the operand's batch dim under output dim i
    s.dims[i] = out.d[i];
    s.strides[i] = (j >= 0 && dims.d[j] != 1) ? stride : 0;
    if (j >= 0) stride *= dims.d[j];
  }
  return s;
}

}  // namespace

int64_t batch_count(const GemmShape& shape) {
  int64_t count = 1;
  for (int32_t i = 0; i < shape.a_batch.rank; ++i) count *= shape.a_batch.dims[i];
  return count;
}

GemmShape matrix_multiply_shape(MatrixOperation op_a, const Dims& a, MatrixOperation op_b,
                                const Dims& b, const Dims& out) {
  Operand oa = split(a, op_a, false);
  Operand ob = split(b, op_b, true);
  GemmShape s;
  s.m = oa.trans ? oa.cols : oa.rows;
  s.k = oa.trans ? oa.rows : oa.cols;
  s.n = ob.trans ? ob.rows : ob.cols;
  s.trans_a = oa.trans;
  s.trans_b = ob.trans;
  s.lda = oa.cols;
  s.ldb = ob.cols;
  int32_t out_rank =
      out.nb_dims - (op_a != MatrixOperation::kVECTOR) - (op_b != MatrixOperation::kVECTOR);
  KILN_CHECK(out_rank >= oa.batch_rank && out_rank >= ob.batch_rank && out_rank <= kMaxRank,
             "[matrix_multiply] output ", out, " does not hold the batch dims of ", a, " and ", b);
  s.a_batch = batch_view(a, oa, out, out_rank);
  s.b_batch = batch_view(b, ob, out, out_rank);
  return s;
}

void launch_gemm(DataType type, const GemmShape& shape, const void* a, const void* b, void* c,
                 cudaStream_t stream, int32_t tile) {
  int64_t count = batch_count(shape);
  if (shape.m == 0 || shape.n == 0 || count == 0) return;
  KILN_CHECK(tile == 64 || tile == 32, "[cuda gemm] tile ", tile, " is not 64 or 32");
  switch (type) {
    case DataType::kFLOAT:
      return tile == 64 ? launch_typed<64, float>(shape, count, a, b, c, stream)
                        : launch_typed<32, float>(shape, count, a, b, c, stream);
    case DataType::kHALF:
      return tile == 64 ? launch_typed<64, __half>(shape, count, a, b, c, stream)
                        : launch_typed<32, __half>(shape, count, a, b, c, stream);
    case DataType::kBF16:
      return tile == 64 ? launch_typed<64, __nv_bfloat16>(shape, count, a, b, c, stream)
                        : launch_typed<32, __nv_bfloat16>(shape, count, a, b, c, stream);
    default:
      break;
  }
  fail("[cuda gemm] matrix products take float32, float16 or bfloat16, not ", type);
}

}  // namespace kiln::cuda
