// kiln's convolution kernels: implicit GEMMs that gather input columns straight from x into shared
// memory (SIMT float32, or WMMA tensor cores for fp16/bf16), and a direct kernel for narrow groups.
//
// Per group the convolution is the GEMM y[m, j] = sum_k w[m, k] * col[k, j], with m an output map,
// j = (image, output position) and k = (input channel, kernel tap): exactly the CPU reference's
// im2col + gemm, but col is never written out; each k-tile's taps are decoded once into a small
// shared table, and each thread keeps the input position of its one column in registers.
// Accumulation is float32 everywhere, with one rounding to the output type at the end.
#include "backends/cuda/kernels/convolution.h"

#include <mma.h>

#include <algorithm>
#include <type_traits>

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/common.cuh"
#include "core/error.h"

namespace kiln::cuda {

namespace {

constexpr int kThreads = 256;
constexpr int kTileK = 16;  // the GEMM's k-tile
constexpr int kPad = 4;     // keeps the transposed stores of the weight tile from bank conflicts

// Geometry the kernels read, with the derived sizes precomputed.
struct Conv {
  int64_t batch, channels, maps, group_channels, group_maps, groups;
  int64_t in[3], out[3], kernel[3], stride[3], pad[3], dilation[3];
  int64_t in_volume, out_volume, kernel_volume;
  int64_t depth;    // group_channels * kernel_volume: the GEMM's k
  int64_t columns;  // batch * out_volume: the GEMM's n
};

// Element i of a float tensor whose type is known only at run time (weights, bias).
__device__ __forceinline__ float load_any(const void* p, int32_t type, int64_t i) {
  if (type == static_cast<int32_t>(DataType::kHALF)) {
    return __half2float(static_cast<const __half*>(p)[i]);
  }
  if (type == static_cast<int32_t>(DataType::kBF16)) {
    return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
  }
  return static_cast<const float*>(p)[i];
}

// One k of the GEMM decoded: where its input element sits relative to a column's window origin.
struct Tap {
  int64_t offset;  // element offset from the column's (channel 0, window origin) position
  int32_t dz, dy, dx;
  int32_t valid;  // k < depth
};

__device__ __forceinline__ Tap decode_tap(const Conv& c, int64_t k) {
  Tap t;
  t.valid = k < c.depth;
  if (!t.valid) k = 0;
  const int64_t channel = k / c.kernel_volume;
  const int64_t tap = k - channel * c.kernel_volume;
  const int64_t plane = c.kernel[1] * c.kernel[2];
  const int64_t kd = tap / plane;
  const int64_t kh = (tap - kd * plane) / c.kernel[2];
  const int64_t kw = tap - kd * plane - kh * c.kernel[2];
  t.dz = static_cast<int32_t>(kd * c.dilation[0]);
  t.dy = static_cast<int32_t>(kh * c.dilation[1]);
  t.dx = static_cast<int32_t>(kw * c.dilation[2]);
  t.offset = channel * c.in_volume + (t.dz * c.in[1] + t.dy) * c.in[2] + t.dx;
  return t;
}

// One GEMM column (image, output position) of one group: where its window starts.
struct Column {
  int64_t z0 = 0, y0 = 0, x0 = 0;
  int64_t base = 0;  // x offset of the group's channel 0 at the window origin (may be negative)
  bool valid = false;

  __device__ Column(const Conv& c, int64_t col, int64_t group) {
    valid = col < c.columns;
    if (!valid) return;
    const int64_t image = col / c.out_volume;
    int64_t p = col - image * c.out_volume;
    const int64_t ow = p % c.out[2];
    p /= c.out[2];
    const int64_t oh = p % c.out[1];
    const int64_t od = p / c.out[1];
    z0 = od * c.stride[0] - c.pad[0];
    y0 = oh * c.stride[1] - c.pad[1];
    x0 = ow * c.stride[2] - c.pad[2];
    base = (image * c.channels + group * c.group_channels) * c.in_volume +
           (z0 * c.in[1] + y0) * c.in[2] + x0;
  }

