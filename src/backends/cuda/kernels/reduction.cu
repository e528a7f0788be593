// CUDA kernels of ReduceLayer, SoftMaxLayer and NormalizationLayer, all on the reduction engine of
// reduction.cuh, with the CPU references' numerics (backends/cpu/{reduce,softmax,normalization}.cpp).
//
// Reduce accumulates floats in double like the CPU, so sums with cancellation agree to the last
// float bit in all but rounding-boundary cases. Softmax keeps an online (max, sum of exp) pair in
// float32 and writes in a second pass over the row. Normalization folds shifted sums in double
// (shift = the group's first element, which keeps var = E[d^2] - E[d]^2 free of cancellation),
// writes (mean, 1/std) per group to the workspace, then normalizes every element in one pass.
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
      if (s.rank == kMaxRank) fail("CUDA reduction: more than ", kMaxRank, " separate dims to ", kind ? "reduce" : "keep");
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

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

Launch choose_launch(const Reduction& r, bool allow_splits) {
  constexpr int64_t kTargetBlocks = 512;  // below this many blocks, big reductions are split
  constexpr int64_t kMaxSplits = 1024;
  Launch l;
  l.chunk = r.count;
  if (r.count <= 1) return l;  // a copy (or identities): one thread per output
  bool rows = r.reduced.rank > 0 && r.reduced.strides[r.reduced.rank - 1] == 1;
  int64_t blocks = 0, min_chunk = 0;
  if (rows && r.count <= 1024) {
    l.group = static_cast<int32_t>(pow2_at_least(r.count) < 32 ? pow2_at_least(r.count) : 32);
    return l;
  }
  if (rows) {
    l.kind = Launch::kRowsBlock;
    blocks = r.outputs;
    min_chunk = 16 * kThreads;
  } else {
    l.kind = Launch::kColumns;
    int64_t across = pow2_at_least(r.outputs) < 32 ? pow2_at_least(r.outputs) : 32;
    int64_t along = kThreads / across;
    if (pow2_at_least(r.count) < along) along = pow2_at_least(r.count);
    l.group = static_cast<int32_t>(kThreads / along);
    blocks = ceil_div(r.outputs, l.group);
    min_chunk = 16 * along;
  }
  if (allow_splits && blocks < kTargetBlocks && r.count > min_chunk) {
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

using red::Launch;
using red::Partials;
using red::Reduction;

// Calls fn(T{}) with the device storage type of a float type (float32, float16, bfloat16).
template <typename Fn>
void dispatch_float(DataType type, const char* what, Fn&& fn) {
  switch (type) {
    case DataType::kFLOAT: return fn(float{});
    case DataType::kHALF: return fn(__half{});
    case DataType::kBF16: return fn(__nv_bfloat16{});
    default: break;
  }
  fail("CUDA ", what, " kernel: unsupported type ", type);
}

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
    y[o] = from_f32<T>(static_cast<float>(a));  // via float32, as the CPU rounds
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
    if constexpr (kOp == ReduceOperation::kMAX) return std::is_same_v<T, int32_t> ? INT32_MIN : INT64_MIN;
    if constexpr (kOp == ReduceOperation::kMIN) return std::is_same_v<T, int32_t> ? INT32_MAX : INT64_MAX;
    return 0;
  }
  __device__ void add(long long& a, int64_t offset, int64_t) const {
    a = combine(a, static_cast<long long>(x[offset]));
  }
  __device__ static long long combine(long long a, long long b) {
    using U = unsigned long long;
    if constexpr (kOp == ReduceOperation::kPROD) return static_cast<long long>(static_cast<U>(a) * static_cast<U>(b));
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
    case ReduceOperation::kSUM: return run_reduce(FloatReduce<T, ReduceOperation::kSUM>{x, y, n, {}}, r, l, ws, stream);
    case ReduceOperation::kPROD: return run_reduce(FloatReduce<T, ReduceOperation::kPROD>{x, y, n, {}}, r, l, ws, stream);
    case ReduceOperation::kMAX: return run_reduce(FloatReduce<T, ReduceOperation::kMAX>{x, y, n, {}}, r, l, ws, stream);
    case ReduceOperation::kMIN: return run_reduce(FloatReduce<T, ReduceOperation::kMIN>{x, y, n, {}}, r, l, ws, stream);
    case ReduceOperation::kAVG: return run_reduce(FloatReduce<T, ReduceOperation::kAVG>{x, y, n, {}}, r, l, ws, stream);
  }
  fail("CUDA reduce kernel: unknown operation ", static_cast<int>(op));
}

