// Data-movement kernels: strided copy, tiled transpose, row concatenation and gather, moving whole
// elements of 1 to 16 bytes (never converting), with 32-bit index math when everything fits.
#include "backends/cuda/kernels/movement.h"

#include <cstdlib>

#include "backends/cuda/check.h"
#include "core/error.h"

namespace kiln::cuda {

namespace {

constexpr int kThreads = 256;
constexpr int kTile = 32;             // the transpose tile is kTile x kTile elements
constexpr int kTileRows = 8;          // a tile block is kTile x kTileRows threads
constexpr int64_t kMinTileSide = 16;  // narrower transposes waste most of a tile: strided copy
// Index math runs in int32 when every flat index and offset stays below this (with room for
// the grid stride, at most 2^28, on top).
constexpr int64_t kInt32Limit = int64_t{1} << 30;

// Calls fn(T{}) with an unsigned type of `size` bytes (uint4 for 16).
template <typename Fn>
void by_size(int64_t size, Fn&& fn) {
  switch (size) {
    case 1:
      fn(uint8_t{});
      return;
    case 2:
      fn(uint16_t{});
      return;
    case 4:
      fn(uint32_t{});
      return;
    case 8:
      fn(uint64_t{});
      return;
    case 16:
      fn(uint4{});
      return;
  }
  fail("[cuda movement] unsupported element size ", size);
}

// The widest move (up to 16 bytes, at least `element_size`) that every value in `byte_bits`
// (an OR of addresses, row lengths and strides in bytes) is a multiple of.
int64_t widest_move(int64_t element_size, uint64_t byte_bits) {
  int64_t width = 16;
  while (width > element_size && (byte_bits & static_cast<uint64_t>(width - 1)) != 0) width /= 2;
  return width > element_size ? width : element_size;
}

uint64_t address_bits(const void* p) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p));
}

unsigned int blocks_for(int64_t work, int64_t per_block) {
  int64_t blocks = (work + per_block - 1) / per_block;
  if (blocks < 1) blocks = 1;
  if (blocks > (int64_t{1} << 20)) blocks = int64_t{1} << 20;
  return static_cast<unsigned int>(blocks);
}

// ---- strided copy ----------------------------------------------------------------------------

template <typename Index>
struct View {
  int32_t rank = 0;
  Index dims[kMaxRank] = {};
  Index strides[kMaxRank] = {};
};

// dst[i] = src[offset of i under view], i in output (row-major) order: writes are coalesced.
template <typename T, typename Index>
__global__ void strided_copy_kernel(T* __restrict__ dst, const T* __restrict__ src,
                                    View<Index> view, Index n) {
  Index step = static_cast<Index>(gridDim.x) * static_cast<Index>(blockDim.x);
  for (Index i = static_cast<Index>(blockIdx.x) * static_cast<Index>(blockDim.x) +
                 static_cast<Index>(threadIdx.x);
       i < n; i += step) {
    Index rest = i;
    Index offset = 0;
#pragma unroll
    for (int d = kMaxRank - 1; d >= 0; --d) {
      if (d < view.rank) {
        Index q = rest / view.dims[d];
        offset += (rest - q * view.dims[d]) * view.strides[d];
        rest = q;
      }
    }
    dst[i] = src[offset];
  }
}

template <typename T, typename Index>
void launch_strided_copy(void* dst, const void* src, const StridedShape& s, int64_t n,
                         cudaStream_t stream) {
  View<Index> view;
  view.rank = s.rank;
  for (int32_t d = 0; d < s.rank; ++d) {
    view.dims[d] = static_cast<Index>(s.dims[d]);
    view.strides[d] = static_cast<Index>(s.strides[d]);
  }
  strided_copy_kernel<T, Index><<<grid_for(n, kThreads), kThreads, 0, stream>>>(
      static_cast<T*>(dst), static_cast<const T*>(src), view, static_cast<Index>(n));
  KILN_CUDA_CHECK_LAUNCH();
}

// ---- tiled transpose -------------------------------------------------------------------------

// A view whose dim `a` is contiguous in src and whose last dim `b` is contiguous in the (dense)
// dst; every other dim is a batch dim with its src and dst strides.
struct TileView {
  int64_t n_a = 0, n_b = 0;
  int64_t src_a = 0, src_b = 0;  // element strides in src
  int64_t dst_a = 0;             // element stride of a in dst (b's is 1)
  int64_t tiles_a = 0, tiles_b = 0, num_tiles = 0;
  int32_t batch_rank = 0;
  int64_t batch_dims[kMaxRank] = {};
  int64_t batch_src[kMaxRank] = {};
  int64_t batch_dst[kMaxRank] = {};
};