  // The x offset tap t reads for this column, or -1 where it falls in the padding.
  __device__ int64_t offset(const Conv& c, const Tap& t) const {
    const int64_t iz = z0 + t.dz, iy = y0 + t.dy, ix = x0 + t.dx;
    const bool inside = valid && t.valid &&
                        static_cast<uint64_t>(iz) < static_cast<uint64_t>(c.in[0]) &&
                        static_cast<uint64_t>(iy) < static_cast<uint64_t>(c.in[1]) &&
                        static_cast<uint64_t>(ix) < static_cast<uint64_t>(c.in[2]);
    return inside ? base + t.offset : -1;
  }
};

// Block tile kBM x kBN of one group's output, 256 threads, each a kTM x kTN micro-tile; the
// k-loop double-buffers shared memory and prefetches the next tile into registers while the
// current one is multiplied, so one barrier per k-tile suffices.
template <typename T, int kBM, int kBN, int kTM, int kTN>
__global__ void __launch_bounds__(kThreads)
    conv_gemm_kernel(Conv c, const T* __restrict__ x, const void* __restrict__ w, int32_t w_type,
                     const void* __restrict__ bias, int32_t bias_type, T* __restrict__ y) {
  constexpr int kThreadsN = kBN / kTN;
  static_assert((kBM / kTM) * kThreadsN == kThreads, "the micro-tiles must cover the block tile");
  static_assert(kTM == 4 && kTN == 4, "the shared-memory reads are float4");
  static_assert(kThreads % kBN == 0 || kBN % kThreads == 0, "a thread loads one column");
  constexpr int kLoadsA = kBM * kTileK / kThreads;
  constexpr int kLoadsB = kTileK * kBN / kThreads;
  constexpr int kRowStepB = kThreads / kBN;  // k rows between a thread's B loads
  static_assert(kLoadsA >= 1 && kLoadsB >= 1 && kRowStepB >= 1, "tile too small for the block");

  __shared__ __align__(16) float as[2][kTileK][kBM + kPad];
  __shared__ __align__(16) float bs[2][kTileK][kBN];
  __shared__ Tap taps[2][kTileK];

  const int tid = threadIdx.x;
  const int ty = tid / kThreadsN, tx = tid % kThreadsN;
  const int b_col = tid % kBN, b_row = tid / kBN;
  const int64_t tiles_m = (c.group_maps + kBM - 1) / kBM;
  const int64_t tiles_n = (c.columns + kBN - 1) / kBN;
  const int64_t tiles_k = (c.depth + kTileK - 1) / kTileK;

  for (int64_t tile_n = blockIdx.x; tile_n < tiles_n; tile_n += gridDim.x) {
    for (int64_t gm = blockIdx.y; gm < c.groups * tiles_m; gm += gridDim.y) {
      const int64_t group = gm / tiles_m;
      const int64_t m0 = (gm - group * tiles_m) * kBM;
      const int64_t n0 = tile_n * kBN;

      const Column column(c, n0 + b_col, group);  // this thread's B column
      const int64_t w_base = (group * c.group_maps) * c.depth;

      float ra[kLoadsA], rb[kLoadsB];
      auto load_tiles = [&](int64_t k0, const Tap* tile_taps) {
#pragma unroll
        for (int i = 0; i < kLoadsA; ++i) {
          const int e = tid + i * kThreads;
          const int64_t m = m0 + e / kTileK;
          const int64_t k = k0 + e % kTileK;
          ra[i] = (m < c.group_maps && k < c.depth) ? load_any(w, w_type, w_base + m * c.depth + k)
                                                    : 0.0f;
        }
#pragma unroll
        for (int i = 0; i < kLoadsB; ++i) {
          const int64_t at = column.offset(c, tile_taps[b_row + i * kRowStepB]);
          rb[i] = at >= 0 ? load_f32(x + at) : 0.0f;
        }
      };

      float acc[kTM][kTN];
#pragma unroll
      for (int i = 0; i < kTM; ++i) {
#pragma unroll
        for (int j = 0; j < kTN; ++j) acc[i][j] = 0.0f;
      }

      if (tid < kTileK) taps[0][tid] = decode_tap(c, tid);
      __syncthreads();
      load_tiles(0, taps[0]);
      for (int64_t kt = 0; kt < tiles_k; ++kt) {
        const int buf = static_cast<int>(kt & 1);
#pragma unroll
        for (int i = 0; i < kLoadsA; ++i) {
          const int e = tid + i * kThreads;
          as[buf][e % kTileK][e / kTileK] = ra[i];
        }
#pragma unroll
        for (int i = 0; i < kLoadsB; ++i) bs[buf][b_row + i * kRowStepB][b_col] = rb[i];
        const bool more = kt + 1 < tiles_k;
        if (more && tid < kTileK) taps[buf ^ 1][tid] = decode_tap(c, (kt + 1) * kTileK + tid);
        __syncthreads();
        if (more) load_tiles((kt + 1) * kTileK, taps[buf ^ 1]);
#pragma unroll
        for (int kk = 0; kk < kTileK; ++kk) {
          const float4 a = *reinterpret_cast<const float4*>(&as[buf][kk][ty * kTM]);
          const float4 b = *reinterpret_cast<const float4*>(&bs[buf][kk][tx * kTN]);
          const float av[4] = {a.x, a.y, a.z, a.w};
          const float bv[4] = {b.x, b.y, b.z, b.w};
#pragma unroll
          for (int i = 0; i < kTM; ++i) {
#pragma unroll
            for (int j = 0; j < kTN; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
          }
        }
      }

      // Epilogue: bias, one rounding to T, writes coalesced along the output positions.
#pragma unroll
      for (int j = 0; j < kTN; ++j) {
        const int64_t n = n0 + tx * kTN + j;
        if (n >= c.columns) continue;
        const int64_t image = n / c.out_volume;
        const int64_t p = n - image * c.out_volume;
#pragma unroll
        for (int i = 0; i < kTM; ++i) {
          const int64_t m = m0 + ty * kTM + i;
          if (m >= c.group_maps) continue;
          const int64_t map = group * c.group_maps + m;
          const float b = bias ? load_any(bias, bias_type, map) : 0.0f;
          y[(image * c.maps + map) * c.out_volume + p] = from_f32<T>(acc[i][j] + b);
        }
      }
      __syncthreads();  // the next tile rewrites the shared tables
    }
  }
}

// Tensor-core variant for float16 / bfloat16 input and weights of the same type: the same
// implicit GEMM on 16x16x16 WMMA tiles with float32 accumulators. Block tile 64 x 128 x 32, eight
// warps of 32 x 32; the accumulators go through shared memory (aliasing the input tiles) so that
// the epilogue writes whole rows of output positions.
constexpr int kTcBM = 64, kTcBN = 128, kTcBK = 32;
constexpr int kTcLdA = kTcBK + 8;  // elements; every fragment starts 32-byte aligned, and
constexpr int kTcLdB = kTcBN + 8;  // consecutive rows start in different banks
constexpr int kTcLdC = kTcBN + 4;
constexpr int kTcTileBytes = 2 * (kTcBM * kTcLdA + kTcBK * kTcLdB) * 2;  // 16-bit, two buffers
constexpr int kTcAccBytes = kTcBM * kTcLdC * 4;
constexpr int kTcSmemBytes = std::max(kTcTileBytes, kTcAccBytes);

template <typename T>
__global__ void __launch_bounds__(kThreads)
    conv_gemm_tc_kernel(Conv c, const T* __restrict__ x, const T* __restrict__ w,
                        const void* __restrict__ bias, int32_t bias_type, T* __restrict__ y) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
  __trap();  // WMMA on bfloat16 needs sm_80; kiln builds for sm_90
#else
  namespace wmma = nvcuda::wmma;
  constexpr int kLoadsA = kTcBM * kTcBK / kThreads;  // 8
  constexpr int kLoadsB = kTcBK * kTcBN / kThreads;  // 16
  constexpr int kRowStepB = kThreads / kTcBN;        // 2
  constexpr int kRowsOut = kTcBM / kRowStepB;        // epilogue rows per thread
  __shared__ __align__(128) unsigned char smem[kTcSmemBytes];
  __shared__ Tap taps[2][kTcBK];
  auto as = reinterpret_cast<T(*)[kTcBM][kTcLdA]>(smem);
  auto bs = reinterpret_cast<T(*)[kTcBK][kTcLdB]>(smem + 2 * kTcBM * kTcLdA * sizeof(T));
  auto cs = reinterpret_cast<float(*)[kTcLdC]>(smem);

  const int tid = threadIdx.x;
  const int warp_m = (tid / 32) / 4, warp_n = (tid / 32) % 4;
  const int b_col = tid % kTcBN, b_row = tid / kTcBN;
  const T zero = from_f32<T>(0.0f);
  const int64_t tiles_m = (c.group_maps + kTcBM - 1) / kTcBM;
  const int64_t tiles_n = (c.columns + kTcBN - 1) / kTcBN;
  const int64_t tiles_k = (c.depth + kTcBK - 1) / kTcBK;

  for (int64_t tile_n = blockIdx.x; tile_n < tiles_n; tile_n += gridDim.x) {
    for (int64_t gm = blockIdx.y; gm < c.groups * tiles_m; gm += gridDim.y) {
      const int64_t group = gm / tiles_m;
      const int64_t m0 = (gm - group * tiles_m) * kTcBM;
      const int64_t n0 = tile_n * kTcBN;
      const Column column(c, n0 + b_col, group);
      const T* w_group = w + group * c.group_maps * c.depth;

      T ra[kLoadsA], rb[kLoadsB];
      auto load_tiles = [&](int64_t k0, const Tap* tile_taps) {
#pragma unroll
        for (int i = 0; i < kLoadsA; ++i) {
          const int e = tid + i * kThreads;
          const int64_t m = m0 + e / kTcBK;
          const int64_t k = k0 + e % kTcBK;
          ra[i] = (m < c.group_maps && k < c.depth) ? w_group[m * c.depth + k] : zero;
        }
#pragma unroll
        for (int i = 0; i < kLoadsB; ++i) {
          const int64_t at = column.offset(c, tile_taps[b_row + i * kRowStepB]);
          rb[i] = at >= 0 ? x[at] : zero;
        }
      };

      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
#pragma unroll
      for (int i = 0; i < 2; ++i) {
#pragma unroll
        for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);
      }

      if (tid < kTcBK) taps[0][tid] = decode_tap(c, tid);
      __syncthreads();
      load_tiles(0, taps[0]);
      for (int64_t kt = 0; kt < tiles_k; ++kt) {
        const int buf = static_cast<int>(kt & 1);
#pragma unroll
        for (int i = 0; i < kLoadsA; ++i) {
          const int e = tid + i * kThreads;
          as[buf][e / kTcBK][e % kTcBK] = ra[i];
        }
#pragma unroll
        for (int i = 0; i < kLoadsB; ++i) bs[buf][b_row + i * kRowStepB][b_col] = rb[i];
        const bool more = kt + 1 < tiles_k;
        if (more && tid < kTcBK) taps[buf ^ 1][tid] = decode_tap(c, (kt + 1) * kTcBK + tid);
        __syncthreads();
        if (more) load_tiles((kt + 1) * kTcBK, taps[buf ^ 1]);
#pragma unroll
        for (int kk = 0; kk < kTcBK; kk += 16) {
          wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a[2];
          wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> b[2];
#pragma unroll
          for (int i = 0; i < 2; ++i) {
            wmma::load_matrix_sync(a[i], &as[buf][warp_m * 32 + i * 16][kk], kTcLdA);
            wmma::load_matrix_sync(b[i], &bs[buf][kk][warp_n * 32 + i * 16], kTcLdB);
          }
#pragma unroll
          for (int i = 0; i < 2; ++i) {
#pragma unroll
            for (int j = 0; j < 2; ++j) wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
          }
        }
      }

      // Epilogue through shared memory (the tiles are dead once every warp is past the k-loop):
      // each thread owns one column and every kRowStepB-th row of the block tile.
      __syncthreads();
#pragma unroll
      for (int i = 0; i < 2; ++i) {
#pragma unroll
        for (int j = 0; j < 2; ++j) {
          wmma::store_matrix_sync(&cs[warp_m * 32 + i * 16][warp_n * 32 + j * 16], acc[i][j],
                                  kTcLdC, wmma::mem_row_major);
        }
      }
      __syncthreads();
      const int64_t n = n0 + b_col;
      if (n < c.columns) {
        const int64_t image = n / c.out_volume;
        const int64_t p = n - image * c.out_volume;
        for (int r = 0; r < kRowsOut; ++r) {
          const int row = b_row + r * kRowStepB;
          const int64_t m = m0 + row;
          if (m >= c.group_maps) break;
          const int64_t map = group * c.group_maps + m;
          const float b = bias ? load_any(bias, bias_type, map) : 0.0f;
          y[(image * c.maps + map) * c.out_volume + p] = from_f32<T>(cs[row][b_col] + b);
        }
      }
      __syncthreads();  // the next tile rewrites shared memory
    }
  }
#endif
}

// sum over (channel, tap) of x * w for one output, with the weights read as W.
template <typename T, typename W>
__device__ float direct_sum(const Conv& c, const T* x_group, const W* w_row, int64_t z0, int64_t y0,
                            int64_t x0) {
  float acc = 0.0f;
  for (int64_t ch = 0; ch < c.group_channels; ++ch) {
    const T* plane = x_group + ch * c.in_volume;
    const W* taps = w_row + ch * c.kernel_volume;
    for (int64_t kd = 0; kd < c.kernel[0]; ++kd) {
      const int64_t iz = z0 + kd * c.dilation[0];
      if (iz < 0 || iz >= c.in[0]) continue;
      for (int64_t kh = 0; kh < c.kernel[1]; ++kh) {
        const int64_t iy = y0 + kh * c.dilation[1];
        if (iy < 0 || iy >= c.in[1]) continue;
        const T* row = plane + (iz * c.in[1] + iy) * c.in[2];
        const W* w_taps = taps + (kd * c.kernel[1] + kh) * c.kernel[2];
        for (int64_t kw = 0; kw < c.kernel[2]; ++kw) {
          const int64_t ix = x0 + kw * c.dilation[2];
          if (ix < 0 || ix >= c.in[2]) continue;
          acc = fmaf(load_f32(row + ix), load_f32(w_taps + kw), acc);
        }
      }
    }
  }
  return acc;
}

// One thread per output element (grid-stride), for depthwise and other narrow-group layers
// where a GEMM tile would be mostly empty rows.
template <typename T>
__global__ void __launch_bounds__(kThreads)
    conv_direct_kernel(Conv c, const T* __restrict__ x, const void* __restrict__ w, int32_t w_type,
                       const void* __restrict__ bias, int32_t bias_type, T* __restrict__ y) {
  const int64_t total = c.batch * c.maps * c.out_volume;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += step) {
    int64_t p = i % c.out_volume;
    const int64_t rest = i / c.out_volume;
    const int64_t map = rest % c.maps;
    const int64_t image = rest / c.maps;
    const int64_t group = map / c.group_maps;
    const int64_t ow = p % c.out[2];
    p /= c.out[2];
    const int64_t oh = p % c.out[1];
    const int64_t od = p / c.out[1];
    const int64_t z0 = od * c.stride[0] - c.pad[0];
    const int64_t y0 = oh * c.stride[1] - c.pad[1];
    const int64_t x0 = ow * c.stride[2] - c.pad[2];
    const T* x_group = x + (image * c.channels + group * c.group_channels) * c.in_volume;
    const int64_t w_offset = map * c.depth;
    float acc;
    if (w_type == static_cast<int32_t>(DataType::kHALF)) {
      acc = direct_sum(c, x_group, static_cast<const __half*>(w) + w_offset, z0, y0, x0);
    } else if (w_type == static_cast<int32_t>(DataType::kBF16)) {
      acc = direct_sum(c, x_group, static_cast<const __nv_bfloat16*>(w) + w_offset, z0, y0, x0);
    } else {
      acc = direct_sum(c, x_group, static_cast<const float*>(w) + w_offset, z0, y0, x0);
    }
    if (bias) acc += load_any(bias, bias_type, map);
    y[i] = from_f32<T>(acc);
  }
}