template <typename T>
void reduce_int(ReduceOperation op, const T* x, T* y, const Reduction& r, const Launch& l, void* ws,
                cudaStream_t stream) {
  switch (op) {
    case ReduceOperation::kSUM: return run_reduce(IntReduce<T, ReduceOperation::kSUM>{x, y, {}}, r, l, ws, stream);
    case ReduceOperation::kPROD: return run_reduce(IntReduce<T, ReduceOperation::kPROD>{x, y, {}}, r, l, ws, stream);
    case ReduceOperation::kMAX: return run_reduce(IntReduce<T, ReduceOperation::kMAX>{x, y, {}}, r, l, ws, stream);
    case ReduceOperation::kMIN: return run_reduce(IntReduce<T, ReduceOperation::kMIN>{x, y, {}}, r, l, ws, stream);
    case ReduceOperation::kAVG: break;
  }
  fail("CUDA reduce kernel: operation ", static_cast<int>(op), " needs a float input");
}

// ---- softmax --------------------------------------------------------------------------------

template <typename T>
struct Softmax {
  struct Acc {
    float max;  // the largest element seen (NaN never is)
    float sum;  // sum of exp(element - max) over the elements seen
  };
  struct Final {
    float max, inv_sum;
  };
  static constexpr bool kElementwise = true;
  const T* x;
  T* y;

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
    return {a.max, isinf(a.max) ? NAN : 1.0f / a.sum};
  }
  __device__ void apply(int64_t offset, const Final& f) const {
    y[offset] = from_f32<T>(expf(load_f32(x + offset) - f.max) * f.inv_sum);
  }
};

// ---- normalization --------------------------------------------------------------------------

template <typename T>
struct NormStats {
  struct Acc {
    double sum;      // of d = element - shift
    double squares;  // of d^2
    float shift;     // the group's first element
    float unused;
  };
  static constexpr bool kElementwise = false;
  const T* x;
  double2* stats;  // (mean, 1 / sqrt(var + epsilon)) per group
  double count;
  double epsilon;
  Partials<Acc> parts;

  __device__ Acc init(int64_t base) const { return {0.0, 0.0, load_f32(x + base), 0.0f}; }
  __device__ void add(Acc& a, int64_t offset, int64_t) const {
    double d = static_cast<double>(load_f32(x + offset)) - a.shift;
    a.sum += d;
    a.squares = fma(d, d, a.squares);
  }
  __device__ static Acc combine(const Acc& a, const Acc& b) {
    return {a.sum + b.sum, a.squares + b.squares, a.shift, 0.0f};
  }
  __device__ void write(int64_t o, int64_t, const Acc& a) const {
    double mean = a.sum / count;
    double var = a.squares / count - mean * mean;
    if (var < 0.0) var = 0.0;
    stats[o] = make_double2(a.shift + mean, 1.0 / sqrt(var + epsilon));
  }
};

// x as a dense tensor of up to 9 dims (dim 1 split into [groups, channels per group] when
// grouped), the normalized ones in `axes`, and per dim the element strides of scale and bias.
struct GroupedLayout {
  int32_t rank = 0;
  int64_t dims[kMaxRank + 1] = {};
  int64_t scale[kMaxRank + 1] = {};
  int64_t bias[kMaxRank + 1] = {};
  uint64_t axes = 0;
};

