// Building blocks of the pointwise kernels (pointwise_*.cu): device storage types of the eight data
// types and their arithmetic types, and the map / binary / ternary loops with their launchers.
//
// Contiguous operands take a vectorized grid-stride loop (16-byte packs when every pointer is
// aligned, scalar tail); broadcast operands are read through collapsed strided shapes, with 32-bit
// index arithmetic when the output is small enough and 64-bit otherwise.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <utility>

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/common.cuh"
#include "core/error.h"
#include "kiln/types.h"

namespace kiln::cuda::pw {

// bool storage: one byte where any nonzero value is true (a caller-filled tensor may hold 2 or
// 255, so a byte is never read as C++ bool). A distinct type so templates tell it from uint8_t.
struct bool8 {
  uint8_t bits;
};

template <typename T>
constexpr bool is_half_v = std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;
template <typename T>
constexpr bool is_floating_v = std::is_same_v<T, float> || is_half_v<T>;

// The type arithmetic happens in: float for fp16/bf16, bool for bool8, the storage type otherwise.
template <typename T>
struct compute {
  using type = T;
};
template <>
struct compute<__half> {
  using type = float;
};
template <>
struct compute<__nv_bfloat16> {
  using type = float;
};
template <>
struct compute<bool8> {
  using type = bool;
};
template <typename T>
using compute_t = typename compute<T>::type;

template <typename T>
__device__ __forceinline__ compute_t<T> load(T v) {
  if constexpr (std::is_same_v<T, __half>) {
    return __half2float(v);
  } else if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    return __bfloat162float(v);
  } else if constexpr (std::is_same_v<T, bool8>) {
    return v.bits != 0;
  } else {
    return v;
  }
}

// fp16/bf16 round to nearest even, as the CPU reference (core/half.h).
template <typename T>
__device__ __forceinline__ T store(compute_t<T> v) {
  if constexpr (std::is_same_v<T, __half>) {
    return __float2half_rn(v);
  } else if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    return __float2bfloat16_rn(v);
  } else if constexpr (std::is_same_v<T, bool8>) {
    return bool8{static_cast<uint8_t>(v ? 1 : 0)};
  } else {
    return v;
  }
}

// Applies a float32 function to storage type T (float32, fp16, bf16): converts in and out.
template <typename T, typename F>
struct ViaFloat {
  F f;
  __device__ __forceinline__ T operator()(T x) const { return store<T>(f(load(x))); }
};

// Calls fn(T{}) with the device storage type of `type`.
template <typename Fn>
void dispatch(DataType type, Fn&& fn) {
  switch (type) {
    case DataType::kFLOAT:
      return fn(float{});
    case DataType::kHALF:
      return fn(__half{});
    case DataType::kBF16:
      return fn(__nv_bfloat16{});
    case DataType::kINT8:
      return fn(int8_t{});
    case DataType::kUINT8:
      return fn(uint8_t{});
    case DataType::kINT32:
      return fn(int32_t{});
    case DataType::kINT64:
      return fn(int64_t{});
    case DataType::kBOOL:
      return fn(bool8{});
  }
  fail("CUDA pointwise kernels: unknown data type ", static_cast<int>(type));
}

// ---- Contiguous loops ------------------------------------------------------------------------

constexpr int kThreads = 256;

// V elements moved as one aligned load or store.
template <typename T, int V>
struct alignas(sizeof(T) * V) Pack {
  T v[V];
};

// Elements per pack: 16 bytes of the widest operand.
template <typename... T>
constexpr int lanes() {
  size_t widest = 1;
  ((widest = sizeof(T) > widest ? sizeof(T) : widest), ...);
  return static_cast<int>(16 / widest);
}

inline bool aligned_to(const void* p, size_t bytes) {
  return reinterpret_cast<uintptr_t>(p) % bytes == 0;
}

// The first `nvec` packs of V elements go as packs; elements from nvec * V to n one by one (all of
// them when a pointer is not aligned and nvec is 0).
template <typename In, typename Out, typename F>
__global__ void map_kernel(const In* x, Out* y, int64_t n, int64_t nvec, F f) {
  constexpr int V = lanes<In, Out>();
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  const int64_t first = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const Pack<In, V>* xv = reinterpret_cast<const Pack<In, V>*>(x);
  Pack<Out, V>* yv = reinterpret_cast<Pack<Out, V>*>(y);
  for (int64_t i = first; i < nvec; i += stride) {
    Pack<In, V> a = xv[i];
    Pack<Out, V> r;
#pragma unroll
    for (int k = 0; k < V; ++k) r.v[k] = f(a.v[k]);
    yv[i] = r;
  }
  for (int64_t i = nvec * V + first; i < n; i += stride) y[i] = f(x[i]);
}

