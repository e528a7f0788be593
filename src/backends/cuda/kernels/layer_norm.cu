// LayerNorm / RMSNorm kernels (layer_norm.h).
#include "backends/cuda/check.h"
#include "backends/cuda/kernels/common.cuh"
#include "backends/cuda/kernels/layer_norm.h"
#include "core/error.h"

namespace kiln::cuda {

namespace {

constexpr int kThreads = 128;

__device__ __forceinline__ float block_sum(float v, float* shared) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();  // `shared` may still be read from the previous reduction
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  float total = 0.0f;
  for (int w = 0; w < static_cast<int>(blockDim.x / 32); ++w) total += shared[w];
  return total;
}

// 8 consecutive values as float (16 bytes of fp16/bf16, 32 of float32).
template <typename T>
__device__ __forceinline__ void load8(const T* p, float* v) {
  if constexpr (sizeof(T) == 4) {
    float4 a = reinterpret_cast<const float4*>(p)[0], b = reinterpret_cast<const float4*>(p)[1];
    v[0] = a.x, v[1] = a.y, v[2] = a.z, v[3] = a.w, v[4] = b.x, v[5] = b.y, v[6] = b.z, v[7] = b.w;
  } else {
    uint4 raw = *reinterpret_cast<const uint4*>(p);
    const T* h = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int j = 0; j < 8; ++j) v[j] = load_f32(h + j);
  }
}
template <typename T>
__device__ __forceinline__ void store8(T* p, const float* v) {
  if constexpr (sizeof(T) == 4) {
    reinterpret_cast<float4*>(p)[0] = make_float4(v[0], v[1], v[2], v[3]);
    reinterpret_cast<float4*>(p)[1] = make_float4(v[4], v[5], v[6], v[7]);
  } else {
    uint4 raw;
    T* h = reinterpret_cast<T*>(&raw);
#pragma unroll
    for (int j = 0; j < 8; ++j) h[j] = from_f32<T>(v[j]);
    *reinterpret_cast<uint4*>(p) = raw;
  }
}

// K chunks of 8 per thread cached in registers: rows of up to K * 8 * kThreads values.
template <typename T, int K>
__global__ void __launch_bounds__(kThreads)
    layer_norm_vec(const T* x, const T* res, const T* scale, const T* bias, T* y, T* sum, int64_t h,
                   float eps, bool rms) {
  __shared__ float shared[kThreads / 32];
  const int64_t row = blockIdx.x;
  const int64_t chunks = h / 8;
  float v[K][8];
  float s = 0.0f;
#pragma unroll
  for (int c = 0; c < K; ++c) {
    const int64_t chunk = threadIdx.x + static_cast<int64_t>(c) * kThreads;
    if (chunk >= chunks) continue;
    const int64_t off = row * h + chunk * 8;
    load8(x + off, v[c]);
    if (res != nullptr) {
      float r[8];
      load8(res + off, r);
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        T rounded = from_f32<T>(v[c][j] + r[j]);
        v[c][j] = load_f32(&rounded);
      }
      if (sum != nullptr) store8(sum + off, v[c]);
    }
#pragma unroll
    for (int j = 0; j < 8; ++j) s += v[c][j];
  }
  const float mean = rms ? 0.0f : block_sum(s, shared) / static_cast<float>(h);
  float q = 0.0f;
#pragma unroll
  for (int c = 0; c < K; ++c) {
    const int64_t chunk = threadIdx.x + static_cast<int64_t>(c) * kThreads;
    if (chunk >= chunks) continue;
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      float d = v[c][j] - mean;
      q += d * d;
    }
  }
  const float inv = rsqrtf(block_sum(q, shared) / static_cast<float>(h) + eps);
#pragma unroll
  for (int c = 0; c < K; ++c) {
    const int64_t chunk = threadIdx.x + static_cast<int64_t>(c) * kThreads;
    if (chunk >= chunks) continue;
    float g[8], b[8] = {0, 0, 0, 0, 0, 0, 0, 0}, out[8];
    load8(scale + chunk * 8, g);
    if (bias != nullptr) load8(bias + chunk * 8, b);
#pragma unroll
    for (int j = 0; j < 8; ++j) out[j] = (v[c][j] - mean) * inv * g[j] + b[j];
    store8(y + row * h + chunk * 8, out);
  }
}

