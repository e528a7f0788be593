// The reduction engine under softmax, reduce, normalization statistics and top-1: a dense tensor
// seen as outputs x reduced elements, and three kernels that fold each output's elements with an
// op.
//
// An op (a small struct passed by value) says how: Acc is its accumulator; init(base) starts one
// output whose first element is at `base`; add(acc, offset, j) folds in reduced element j (at
// `offset` in the input); combine(a, b) merges two accumulators in any order. Then either
// kElementwise ops (softmax) get finalize(acc) once and apply(offset, final) for every element
// again, or the rest write(o, base, acc) one result per output, or, when the reduced elements are
// split across blocks, store partial accumulators that combine_splits folds and writes.
#pragma once

#include <cstdint>

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/common.cuh"
#include "core/error.h"
#include "kiln/types.h"

namespace kiln::cuda::red {

constexpr int32_t kThreads = 256;  // every reduction kernel runs blocks of 256 threads

// Element (o, j) of the input is at offset_in(o, kept) + offset_in(j, reduced): kept are the
// output's dims (row-major output order), reduced the dims folded into each output.
struct Reduction {
  StridedShape kept;
  StridedShape reduced;
  int64_t outputs = 1;  // product of the kept dims
  int64_t count = 1;    // product of the reduced dims: elements per output
};

// The dense row-major tensor dims[0, rank) (rank <= 16) with the dims in bitmask `reduced_axes`
// reduced. Size-1 dims are dropped and neighbours of the same kind merged first; fails
// (kiln::Error) if either side still has more than kMaxRank dims.
Reduction make_reduction(const int64_t* dims, int32_t rank, uint64_t reduced_axes);

// How a Reduction is launched. kRowsWarp: `group` lanes (a power of two <= 32) per output, for
// short rows; kRowsBlock: a block per output; kColumns: a block covers `group` consecutive outputs
// with 256 / group threads along the reduced elements of each (when the innermost input dim is
// kept, so neighbouring threads read neighbouring elements). `splits` blocks share each output's
// elements, `chunk` each (splits > 1 needs a partials workspace and a combine pass).
struct Launch {
  enum Kind { kRowsWarp, kRowsBlock, kColumns } kind = kRowsWarp;
  int32_t group = 1;
  int32_t splits = 1;
  int64_t chunk = 0;
};
Launch choose_launch(const Reduction& r, bool allow_splits);

// Where an op with splits > 1 keeps its partial accumulators: data[split * outputs + o].
template <typename Acc>
struct Partials {
  Acc* data = nullptr;
  int64_t outputs = 0;
  int32_t splits = 1;
};

// i / n and i % n, in 32-bit arithmetic when both fit (a 64-bit division is several times slower).
__device__ __forceinline__ int64_t div_mod(int64_t i, int64_t n, int64_t& rem) {
  int64_t q = ((i | n) >> 32) == 0 ? static_cast<uint32_t>(i) / static_cast<uint32_t>(n) : i / n;
  rem = i - q * n;
  return q;
}

// strided_offset, without a division for the outermost dim (i is below its size).
__device__ __forceinline__ int64_t offset_in(int64_t i, const StridedShape& s) {
  int64_t off = 0;
  for (int32_t d = s.rank - 1; d > 0; --d) {
    int64_t rem;
    i = div_mod(i, s.dims[d], rem);
    off += rem * s.strides[d];
  }
  return s.rank > 0 ? off + i * s.strides[0] : 0;
}

// Lane-xor shuffle of any trivially copyable value of whole 32-bit words.
template <typename T>
__device__ __forceinline__ T shfl_xor(const T& v, int32_t lane_mask) {
  static_assert(sizeof(T) % 4 == 0, "shuffled values are made of 32-bit words");
  constexpr int32_t kWords = sizeof(T) / 4;
  union {
    T value;
    int32_t words[kWords];
  } u;
  u.value = v;
  for (int32_t i = 0; i < kWords; ++i)
    u.words[i] = __shfl_xor_sync(0xffffffffu, u.words[i], lane_mask);
  return u.value;
}

// Every lane of each aligned group of `group` lanes ends with the group's combined value. All 32
// lanes of the warp must call it.
template <class Op>
__device__ __forceinline__ typename Op::Acc combine_lanes(typename Op::Acc a, int32_t group) {
  for (int32_t mask = group >> 1; mask > 0; mask >>= 1) a = Op::combine(a, shfl_xor(a, mask));
  return a;
}

// The end of one output (or one split of it), called by each thread of the output's group after
// the combine: elementwise ops rewrite the elements the thread read; the others store one result.
template <class Op>
__device__ __forceinline__ void finish(const Op& op, const Reduction& r, int64_t o, int64_t base,
                                       int32_t split, const typename Op::Acc& a, int64_t first,
                                       int64_t end, int64_t step, bool leader) {
  if constexpr (Op::kElementwise) {
    auto f = op.finalize(a);
    for (int64_t j = first; j < end; j += step) op.apply(base + offset_in(j, r.reduced), f);
  } else if (leader) {
    if (op.parts.splits > 1) {
      op.parts.data[static_cast<int64_t>(split) * op.parts.outputs + o] = a;
    } else {
      op.write(o, base, a);
    }
  }
}

// Aligned storage for a few accumulators in shared memory (Acc may not be default-constructible
// as a __shared__ variable).
template <typename Acc, int32_t N>
struct alignas(16) SharedAccs {
  unsigned char bytes[N * sizeof(Acc)];
  __device__ Acc* get() { return reinterpret_cast<Acc*>(bytes); }
};

template <class Op>
__global__ void __launch_bounds__(kThreads)
    rows_warp(Op op, Reduction r, int32_t group, int64_t chunk) {
  const int32_t per_block = kThreads / group;
  const int32_t lane = threadIdx.x & (group - 1);
  const int32_t split = blockIdx.y;
  const int64_t begin = split * chunk;
  const int64_t end = begin + chunk < r.count ? begin + chunk : r.count;
  for (int64_t first = static_cast<int64_t>(blockIdx.x) * per_block; first < r.outputs;
       first += static_cast<int64_t>(gridDim.x) * per_block) {
    const int64_t o = first + threadIdx.x / group;
    const bool valid = o < r.outputs;
    const int64_t base = valid ? offset_in(o, r.kept) : 0;
    typename Op::Acc a = op.init(base);
    if (valid) {
      for (int64_t j = begin + lane; j < end; j += group)
        op.add(a, base + offset_in(j, r.reduced), j);
    }
    a = combine_lanes<Op>(a, group);  // the whole warp, valid or not
    if (valid) finish(op, r, o, base, split, a, begin + lane, end, group, lane == 0);
  }
}

template <class Op>
__global__ void __launch_bounds__(kThreads) rows_block(Op op, Reduction r, int64_t chunk) {
  using Acc = typename Op::Acc;
  constexpr int32_t kWarps = kThreads / 32;
  __shared__ SharedAccs<Acc, kWarps> shared;
  Acc* warp_accs = shared.get();
  const int32_t split = blockIdx.y;
  const int64_t begin = split * chunk;
  const int64_t end = begin + chunk < r.count ? begin + chunk : r.count;
  for (int64_t o = blockIdx.x; o < r.outputs; o += gridDim.x) {
    const int64_t base = offset_in(o, r.kept);
    Acc a = op.init(base);
    for (int64_t j = begin + threadIdx.x; j < end; j += kThreads)
      op.add(a, base + offset_in(j, r.reduced), j);
    a = combine_lanes<Op>(a, 32);
    if ((threadIdx.x & 31) == 0) warp_accs[threadIdx.x / 32] = a;
    __syncthreads();
    // Every thread folds the warp results in the same order, so all hold the same value.
    a = warp_accs[0];
    for (int32_t w = 1; w < kWarps; ++w) a = Op::combine(a, warp_accs[w]);
    __syncthreads();  // warp_accs is rewritten for the next output
    finish(op, r, o, base, split, a, begin + threadIdx.x, end, kThreads, threadIdx.x == 0);
  }
}

// Thread t handles output first + t % group and the elements j = begin + t / group (mod 256/group).
template <class Op>
__global__ void __launch_bounds__(kThreads)
    columns(Op op, Reduction r, int32_t group, int64_t chunk) {
  using Acc = typename Op::Acc;
  __shared__ SharedAccs<Acc, kThreads> shared;
  Acc* accs = shared.get();
  const int32_t x = threadIdx.x & (group - 1);
  const int32_t y = threadIdx.x / group;
  const int32_t rows = kThreads / group;
  const int32_t split = blockIdx.y;
  const int64_t begin = split * chunk;
  const int64_t end = begin + chunk < r.count ? begin + chunk : r.count;
  for (int64_t first = static_cast<int64_t>(blockIdx.x) * group; first < r.outputs;
       first += static_cast<int64_t>(gridDim.x) * group) {
    const int64_t o = first + x;
    const bool valid = o < r.outputs;
    const int64_t base = valid ? offset_in(o, r.kept) : 0;
    Acc a = op.init(base);
    if (valid) {
      for (int64_t j = begin + y; j < end; j += rows) op.add(a, base + offset_in(j, r.reduced), j);
    }
    accs[threadIdx.x] = a;
    __syncthreads();
    for (int32_t half = rows >> 1; half > 0; half >>= 1) {
      if (y < half)
        accs[threadIdx.x] = Op::combine(accs[threadIdx.x], accs[threadIdx.x + half * group]);
      __syncthreads();
    }
    a = accs[x];
    __syncthreads();  // accs is rewritten for the next outputs
    if (valid) finish(op, r, o, base, split, a, begin + y, end, rows, y == 0);
  }
}

template <class Op>
__global__ void combine_splits(Op op, Reduction r) {
  const Partials<typename Op::Acc>& p = op.parts;
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < r.outputs;
       o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    typename Op::Acc a = p.data[o];
    for (int32_t s = 1; s < p.splits; ++s) a = Op::combine(a, p.data[s * p.outputs + o]);
    op.write(o, offset_in(o, r.kept), a);
  }
}