template <typename A, typename B, typename Out, typename F>
__global__ void binary_kernel(const A* a, const B* b, Out* y, int64_t n, int64_t nvec, F f) {
  constexpr int V = lanes<A, B, Out>();
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  const int64_t first = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const Pack<A, V>* av = reinterpret_cast<const Pack<A, V>*>(a);
  const Pack<B, V>* bv = reinterpret_cast<const Pack<B, V>*>(b);
  Pack<Out, V>* yv = reinterpret_cast<Pack<Out, V>*>(y);
  for (int64_t i = first; i < nvec; i += stride) {
    Pack<A, V> pa = av[i];
    Pack<B, V> pb = bv[i];
    Pack<Out, V> r;
#pragma unroll
    for (int k = 0; k < V; ++k) r.v[k] = f(pa.v[k], pb.v[k]);
    yv[i] = r;
  }
  for (int64_t i = nvec * V + first; i < n; i += stride) y[i] = f(a[i], b[i]);
}

template <typename C, typename A, typename B, typename Out, typename F>
__global__ void ternary_kernel(const C* c, const A* a, const B* b, Out* y, int64_t n, int64_t nvec,
                               F f) {
  constexpr int V = lanes<C, A, B, Out>();
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  const int64_t first = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const Pack<C, V>* cv = reinterpret_cast<const Pack<C, V>*>(c);
  const Pack<A, V>* av = reinterpret_cast<const Pack<A, V>*>(a);
  const Pack<B, V>* bv = reinterpret_cast<const Pack<B, V>*>(b);
  Pack<Out, V>* yv = reinterpret_cast<Pack<Out, V>*>(y);
  for (int64_t i = first; i < nvec; i += stride) {
    Pack<C, V> pc = cv[i];
    Pack<A, V> pa = av[i];
    Pack<B, V> pb = bv[i];
    Pack<Out, V> r;
#pragma unroll
    for (int k = 0; k < V; ++k) r.v[k] = f(pc.v[k], pa.v[k], pb.v[k]);
    yv[i] = r;
  }
  for (int64_t i = nvec * V + first; i < n; i += stride) y[i] = f(c[i], a[i], b[i]);
}

// Packs to take for n contiguous elements: none unless every pointer is aligned to its pack.
template <int V>
int64_t packs_for(int64_t n, std::initializer_list<std::pair<const void*, size_t>> operands) {
  for (const auto& [p, size] : operands) {
    if (!aligned_to(p, size * V)) return 0;
  }
  return n / V;
}

// Threads needed: one per pack, or one per element of the unaligned / scalar remainder.
inline unsigned int blocks_for(int64_t n, int64_t nvec, int v) {
  int64_t tail = n - nvec * v;
  return grid_for(nvec > tail ? nvec : tail, kThreads);
}

template <typename In, typename Out, typename F>
void launch_map(const In* x, Out* y, int64_t n, F f, cudaStream_t stream) {
  if (n <= 0) return;
  constexpr int V = lanes<In, Out>();
  int64_t nvec = packs_for<V>(n, {{x, sizeof(In)}, {y, sizeof(Out)}});
  map_kernel<<<blocks_for(n, nvec, V), kThreads, 0, stream>>>(x, y, n, nvec, f);
  KILN_CUDA_CHECK_LAUNCH();
}

// ---- Broadcast loops -------------------------------------------------------------------------

// The output's shape and each operand's strides in it, after collapse(): rank >= 1.
template <typename Index, int N>
struct Broadcast {
  int32_t rank = 0;
  Index dims[kMaxRank] = {};
  Index strides[N][kMaxRank] = {};
};

// Offsets into each operand of flat output index i. The outermost dimension needs no division:
// i is below the volume, so what is left of it after the inner dimensions is below dims[0].
// The loop is unrolled with constant indices so the shape stays in the kernel's parameter space
// (an index known only at run time makes nvcc copy it to local memory first).
template <typename Index, int N>
__device__ __forceinline__ void broadcast_offsets(Index i, const Broadcast<Index, N>& s,
                                                  Index (&off)[N]) {
#pragma unroll
  for (int k = 0; k < N; ++k) off[k] = 0;
#pragma unroll
  for (int32_t d = kMaxRank - 1; d > 0; --d) {
    if (d >= s.rank) continue;
    Index q = i / s.dims[d];
    Index r = i - q * s.dims[d];
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] += r * s.strides[k][d];
    i = q;
  }
#pragma unroll
  for (int k = 0; k < N; ++k) off[k] += i * s.strides[k][0];
}

template <typename Index, typename A, typename B, typename Out, typename F>
__global__ void binary_broadcast_kernel(const A* a, const B* b, Out* y, Index n,
                                        Broadcast<Index, 2> s, F f) {
  const Index stride = static_cast<Index>(blockDim.x) * gridDim.x;
  for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    Index off[2];
    broadcast_offsets(i, s, off);
    y[i] = f(a[off[0]], b[off[1]]);
  }
}

template <typename Index, typename C, typename A, typename B, typename Out, typename F>
__global__ void ternary_broadcast_kernel(const C* c, const A* a, const B* b, Out* y, Index n,
                                         Broadcast<Index, 3> s, F f) {
  const Index stride = static_cast<Index>(blockDim.x) * gridDim.x;
  for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    Index off[3];
    broadcast_offsets(i, s, off);
    y[i] = f(c[off[0]], a[off[1]], b[off[2]]);
  }
}

