// CUDA kernels of ReduceLayer and SoftMaxLayer, and the host side of the reduction engine of
// reduction.cuh, with the CPU references' numerics (backends/cpu/{reduce,softmax}.cpp).
//
// Reduce accumulates floats in double like the CPU, so sums with cancellation agree to the last
// float bit in all but rounding-boundary cases. Softmax keeps an online (max, sum of exp) pair in
// float32 and writes in a second pass over the row (a second kernel when long rows of few outputs
// are split across blocks).
#include <cmath>
#include <type_traits>

#include "backends/cuda/kernels/reduction.cuh"
#include "backends/cuda/kernels/reduction.h"
#include "core/error.h"

namespace kiln::cuda {

namespace red {

Reduction make_reduction(const int64_t* dims, int32_t rank, uint64_t reduced_axes) {
  KILN_CHECK(rank >= 0 && rank <= 16, "reduction over ", rank, " dims");
  int64_t strides[16];
  int64_t stride = 1;
  for (int32_t i = rank - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= dims[i];
  }
  Reduction r;
  int32_t last = -1;  // kind of the previous dim kept in the shapes: 0 kept, 1 reduced
  for (int32_t i = 0; i < rank; ++i) {
    if (dims[i] == 1) continue;
    int32_t kind = static_cast<int32_t>((reduced_axes >> i) & 1u);
    StridedShape& s = kind ? r.reduced : r.kept;
    if (kind == last) {  // a dense neighbour of the same kind: one dim
      s.dims[s.rank - 1] *= dims[i];
      s.strides[s.rank - 1] = strides[i];
    } else {
      if (s.rank == kMaxRank)
        fail("CUDA reduction: more than ", kMaxRank, " separate dims to ",
             kind ? "reduce" : "keep");
      s.dims[s.rank] = dims[i];
      s.strides[s.rank] = strides[i];
      ++s.rank;
    }
    last = kind;
  }
  for (int32_t i = 0; i < r.kept.rank; ++i) r.outputs *= r.kept.dims[i];
  for (int32_t i = 0; i < r.reduced.rank; ++i) r.count *= r.reduced.dims[i];
  return r;
}

namespace {

int64_t pow2_at_least(int64_t n) {
  int64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

Launch choose_launch(const Reduction& r, bool allow_splits) {
  constexpr int64_t kTargetBlocks = 512;  // below this many blocks, big reductions are split
  constexpr int64_t kMaxSplits = 1024;
  Launch l;
  l.chunk = r.count;
  if (r.count <= 1) return l;  // a copy (or identities): one thread per output
  bool rows = r.reduced.rank > 0 && r.reduced.strides[r.reduced.rank - 1] == 1;
  int64_t blocks = 0, min_chunk = 0;
  if (rows && r.count <= 1024) {  // about 8 elements a lane: loads in flight, few shuffles
    int64_t lanes = pow2_at_least(ceil_div(r.count, 8));
    l.group = static_cast<int32_t>(lanes < 32 ? lanes : 32);
    return l;
  }
  if (rows) {
    l.kind = Launch::kRowsBlock;
    blocks = r.outputs;
    min_chunk = 16 * kThreads;
  } else {
    l.kind = Launch::kColumns;
    int64_t count2 = pow2_at_least(r.count);
    int64_t across = pow2_at_least(r.outputs) < 32 ? pow2_at_least(r.outputs) : 32;
    int64_t along = kThreads / across < count2 ? kThreads / across : count2;
    // Few outputs: narrower blocks (down to 4 outputs, 16 bytes of float32) make more of them.
    while (across > 4 && ceil_div(r.outputs, across) < kTargetBlocks && along < count2) {
      across /= 2;
      along = kThreads / across < count2 ? kThreads / across : count2;
    }
    l.group = static_cast<int32_t>(kThreads / along);
    blocks = ceil_div(r.outputs, l.group);
    min_chunk = 16 * along;
  }
  if (allow_splits && r.outputs > 0 && blocks < kTargetBlocks && r.count > min_chunk) {
    int64_t splits = ceil_div(kTargetBlocks, blocks);
    if (splits > ceil_div(r.count, min_chunk)) splits = ceil_div(r.count, min_chunk);
    if (splits > kMaxSplits) splits = kMaxSplits;
    if (splits > kMaxPartials / r.outputs) splits = kMaxPartials / r.outputs;
    if (splits < 2) return l;
    l.chunk = ceil_div(r.count, splits);
    l.splits = static_cast<int32_t>(ceil_div(r.count, l.chunk));
  }
  return l;
}

}  // namespace red

namespace {

using red::dispatch_float;
using red::Launch;
using red::Partials;
using red::Reduction;

// ---- reduce ---------------------------------------------------------------------------------

template <typename T, ReduceOperation kOp>
struct FloatReduce {
  using Acc = double;
  static constexpr bool kElementwise = false;
  const T* x;
  T* y;
  double count;
  Partials<double> parts;

