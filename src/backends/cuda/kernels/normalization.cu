// CUDA kernels of NormalizationLayer (layer, instance, group norm) on the reduction engine of
// reduction.cuh, with the numerics of backends/cpu/normalization.cpp.
//
// Statistics fold shifted sums in double (shift = the group's first element, which keeps
// var = E[d^2] - E[d]^2 free of cancellation) and write (mean, 1/std) per group to the workspace;
// then one pass normalizes every element: y = fma((x - mean) * inv_std, scale, bias) in float32.
#include "backends/cuda/kernels/reduction.cuh"
#include "backends/cuda/kernels/reduction.h"
#include "core/error.h"

namespace kiln::cuda {

namespace {

using red::dispatch_float;
using red::Launch;
using red::Partials;
using red::Reduction;

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
  KILN_CHECK(groups == 1 || (x.nb_dims >= 2 && x.nb_dims < Dims::kMaxDims && groups > 0 &&
                             x.d[1] % groups == 0),
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
    if (a.rank == kMaxRank)
      fail("CUDA normalization: more than ", kMaxRank, " dims after grouping");
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
    for (int32_t d = a.rank - 1; d > 0; --d) {
      int64_t k;
      rest = red::div_mod(rest, a.dims[d], k);
      g += k * a.stats[d];
      s += k * a.scale[d];
      b += k * a.bias[d];
    }
    if (a.rank > 0) {
      g += rest * a.stats[0];
      s += rest * a.scale[0];
      b += rest * a.bias[0];
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
    normalize<T><<<grid_for(n), red::kThreads, 0, stream>>>(xs, static_cast<const T*>(scale),
                                                            static_cast<const T*>(bias),
                                                            static_cast<T*>(y), stats, affine, n);
    KILN_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace kiln::cuda
