// oneDNN tactics for CPU engines (docs/cpu-backend.md): convolution and matrix multiply in
// float32, with the builder's fused epilogue (bias, activation) as oneDNN post-ops.
//
//   cpu.onednn.convolution          activations in kiln's plain NCHW layout, weights reordered
//                                   once into the layout the primitive wants
//   cpu.onednn.convolution.blocked  activations reordered into oneDNN's blocked layout (nChw8c on
//                                   AVX2) and back around the primitive: its direct kernels are
//                                   faster, the reorders cost two copies; the builder times both
//   cpu.onednn.matrix_multiply      transposes read through strides; constant weights prepacked
//
// Written against oneDNN 2.x's API (Debian 12's libdnnl-dev 2.6). Primitives are created per
// input shape on first use and kept (engine-wide, under a mutex); a shape oneDNN refuses runs
// kiln's own kernel instead. oneDNN threads with OpenMP here: each run asks for as many OpenMP
// threads as the engine's pool has (cpu::current_pool).
#include <omp.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>

#include "backends/cpu/common.h"
#include "backends/cpu/onednn/onednn.h"
#include "backends/cpu/thread_pool.h"

namespace kiln::cpu::onednn {

namespace {

using dnnl::algorithm;
using dnnl::memory;
using tag = memory::format_tag;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

memory::dims dims_of(const Dims& d) {
  return memory::dims(d.d, d.d + d.nb_dims);
}

bool all_float(std::span<const ir::TensorDesc> descs) {
  for (const ir::TensorDesc& d : descs) {
    if (d.dims.nb_dims >= 0 && d.type != DataType::kFLOAT) return false;
  }
  return true;
}

// The oneDNN eltwise for a fused activation; false when oneDNN has none with the same meaning.
bool eltwise_of(const FusedActivation& e, algorithm& alg, float& alpha, float& beta) {
  alpha = 0.0f;
  beta = 0.0f;
  switch (e.type) {
    case ActivationType::kRELU:
      alg = algorithm::eltwise_relu;
      return true;
    case ActivationType::kLEAKY_RELU:
      alg = algorithm::eltwise_relu;  // alpha: the negative slope
      alpha = e.alpha;
      return true;
    case ActivationType::kSIGMOID:
      alg = algorithm::eltwise_logistic;
      return true;
    case ActivationType::kTANH:
      alg = algorithm::eltwise_tanh;
      return true;
    case ActivationType::kELU:
      alg = algorithm::eltwise_elu;
      alpha = e.alpha;
      return true;
    case ActivationType::kCLIP:
      alg = algorithm::eltwise_clip;
      alpha = e.alpha;
      beta = e.beta;
      return true;
    case ActivationType::kGELU_ERF:
      alg = algorithm::eltwise_gelu_erf;
      return true;
    case ActivationType::kGELU_TANH:
      alg = algorithm::eltwise_gelu_tanh;
      return true;
    case ActivationType::kSILU:
      alg = algorithm::eltwise_swish;  // x * sigmoid(alpha x)
      alpha = 1.0f;
      return true;
    case ActivationType::kMISH:
      alg = algorithm::eltwise_mish;
      return true;
    default:
      return false;
  }
}

// Scratchpads are passed in by kiln (per calling thread): with the library's own, one primitive
// run from two contexts at once would share one scratchpad (oneDNN builds without
// DNNL_ENABLE_CONCURRENT_EXEC, as Debian's, keep it in the primitive).
// Whether oneDNN can run `e` (none, or an activation it has) as a post-op.
bool epilogue_supported(const FusedActivation& e) {
  algorithm alg;
  float alpha, beta;
  return !e.enabled || eltwise_of(e, alg, alpha, beta);
}

dnnl::primitive_attr attr_of(const FusedActivation& e) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (e.enabled) {
    algorithm alg;
    float alpha, beta;
    KILN_CHECK(eltwise_of(e, alg, alpha, beta), "unsupported fused activation");
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, alg, alpha, beta);
    attr.set_post_ops(ops);
  }
  return attr;
}

// A reusable host buffer per thread (no zeroing, grown as needed) for reordered activations.
enum ScratchSlot { kSrcSlot, kDstSlot, kScratchpadSlot, kNumSlots };

float* scratch(ScratchSlot slot, size_t bytes) {
  thread_local std::vector<std::unique_ptr<float[]>> buffers(kNumSlots);
  thread_local std::vector<size_t> sizes(kNumSlots, 0);
  if (sizes[slot] < bytes) {
    buffers[slot].reset(new float[(bytes + sizeof(float) - 1) / sizeof(float)]);
    sizes[slot] = bytes;
  }
  return buffers[slot].get();
}