  __device__ double init(int64_t) const {
    if constexpr (kOp == ReduceOperation::kPROD) return 1.0;
    if constexpr (kOp == ReduceOperation::kMAX) return -INFINITY;
    if constexpr (kOp == ReduceOperation::kMIN) return INFINITY;
    return 0.0;
  }
  __device__ void add(double& a, int64_t offset, int64_t) const {
    a = combine(a, static_cast<double>(load_f32(x + offset)));
  }
  __device__ static double combine(double a, double b) {
    if constexpr (kOp == ReduceOperation::kPROD) {
      return a * b;
    } else if constexpr (kOp == ReduceOperation::kMAX || kOp == ReduceOperation::kMIN) {
      if (a != a) return a;  // NaN wins
      if (b != b) return b;
      return kOp == ReduceOperation::kMAX ? fmax(a, b) : fmin(a, b);
    } else {
      return a + b;
    }
  }
  __device__ void write(int64_t o, int64_t, double a) const {
    if constexpr (kOp == ReduceOperation::kAVG) a /= count;  // 0 / 0 = NaN for an empty average
    y[o] = from_f32<T>(static_cast<float>(a));               // via float32, as the CPU rounds
  }
};

// int32/int64: sum and prod in unsigned 64-bit arithmetic (wrapping, no signed overflow), the
// result truncated to T as the CPU does.
template <typename T, ReduceOperation kOp>
struct IntReduce {
  using Acc = long long;
  static constexpr bool kElementwise = false;
  const T* x;
  T* y;
  Partials<long long> parts;