// Blocks along x: the kernels loop over what a capped grid does not cover.
inline unsigned int capped_blocks(int64_t n) {
  constexpr int64_t kMaxBlocks = 65535LL * 16;
  return static_cast<unsigned int>(n < 1 ? 1 : (n < kMaxBlocks ? n : kMaxBlocks));
}

// Runs `op` over `r` as `l` says. Launches nothing when there are no outputs. With l.splits > 1,
// op.parts must hold outputs * splits accumulators (see partials_bytes).
template <class Op>
void run(const Op& op, const Reduction& r, const Launch& l, cudaStream_t stream) {
  if (r.outputs == 0) return;
  dim3 grid(1, static_cast<unsigned int>(l.splits));
  switch (l.kind) {
    case Launch::kRowsWarp: {
      int64_t per_block = kThreads / l.group;
      grid.x = capped_blocks((r.outputs + per_block - 1) / per_block);
      rows_warp<Op><<<grid, kThreads, 0, stream>>>(op, r, l.group, l.chunk);
      break;
    }
    case Launch::kRowsBlock:
      grid.x = capped_blocks(r.outputs);
      rows_block<Op><<<grid, kThreads, 0, stream>>>(op, r, l.chunk);
      break;
    case Launch::kColumns:
      grid.x = capped_blocks((r.outputs + l.group - 1) / l.group);
      columns<Op><<<grid, kThreads, 0, stream>>>(op, r, l.group, l.chunk);
      break;
  }
  KILN_CUDA_CHECK_LAUNCH();
  if constexpr (!Op::kElementwise) {
    if (l.splits > 1) {
      combine_splits<Op><<<grid_for(r.outputs), kThreads, 0, stream>>>(op, r);
      KILN_CUDA_CHECK_LAUNCH();
    }
  }
}

