// Scaled dot-product attention kernels (attention.h).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/attention.h"
#include "backends/cuda/kernels/common.cuh"
#include "core/error.h"

namespace kiln::cuda {

namespace {

constexpr float kLog2e = 1.4426950408889634f;
constexpr int kWarps = 4;
constexpr int kThreads = kWarps * 32;
constexpr int kBr = kWarps * 16;  // query rows per block: 16 per warp

// --- the flash kernel (float16 / bfloat16, tensor cores) -------------------------------------

template <typename T>
__device__ __forceinline__ uint32_t pack2(float lo, float hi);
template <>
__device__ __forceinline__ uint32_t pack2<__half>(float lo, float hi) {
  __half2 h = __floats2half2_rn(lo, hi);
  return *reinterpret_cast<uint32_t*>(&h);
}
template <>
__device__ __forceinline__ uint32_t pack2<__nv_bfloat16>(float lo, float hi) {
  __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<uint32_t*>(&h);
}

// Two 16-bit values (lo first) as one 32-bit register.
template <typename T>
__device__ __forceinline__ uint32_t pack_raw(T lo, T hi) {
  uint16_t a = *reinterpret_cast<const uint16_t*>(&lo), b = *reinterpret_cast<const uint16_t*>(&hi);
  return static_cast<uint32_t>(a) | (static_cast<uint32_t>(b) << 16);
}

// c += a (16x16, row) . b (16x8, col), float32 accumulators.
template <typename T>
__device__ __forceinline__ void mma16816(float* c, const uint32_t* a, uint32_t b0, uint32_t b1);
template <>
__device__ __forceinline__ void mma16816<__half>(float* c, const uint32_t* a, uint32_t b0,
                                                 uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
template <>
__device__ __forceinline__ void mma16816<__nv_bfloat16>(float* c, const uint32_t* a, uint32_t b0,
                                                        uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Rows [r0, r0 + rows) x columns [0, kD) of a row-major matrix into shared memory (row stride
// kD + 8), 16 bytes per thread and step; rows past `nrows` and columns past `ncols` are zero.
template <typename T, int kD>
__device__ __forceinline__ void load_tile(T* dst, int rows, const T* src, int64_t row_stride,
                                          int64_t r0, int64_t nrows, int64_t ncols) {
  constexpr int kChunks = kD / 8;
  for (int idx = threadIdx.x; idx < rows * kChunks; idx += kThreads) {
    const int rr = idx / kChunks, cc = (idx % kChunks) * 8;
    uint4 val = make_uint4(0, 0, 0, 0);
    if (r0 + rr < nrows && cc < ncols)
      val = *reinterpret_cast<const uint4*>(src + (r0 + rr) * row_stride + cc);
    *reinterpret_cast<uint4*>(dst + rr * (kD + 8) + cc) = val;
  }
}

template <typename T, int kD, int kBc>
__global__ void __launch_bounds__(kThreads)
    attention_flash(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                    const T* __restrict__ mask, T* __restrict__ out, AttentionShape s,
                    int64_t tiles) {
  constexpr int kS = kD + 8;  // shared-memory row stride, keeps fragment loads conflict-free
  constexpr int kRows = kBr > 2 * kBc ? kBr : 2 * kBc;
  __shared__ __align__(16) T smem[kRows * kS];
  T* ks = smem;
  T* vs = smem + kBc * kS;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  const int64_t tile = blockIdx.x % tiles, bb = blockIdx.x / tiles;
  const int64_t x1 = bb % s.b1, x0 = bb / s.b1;
  const int64_t row0 = tile * kBr;
  const T* qb = q + x0 * s.q[0] + x1 * s.q[1];
  const T* kb = k + x0 * s.k[0] + (x1 / s.kv_group) * s.k[1];
  const T* vb = v + x0 * s.v[0] + (x1 / s.kv_group) * s.v[1];
  const T* mb = mask ? mask + x0 * s.m[0] + x1 * s.m[1] : nullptr;

  // q's 16 rows of this warp as A fragments, staged through shared memory.
  load_tile<T, kD>(smem, kBr, qb, s.q[2], row0, s.sq, s.d);
  __syncthreads();
  uint32_t qf[kD / 16][4];
  const int wr = warp * 16;
#pragma unroll
  for (int kk = 0; kk < kD / 16; ++kk) {
    const T* base = smem + kk * 16 + 2 * t;
    qf[kk][0] = *reinterpret_cast<const uint32_t*>(base + (wr + g) * kS);
    qf[kk][1] = *reinterpret_cast<const uint32_t*>(base + (wr + g + 8) * kS);
    qf[kk][2] = *reinterpret_cast<const uint32_t*>(base + (wr + g) * kS + 8);
    qf[kk][3] = *reinterpret_cast<const uint32_t*>(base + (wr + g + 8) * kS + 8);
  }

  float o[kD / 8][4];
#pragma unroll
  for (int n = 0; n < kD / 8; ++n) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.0f;
  float m_run[2] = {-INFINITY, -INFINITY}, l_run[2] = {0.0f, 0.0f};
  const float scale = s.scale * kLog2e;
  const int64_t rows[2] = {row0 + wr + g, row0 + wr + g + 8};
  const int64_t kend = s.causal ? min(s.sk, row0 + kBr) : s.sk;

  for (int64_t j0 = 0; j0 < kend; j0 += kBc) {
    __syncthreads();  // the previous tile (or q's staging) has been read
    load_tile<T, kD>(ks, kBc, kb, s.k[2], j0, s.sk, s.d);
    load_tile<T, kD>(vs, kBc, vb, s.v[2], j0, s.sk, s.dv);
    __syncthreads();

    float sc[kBc / 8][4];
#pragma unroll
    for (int n = 0; n < kBc / 8; ++n) sc[n][0] = sc[n][1] = sc[n][2] = sc[n][3] = 0.0f;
#pragma unroll
    for (int kk = 0; kk < kD / 16; ++kk) {
#pragma unroll
      for (int n = 0; n < kBc / 8; ++n) {
        const T* base = ks + (n * 8 + g) * kS + kk * 16 + 2 * t;
        mma16816<T>(sc[n], qf[kk], *reinterpret_cast<const uint32_t*>(base),
                    *reinterpret_cast<const uint32_t*>(base + 8));
      }
    }
    // Scale (in log2 units), mask, causal and out-of-range keys.
    float mx[2] = {m_run[0], m_run[1]};
#pragma unroll
    for (int n = 0; n < kBc / 8; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int64_t row = rows[e >> 1], col = j0 + n * 8 + 2 * t + (e & 1);
        float x = sc[n][e] * scale;
        if (col >= s.sk || (s.causal && col > row)) {
          x = -INFINITY;
        } else if (mb != nullptr && row < s.sq) {
          x += load_f32(mb + row * s.m[2] + col * s.m[3]) * kLog2e;
        }
        sc[n][e] = x;
        mx[e >> 1] = fmaxf(mx[e >> 1], x);
      }
    }
    float ref[2], alpha[2], sum[2] = {0.0f, 0.0f};
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      mx[h] = fmaxf(mx[h], __shfl_xor_sync(0xffffffffu, mx[h], 1));
      mx[h] = fmaxf(mx[h], __shfl_xor_sync(0xffffffffu, mx[h], 2));
      // All scores so far -inf: subtract 0, so that exp gives 0 instead of NaN (a row that stays
      // all -inf ends as 0 / 0 = NaN, as the unfused softmax gives).
      ref[h] = mx[h] == -INFINITY ? 0.0f : mx[h];
      alpha[h] = exp2f(m_run[h] - ref[h]);
      m_run[h] = mx[h];
    }
#pragma unroll
    for (int n = 0; n < kBc / 8; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        sc[n][e] = exp2f(sc[n][e] - ref[e >> 1]);
        sum[e >> 1] += sc[n][e];
      }
    }
#pragma unroll
    for (int h = 0; h < 2; ++h) l_run[h] = l_run[h] * alpha[h] + sum[h];
#pragma unroll
    for (int n = 0; n < kD / 8; ++n) {
      o[n][0] *= alpha[0];
      o[n][1] *= alpha[0];
      o[n][2] *= alpha[1];
      o[n][3] *= alpha[1];
    }
    // o += p . v: the scores' accumulator layout is the A fragment layout of the next product.
#pragma unroll
    for (int kk = 0; kk < kBc / 16; ++kk) {
      uint32_t a[4] = {pack2<T>(sc[2 * kk][0], sc[2 * kk][1]),
                       pack2<T>(sc[2 * kk][2], sc[2 * kk][3]),
                       pack2<T>(sc[2 * kk + 1][0], sc[2 * kk + 1][1]),
                       pack2<T>(sc[2 * kk + 1][2], sc[2 * kk + 1][3])};
      const T* v0 = vs + (kk * 16 + 2 * t) * kS + g;
#pragma unroll
      for (int n = 0; n < kD / 8; ++n) {
        const T* p = v0 + n * 8;
        mma16816<T>(o[n], a, pack_raw(p[0], p[kS]), pack_raw(p[8 * kS], p[9 * kS]));
      }
    }
  }

#pragma unroll
  for (int h = 0; h < 2; ++h) {
    l_run[h] += __shfl_xor_sync(0xffffffffu, l_run[h], 1);
    l_run[h] += __shfl_xor_sync(0xffffffffu, l_run[h], 2);
  }
  T* ob = out + x0 * s.o[0] + x1 * s.o[1];
#pragma unroll
  for (int n = 0; n < kD / 8; ++n) {
    const int64_t c = n * 8 + 2 * t;
    if (c >= s.dv) continue;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      if (rows[h] >= s.sq) continue;
      const float inv = 1.0f / l_run[h];
      *reinterpret_cast<uint32_t*>(ob + rows[h] * s.o[2] + c) =
          pack2<T>(o[n][2 * h] * inv, o[n][2 * h + 1] * inv);
    }
  }
}

template <typename T, int kD, int kBc>
void run_flash(const void* q, const void* k, const void* v, const void* mask, void* out,
               const AttentionShape& s, cudaStream_t stream) {
  const int64_t tiles = (s.sq + kBr - 1) / kBr;
  const int64_t blocks = tiles * s.b0 * s.b1;
  if (blocks > 2147483647) fail("attention: ", blocks, " blocks exceed one grid");
  attention_flash<T, kD, kBc><<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(
      static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v),
      static_cast<const T*>(mask), static_cast<T*>(out), s, tiles);
  KILN_CUDA_CHECK_LAUNCH();
}