  __device__ long long init(int64_t) const {
    if constexpr (kOp == ReduceOperation::kPROD) return 1;
    if constexpr (kOp == ReduceOperation::kMAX)
      return std::is_same_v<T, int32_t> ? INT32_MIN : INT64_MIN;
    if constexpr (kOp == ReduceOperation::kMIN)
      return std::is_same_v<T, int32_t> ? INT32_MAX : INT64_MAX;
    return 0;
  }
  __device__ void add(long long& a, int64_t offset, int64_t) const {
    a = combine(a, static_cast<long long>(x[offset]));
  }
  __device__ static long long combine(long long a, long long b) {
    using U = unsigned long long;
    if constexpr (kOp == ReduceOperation::kPROD)
      return static_cast<long long>(static_cast<U>(a) * static_cast<U>(b));
    if constexpr (kOp == ReduceOperation::kMAX) return a > b ? a : b;
    if constexpr (kOp == ReduceOperation::kMIN) return a < b ? a : b;
    return static_cast<long long>(static_cast<U>(a) + static_cast<U>(b));
  }
  __device__ void write(int64_t o, int64_t, long long a) const {
    y[o] = static_cast<T>(static_cast<unsigned long long>(a));
  }
};

template <typename Op>
void run_reduce(Op op, const Reduction& r, const Launch& l, void* workspace, cudaStream_t stream) {
  op.parts = {static_cast<typename Op::Acc*>(workspace), r.outputs, l.splits};
  red::run(op, r, l, stream);
}

template <typename T>
void reduce_float(ReduceOperation op, const T* x, T* y, const Reduction& r, const Launch& l,
                  void* ws, cudaStream_t stream) {
  double n = static_cast<double>(r.count);
  switch (op) {
    case ReduceOperation::kSUM:
      return run_reduce(FloatReduce<T, ReduceOperation::kSUM>{x, y, n, {}}, r, l, ws, stream);
    case ReduceOperation::kPROD:
      return run_reduce(FloatReduce<T, ReduceOperation::kPROD>{x, y, n, {}}, r, l, ws, stream);
    case ReduceOperation::kMAX:
      return run_reduce(FloatReduce<T, ReduceOperation::kMAX>{x, y, n, {}}, r, l, ws, stream);
    case ReduceOperation::kMIN:
      return run_reduce(FloatReduce<T, ReduceOperation::kMIN>{x, y, n, {}}, r, l, ws, stream);
    case ReduceOperation::kAVG:
      return run_reduce(FloatReduce<T, ReduceOperation::kAVG>{x, y, n, {}}, r, l, ws, stream);
  }
  fail("CUDA reduce kernel: unknown operation ", static_cast<int>(op));
}

template <typename T>
void reduce_int(ReduceOperation op, const T* x, T* y, const Reduction& r, const Launch& l, void* ws,
                cudaStream_t stream) {
  switch (op) {
    case ReduceOperation::kSUM:
      return run_reduce(IntReduce<T, ReduceOperation::kSUM>{x, y, {}}, r, l, ws, stream);
    case ReduceOperation::kPROD:
      return run_reduce(IntReduce<T, ReduceOperation::kPROD>{x, y, {}}, r, l, ws, stream);
    case ReduceOperation::kMAX:
      return run_reduce(IntReduce<T, ReduceOperation::kMAX>{x, y, {}}, r, l, ws, stream);
    case ReduceOperation::kMIN:
      return run_reduce(IntReduce<T, ReduceOperation::kMIN>{x, y, {}}, r, l, ws, stream);
    case ReduceOperation::kAVG:
      break;
  }
  fail("CUDA reduce kernel: operation ", static_cast<int>(op), " needs a float input");
}

// ---- softmax --------------------------------------------------------------------------------

// kFused: one kernel, each group's threads rewrite the elements they read. Otherwise the
// statistics only (written to `finals`, possibly through split partials), for softmax_apply.
template <typename T, bool kFused>
struct Softmax {
  struct Acc {
    float max;  // the largest element seen (NaN never is)
    float sum;  // sum of exp(element - max) over the elements seen
  };
  using Final = float2;  // (max, 1 / sum)
  static constexpr bool kElementwise = kFused;
  const T* x;
  T* y;
  Final* finals;
  Partials<Acc> parts;