// The calling thread's scratchpad for a primitive.
memory scratchpad(const dnnl::primitive_desc_base& pd) {
  memory::desc d = pd.scratchpad_desc();
  return memory(d, cpu_engine(), scratch(kScratchpadSlot, std::max<size_t>(d.get_size(), 1)));
}

// OpenMP threads for a primitive of `macs` multiply-adds: the engine pool's size (1 without one),
// but no more than one per 8M multiply-adds. Measured on a 2-core Zen 3: a 64x256x256 product
// (4M) took 0.18 ms on one thread and 0.44 ms on two; waking a team costs more than it saves.
void set_threads(int64_t macs) {
  constexpr int64_t kMacsPerThread = int64_t{8} << 20;
  ThreadPool* pool = current_pool();
  int64_t threads = pool != nullptr ? pool->size() : 1;
  threads = std::clamp<int64_t>(macs / kMacsPerThread, 1, threads);
  omp_set_num_threads(static_cast<int>(threads));
}

// Weights reordered once into a primitive's layout, and the bytes they were made from (a refit
// replaces those). Guarded by the kernel's mutex.
struct ReorderedWeights {
  std::optional<memory> packed;
  const void* from = nullptr;
  void reset() {
    packed.reset();
    from = nullptr;
  }
};

// The weights at `data` (layout `user`) as a primitive wanting layout `wanted` reads them: the
// bytes themselves when the layouts agree, else reordered; once into `cache` when one is given
// (constant weights: the cache is engine-wide, so the first context to run fills it, under
// `mutex`), on every call otherwise.
memory weights_as(const memory::desc& user, const memory::desc& wanted, void* data,
                  ReorderedWeights* cache, std::mutex& mutex, dnnl::stream& stream) {
  memory from(user, cpu_engine(), data);
  if (wanted == user) return from;
  std::unique_lock<std::mutex> lock(mutex, std::defer_lock);
  if (cache != nullptr) {
    lock.lock();
    if (cache->packed && cache->from == data) return *cache->packed;
  }
  memory packed(wanted, cpu_engine());
  dnnl::reorder(from, packed).execute(stream, from, packed);
  if (cache == nullptr) return packed;  // the primitive runs after it on the same stream
  stream.wait();
  cache->packed = packed;
  cache->from = data;
  return packed;
}

// ---- convolution

tag plain_tag(int32_t rank) {
  return rank == 3 ? tag::ncw : rank == 4 ? tag::nchw : tag::ncdhw;
}

struct ConvPrimitive {
  bool usable = false;  // false: oneDNN refused this shape; run kiln's kernel
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward primitive;
  memory::desc user_src, user_dst, user_weights;
  ReorderedWeights weights;  // when the weights are constant
};

class ConvolutionKernel : public StepKernel {
 public:
  ConvolutionKernel(const ir::Node& node, const std::vector<bool>& constant, bool blocked)
      : blocked_(blocked), constant_weights_(constant.size() > 1 && constant[1]) {
    (void)node;
  }

  void run(const ir::Node& node, std::span<const TensorView> in,
           std::span<const TensorView> out) override {
    ConvPrimitive* p = primitive_for(node, in, out);
    if (p == nullptr) {
      run_convolution(node, in, out);
      return;
    }
    // Multiply-adds: every output element reads (input channels / groups) x kernel taps.
    set_threads(volume(out[0].dims) * volume(in[1].dims) / std::max<int64_t>(in[1].dims.d[0], 1));
    try {
      execute(p, in, out);
    } catch (const dnnl::error& e) {
      fail("convolution '", node.name, "': oneDNN failed to run it: ", e.what());
    }
  }