Conv make_conv(const ConvGeometry& g) {
  Conv c{};
  c.batch = g.batch;
  c.channels = g.channels;
  c.maps = g.maps;
  c.groups = g.groups;
  c.group_channels = g.channels / g.groups;
  c.group_maps = g.maps / g.groups;
  for (int i = 0; i < 3; ++i) {
    c.in[i] = g.in[i];
    c.out[i] = g.out[i];
    c.kernel[i] = g.kernel[i];
    c.stride[i] = g.stride[i];
    c.pad[i] = g.pad[i];
    c.dilation[i] = g.dilation[i];
  }
  c.in_volume = c.in[0] * c.in[1] * c.in[2];
  c.out_volume = c.out[0] * c.out[1] * c.out[2];
  c.kernel_volume = c.kernel[0] * c.kernel[1] * c.kernel[2];
  c.depth = c.group_channels * c.kernel_volume;
  c.columns = c.batch * c.out_volume;
  return c;
}

template <typename T, int kBM, int kBN>
void launch_gemm(const Conv& c, const void* x, const void* w, DataType w_type, const void* bias,
                 DataType bias_type, void* y, cudaStream_t stream) {
  const int64_t tiles_n = (c.columns + kBN - 1) / kBN;
  const int64_t tiles_m = (c.group_maps + kBM - 1) / kBM;
  dim3 grid(static_cast<unsigned int>(std::min<int64_t>(tiles_n, 0x7FFFFFFF)),
            static_cast<unsigned int>(std::min<int64_t>(c.groups * tiles_m, 65535)));
  conv_gemm_kernel<T, kBM, kBN, 4, 4>
      <<<grid, kThreads, 0, stream>>>(c, static_cast<const T*>(x), w, static_cast<int32_t>(w_type),
                                      bias, static_cast<int32_t>(bias_type), static_cast<T*>(y));
  KILN_CUDA_CHECK_LAUNCH();
}