  __device__ Acc init(int64_t) const { return {-INFINITY, 0.0f}; }
  __device__ void add(Acc& a, int64_t offset, int64_t) const {
    float v = load_f32(x + offset);
    if (v > a.max) {
      a.sum = a.sum * expf(a.max - v) + 1.0f;  // 0 * exp(-inf) = 0 for the first element
      a.max = v;
    } else if (v != -INFINITY) {
      a.sum += expf(v - a.max);  // NaN stays NaN from here on
    }
    // -inf adds exp(-inf) = 0 when the group's max is finite; otherwise finalize gives NaN anyway.
  }
  __device__ static float scaled(const Acc& a, float max) {
    return a.sum == 0.0f ? 0.0f : a.sum * expf(a.max - max);  // NaN sums stay NaN
  }
  __device__ static Acc combine(const Acc& a, const Acc& b) {
    float max = fmaxf(a.max, b.max);
    return {max, scaled(a, max) + scaled(b, max)};
  }
  // As the CPU: a group whose max is +inf (exp(inf - inf)) or -inf (all -inf) is NaN.
  __device__ Final finalize(const Acc& a) const {
    return make_float2(a.max, isinf(a.max) ? NAN : 1.0f / a.sum);
  }
  __device__ void apply(int64_t offset, const Final& f) const {
    y[offset] = from_f32<T>(expf(load_f32(x + offset) - f.x) * f.y);
  }
  __device__ void write(int64_t o, int64_t, const Acc& a) const { finals[o] = finalize(a); }
};

// The second pass of a split softmax: blocks as rows_block's, each rewriting its chunk of a row.
template <typename T>
__global__ void __launch_bounds__(red::kThreads)
    softmax_apply(Softmax<T, false> op, Reduction r, int64_t chunk) {
  const int64_t begin = static_cast<int64_t>(blockIdx.y) * chunk;
  const int64_t end = begin + chunk < r.count ? begin + chunk : r.count;
  for (int64_t o = blockIdx.x; o < r.outputs; o += gridDim.x) {
    const int64_t base = red::offset_in(o, r.kept);
    const float2 f = op.finals[o];
    for (int64_t j = begin + threadIdx.x; j < end; j += red::kThreads)
      op.apply(base + red::offset_in(j, r.reduced), f);
  }
}

// A softmax splits only long rows of few outputs (kRowsBlock, fewer than kTargetBlocks of them):
// the finals fit in kSoftmaxFinalsBytes, then come the partials.
constexpr size_t kSoftmaxFinalsBytes = 512 * sizeof(float2);

Launch softmax_launch(const Reduction& r) {
  Launch l = red::choose_launch(r, true);
  return l.kind == Launch::kRowsBlock ? l : red::choose_launch(r, false);
}

}  // namespace

size_t softmax_workspace_size(const Dims& dims, uint32_t) {
  size_t partials = red::partials_capacity(volume(dims), sizeof(Softmax<float, false>::Acc));
  return partials > 0 ? kSoftmaxFinalsBytes + partials : 0;
}

void launch_softmax(DataType type, const void* x, void* y, const Dims& dims, uint32_t axes,
                    void* workspace, size_t workspace_size, cudaStream_t stream) {
  if (volume(dims) == 0) return;
  Reduction r = red::make_reduction(dims.d, dims.nb_dims, axes);
  Launch l = softmax_launch(r);
  size_t partials = red::partials_bytes(r, l, sizeof(Softmax<float, false>::Acc));
  if (l.splits > 1 && (workspace == nullptr || workspace_size < kSoftmaxFinalsBytes + partials)) {
    l = red::choose_launch(r, false);  // too little workspace: one block per row
  }
  dispatch_float(type, "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* xs = static_cast<const T*>(x);
    T* ys = static_cast<T*>(y);
    if (l.splits == 1) {
      red::run(Softmax<T, true>{xs, ys, nullptr, {}}, r, l, stream);
      return;
    }
    auto* finals = static_cast<float2*>(workspace);
    auto* parts = reinterpret_cast<typename Softmax<T, false>::Acc*>(static_cast<char*>(workspace) +
                                                                     kSoftmaxFinalsBytes);
    Softmax<T, false> op{xs, ys, finals, {parts, r.outputs, l.splits}};
    red::run(op, r, l, stream);
    dim3 grid(red::capped_blocks(r.outputs), static_cast<unsigned int>(l.splits));
    softmax_apply<T><<<grid, red::kThreads, 0, stream>>>(op, r, l.chunk);
    KILN_CUDA_CHECK_LAUNCH();
  });
}

size_t reduce_workspace_size(const Dims& dims, uint32_t) {
  return red::partials_capacity(volume(dims), 8);
}

void launch_reduce(ReduceOperation op, DataType type, const void* x, void* y, const Dims& dims,
                   uint32_t axes, void* workspace, size_t workspace_size, cudaStream_t stream) {
  Reduction r = red::make_reduction(dims.d, dims.nb_dims, axes);
  if (r.outputs == 0) return;
  Launch l = red::choose_launch(r, true);
  size_t need = red::partials_bytes(r, l, 8);
  KILN_CHECK(need == 0 || (workspace != nullptr && workspace_size >= need), "CUDA reduce of ", dims,
             " needs ", need, " bytes of workspace, got ", workspace_size);
  switch (type) {
    case DataType::kINT32:
      return reduce_int(op, static_cast<const int32_t*>(x), static_cast<int32_t*>(y), r, l,
                        workspace, stream);
    case DataType::kINT64:
      return reduce_int(op, static_cast<const int64_t*>(x), static_cast<int64_t*>(y), r, l,
                        workspace, stream);
    default:
      dispatch_float(type, "reduce", [&](auto tag) {
        using T = decltype(tag);
        reduce_float(op, static_cast<const T*>(x), static_cast<T*>(y), r, l, workspace, stream);
      });
  }
}

}  // namespace kiln::cuda
