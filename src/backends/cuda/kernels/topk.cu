// CUDA kernels of TopKLayer: k = 1 as a reduction (any row length, any number of rows); otherwise
// a block per row, bitonic-sorting the row in shared memory, or radix-selecting the k best first.
//
// Every element becomes an unsigned "rank key" (larger = earlier in the output: NaN on top, -0 as
// +0, complemented for smallest-first) and entries compare by (key descending, index ascending),
// a strict total order, so every path returns exactly the CPU's order. Paths by row length:
//   k == 1                     reduction engine (reduction.cuh), combining (key, index) pairs
//   size <= 32                 a warp per row, sorted in registers
//   size <= capacity           the row sorted in shared memory
//   k <= capacity < size       8-bit radix select of the k-th key, the k best gathered in order
//                              of index for ties, then sorted in shared memory
//   k, size > capacity         the row sorted in the workspace (a slow fallback)
// capacity is 4096 entries for 32-bit keys and 2048 for int64's 64-bit keys (32 / 24 KB).
#include <type_traits>

#include "backends/cuda/kernels/reduction.cuh"
#include "backends/cuda/kernels/topk.h"
#include "core/error.h"

namespace kiln::cuda {

namespace {

template <typename T>
using key_t = std::conditional_t<std::is_same_v<T, int64_t>, uint64_t, uint32_t>;

template <typename T>
constexpr int64_t sort_capacity() {
  return sizeof(key_t<T>) == 4 ? 4096 : 2048;
}

constexpr int32_t kWarpRowThreads = 256;          // rows of <= 32: 256 / width rows a block
constexpr int32_t kSortThreads = 1024;            // shared-memory sort and select kernels (at most)
constexpr int32_t kGlobalThreads = 1024;          // workspace sort kernel
constexpr int64_t kGlobalSortBytes = 64LL << 20;  // workspace the fallback aims to stay within

__device__ __forceinline__ uint32_t float_key(float v) {
  if (v != v) return 0xffffffffu;  // every NaN above +inf
  uint32_t b = __float_as_uint(v == 0.0f ? 0.0f : v);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

// Larger key = earlier in the output.
template <typename T>
__device__ __forceinline__ key_t<T> rank_key(const T* p, bool largest) {
  key_t<T> k;
  if constexpr (std::is_same_v<T, int64_t>) {
    k = static_cast<uint64_t>(*p) ^ (uint64_t{1} << 63);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    k = static_cast<uint32_t>(*p) ^ 0x80000000u;
  } else {
    k = float_key(load_f32(p));
  }
  return largest ? k : static_cast<key_t<T>>(~k);
}

template <typename K>
__device__ __forceinline__ bool before(K a_key, int32_t a_index, K b_key, int32_t b_index) {
  return a_key > b_key || (a_key == b_key && a_index < b_index);
}

// ---- k == 1 ---------------------------------------------------------------------------------

template <typename T>
struct ArgBest {
  using K = key_t<T>;
  struct Acc {
    K key;
    int32_t index;
  };
  static constexpr bool kElementwise = false;
  const T* x;
  T* values;
  int32_t* indices;
  int64_t stride;  // of the axis, in elements
  bool largest;
  red::Partials<Acc> parts;

  // Loses to every element: key 0 ties at worst, and every index is below INT32_MAX.
  __device__ Acc init(int64_t) const { return {K(0), INT32_MAX}; }
  __device__ void add(Acc& a, int64_t offset, int64_t j) const {
    a = combine(a, Acc{rank_key(x + offset, largest), static_cast<int32_t>(j)});
  }
  __device__ static Acc combine(const Acc& a, const Acc& b) {
    return before(b.key, b.index, a.key, a.index) ? b : a;
  }
  __device__ void write(int64_t o, int64_t base, const Acc& a) const {
    values[o] = x[base + a.index * stride];
    indices[o] = a.index;
  }
};

// ---- block per row --------------------------------------------------------------------------

// Row r of x [outer, size, inner] starts at `in`; its k results at `out`; both step by inner.
struct Rows {
  int64_t count;  // outer * inner
  int64_t size, inner, k;
  __device__ void bases(int64_t r, int64_t& in, int64_t& out) const {
    int64_t o = r / inner, i = r % inner;
    in = o * size * inner + i;
    out = o * k * inner + i;
  }
};

// Sorts n (a power of two) entries into output order with the whole block; keys and idx may be in
// shared or global memory. Starts and ends with a barrier.
template <typename K>
__device__ void bitonic_sort(K* keys, int32_t* idx, int64_t n) {
  __syncthreads();
  for (int64_t size = 2; size <= n; size <<= 1) {
    for (int64_t stride = size >> 1; stride > 0; stride >>= 1) {
      for (int64_t i = threadIdx.x; i < n / 2; i += blockDim.x) {
        int64_t lo = ((i & ~(stride - 1)) << 1) | (i & (stride - 1));
        int64_t hi = lo + stride;
        bool up = (lo & size) == 0;  // this run ends up in output order (else reversed)
        K klo = keys[lo], khi = keys[hi];
        int32_t ilo = idx[lo], ihi = idx[hi];
        if (before(khi, ihi, klo, ilo) == up) {
          keys[lo] = khi;
          keys[hi] = klo;
          idx[lo] = ihi;
          idx[hi] = ilo;
        }
      }
      __syncthreads();
    }
  }
}

// Pads [from, n) with entries after every element.
template <typename K>
__device__ void pad(K* keys, int32_t* idx, int64_t from, int64_t n) {
  for (int64_t t = from + threadIdx.x; t < n; t += blockDim.x) {
    keys[t] = K(0);
    idx[t] = INT32_MAX;
  }
}

template <typename T>
__device__ void load_row(const T* row, int64_t size, int64_t inner, bool largest, key_t<T>* keys,
                         int32_t* idx) {
  for (int64_t t = threadIdx.x; t < size; t += blockDim.x) {
    keys[t] = rank_key(row + t * inner, largest);
    idx[t] = static_cast<int32_t>(t);
  }
}

template <typename T>
__device__ void write_row(const T* row, T* values, int32_t* indices, int64_t out, const Rows& rows,
                          const int32_t* idx) {
  for (int64_t t = threadIdx.x; t < rows.k; t += blockDim.x) {
    int32_t j = idx[t];
    values[out + t * rows.inner] = row[j * rows.inner];
    indices[out + t * rows.inner] = j;
  }
}

// Rows of at most 32 elements: each aligned group of `width` lanes (the row length rounded up to
// 2^i) holds one row, element t (or padding) in lane t, and a bitonic network of lane shuffles
// sorts each group.
template <typename T>
__global__ void __launch_bounds__(kWarpRowThreads)
    sort_rows_warp(const T* x, T* values, int32_t* indices, Rows rows, int32_t width,
                   bool largest) {
  using K = key_t<T>;
  const int32_t lane = threadIdx.x & (width - 1);  // in the group
  const int64_t per_warp = 32 / width;
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * kWarpRowThreads + threadIdx.x) / 32;
  const int64_t warps = static_cast<int64_t>(gridDim.x) * (kWarpRowThreads / 32);
  // Warp-uniform loop: every lane takes part in the shuffles, rows past the end sort padding.
  for (int64_t first = warp * per_warp; first < rows.count; first += warps * per_warp) {
    const int64_t r = first + (threadIdx.x & 31) / width;
    const bool valid = r < rows.count;
    int64_t in = 0, out = 0;
    if (valid) rows.bases(r, in, out);
    K key = 0;
    int32_t index = INT32_MAX;
    if (valid && lane < rows.size) {
      key = rank_key(x + in + lane * rows.inner, largest);
      index = lane;
    }
    for (int32_t size = 2; size <= width; size <<= 1) {
      for (int32_t stride = size >> 1; stride > 0; stride >>= 1) {
        K other_key = __shfl_xor_sync(0xffffffffu, key, stride);
        int32_t other_index = __shfl_xor_sync(0xffffffffu, index, stride);
        // The lower lane of a pair keeps the earlier entry in runs that end up in output order.
        bool keep_first = ((lane & stride) == 0) == ((lane & size) == 0);
        bool take = keep_first ? before(other_key, other_index, key, index)
                               : before(key, index, other_key, other_index);
        if (take) {
          key = other_key;
          index = other_index;
        }
      }
    }
    if (valid && lane < rows.k) {
      values[out + lane * rows.inner] = x[in + static_cast<int64_t>(index) * rows.inner];
      indices[out + lane * rows.inner] = index;
    }
  }
}

// Rows of at most sort_capacity elements, sorted whole (n = the row length rounded up to 2^i).
template <typename T>
__global__ void __launch_bounds__(kSortThreads)
    sort_rows(const T* x, T* values, int32_t* indices, Rows rows, int64_t n, bool largest) {
  extern __shared__ __align__(16) unsigned char sort_smem[];  // n keys, then n indices
  auto* keys = reinterpret_cast<key_t<T>*>(sort_smem);
  auto* idx = reinterpret_cast<int32_t*>(keys + n);
  for (int64_t r = blockIdx.x; r < rows.count; r += gridDim.x) {
    int64_t in, out;
    rows.bases(r, in, out);
    load_row(x + in, rows.size, rows.inner, largest, keys, idx);
    pad(keys, idx, rows.size, n);
    bitonic_sort(keys, idx, n);
    write_row(x + in, values, indices, out, rows, idx);
    __syncthreads();  // keys and idx are refilled for the next row
  }
}

// Long rows, k <= sort_capacity: finds the k-th best key by 8-bit radix select, gathers every
// element above it and the lowest-index elements equal to it (k in all) into n >= k entries of
// shared memory, and sorts those.
template <typename T>
__global__ void __launch_bounds__(kSortThreads)
    select_rows(const T* x, T* values, int32_t* indices, Rows rows, int64_t n, bool largest) {
  using K = key_t<T>;
  constexpr int32_t kWarps = kSortThreads / 32;
  extern __shared__ __align__(16) unsigned char sort_smem[];  // n keys, then n indices
  auto* keys = reinterpret_cast<K*>(sort_smem);
  auto* idx = reinterpret_cast<int32_t*>(keys + n);
  __shared__ uint32_t hist[256];
  __shared__ uint32_t warp_ties[kWarps];
  __shared__ K chosen_prefix;
  __shared__ uint32_t chosen_remaining;
  __shared__ uint32_t above_count;
  const int32_t lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int64_t r = blockIdx.x; r < rows.count; r += gridDim.x) {
    int64_t in, out;
    rows.bases(r, in, out);
    const T* row = x + in;
    // The k-th key, 8 bits at a time from the top: `remaining` of the k still lie among the keys
    // that start with `prefix`.
    K prefix = 0, mask = 0;
    uint32_t remaining = static_cast<uint32_t>(rows.k);
    for (int32_t shift = 8 * sizeof(K) - 8; shift >= 0; shift -= 8) {
      for (int32_t t = threadIdx.x; t < 256; t += blockDim.x) hist[t] = 0;
      __syncthreads();
      // (Warp-aggregating the atomics with __match_any_sync measured slower on an H200.)
      for (int64_t j = threadIdx.x; j < rows.size; j += blockDim.x) {
        K key = rank_key(row + j * rows.inner, largest);
        if ((key & mask) == prefix) atomicAdd(&hist[(key >> shift) & 0xff], 1u);
      }
      __syncthreads();
      if (warp == 0) {
        // Lane l owns digits 255 - 8l down to 248 - 8l; the lane whose digits hold the
        // `remaining`-th key from the top picks it.
        uint32_t counts[8], own = 0;
        for (int32_t i = 0; i < 8; ++i) {
          counts[i] = hist[255 - 8 * lane - i];
          own += counts[i];
        }
        uint32_t through = own;  // keys in the digits of lanes 0..lane
        for (int32_t step = 1; step < 32; step <<= 1) {
          uint32_t v = __shfl_up_sync(0xffffffffu, through, step);
          if (lane >= step) through += v;
        }
        uint32_t above = through - own;
        if (above < remaining && through >= remaining) {
          int32_t i = 0;
          while (above + counts[i] < remaining) above += counts[i++];
          chosen_prefix = prefix | (static_cast<K>(255 - 8 * lane - i) << shift);
          chosen_remaining = remaining - above;
        }
      }
      __syncthreads();
      prefix = chosen_prefix;
      remaining = chosen_remaining;
      mask |= static_cast<K>(0xff) << shift;
    }
    // Gather: keys above the k-th go first in any order; `remaining` ties follow by index.
    if (threadIdx.x == 0) above_count = 0;
    __syncthreads();
    const int64_t above_total = rows.k - remaining;
    uint32_t ties_taken = 0;
    for (int64_t start = 0; start < rows.size; start += blockDim.x) {
      int64_t j = start + threadIdx.x;
      bool valid = j < rows.size;
      K key = valid ? rank_key(row + j * rows.inner, largest) : K(0);
      if (valid && key > prefix) {
        uint32_t p = atomicAdd(&above_count, 1u);
        keys[p] = key;
        idx[p] = static_cast<int32_t>(j);
      }
      bool tie = valid && key == prefix;
      uint32_t ballot = __ballot_sync(0xffffffffu, tie);
      if (lane == 0) warp_ties[warp] = __popc(ballot);
      __syncthreads();
      uint32_t earlier = 0, total = 0;
      for (int32_t w = 0; w < kWarps; ++w) {
        earlier += w < warp ? warp_ties[w] : 0u;
        total += warp_ties[w];
      }
      uint32_t rank = ties_taken + earlier + __popc(ballot & ((1u << lane) - 1u));
      if (tie && rank < remaining) {
        keys[above_total + rank] = key;
        idx[above_total + rank] = static_cast<int32_t>(j);
      }
      ties_taken += total;
      __syncthreads();  // warp_ties is rewritten for the next stretch
    }
    pad(keys, idx, rows.k, n);
    bitonic_sort(keys, idx, n);
    write_row(row, values, indices, out, rows, idx);
    __syncthreads();
  }
}

// Fallback for k and rows beyond sort_capacity: each block sorts its rows whole in its own slot
// of the workspace (n keys, then n indices).
template <typename T>
__global__ void __launch_bounds__(kGlobalThreads)
    sort_rows_global(const T* x, T* values, int32_t* indices, Rows rows, int64_t n, bool largest,
                     unsigned char* workspace, size_t slot_bytes) {
  auto* keys = reinterpret_cast<key_t<T>*>(workspace + blockIdx.x * slot_bytes);
  auto* idx = reinterpret_cast<int32_t*>(keys + n);
  for (int64_t r = blockIdx.x; r < rows.count; r += gridDim.x) {
    int64_t in, out;
    rows.bases(r, in, out);
    load_row(x + in, rows.size, rows.inner, largest, keys, idx);
    pad(keys, idx, rows.size, n);
    bitonic_sort(keys, idx, n);
    write_row(x + in, values, indices, out, rows, idx);
    __syncthreads();
  }
}

int64_t pow2_at_least(int64_t n) {
  int64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// The fallback's workspace: whole slots for as many rows at once as fit in kGlobalSortBytes (at
// least one). Grows with rows and size.
size_t global_sort_bytes(int64_t rows, int64_t slot_bytes) {
  int64_t all = rows * slot_bytes;
  int64_t bytes = all < kGlobalSortBytes ? all : kGlobalSortBytes;
  return static_cast<size_t>(bytes > slot_bytes ? bytes : slot_bytes);
}

template <typename T>
size_t workspace_for(int64_t outer, int64_t size, int64_t inner, int64_t k) {
  using K = key_t<T>;
  int64_t rows = outer * inner;
  if (rows == 0) return 0;
  if (k == 1) return red::partials_capacity(rows * size, sizeof(typename ArgBest<T>::Acc));
  if (size <= sort_capacity<T>() || k <= sort_capacity<T>()) return 0;
  return global_sort_bytes(rows, pow2_at_least(size) * static_cast<int64_t>(sizeof(K) + 4));
}

template <typename T>
void topk_as(bool largest, const T* x, T* values, int32_t* indices, int64_t outer, int64_t size,
             int64_t inner, int64_t k, void* workspace, size_t workspace_size,
             cudaStream_t stream) {
  using K = key_t<T>;
  Rows rows{outer * inner, size, inner, k};
  if (rows.count == 0) return;
  KILN_CHECK(k >= 1 && k <= size && size <= INT32_MAX, "CUDA top-k: k ", k, " of rows of ", size);
  if (k == 1) {
    int64_t dims[3] = {outer, size, inner};
    red::Reduction r = red::make_reduction(dims, 3, 2u);
    red::Launch l = red::choose_launch(r, true);
    size_t need = red::partials_bytes(r, l, sizeof(typename ArgBest<T>::Acc));
    KILN_CHECK(need == 0 || (workspace != nullptr && workspace_size >= need), "CUDA top-1 needs ",
               need, " bytes of workspace, got ", workspace_size);
    ArgBest<T> op{x, values, indices, inner, largest, {}};
    op.parts = {static_cast<typename ArgBest<T>::Acc*>(workspace), r.outputs, l.splits};
    red::run(op, r, l, stream);
    return;
  }
  const int64_t entry = static_cast<int64_t>(sizeof(K) + sizeof(int32_t));
  if (size <= 32) {
    int32_t width = static_cast<int32_t>(pow2_at_least(size));
    int64_t per_block = kWarpRowThreads / width;
    sort_rows_warp<T><<<red::capped_blocks((rows.count + per_block - 1) / per_block),
                        kWarpRowThreads, 0, stream>>>(x, values, indices, rows, width, largest);
  } else if (size <= sort_capacity<T>()) {
    int64_t n = pow2_at_least(size);
    int32_t threads = static_cast<int32_t>(n / 2 > kSortThreads ? kSortThreads : n / 2);
    sort_rows<T>
        <<<red::capped_blocks(rows.count), threads, static_cast<size_t>(n * entry), stream>>>(
            x, values, indices, rows, n, largest);
  } else if (k <= sort_capacity<T>()) {
    int64_t n = pow2_at_least(k);
    select_rows<T>
        <<<red::capped_blocks(rows.count), kSortThreads, static_cast<size_t>(n * entry), stream>>>(
            x, values, indices, rows, n, largest);
  } else {
    int64_t n = pow2_at_least(size);
    int64_t slot = n * entry;
    size_t bytes = global_sort_bytes(rows.count, slot);
    KILN_CHECK(workspace != nullptr && workspace_size >= bytes, "CUDA top-k sort needs ", bytes,
               " bytes of workspace, got ", workspace_size);
    int64_t slots = static_cast<int64_t>(bytes) / slot;
    if (slots > rows.count) slots = rows.count;
    sort_rows_global<T><<<red::capped_blocks(slots), kGlobalThreads, 0, stream>>>(
        x, values, indices, rows, n, largest, static_cast<unsigned char*>(workspace),
        static_cast<size_t>(slot));
  }
  KILN_CUDA_CHECK_LAUNCH();
}

// Calls fn(T{}) with the device storage type of a type top-k accepts.
template <typename Fn>
void dispatch_topk(DataType type, Fn&& fn) {
  switch (type) {
    case DataType::kFLOAT:
      return fn(float{});
    case DataType::kHALF:
      return fn(__half{});
    case DataType::kBF16:
      return fn(__nv_bfloat16{});
    case DataType::kINT32:
      return fn(int32_t{});
    case DataType::kINT64:
      return fn(int64_t{});
    default:
      break;
  }
  fail("CUDA top-k kernel: unsupported type ", type);
}

}  // namespace

size_t topk_workspace_size(DataType type, int64_t outer, int64_t size, int64_t inner, int64_t k) {
  size_t bytes = 0;
  dispatch_topk(type,
                [&](auto tag) { bytes = workspace_for<decltype(tag)>(outer, size, inner, k); });
  return bytes;
}

void launch_topk(DataType type, bool largest, const void* x, void* values, int32_t* indices,
                 int64_t outer, int64_t size, int64_t inner, int64_t k, void* workspace,
                 size_t workspace_size, cudaStream_t stream) {
  dispatch_topk(type, [&](auto tag) {
    using T = decltype(tag);
    topk_as<T>(largest, static_cast<const T*>(x), static_cast<T*>(values), indices, outer, size,
               inner, k, workspace, workspace_size, stream);
  });
}

}  // namespace kiln::cuda