// One block per kTile x kTile tile (grid-stride over tiles): reads along a and writes along b
// are both coalesced; the padded shared tile keeps the column reads free of bank conflicts.
template <typename T>
__global__ void __launch_bounds__(kTile* kTileRows)
    tiled_transpose_kernel(T* __restrict__ dst, const T* __restrict__ src, TileView v) {
  __shared__ T tile[kTile][kTile + 1];
  for (int64_t t = blockIdx.x; t < v.num_tiles; t += gridDim.x) {
    int64_t rest = t;
    int64_t b0 = (rest % v.tiles_b) * kTile;
    rest /= v.tiles_b;
    int64_t a0 = (rest % v.tiles_a) * kTile;
    rest /= v.tiles_a;
    int64_t src_base = 0, dst_base = 0;
    for (int32_t d = v.batch_rank - 1; d >= 0; --d) {
      int64_t q = rest / v.batch_dims[d];
      int64_t r = rest - q * v.batch_dims[d];
      src_base += r * v.batch_src[d];
      dst_base += r * v.batch_dst[d];
      rest = q;
    }
    // tile[j][x] holds the element at (a0 + x, b0 + j).
    int64_t a = a0 + threadIdx.x;
    for (int j = threadIdx.y; j < kTile; j += kTileRows) {
      int64_t b = b0 + j;
      if (a < v.n_a && b < v.n_b) tile[j][threadIdx.x] = src[src_base + a * v.src_a + b * v.src_b];
    }
    __syncthreads();
    int64_t b = b0 + threadIdx.x;
    for (int j = threadIdx.y; j < kTile; j += kTileRows) {
      int64_t a_out = a0 + j;
      if (a_out < v.n_a && b < v.n_b) dst[dst_base + a_out * v.dst_a + b] = tile[threadIdx.x][j];
    }
    __syncthreads();  // the tile is refilled by the next iteration
  }
}

// `s` is simplified, its last dim has a stride other than 1 and dim k is the tile's a.
void launch_tiled_transpose(void* dst, const void* src, int64_t element_size, const StridedShape& s,
                            int32_t k, cudaStream_t stream) {
  int64_t dense[kMaxRank];
  int64_t stride = 1;
  for (int32_t d = s.rank - 1; d >= 0; --d) {
    dense[d] = stride;
    stride *= s.dims[d];
  }
  TileView v;
  int32_t last = s.rank - 1;
  v.n_a = s.dims[k];
  v.n_b = s.dims[last];
  v.src_a = s.strides[k];
  v.src_b = s.strides[last];
  v.dst_a = dense[k];
  int64_t batch = 1;
  for (int32_t d = 0; d < last; ++d) {
    if (d == k) continue;
    v.batch_dims[v.batch_rank] = s.dims[d];
    v.batch_src[v.batch_rank] = s.strides[d];
    v.batch_dst[v.batch_rank] = dense[d];
    ++v.batch_rank;
    batch *= s.dims[d];
  }
  v.tiles_a = (v.n_a + kTile - 1) / kTile;
  v.tiles_b = (v.n_b + kTile - 1) / kTile;
  v.num_tiles = v.tiles_a * v.tiles_b * batch;
  dim3 block(kTile, kTileRows);
  by_size(element_size, [&](auto tag) {
    using T = decltype(tag);
    tiled_transpose_kernel<T><<<blocks_for(v.num_tiles, 1), block, 0, stream>>>(
        static_cast<T*>(dst), static_cast<const T*>(src), v);
    KILN_CUDA_CHECK_LAUNCH();
  });
}

// ---- concatenation ---------------------------------------------------------------------------

struct ConcatGroup {
  int32_t count = 0;
  const void* src[kMaxConcatInputs] = {};
  int64_t end[kMaxConcatInputs] = {};  // running sum of the widths within the group
};