template <typename T>
void flash_for_head_size(const void* q, const void* k, const void* v, const void* mask, void* out,
                         const AttentionShape& s, cudaStream_t stream) {
  if (s.d <= 32) {
    run_flash<T, 32, 64>(q, k, v, mask, out, s, stream);
  } else if (s.d <= 64) {
    run_flash<T, 64, 64>(q, k, v, mask, out, s, stream);
  } else if (s.d <= 128) {
    run_flash<T, 128, 64>(q, k, v, mask, out, s, stream);
  } else {
    run_flash<T, 256, 32>(q, k, v, mask, out, s, stream);
  }
}

// --- the row kernel (any float type, any head size) --------------------------------------------

constexpr int kRowCols = 8;  // output columns per lane and pass: 256 per warp

__device__ __forceinline__ float warp_max(float x) {
  for (int o = 16; o > 0; o >>= 1) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
  return x;
}
__device__ __forceinline__ float warp_sum(float x) {
  for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
  return x;
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    attention_rows(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                   const T* __restrict__ mask, T* __restrict__ out, AttentionShape s) {
  const int lane = threadIdx.x % 32;
  const int64_t w = static_cast<int64_t>(blockIdx.x) * kWarps + threadIdx.x / 32;
  if (w >= s.b0 * s.b1 * s.sq) return;  // the whole warp leaves together
  const int64_t i = w % s.sq, bb = w / s.sq, x1 = bb % s.b1, x0 = bb / s.b1;
  const T* qi = q + x0 * s.q[0] + x1 * s.q[1] + i * s.q[2];
  const T* kb = k + x0 * s.k[0] + (x1 / s.kv_group) * s.k[1];
  const T* vb = v + x0 * s.v[0] + (x1 / s.kv_group) * s.v[1];
  const T* mi = mask ? mask + x0 * s.m[0] + x1 * s.m[1] + i * s.m[2] : nullptr;
  T* oi = out + x0 * s.o[0] + x1 * s.o[1] + i * s.o[2];
  for (int64_t c0 = 0; c0 < s.dv; c0 += 32 * kRowCols) {
    float acc[kRowCols] = {};
    float m_run = -INFINITY, l_run = 0.0f;
    for (int64_t j0 = 0; j0 < s.sk; j0 += 32) {
      const int64_t j = j0 + lane;
      float x = -INFINITY;
      if (j < s.sk && !(s.causal && j > i)) {
        const T* kj = kb + j * s.k[2];
        float dot = 0.0f;
        for (int64_t c = 0; c < s.d; ++c) dot += load_f32(qi + c) * load_f32(kj + c);
        x = dot * s.scale;
        if (mi != nullptr) x += load_f32(mi + j * s.m[3]);
      }
      const float mx = fmaxf(m_run, warp_max(x));
      const float ref = mx == -INFINITY ? 0.0f : mx;
      const float alpha = expf(m_run - ref);
      const float p = expf(x - ref);
      l_run = l_run * alpha + warp_sum(p);
      m_run = mx;
#pragma unroll
      for (int e = 0; e < kRowCols; ++e) acc[e] *= alpha;
      const int64_t count = s.sk - j0 < 32 ? s.sk - j0 : 32;
      for (int jj = 0; jj < count; ++jj) {
        const float pj = __shfl_sync(0xffffffffu, p, jj);
        const T* vj = vb + (j0 + jj) * s.v[2];
#pragma unroll
        for (int e = 0; e < kRowCols; ++e) {
          const int64_t c = c0 + e * 32 + lane;
          if (c < s.dv) acc[e] += pj * load_f32(vj + c);
        }
      }
    }
    const float inv = 1.0f / l_run;
#pragma unroll
    for (int e = 0; e < kRowCols; ++e) {
      const int64_t c = c0 + e * 32 + lane;
      if (c < s.dv) oi[c] = from_f32<T>(acc[e] * inv);
    }
  }
}

template <typename T>
void run_rows(const void* q, const void* k, const void* v, const void* mask, void* out,
              const AttentionShape& s, cudaStream_t stream) {
  const int64_t rows = s.b0 * s.b1 * s.sq;
  const int64_t blocks = (rows + kWarps - 1) / kWarps;
  if (blocks > 2147483647) fail("attention: ", rows, " query rows exceed one grid");
  attention_rows<T><<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(
      static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v),
      static_cast<const T*>(mask), static_cast<T*>(out), s);
  KILN_CUDA_CHECK_LAUNCH();
}