  void weights_changed() override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [key, p] : cache_) p.weights.reset();
  }

 private:
  void execute(ConvPrimitive* p, std::span<const TensorView> in, std::span<const TensorView> out) {
    dnnl::engine& eng = cpu_engine();
    dnnl::stream stream(eng);
    memory weights = weights_as(p->user_weights, p->pd.weights_desc(), in[1].data,
                                constant_weights_ ? &p->weights : nullptr, mutex_, stream);
    memory src(p->user_src, eng, in[0].data);
    memory dst(p->user_dst, eng, out[0].data);
    memory conv_src = src, conv_dst = dst;
    if (p->pd.src_desc() != p->user_src) {
      conv_src = memory(p->pd.src_desc(), eng, scratch(kSrcSlot, p->pd.src_desc().get_size()));
      dnnl::reorder(src, conv_src).execute(stream, src, conv_src);
    }
    if (p->pd.dst_desc() != p->user_dst) {
      conv_dst = memory(p->pd.dst_desc(), eng, scratch(kDstSlot, p->pd.dst_desc().get_size()));
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, conv_src},
                                         {DNNL_ARG_WEIGHTS, weights},
                                         {DNNL_ARG_DST, conv_dst},
                                         {DNNL_ARG_SCRATCHPAD, scratchpad(p->pd)}};
    if (in.size() > 2 && in[2].data != nullptr) {
      args.emplace(DNNL_ARG_BIAS, memory(p->pd.bias_desc(), eng, in[2].data));
    }
    p->primitive.execute(stream, args);
    if (conv_dst != dst) dnnl::reorder(conv_dst, dst).execute(stream, conv_dst, dst);
    stream.wait();
  }

  ConvPrimitive* primitive_for(const ir::Node& node, std::span<const TensorView> in,
                               std::span<const TensorView> out) {
    std::vector<int64_t> key(in[0].dims.d, in[0].dims.d + in[0].dims.nb_dims);
    key.push_back(-1);
    key.insert(key.end(), in[1].dims.d, in[1].dims.d + in[1].dims.nb_dims);
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, added] = cache_.try_emplace(key);
    ConvPrimitive& p = it->second;
    if (added) p = create(node, in, out);
    return p.usable ? &p : nullptr;
  }

  ConvPrimitive create(const ir::Node& node, std::span<const TensorView> in,
                       std::span<const TensorView> out) const {
    const ConvolutionAttrs& a = node.get<ConvolutionAttrs>();
    const int32_t rank = in[0].dims.nb_dims;
    const int32_t spatial = rank - 2;
    memory::dims strides, dilates, pad_l, pad_r;
    for (int32_t i = 0; i < spatial; ++i) {
      int64_t in_size = in[0].dims.d[2 + i], out_size = out[0].dims.d[2 + i];
      int64_t k = a.kernel_shape.d[i], s = a.stride.d[i], d = a.dilation.d[i];
      int64_t pl = a.pre_padding.d[i];
      // The right padding that gives kiln's output size (padding modes are resolved already).
      int64_t pr = (out_size - 1) * s + (k - 1) * d + 1 - in_size - pl;
      strides.push_back(s);
      dilates.push_back(d - 1);
      pad_l.push_back(pl);
      pad_r.push_back(pr);
    }
    ConvPrimitive p;
    const tag activations = plain_tag(rank);
    p.user_src = memory::desc(dims_of(in[0].dims), memory::data_type::f32, activations);
    p.user_dst = memory::desc(dims_of(out[0].dims), memory::data_type::f32, activations);
    memory::dims wdims = dims_of(in[1].dims);
    if (a.num_groups > 1) {
      wdims[0] /= a.num_groups;
      wdims.insert(wdims.begin(), a.num_groups);
    }
    const tag weights_tag = a.num_groups > 1 ? (spatial == 1   ? tag::goiw
                                                : spatial == 2 ? tag::goihw
                                                               : tag::goidhw)
                                             : (spatial == 1   ? tag::oiw
                                                : spatial == 2 ? tag::oihw
                                                               : tag::oidhw);
    p.user_weights = memory::desc(wdims, memory::data_type::f32, weights_tag);
    memory::desc src_any =
        blocked_ ? memory::desc(dims_of(in[0].dims), memory::data_type::f32, tag::any) : p.user_src;
    memory::desc dst_any =
        blocked_ ? memory::desc(dims_of(out[0].dims), memory::data_type::f32, tag::any)
                 : p.user_dst;
    memory::desc weights_any(wdims, memory::data_type::f32,
                             constant_weights_ ? tag::any : weights_tag);
    const bool has_bias = in.size() > 2 && in[2].data != nullptr;
    try {
      std::optional<dnnl::convolution_forward::desc> desc;
      if (has_bias) {
        memory::desc bias(memory::dims{a.num_output_maps}, memory::data_type::f32, tag::x);
        desc.emplace(dnnl::prop_kind::forward_inference, algorithm::convolution_direct, src_any,
                     weights_any, bias, dst_any, strides, dilates, pad_l, pad_r);
      } else {
        desc.emplace(dnnl::prop_kind::forward_inference, algorithm::convolution_direct, src_any,
                     weights_any, dst_any, strides, dilates, pad_l, pad_r);
      }
      p.pd = dnnl::convolution_forward::primitive_desc(*desc, attr_of(a.epilogue), cpu_engine());
      p.primitive = dnnl::convolution_forward(p.pd);
      p.usable = true;
    } catch (const dnnl::error&) {
      p.usable = false;  // kiln's kernel runs this shape
    }
    return p;
  }

  const bool blocked_;
  const bool constant_weights_;
  std::mutex mutex_;
  std::map<std::vector<int64_t>, ConvPrimitive> cache_;
};