template <typename T>
constexpr DataType type_of() {
  if constexpr (std::is_same_v<T, __half>) return DataType::kHALF;
  if constexpr (std::is_same_v<T, __nv_bfloat16>) return DataType::kBF16;
  return DataType::kFLOAT;
}

template <typename T>
void launch_typed(const Conv& c, const void* x, const void* w, DataType w_type, const void* bias,
                  DataType bias_type, void* y, cudaStream_t stream, ConvKernel kernel) {
  if (kernel == ConvKernel::kGemm64)
    return launch_gemm<T, 64, 64>(c, x, w, w_type, bias, bias_type, y, stream);
  if (kernel == ConvKernel::kGemm16x256) {
    return launch_gemm<T, 16, 256>(c, x, w, w_type, bias, bias_type, y, stream);
  }
  if (kernel == ConvKernel::kDirect) {
    const int64_t total = c.batch * c.maps * c.out_volume;
    conv_direct_kernel<T><<<grid_for(total, kThreads), kThreads, 0, stream>>>(
        c, static_cast<const T*>(x), w, static_cast<int32_t>(w_type), bias,
        static_cast<int32_t>(bias_type), static_cast<T*>(y));
    KILN_CUDA_CHECK_LAUNCH();
    return;
  }
  if constexpr (!std::is_same_v<T, float>) {
    // Tensor cores when the weights share the input's 16-bit type and fill a quarter of a tile.
    if (w_type == type_of<T>() && c.group_maps >= 16) {
      const int64_t tiles_n = (c.columns + kTcBN - 1) / kTcBN;
      const int64_t tiles_m = (c.group_maps + kTcBM - 1) / kTcBM;
      dim3 grid(static_cast<unsigned int>(std::min<int64_t>(tiles_n, 0x7FFFFFFF)),
                static_cast<unsigned int>(std::min<int64_t>(c.groups * tiles_m, 65535)));
      conv_gemm_tc_kernel<T><<<grid, kThreads, 0, stream>>>(
          c, static_cast<const T*>(x), static_cast<const T*>(w), bias,
          static_cast<int32_t>(bias_type), static_cast<T*>(y));
      KILN_CUDA_CHECK_LAUNCH();
      return;
    }
  }
  if (c.group_maps >= 32) {
    launch_gemm<T, 64, 64>(c, x, w, w_type, bias, bias_type, y, stream);
  } else if (c.group_maps >= 8) {
    launch_gemm<T, 16, 256>(c, x, w, w_type, bias, bias_type, y, stream);
  } else {
    const int64_t total = c.batch * c.maps * c.out_volume;
    conv_direct_kernel<T><<<grid_for(total, kThreads), kThreads, 0, stream>>>(
        c, static_cast<const T*>(x), w, static_cast<int32_t>(w_type), bias,
        static_cast<int32_t>(bias_type), static_cast<T*>(y));
    KILN_CUDA_CHECK_LAUNCH();
  }
}

bool is_float_type(DataType t) {
  return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16;
}

}  // namespace

void launch_convolution(const ConvGeometry& g, DataType type, const void* x, DataType w_type,
                        const void* w, DataType bias_type, const void* bias, void* y,
                        cudaStream_t stream, ConvKernel kernel) {
  const Conv c = make_conv(g);
  if (c.batch * c.maps * c.out_volume <= 0) return;
  if (!is_float_type(type) || !is_float_type(w_type) || (bias && !is_float_type(bias_type))) {
    fail("[cuda convolution] unsupported types: input ", type, ", kernel ", w_type, ", bias ",
         bias_type);
  }
  switch (type) {
    case DataType::kHALF:
      launch_typed<__half>(c, x, w, w_type, bias, bias_type, y, stream, kernel);
      return;
    case DataType::kBF16:
      launch_typed<__nv_bfloat16>(c, x, w, w_type, bias, bias_type, y, stream, kernel);
      return;
    default:
      launch_typed<float>(c, x, w, w_type, bias, bias_type, y, stream, kernel);
      return;
  }
}

}  // namespace kiln::cuda