// dst[o * dst_row + dst_offset + r] for r in [0, group width): the input whose columns hold r.
template <typename T, typename Index>
__global__ void concat_kernel(T* __restrict__ dst, ConcatGroup group, Index outer, Index dst_row,
                              Index dst_offset) {
  Index width = static_cast<Index>(group.end[group.count - 1]);
  Index n = outer * width;
  Index step = static_cast<Index>(gridDim.x) * static_cast<Index>(blockDim.x);
  for (Index i = static_cast<Index>(blockIdx.x) * static_cast<Index>(blockDim.x) +
                 static_cast<Index>(threadIdx.x);
       i < n; i += step) {
    Index o = i / width;
    Index r = i - o * width;
    int j = 0;
    while (j < group.count - 1 && r >= static_cast<Index>(group.end[j])) ++j;
    Index begin = j == 0 ? Index{0} : static_cast<Index>(group.end[j - 1]);
    Index w = static_cast<Index>(group.end[j]) - begin;
    const T* src = static_cast<const T*>(group.src[j]);
    dst[o * dst_row + dst_offset + r] = src[o * w + (r - begin)];
  }
}

// ---- gather ----------------------------------------------------------------------------------

// dst[o, j, k] = src[o, indices[j], k], or zero when indices[j] is out of range.
template <typename T, typename I, typename Index>
__global__ void gather_kernel(T* __restrict__ dst, const T* __restrict__ src,
                              const I* __restrict__ indices, int64_t axis_size, Index num_indices,
                              Index inner, Index n) {
  Index step = static_cast<Index>(gridDim.x) * static_cast<Index>(blockDim.x);
  for (Index i = static_cast<Index>(blockIdx.x) * static_cast<Index>(blockDim.x) +
                 static_cast<Index>(threadIdx.x);
       i < n; i += step) {
    Index k = i % inner;
    Index rest = i / inner;
    Index j = rest % num_indices;
    Index o = rest / num_indices;
    int64_t p = static_cast<int64_t>(indices[j]);
    if (p < 0) p += axis_size;
    T value{};
    if (p >= 0 && p < axis_size) {
      value = src[(o * static_cast<Index>(axis_size) + static_cast<Index>(p)) * inner + k];
    }
    dst[i] = value;
  }
}

}  // namespace

void strided_copy(void* dst, const void* src, int64_t element_size, const StridedShape& view,
                  cudaStream_t stream) {
  // Drop size-1 dims; merge a dim into the one before it when together they step evenly.
  StridedShape s;
  for (int32_t d = 0; d < view.rank; ++d) {
    int64_t n = view.dims[d];
    if (n == 0) return;
    if (n == 1) continue;
    if (s.rank > 0 && s.strides[s.rank - 1] == view.strides[d] * n) {
      s.dims[s.rank - 1] *= n;
      s.strides[s.rank - 1] = view.strides[d];
    } else {
      s.dims[s.rank] = n;
      s.strides[s.rank] = view.strides[d];
      ++s.rank;
    }
  }
  int64_t n = 1;
  for (int32_t d = 0; d < s.rank; ++d) n *= s.dims[d];
  if (s.rank == 0 || (s.rank == 1 && s.strides[0] == 1)) {
    if (dst != src) {
      KILN_CUDA_CHECK(cudaMemcpyAsync(dst, src, static_cast<size_t>(n * element_size),
                                      cudaMemcpyDeviceToDevice, stream));
    }
    return;
  }

  int32_t last = s.rank - 1;
  if (s.strides[last] != 1 && s.dims[last] >= kMinTileSide) {
    for (int32_t k = 0; k < last; ++k) {
      if (s.strides[k] == 1 && s.dims[k] >= kMinTileSide) {
        launch_tiled_transpose(dst, src, element_size, s, k, stream);
        return;
      }
    }
  }

  // Rows contiguous in src: move several elements at once where addresses and strides allow.
  if (s.strides[last] == 1) {
    uint64_t bits =
        address_bits(dst) | address_bits(src) | static_cast<uint64_t>(s.dims[last] * element_size);
    for (int32_t d = 0; d < last; ++d) bits |= static_cast<uint64_t>(s.strides[d] * element_size);
    int64_t width = widest_move(element_size, bits);
    int64_t factor = width / element_size;
    if (factor > 1) {
      s.dims[last] /= factor;
      for (int32_t d = 0; d < last; ++d) s.strides[d] /= factor;
      n /= factor;
      element_size = width;
    }
  }

  int64_t reach = 0;  // the largest |offset| any index reaches
  for (int32_t d = 0; d < s.rank; ++d) reach += std::llabs(s.strides[d]) * (s.dims[d] - 1);
  bool small = n <= kInt32Limit && reach < kInt32Limit;
  by_size(element_size, [&](auto tag) {
    using T = decltype(tag);
    if (small) {
      launch_strided_copy<T, int32_t>(dst, src, s, n, stream);
    } else {
      launch_strided_copy<T, int64_t>(dst, src, s, n, stream);
    }
  });
}