bool supports_convolution(const ir::Node& node, std::span<const ir::TensorDesc> in,
                          std::span<const ir::TensorDesc> out) {
  if (node.kind() != LayerType::kCONVOLUTION || !all_float(in) || !all_float(out)) return false;
  const ConvolutionAttrs& a = node.get<ConvolutionAttrs>();
  const int32_t rank = in[0].dims.nb_dims;
  if (rank < 3 || rank > 5 || in.size() < 2 || in[1].dims.nb_dims != rank) return false;
  if (in.size() > 3) return false;  // nothing beyond x, w, bias
  return epilogue_supported(a.epilogue);
}

// ---- matrix multiply

struct MatmulPrimitive {
  bool usable = false;
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul primitive;
  memory::desc user_a, user_b, user_bias, user_dst;
  ReorderedWeights packed_b;  // constant weights prepacked (only those get a packed layout)
};

// A [batch..., rows, cols] descriptor of `dims` padded to `rank`, transposed through strides.
memory::desc strided(const Dims& dims, int32_t rank, bool transpose) {
  memory::dims d(rank, 1), s(rank, 0);
  const int32_t pad = rank - dims.nb_dims;
  for (int32_t i = 0; i < dims.nb_dims; ++i) d[pad + i] = dims.d[i];
  // Plain row-major strides of the stored tensor.
  int64_t stride = 1;
  for (int32_t i = rank - 1; i >= 0; --i) {
    s[i] = stride;
    stride *= d[i];
  }
  if (transpose) {
    // Stored [.., cols, rows]: the logical [.., rows, cols] reads it with swapped strides.
    std::swap(d[rank - 1], d[rank - 2]);
    int64_t inner = d[rank - 2];  // the stored row length
    s[rank - 1] = inner;
    s[rank - 2] = 1;
  }
  return memory::desc(d, memory::data_type::f32, s);
}

class MatmulKernel : public StepKernel {
 public:
  MatmulKernel(const ir::Node& node, const std::vector<bool>& constant)
      : constant_b_(constant.size() > 1 && constant[1]) {
    (void)node;
  }

  void run(const ir::Node& node, std::span<const TensorView> in,
           std::span<const TensorView> out) override {
    MatmulPrimitive* p = primitive_for(node, in, out);
    if (p == nullptr) {
      run_matrix_multiply(node, in, out);
      return;
    }
    // Multiply-adds: every output element is a dot product of length K.
    set_threads(volume(out[0].dims) * p->user_a.dims().back());
    try {
      execute(p, in, out);
    } catch (const dnnl::error& e) {
      fail("matrix multiply '", node.name, "': oneDNN failed to run it: ", e.what());
    }
  }