// The element stride of p (numpy-broadcast to x, aligned at the back) along x's dim i.
int64_t broadcast_stride(const Dims& p, const Dims& x, int32_t i) {
  int32_t j = p.nb_dims - x.nb_dims + i;
  if (j < 0 || p.d[j] == 1) return 0;
  int64_t stride = 1;
  for (int32_t k = p.nb_dims - 1; k > j; --k) stride *= p.d[k];
  return stride;
}

GroupedLayout grouped_layout(const Dims& x, const Dims& scale, const Dims& bias, uint32_t axes,
                             int64_t groups) {
  KILN_CHECK(groups == 1 || (x.nb_dims >= 2 && x.nb_dims < Dims::kMaxDims && groups > 0 && x.d[1] % groups == 0),
             "normalization of ", x, " in ", groups, " groups");
  GroupedLayout l;
  for (int32_t i = 0; i < x.nb_dims; ++i) {
    int64_t ss = broadcast_stride(scale, x, i), bs = broadcast_stride(bias, x, i);
    if (i == 1 && groups > 1) {
      int64_t per_group = x.d[1] / groups;
      l.dims[l.rank] = groups;
      l.scale[l.rank] = ss * per_group;
      l.bias[l.rank] = bs * per_group;
      ++l.rank;
      l.axes |= uint64_t{1} << l.rank;  // the channels of one group are normalized together
      l.dims[l.rank] = per_group;
      l.scale[l.rank] = ss;
      l.bias[l.rank] = bs;
      ++l.rank;
      continue;
    }
    if (axes & (1u << i)) l.axes |= uint64_t{1} << l.rank;
    l.dims[l.rank] = x.d[i];
    l.scale[l.rank] = ss;
    l.bias[l.rank] = bs;
    ++l.rank;
  }
  return l;
}

// For the normalize pass: per dim, the strides of the group statistics, scale and bias.
struct Affine {
  int32_t rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t stats[kMaxRank] = {};
  int64_t scale[kMaxRank] = {};
  int64_t bias[kMaxRank] = {};
};

// Statistics are indexed like the kept dims, row-major. Size-1 dims are dropped and neighbours
// merged where all three strides allow, which brings the 9 dims of a grouped layout to 8 or fewer.
Affine affine_of(const GroupedLayout& l) {
  int64_t stats[kMaxRank + 1];
  int64_t kept = 1;
  for (int32_t i = l.rank - 1; i >= 0; --i) {
    bool normalized = (l.axes >> i) & 1u;
    stats[i] = normalized ? 0 : kept;
    if (!normalized) kept *= l.dims[i];
  }
  Affine a;
  for (int32_t i = 0; i < l.rank; ++i) {
    if (l.dims[i] == 1) continue;
    int32_t p = a.rank - 1;
    if (p >= 0 && a.stats[p] == stats[i] * l.dims[i] && a.scale[p] == l.scale[i] * l.dims[i] &&
        a.bias[p] == l.bias[i] * l.dims[i]) {
      a.dims[p] *= l.dims[i];
      a.stats[p] = stats[i];
      a.scale[p] = l.scale[i];
      a.bias[p] = l.bias[i];
      continue;
    }
    if (a.rank == kMaxRank) fail("CUDA normalization: more than ", kMaxRank, " dims after grouping");
    a.dims[a.rank] = l.dims[i];
    a.stats[a.rank] = stats[i];
    a.scale[a.rank] = l.scale[i];
    a.bias[a.rank] = l.bias[i];
    ++a.rank;
  }
  return a;
}

template <typename T>
__global__ void normalize(const T* x, const T* scale, const T* bias, T* y, const double2* stats,
                          Affine a, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t rest = i, g = 0, s = 0, b = 0;
    for (int32_t d = a.rank - 1; d >= 0; --d) {
      int64_t k = rest % a.dims[d];
      rest /= a.dims[d];
      g += k * a.stats[d];
      s += k * a.scale[d];
      b += k * a.bias[d];
    }
    double2 st = stats[g];
    float centered = static_cast<float>(static_cast<double>(load_f32(x + i)) - st.x);
    float t = centered * static_cast<float>(st.y);
    y[i] = from_f32<T>(fmaf(t, load_f32(scale + s), load_f32(bias + b)));
  }
}