void concat_rows(void* dst, int64_t dst_row, int64_t dst_offset, const ConcatInput* inputs,
                 int32_t num_inputs, int64_t outer, int64_t element_size, cudaStream_t stream) {
  KILN_CHECK(num_inputs <= kMaxConcatInputs, "concat_rows takes at most ", kMaxConcatInputs,
             " inputs per call, got ", num_inputs);
  if (outer == 0) return;
  auto* out = static_cast<uint8_t*>(dst);
  if (outer == 1) {  // each input is one contiguous block of the output
    int64_t offset = dst_offset;
    for (int32_t i = 0; i < num_inputs; ++i) {
      if (inputs[i].width == 0) continue;
      KILN_CUDA_CHECK(cudaMemcpyAsync(out + offset * element_size, inputs[i].data,
                                      static_cast<size_t>(inputs[i].width * element_size),
                                      cudaMemcpyDeviceToDevice, stream));
      offset += inputs[i].width;
    }
    return;
  }

  ConcatGroup group;
  uint64_t bits = address_bits(dst) | static_cast<uint64_t>(dst_row * element_size) |
                  static_cast<uint64_t>(dst_offset * element_size);
  int64_t width = 0;
  for (int32_t i = 0; i < num_inputs; ++i) {
    if (inputs[i].width == 0) continue;
    bits |= address_bits(inputs[i].data) | static_cast<uint64_t>(inputs[i].width * element_size);
    width += inputs[i].width;
    group.src[group.count] = inputs[i].data;
    group.end[group.count] = width;
    ++group.count;
  }
  if (group.count == 0) return;
  int64_t move = widest_move(element_size, bits);
  int64_t factor = move / element_size;
  for (int32_t j = 0; j < group.count; ++j) group.end[j] /= factor;
  int64_t row = dst_row / factor, offset = dst_offset / factor;
  int64_t n = outer * (width / factor);
  bool small = outer * row <= kInt32Limit;
  by_size(move, [&](auto tag) {
    using T = decltype(tag);
    if (small) {
      concat_kernel<T, int32_t><<<grid_for(n, kThreads), kThreads, 0, stream>>>(
          static_cast<T*>(dst), group, static_cast<int32_t>(outer), static_cast<int32_t>(row),
          static_cast<int32_t>(offset));
    } else {
      concat_kernel<T, int64_t><<<grid_for(n, kThreads), kThreads, 0, stream>>>(
          static_cast<T*>(dst), group, outer, row, offset);
    }
    KILN_CUDA_CHECK_LAUNCH();
  });
}

void gather(void* dst, const void* src, const void* indices, bool indices_int64, int64_t outer,
            int64_t axis_size, int64_t num_indices, int64_t inner, int64_t element_size,
            cudaStream_t stream) {
  int64_t n = outer * num_indices * inner;
  if (n == 0) return;
  uint64_t bits =
      address_bits(dst) | address_bits(src) | static_cast<uint64_t>(inner * element_size);
  int64_t move = widest_move(element_size, bits);
  inner /= move / element_size;
  n /= move / element_size;
  bool small = n <= kInt32Limit && outer * axis_size * inner <= kInt32Limit;
  by_size(move, [&](auto tag) {
    using T = decltype(tag);
    auto launch = [&](auto index_tag) {
      using Index = decltype(index_tag);
      unsigned int blocks = grid_for(n, kThreads);
      if (indices_int64) {
        gather_kernel<T, int64_t, Index><<<blocks, kThreads, 0, stream>>>(
            static_cast<T*>(dst), static_cast<const T*>(src), static_cast<const int64_t*>(indices),
            axis_size, static_cast<Index>(num_indices), static_cast<Index>(inner),
            static_cast<Index>(n));
      } else {
        gather_kernel<T, int32_t, Index><<<blocks, kThreads, 0, stream>>>(
            static_cast<T*>(dst), static_cast<const T*>(src), static_cast<const int32_t*>(indices),
            axis_size, static_cast<Index>(num_indices), static_cast<Index>(inner),
            static_cast<Index>(n));
      }
      KILN_CUDA_CHECK_LAUNCH();
    };
    if (small) {
      launch(int32_t{});
    } else {
      launch(int64_t{});
    }
  });
}

}  // namespace kiln::cuda