bool aligned16(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % 16 == 0;
}

}  // namespace

bool attention_flash_supports(DataType type, int64_t d, int64_t dv) {
  return (type == DataType::kHALF || type == DataType::kBF16) && d == dv && d > 0 && d <= 256 &&
         d % 8 == 0;
}

void launch_attention_flash(DataType type, const void* q, const void* k, const void* v,
                            const void* mask, void* out, const AttentionShape& s,
                            cudaStream_t stream) {
  if (!attention_flash_supports(type, s.d, s.dv))
    fail(
        "attention: the flash kernel takes float16/bfloat16 with equal head sizes, a multiple "
        "of 8 up to 256; got ",
        type, " with head sizes ", s.d, " and ", s.dv);
  for (const int64_t* st : {s.q, s.k, s.v, s.o}) {
    if (st[0] % 8 != 0 || st[1] % 8 != 0 || st[2] % 8 != 0)
      fail("attention: the flash kernel needs heads and rows at 16-byte multiples, got strides ",
           st[0], ", ", st[1], ", ", st[2]);
  }
  if (!aligned16(q) || !aligned16(k) || !aligned16(v) || !aligned16(out))
    fail("attention: the flash kernel needs 16-byte aligned q, k, v and output");
  if (s.b0 * s.b1 * s.sq == 0) return;
  if (type == DataType::kHALF) {
    flash_for_head_size<__half>(q, k, v, mask, out, s, stream);
  } else {
    flash_for_head_size<__nv_bfloat16>(q, k, v, mask, out, s, stream);
  }
}

void launch_attention_rows(DataType type, const void* q, const void* k, const void* v,
                           const void* mask, void* out, const AttentionShape& s,
                           cudaStream_t stream) {
  if (s.b0 * s.b1 * s.sq == 0 || s.dv == 0) return;
  switch (type) {
    case DataType::kFLOAT:
      return run_rows<float>(q, k, v, mask, out, s, stream);
    case DataType::kHALF:
      return run_rows<__half>(q, k, v, mask, out, s, stream);
    case DataType::kBF16:
      return run_rows<__nv_bfloat16>(q, k, v, mask, out, s, stream);
    default:
      fail("attention: unsupported type ", type);
  }
}

}  // namespace kiln::cuda