// Operand shapes (each with the output's dims) reduced to the fewest dimensions that index them
// the same way: size-1 dimensions dropped, and a dimension merged into the one outside it where
// every operand steps through both contiguously (outer stride == inner stride * inner size; two
// broadcast dimensions also merge). Returns the output volume; `s` gets rank >= 1.
template <int N>
int64_t collapse(const StridedShape (&in)[N], Broadcast<int64_t, N>& s) {
  s.rank = 0;
  int64_t volume = 1;
  for (int32_t d = 0; d < in[0].rank; ++d) {
    int64_t size = in[0].dims[d];
    volume *= size;
    if (size == 1) continue;
    bool merge = s.rank > 0;
    for (int k = 0; k < N && merge; ++k) {
      merge = s.strides[k][s.rank - 1] == in[k].strides[d] * size;
    }
    if (merge) {
      s.dims[s.rank - 1] *= size;
      for (int k = 0; k < N; ++k) s.strides[k][s.rank - 1] = in[k].strides[d];
    } else {
      s.dims[s.rank] = size;
      for (int k = 0; k < N; ++k) s.strides[k][s.rank] = in[k].strides[d];
      ++s.rank;
    }
  }
  if (s.rank == 0) {  // a single element
    s.rank = 1;
    s.dims[0] = 1;
    for (int k = 0; k < N; ++k) s.strides[k][0] = 0;
  }
  return volume;
}

// True when every operand is read in output order (collapsed to one stride-1 dimension).
template <int N>
bool all_contiguous(const Broadcast<int64_t, N>& s) {
  if (s.rank != 1) return false;
  for (int k = 0; k < N; ++k) {
    if (s.strides[k][0] != 1 && s.dims[0] != 1) return false;
  }
  return true;
}

// 32-bit index arithmetic when the output has fewer than 2^31 elements: offsets are below the
// operands' volumes, which are at most the output's, and i + grid stride (< 2^28) stays below 2^32.
template <int N>
Broadcast<uint32_t, N> narrow(const Broadcast<int64_t, N>& s) {
  Broadcast<uint32_t, N> r;
  r.rank = s.rank;
  for (int32_t d = 0; d < s.rank; ++d) {
    r.dims[d] = static_cast<uint32_t>(s.dims[d]);
    for (int k = 0; k < N; ++k) r.strides[k][d] = static_cast<uint32_t>(s.strides[k][d]);
  }
  return r;
}
constexpr int64_t kNarrowLimit = int64_t{1} << 31;

// y = f(a, b) over the output that a_shape and b_shape (both with the output's dims) describe.
template <typename A, typename B, typename Out, typename F>
void launch_binary(const A* a, const StridedShape& a_shape, const B* b, const StridedShape& b_shape,
                   Out* y, F f, cudaStream_t stream) {
  Broadcast<int64_t, 2> s;
  int64_t n = collapse<2>({a_shape, b_shape}, s);
  if (n <= 0) return;
  if (all_contiguous(s)) {
    constexpr int V = lanes<A, B, Out>();
    int64_t nvec = packs_for<V>(n, {{a, sizeof(A)}, {b, sizeof(B)}, {y, sizeof(Out)}});
    binary_kernel<<<blocks_for(n, nvec, V), kThreads, 0, stream>>>(a, b, y, n, nvec, f);
  } else if (n < kNarrowLimit) {
    binary_broadcast_kernel<uint32_t><<<grid_for(n, kThreads), kThreads, 0, stream>>>(
        a, b, y, static_cast<uint32_t>(n), narrow(s), f);
  } else {
    binary_broadcast_kernel<int64_t>
        <<<grid_for(n, kThreads), kThreads, 0, stream>>>(a, b, y, n, s, f);
  }
  KILN_CUDA_CHECK_LAUNCH();
}

// y = f(c, a, b), as launch_binary with three operands.
template <typename C, typename A, typename B, typename Out, typename F>
void launch_ternary(const C* c, const StridedShape& c_shape, const A* a,
                    const StridedShape& a_shape, const B* b, const StridedShape& b_shape, Out* y,
                    F f, cudaStream_t stream) {
  Broadcast<int64_t, 3> s;
  int64_t n = collapse<3>({c_shape, a_shape, b_shape}, s);
  if (n <= 0) return;
  if (all_contiguous(s)) {
    constexpr int V = lanes<C, A, B, Out>();
    int64_t nvec =
        packs_for<V>(n, {{c, sizeof(C)}, {a, sizeof(A)}, {b, sizeof(B)}, {y, sizeof(Out)}});
    ternary_kernel<<<blocks_for(n, nvec, V), kThreads, 0, stream>>>(c, a, b, y, n, nvec, f);
  } else if (n < kNarrowLimit) {
    ternary_broadcast_kernel<uint32_t><<<grid_for(n, kThreads), kThreads, 0, stream>>>(
        c, a, b, y, static_cast<uint32_t>(n), narrow(s), f);
  } else {
    ternary_broadcast_kernel<int64_t>
        <<<grid_for(n, kThreads), kThreads, 0, stream>>>(c, a, b, y, n, s, f);
  }
  KILN_CUDA_CHECK_LAUNCH();
}

}  // namespace kiln::cuda::pw