struct NormPlan {
  GroupedLayout layout;
  Reduction r;
  Launch launch;
  size_t stats_bytes = 0;  // then the partials, at a 256-byte aligned offset
  size_t partials_bytes = 0;
};

NormPlan plan_normalization(const Dims& x, const Dims& scale, const Dims& bias, uint32_t axes,
                            int64_t groups) {
  NormPlan p;
  p.layout = grouped_layout(x, scale, bias, axes, groups);
  p.r = red::make_reduction(p.layout.dims, p.layout.rank, p.layout.axes);
  p.launch = red::choose_launch(p.r, true);
  p.stats_bytes = (static_cast<size_t>(p.r.outputs) * sizeof(double2) + 255) / 256 * 256;
  p.partials_bytes = red::partials_bytes(p.r, p.launch, sizeof(NormStats<float>::Acc));
  return p;
}

}  // namespace

void launch_softmax(DataType type, const void* x, void* y, const Dims& dims, uint32_t axes,
                    cudaStream_t stream) {
  if (volume(dims) == 0) return;
  Reduction r = red::make_reduction(dims.d, dims.nb_dims, axes);
  Launch l = red::choose_launch(r, false);
  dispatch_float(type, "softmax", [&](auto tag) {
    using T = decltype(tag);
    red::run(Softmax<T>{static_cast<const T*>(x), static_cast<T*>(y)}, r, l, stream);
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
      return reduce_int(op, static_cast<const int32_t*>(x), static_cast<int32_t*>(y), r, l, workspace, stream);
    case DataType::kINT64:
      return reduce_int(op, static_cast<const int64_t*>(x), static_cast<int64_t*>(y), r, l, workspace, stream);
    default:
      dispatch_float(type, "reduce", [&](auto tag) {
        using T = decltype(tag);
        reduce_float(op, static_cast<const T*>(x), static_cast<T*>(y), r, l, workspace, stream);
      });
  }
}

size_t normalization_workspace_size(const Dims& x_dims, uint32_t axes, int64_t num_groups) {
  if (volume(x_dims) == 0) return 0;
  NormPlan p = plan_normalization(x_dims, Dims{}, Dims{}, axes, num_groups);
  return p.stats_bytes + red::partials_capacity(volume(x_dims), sizeof(NormStats<float>::Acc));
}

void launch_normalization(DataType type, const void* x, const Dims& x_dims, const void* scale,
                          const Dims& scale_dims, const void* bias, const Dims& bias_dims, void* y,
                          uint32_t axes, int64_t num_groups, float epsilon, void* workspace,
                          size_t workspace_size, cudaStream_t stream) {
  int64_t n = volume(x_dims);
  if (n == 0) return;
  NormPlan p = plan_normalization(x_dims, scale_dims, bias_dims, axes, num_groups);
  KILN_CHECK(workspace != nullptr && workspace_size >= p.stats_bytes + p.partials_bytes,
             "CUDA normalization of ", x_dims, " needs ", p.stats_bytes + p.partials_bytes,
             " bytes of workspace, got ", workspace_size);
  Affine affine = affine_of(p.layout);
  auto* stats = static_cast<double2*>(workspace);
  void* partials = static_cast<char*>(workspace) + p.stats_bytes;
  dispatch_float(type, "normalization", [&](auto tag) {
    using T = decltype(tag);
    const T* xs = static_cast<const T*>(x);
    NormStats<T> op{xs, stats, static_cast<double>(p.r.count), static_cast<double>(epsilon), {}};
    op.parts = {static_cast<typename NormStats<T>::Acc*>(partials), p.r.outputs, p.launch.splits};
    red::run(op, p.r, p.launch, stream);
    normalize<T><<<grid_for(n), red::kThreads, 0, stream>>>(
        xs, static_cast<const T*>(scale), static_cast<const T*>(bias), static_cast<T*>(y), stats, affine, n);
    KILN_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace kiln::cuda