// Any row length: three passes over the row in global memory (the second and third hit cache).
template <typename T>
__global__ void __launch_bounds__(kThreads)
    layer_norm_any(const T* x, const T* res, const T* scale, const T* bias, T* y, T* sum, int64_t h,
                   float eps, bool rms) {
  __shared__ float shared[kThreads / 32];
  const int64_t base = static_cast<int64_t>(blockIdx.x) * h;
  auto value = [&](int64_t i) {
    float v = load_f32(x + base + i);
    if (res != nullptr) {
      T rounded = from_f32<T>(v + load_f32(res + base + i));
      v = load_f32(&rounded);
    }
    return v;
  };
  float s = 0.0f;
  for (int64_t i = threadIdx.x; i < h; i += kThreads) {
    float v = value(i);
    if (sum != nullptr) sum[base + i] = from_f32<T>(v);
    s += v;
  }
  const float mean = rms ? 0.0f : block_sum(s, shared) / static_cast<float>(h);
  float q = 0.0f;
  for (int64_t i = threadIdx.x; i < h; i += kThreads) {
    float d = value(i) - mean;
    q += d * d;
  }
  const float inv = rsqrtf(block_sum(q, shared) / static_cast<float>(h) + eps);
  for (int64_t i = threadIdx.x; i < h; i += kThreads) {
    float o = (value(i) - mean) * inv * load_f32(scale + i);
    if (bias != nullptr) o += load_f32(bias + i);
    y[base + i] = from_f32<T>(o);
  }
}

bool aligned16(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % 16 == 0;
}

template <typename T>
void launch(const void* x, const void* res, const void* scale, const void* bias, void* y, void* sum,
            int64_t rows, int64_t h, float eps, bool rms, cudaStream_t stream) {
  auto px = static_cast<const T*>(x);
  auto pr = static_cast<const T*>(res);
  auto pg = static_cast<const T*>(scale);
  auto pb = static_cast<const T*>(bias);
  auto py = static_cast<T*>(y);
  auto ps = static_cast<T*>(sum);
  const bool vec = h % 8 == 0 && aligned16(x) && (res == nullptr || aligned16(res)) &&
                   aligned16(scale) && (bias == nullptr || aligned16(bias)) && aligned16(y) &&
                   (sum == nullptr || aligned16(sum));
  const int64_t chunks = h / 8;
  const dim3 grid(static_cast<unsigned int>(rows));
  if (vec && chunks <= kThreads) {
    layer_norm_vec<T, 1><<<grid, kThreads, 0, stream>>>(px, pr, pg, pb, py, ps, h, eps, rms);
  } else if (vec && chunks <= 2 * kThreads) {
    layer_norm_vec<T, 2><<<grid, kThreads, 0, stream>>>(px, pr, pg, pb, py, ps, h, eps, rms);
  } else if (vec && chunks <= 4 * kThreads) {
    layer_norm_vec<T, 4><<<grid, kThreads, 0, stream>>>(px, pr, pg, pb, py, ps, h, eps, rms);
  } else if (vec && chunks <= 8 * kThreads) {
    layer_norm_vec<T, 8><<<grid, kThreads, 0, stream>>>(px, pr, pg, pb, py, ps, h, eps, rms);
  } else {
    layer_norm_any<T><<<grid, kThreads, 0, stream>>>(px, pr, pg, pb, py, ps, h, eps, rms);
  }
  KILN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void launch_layer_norm(DataType type, const void* x, const void* residual, const void* scale,
                       const void* bias, void* y, void* sum, int64_t rows, int64_t h, float epsilon,
                       bool rms, cudaStream_t stream) {
  if (rows <= 0 || h <= 0) return;
  if (rows > 2147483647) fail("layer_norm: ", rows, " rows exceed one grid");
  switch (type) {
    case DataType::kFLOAT:
      return launch<float>(x, residual, scale, bias, y, sum, rows, h, epsilon, rms, stream);
    case DataType::kHALF:
      return launch<__half>(x, residual, scale, bias, y, sum, rows, h, epsilon, rms, stream);
    case DataType::kBF16:
      return launch<__nv_bfloat16>(x, residual, scale, bias, y, sum, rows, h, epsilon, rms, stream);
    default:
      fail("layer_norm: unsupported type ", type);
  }
}

}  // namespace kiln::cuda