// Calls fn(T{}) with the device storage type of a float type (float32, float16, bfloat16).
template <typename Fn>
void dispatch_float(DataType type, const char* what, Fn&& fn) {
  switch (type) {
    case DataType::kFLOAT:
      return fn(float{});
    case DataType::kHALF:
      return fn(__half{});
    case DataType::kBF16:
      return fn(__nv_bfloat16{});
    default:
      break;
  }
  fail("CUDA ", what, " kernel: unsupported type ", type);
}

// Workspace bytes for the partial accumulators of `l` (0 without splits).
inline size_t partials_bytes(const Reduction& r, const Launch& l, size_t acc_size) {
  return l.splits > 1 ? static_cast<size_t>(r.outputs) * static_cast<size_t>(l.splits) * acc_size
                      : 0;
}

// choose_launch keeps outputs * splits below this, and below numel / 64 (a split needs more than
// 128 elements per output and rounds up at most twofold).
constexpr int64_t kMaxPartials = 32768;

// Workspace bytes that cover partials_bytes of every reduction of at most `numel` elements. It
// grows with numel, so the size planned at a profile's max shapes covers all smaller shapes
// (the exact partials_bytes does not: fewer outputs may mean more splits).
inline size_t partials_capacity(int64_t numel, size_t acc_size) {
  int64_t entries = numel / 64 < kMaxPartials ? numel / 64 : kMaxPartials;
  return entries >= 2 ? static_cast<size_t>(entries) * acc_size : 0;
}

}  // namespace kiln::cuda::red