  void execute(MatmulPrimitive* p, std::span<const TensorView> in,
               std::span<const TensorView> out) {
    dnnl::engine& eng = cpu_engine();
    dnnl::stream stream(eng);
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, memory(p->user_a, eng, in[0].data)},
        {DNNL_ARG_WEIGHTS,
         weights_as(p->user_b, p->pd.weights_desc(), in[1].data, &p->packed_b, mutex_, stream)},
        {DNNL_ARG_DST, memory(p->user_dst, eng, out[0].data)},
        {DNNL_ARG_SCRATCHPAD, scratchpad(p->pd)}};
    if (in.size() > 2 && in[2].data != nullptr) {
      args.emplace(DNNL_ARG_BIAS, memory(p->user_bias, eng, in[2].data));
    }
    p->primitive.execute(stream, args);
    stream.wait();
  }

  void weights_changed() override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [key, p] : cache_) p.packed_b.reset();
  }

 private:
  MatmulPrimitive* primitive_for(const ir::Node& node, std::span<const TensorView> in,
                                 std::span<const TensorView> out) {
    std::vector<int64_t> key(in[0].dims.d, in[0].dims.d + in[0].dims.nb_dims);
    key.push_back(-1);
    key.insert(key.end(), in[1].dims.d, in[1].dims.d + in[1].dims.nb_dims);
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, added] = cache_.try_emplace(key);
    if (added) it->second = create(node, in, out);
    return it->second.usable ? &it->second : nullptr;
  }

  MatmulPrimitive create(const ir::Node& node, std::span<const TensorView> in,
                         std::span<const TensorView> out) const {
    const MatrixMultiplyAttrs& a = node.get<MatrixMultiplyAttrs>();
    const int32_t rank = out[0].dims.nb_dims;
    MatmulPrimitive p;
    p.user_a = strided(in[0].dims, rank, a.op_a == MatrixOperation::kTRANSPOSE);
    p.user_b = strided(in[1].dims, rank, a.op_b == MatrixOperation::kTRANSPOSE);
    p.user_dst = strided(out[0].dims, rank, false);
    // Constant weights shared by every batch item are prepacked into the primitive's layout.
    bool pack = constant_b_;
    for (int32_t i = 0; pack && i + 2 < rank; ++i) pack = p.user_b.dims()[i] == 1;
    memory::desc b_desc =
        pack ? memory::desc(p.user_b.dims(), memory::data_type::f32, tag::any) : p.user_b;
    const bool has_bias = in.size() > 2 && in[2].data != nullptr;
    try {
      std::optional<dnnl::matmul::desc> desc;
      if (has_bias) {
        p.user_bias = strided(in[2].dims, rank, false);  // [1, ..., 1, N]
        desc.emplace(p.user_a, b_desc, p.user_bias, p.user_dst);
      } else {
        desc.emplace(p.user_a, b_desc, p.user_dst);
      }
      p.pd = dnnl::matmul::primitive_desc(*desc, attr_of(a.epilogue), cpu_engine());
      p.primitive = dnnl::matmul(p.pd);
      p.usable = true;
    } catch (const dnnl::error&) {
      p.usable = false;
    }
    return p;
  }

  const bool constant_b_;
  std::mutex mutex_;
  std::map<std::vector<int64_t>, MatmulPrimitive> cache_;
};

bool supports_matmul(const ir::Node& node, std::span<const ir::TensorDesc> in,
                     std::span<const ir::TensorDesc> out) {
  if (node.kind() != LayerType::kMATRIX_MULTIPLY || !all_float(in) || !all_float(out)) {
    return false;
  }
  const MatrixMultiplyAttrs& a = node.get<MatrixMultiplyAttrs>();
  if (a.op_a == MatrixOperation::kVECTOR || a.op_b == MatrixOperation::kVECTOR) return false;
  const int32_t rank = out[0].dims.nb_dims;
  if (rank < 2 || rank > 6 || in[0].dims.nb_dims > rank || in[1].dims.nb_dims > rank) {
    return false;
  }
  if (in.size() > 3) return false;
  return epilogue_supported(a.epilogue);
}

std::unique_ptr<StepKernel> create_convolution(const ir::Node& node,
                                               const std::vector<bool>& constant) {
  return std::make_unique<ConvolutionKernel>(node, constant, false);
}
std::unique_ptr<StepKernel> create_blocked_convolution(const ir::Node& node,
                                                       const std::vector<bool>& constant) {
  return std::make_unique<ConvolutionKernel>(node, constant, true);
}
std::unique_ptr<StepKernel> create_matmul(const ir::Node& node, const std::vector<bool>& constant) {
  return std::make_unique<MatmulKernel>(node, constant);
}

// In the order a build without timing (optimization level 0) prefers them: the blocked
// convolution is about twice as fast as the plain one on AVX2 (docs/perf/).
const Tactic kTactics[] = {
    {"cpu.onednn.convolution.blocked", TacticSource::kONEDNN, supports_convolution,
     create_blocked_convolution},
    {"cpu.onednn.convolution", TacticSource::kONEDNN, supports_convolution, create_convolution},
    {"cpu.onednn.matrix_multiply", TacticSource::kONEDNN, supports_matmul, create_matmul},
};

}  // namespace

std::span<const Tactic> tactics() {
  return kTactics;
}

std::string_view version() {
  static const std::string text = [] {
    const dnnl_version_t* v = dnnl_version();
    return str_cat("oneDNN ", v->major, ".", v->minor, ".", v->patch);
  }();
  return text;
}

}  // namespace kiln::cpu::onednn
