// cuDNN convolution tactic: NCHW convolution with 1-3 spatial dims (1-D runs as 2-D) through the
// cuDNN 9 graph (backend) API, all tensors of one float type, symmetric padding.
//
// create_state() makes a handle for the step in each context. reshape() builds the operation graph
// for the shapes (conv -> bias add fused when an engine takes it, else conv alone and
// cudnnAddTensor after it), asks the heuristics (mode A, then fallback) for engine configs and
// keeps the first that finalizes within kWorkspaceLimit and keeps float32 math: no TF32
// (CUDNN_FMA_MATH's meaning), no reduced-precision accumulation, no FFT. enqueue() sets the stream
// and executes the plan. Shapes with no such plan, and pointers not 16-byte aligned, run kiln's
// cuda.kiln.convolution.
#include <cudnn.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "backends/cuda/cudnn/cudnn_check.h"
#include "backends/cuda/tactic.h"
#include "core/error.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

constexpr int64_t kWorkspaceLimit = int64_t{64} << 20;
constexpr int64_t kAlignment = 16;  // declared for every tensor; enqueue checks the pointers
enum Uid : int64_t { kUidX = 1, kUidW = 2, kUidY = 3, kUidBias = 4, kUidConvOut = 5 };

// Owns one backend descriptor.
class BackendDesc {
 public:
  BackendDesc() = default;
  explicit BackendDesc(cudnnBackendDescriptorType_t type) {
    KILN_CUDNN_CHECK(cudnnBackendCreateDescriptor(type, &desc_));
  }
  BackendDesc(BackendDesc&& o) noexcept : desc_(o.desc_) { o.desc_ = nullptr; }
  BackendDesc& operator=(BackendDesc&& o) noexcept {
    std::swap(desc_, o.desc_);
    return *this;
  }
  ~BackendDesc() {
    if (desc_) cudnnBackendDestroyDescriptor(desc_);
  }
  cudnnBackendDescriptor_t get() const { return desc_; }
  cudnnBackendDescriptor_t* address() { return &desc_; }

 private:
  cudnnBackendDescriptor_t desc_ = nullptr;
};

// Owns a legacy tensor descriptor (for cudnnAddTensor).
class LegacyTensor {
 public:
  LegacyTensor() = default;
  LegacyTensor(const LegacyTensor&) = delete;
  LegacyTensor& operator=(const LegacyTensor&) = delete;
  ~LegacyTensor() {
    if (desc_) cudnnDestroyTensorDescriptor(desc_);
  }
  void set(cudnnDataType_t type, int32_t rank, const int64_t* dims) {
    if (!desc_) KILN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&desc_));
    int dims32[5], strides32[5];
    int64_t stride = 1;
    for (int32_t i = rank - 1; i >= 0; --i) {
      dims32[i] = static_cast<int>(dims[i]);
      strides32[i] = static_cast<int>(stride);
      stride *= dims[i];
    }
    KILN_CUDNN_CHECK(cudnnSetTensorNdDescriptor(desc_, type, rank, dims32, strides32));
  }
  cudnnTensorDescriptor_t get() const { return desc_; }

 private:
  cudnnTensorDescriptor_t desc_ = nullptr;
};

// Owns the step's handle (one per step and context, so that streams never race on one handle);
// declared first in the state so that it is destroyed last.
class Handle {
 public:
  Handle() { KILN_CUDNN_CHECK(cudnnCreate(&handle_)); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { cudnnDestroy(handle_); }
  cudnnHandle_t get() const { return handle_; }

 private:
  cudnnHandle_t handle_ = nullptr;
};

cudnnDataType_t cudnn_type(DataType t) {
  switch (t) {
    case DataType::kHALF:
      return CUDNN_DATA_HALF;
    case DataType::kBF16:
      return CUDNN_DATA_BFLOAT16;
    default:
      return CUDNN_DATA_FLOAT;
  }
}

// The convolution in cuDNN's terms: 4-D or 5-D tensors, 1-D as 2-D with a leading spatial dim 1.
struct ConvShapes {
  int32_t rank = 0;     // of the tensors
  int32_t spatial = 0;  // rank - 2
  int64_t x[5] = {}, w[5] = {}, y[5] = {}, bias[5] = {};
  int64_t pad[3] = {}, stride[3] = {}, dilation[3] = {};
};

ConvShapes shapes_of(const ConvolutionAttrs& a, const Dims& x, const Dims& w, const Dims& y) {
  ConvShapes s;
  const int32_t lead = a.kernel_shape.nb_dims == 1 ? 1 : 0;
  s.spatial = a.kernel_shape.nb_dims + lead;
  s.rank = s.spatial + 2;
  for (int32_t i = 0; i < 2; ++i) {
    s.x[i] = x.d[i];
    s.w[i] = w.d[i];
    s.y[i] = y.d[i];
  }
  s.bias[0] = 1;
  s.bias[1] = y.d[1];
  for (int32_t i = 0; i < s.spatial; ++i) {
    const int32_t j = i - lead;  // the layer's spatial dim, or -1 for the added one
    s.x[2 + i] = j < 0 ? 1 : x.d[2 + j];
    s.w[2 + i] = j < 0 ? 1 : w.d[2 + j];
    s.y[2 + i] = j < 0 ? 1 : y.d[2 + j];
    s.bias[2 + i] = 1;
    s.pad[i] = j < 0 ? 0 : a.pre_padding.d[j];
    s.stride[i] = j < 0 ? 1 : a.stride.d[j];
    s.dilation[i] = j < 0 ? 1 : a.dilation.d[j];
  }
  return s;
}

// A finalized packed tensor descriptor.
BackendDesc make_tensor(int64_t uid, cudnnDataType_t type, int32_t rank, const int64_t* dims,
                        bool is_virtual) {
  int64_t strides[5];
  int64_t stride = 1;
  for (int32_t i = rank - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= dims[i];
  }
  BackendDesc t(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(t.get(), CUDNN_ATTR_TENSOR_DATA_TYPE,
                                            CUDNN_TYPE_DATA_TYPE, 1, &type));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(t.get(), CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64,
                                            rank, dims));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(t.get(), CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64,
                                            rank, strides));
  KILN_CUDNN_CHECK(
      cudnnBackendSetAttribute(t.get(), CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &uid));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(t.get(), CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT,
                                            CUDNN_TYPE_INT64, 1, &kAlignment));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(t.get(), CUDNN_ATTR_TENSOR_IS_VIRTUAL,
                                            CUDNN_TYPE_BOOLEAN, 1, &is_virtual));
  KILN_CUDNN_CHECK(cudnnBackendFinalize(t.get()));
  return t;
}

// The operation graph and every descriptor it references (kept alive as long as the plan).
struct OpGraph {
  std::vector<BackendDesc> parts;
  BackendDesc graph;
};

// conv(X, W) -> Y, or with fuse_bias conv(X, W) -> T (virtual, float32) and T + bias -> Y. False
// when cuDNN rejects the graph itself.
bool build_graph(const ConvShapes& s, cudnnDataType_t type, bool fuse_bias, cudnnHandle_t handle,
                 OpGraph& g) {
  const cudnnDataType_t compute = CUDNN_DATA_FLOAT;
  BackendDesc x = make_tensor(kUidX, type, s.rank, s.x, false);
  BackendDesc w = make_tensor(kUidW, type, s.rank, s.w, false);
  BackendDesc y = make_tensor(kUidY, type, s.rank, s.y, false);
  BackendDesc conv_out =
      fuse_bias ? make_tensor(kUidConvOut, compute, s.rank, s.y, true) : BackendDesc();

  BackendDesc conv(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
  const int64_t spatial = s.spatial;
  const cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv.get(), CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS,
                                            CUDNN_TYPE_INT64, 1, &spatial));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv.get(), CUDNN_ATTR_CONVOLUTION_COMP_TYPE,
                                            CUDNN_TYPE_DATA_TYPE, 1, &compute));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv.get(), CUDNN_ATTR_CONVOLUTION_CONV_MODE,
                                            CUDNN_TYPE_CONVOLUTION_MODE, 1, &mode));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv.get(), CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS,
                                            CUDNN_TYPE_INT64, spatial, s.pad));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv.get(), CUDNN_ATTR_CONVOLUTION_POST_PADDINGS,
                                            CUDNN_TYPE_INT64, spatial, s.pad));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv.get(), CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES,
                                            CUDNN_TYPE_INT64, spatial, s.stride));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv.get(), CUDNN_ATTR_CONVOLUTION_DILATIONS,
                                            CUDNN_TYPE_INT64, spatial, s.dilation));
  KILN_CUDNN_CHECK(cudnnBackendFinalize(conv.get()));

  BackendDesc conv_op(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
  const float alpha = 1.0f, beta = 0.0f;
  cudnnBackendDescriptor_t conv_y = fuse_bias ? conv_out.get() : y.get();
  cudnnBackendDescriptor_t raw[] = {x.get(), w.get(), conv_y, conv.get()};
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv_op.get(),
                                            CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X,
                                            CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &raw[0]));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv_op.get(),
                                            CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W,
                                            CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &raw[1]));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv_op.get(),
                                            CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y,
                                            CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &raw[2]));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(conv_op.get(),
                                            CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC,
                                            CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &raw[3]));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(
      conv_op.get(), CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, 1, &alpha));
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(
      conv_op.get(), CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, 1, &beta));
  KILN_CUDNN_CHECK(cudnnBackendFinalize(conv_op.get()));
  std::vector<cudnnBackendDescriptor_t> ops = {conv_op.get()};

  BackendDesc bias, add, add_op;
  if (fuse_bias) {
    bias = make_tensor(kUidBias, type, s.rank, s.bias, false);
    add = BackendDesc(CUDNN_BACKEND_POINTWISE_DESCRIPTOR);
    const cudnnPointwiseMode_t pw_mode = CUDNN_POINTWISE_ADD;
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(add.get(), CUDNN_ATTR_POINTWISE_MODE,
                                              CUDNN_TYPE_POINTWISE_MODE, 1, &pw_mode));
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(add.get(), CUDNN_ATTR_POINTWISE_MATH_PREC,
                                              CUDNN_TYPE_DATA_TYPE, 1, &compute));
    KILN_CUDNN_CHECK(cudnnBackendFinalize(add.get()));
    add_op = BackendDesc(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR);
    cudnnBackendDescriptor_t pw[] = {add.get(), conv_out.get(), bias.get(), y.get()};
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(add_op.get(),
                                              CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR,
                                              CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &pw[0]));
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(add_op.get(), CUDNN_ATTR_OPERATION_POINTWISE_XDESC,
                                              CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &pw[1]));
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(add_op.get(), CUDNN_ATTR_OPERATION_POINTWISE_BDESC,
                                              CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &pw[2]));
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(add_op.get(), CUDNN_ATTR_OPERATION_POINTWISE_YDESC,
                                              CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &pw[3]));
    KILN_CUDNN_CHECK(cudnnBackendFinalize(add_op.get()));
    ops.push_back(add_op.get());
  }

  g.graph = BackendDesc(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
  // The handle is optional since cuDNN 9.8 (the attribute is deprecated) but required before.
  cudnnBackendSetAttribute(g.graph.get(), CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1,
                           &handle);
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(g.graph.get(), CUDNN_ATTR_OPERATIONGRAPH_OPS,
                                            CUDNN_TYPE_BACKEND_DESCRIPTOR,
                                            static_cast<int64_t>(ops.size()), ops.data()));
  if (cudnnBackendFinalize(g.graph.get()) != CUDNN_STATUS_SUCCESS) return false;
  for (BackendDesc* d : {&x, &w, &y, &conv_out, &conv, &conv_op, &bias, &add, &add_op}) {
    if (d->get()) g.parts.push_back(std::move(*d));
  }
  return true;
}

// False for engines whose numerics differ from float32 accumulation over the declared types:
// tensor cores on float32 data (TF32), float32 inputs rounded down, reduced-precision sums, FFT.
bool keeps_float32_math(cudnnBackendDescriptor_t config, bool float32_data) {
  BackendDesc engine(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
  int64_t n = 0;
  if (cudnnBackendGetAttribute(config, CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR,
                               1, &n, engine.address()) != CUDNN_STATUS_SUCCESS) {
    return false;
  }
  cudnnBackendNumericalNote_t notes[CUDNN_NUMERICAL_NOTE_TYPE_COUNT];
  int64_t count = 0;
  if (cudnnBackendGetAttribute(engine.get(), CUDNN_ATTR_ENGINE_NUMERICAL_NOTE,
                               CUDNN_TYPE_NUMERICAL_NOTE, CUDNN_NUMERICAL_NOTE_TYPE_COUNT, &count,
                               notes) != CUDNN_STATUS_SUCCESS) {
    return false;
  }
  for (int64_t i = 0; i < count; ++i) {
    switch (notes[i]) {
      case CUDNN_NUMERICAL_NOTE_TENSOR_CORE:
      case CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS:
        if (float32_data) return false;
        break;
      case CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION:
      case CUDNN_NUMERICAL_NOTE_FFT:
        return false;
      default:
        break;
    }
  }
  return true;
}

// The first heuristic engine config (mode A, then the fallback list) that keeps float32 math and
// finalizes into a plan needing at most kWorkspaceLimit bytes. False when there is none.
bool pick_plan(cudnnHandle_t handle, cudnnBackendDescriptor_t graph, bool float32_data,
               BackendDesc& config, BackendDesc& plan, int64_t& workspace_bytes) {
  for (cudnnBackendHeurMode_t mode : {CUDNN_HEUR_MODE_A, CUDNN_HEUR_MODE_FALLBACK}) {
    BackendDesc heur(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH,
                                              CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &graph));
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_MODE,
                                              CUDNN_TYPE_HEUR_MODE, 1, &mode));
    if (cudnnBackendFinalize(heur.get()) != CUDNN_STATUS_SUCCESS) continue;
    int64_t count = 0;
    if (cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                 CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &count,
                                 nullptr) != CUDNN_STATUS_SUCCESS ||
        count <= 0) {
      continue;
    }
    std::vector<BackendDesc> configs;
    std::vector<cudnnBackendDescriptor_t> raw;
    for (int64_t i = 0; i < count; ++i) {
      configs.emplace_back(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR);
      raw.push_back(configs.back().get());
    }
    KILN_CUDNN_CHECK(cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                              CUDNN_TYPE_BACKEND_DESCRIPTOR, count, &count,
                                              raw.data()));
    for (int64_t i = 0; i < count && i < static_cast<int64_t>(raw.size()); ++i) {
      if (!keeps_float32_math(raw[i], float32_data)) continue;
      BackendDesc candidate(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
      // Deprecated since cuDNN 9.8 like the graph's, required before it.
      cudnnBackendSetAttribute(candidate.get(), CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE,
                               1, &handle);
      KILN_CUDNN_CHECK(cudnnBackendSetAttribute(candidate.get(),
                                                CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG,
                                                CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &raw[i]));
      if (cudnnBackendFinalize(candidate.get()) != CUDNN_STATUS_SUCCESS)
        continue;  // unsupported here
      int64_t workspace = 0;
      KILN_CUDNN_CHECK(cudnnBackendGetAttribute(candidate.get(),
                                                CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE,
                                                CUDNN_TYPE_INT64, 1, nullptr, &workspace));
      if (workspace > kWorkspaceLimit) continue;
      config = std::move(configs[i]);
      plan = std::move(candidate);
      workspace_bytes = workspace;
      return true;
    }
  }
  return false;
}

enum class Path { kNone, kEmpty, kCudnn, kKiln };

struct CudnnConvState final : TacticState {
  Handle handle;
  const Tactic* kiln = nullptr;  // cuda.kiln.convolution, for what cuDNN has no plan for
  // For the current shapes (reshape):
  Path path = Path::kNone;
  Dims x_dims, y_dims;
  bool has_bias = false;
  bool fused = false;  // the bias is part of the plan; else cudnnAddTensor adds it
  OpGraph graph;
  BackendDesc config, plan;
  int64_t workspace = 0;  // bytes the plan needs
  LegacyTensor bias_desc, y_desc;
  // The variant pack of the last enqueue, rebuilt only when a pointer changes.
  BackendDesc pack;
  std::array<void*, 5> pack_pointers = {};  // x, w, y, bias, workspace
};

bool aligned(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % kAlignment == 0;
}

class CudnnConvolutionTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.cudnn.convolution"; }
  LayerType layer() const override { return LayerType::kCONVOLUTION; }
  TacticSource source() const override { return TacticSource::kCUDNN; }

  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() < 2 || q.inputs.size() > 3 || q.outputs.size() != 1) return false;
    const ConvolutionAttrs& a = q.node.get<ConvolutionAttrs>();
    const int32_t rank = a.kernel_shape.nb_dims;
    const DataType type = q.inputs[0].type;
    if (rank < 1 || rank > 3 || q.inputs[0].dims.nb_dims != rank + 2 ||
        q.inputs[1].dims.nb_dims != rank + 2) {
      return false;
    }
    if (!ir::is_floating(type) || q.inputs[1].type != type || q.outputs[0].type != type)
      return false;
    if (q.inputs.size() == 3 && q.inputs[2].dims.nb_dims >= 0 && q.inputs[2].type != type)
      return false;
    return a.pre_padding == a.post_padding;  // asymmetric padding: kiln's kernel
  }

  size_t workspace_size(const TacticQuery&) const override {
    return static_cast<size_t>(kWorkspaceLimit);
  }

  std::unique_ptr<TacticState> create_state(const ir::Node& node,
                                            std::span<const uint8_t>) const override {
    auto state = std::make_unique<CudnnConvState>();
    state->kiln = find_tactic("cuda.kiln.convolution");
    KILN_CHECK(state->kiln != nullptr, "[convolution '", node.name,
               "'] cuda.kiln.convolution is not registered");
    return state;
  }

  void reshape(TacticState* base, const TacticQuery& q) const override {
    auto* s = static_cast<CudnnConvState*>(base);
    const Dims& x = q.inputs[0].dims;
    const Dims& w = q.inputs[1].dims;
    const Dims& y = q.outputs[0].dims;
    if (s->path != Path::kNone && x == s->x_dims && y == s->y_dims) return;
    s->path = Path::kNone;
    s->pack = BackendDesc();
    s->pack_pointers = {};
    s->plan = BackendDesc();
    s->config = BackendDesc();
    s->graph = OpGraph();
    s->workspace = 0;
    s->x_dims = x;
    s->y_dims = y;
    s->has_bias = q.inputs.size() == 3 && q.inputs[2].dims.nb_dims >= 0;
    s->fused = false;
    if (volume(y) == 0) {
      s->path = Path::kEmpty;
      return;
    }
    s->path = Path::kKiln;
    if (volume(x) == 0 || volume(w) == 0) return;  // output = bias: kiln's kernel writes it

    const ConvShapes shapes = shapes_of(q.node.get<ConvolutionAttrs>(), x, w, y);
    const cudnnDataType_t type = cudnn_type(q.inputs[0].type);
    const bool float32 = q.inputs[0].type == DataType::kFLOAT;
    cudnnHandle_t handle = s->handle.get();
    if (s->has_bias) {
      OpGraph fused;
      if (build_graph(shapes, type, true, handle, fused) &&
          pick_plan(handle, fused.graph.get(), float32, s->config, s->plan, s->workspace)) {
        s->graph = std::move(fused);
        s->fused = true;
        s->path = Path::kCudnn;
        return;
      }
      // cudnnAddTensor's legacy descriptors take int dims and strides.
      if (volume(y) > std::numeric_limits<int32_t>::max()) return;
    }
    OpGraph plain;
    if (!build_graph(shapes, type, false, handle, plain) ||
        !pick_plan(handle, plain.graph.get(), float32, s->config, s->plan, s->workspace)) {
      return;
    }
    s->graph = std::move(plain);
    if (s->has_bias) {
      s->bias_desc.set(type, shapes.rank, shapes.bias);
      s->y_desc.set(type, shapes.rank, shapes.y);
    }
    s->path = Path::kCudnn;
  }

  void enqueue(const LaunchArgs& args) const override {
    auto* s = static_cast<CudnnConvState*>(args.state);
    KILN_CHECK(s != nullptr && s->path != Path::kNone, "[convolution '", args.node.name,
               "'] enqueue before reshape");
    if (s->path == Path::kEmpty) return;
    void* x = args.inputs[0].data;
    void* w = args.inputs[1].data;
    void* y = args.outputs[0].data;
    void* bias = s->has_bias ? args.inputs[2].data : nullptr;
    const bool all_aligned = aligned(x) && aligned(w) && aligned(y) && (!bias || aligned(bias)) &&
                             aligned(args.workspace);
    if (s->path == Path::kKiln || !all_aligned) {
      s->kiln->enqueue(args);
      return;
    }
    KILN_CHECK(args.workspace_size >= static_cast<size_t>(s->workspace), "[convolution '",
               args.node.name, "'] the cuDNN plan needs ", s->workspace,
               " bytes of workspace, got ", args.workspace_size);
    cudnnHandle_t handle = s->handle.get();
    KILN_CUDNN_CHECK(cudnnSetStream(handle, args.stream));
    const std::array<void*, 5> pointers = {x, w, y, s->fused ? bias : nullptr, args.workspace};
    if (!s->pack.get() || pointers != s->pack_pointers) {
      int64_t uids[] = {kUidX, kUidW, kUidY, kUidBias};
      void* data[] = {x, w, y, bias};
      const int64_t count = s->fused ? 4 : 3;
      void* workspace = args.workspace;
      s->pack = BackendDesc(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
      KILN_CUDNN_CHECK(cudnnBackendSetAttribute(s->pack.get(), CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS,
                                                CUDNN_TYPE_INT64, count, uids));
      KILN_CUDNN_CHECK(cudnnBackendSetAttribute(
          s->pack.get(), CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, count, data));
      KILN_CUDNN_CHECK(cudnnBackendSetAttribute(s->pack.get(), CUDNN_ATTR_VARIANT_PACK_WORKSPACE,
                                                CUDNN_TYPE_VOID_PTR, 1, &workspace));
      KILN_CUDNN_CHECK(cudnnBackendFinalize(s->pack.get()));
      s->pack_pointers = pointers;
    }
    KILN_CUDNN_CHECK(cudnnBackendExecute(handle, s->plan.get(), s->pack.get()));
    if (s->has_bias && !s->fused) {
      const float one = 1.0f;
      KILN_CUDNN_CHECK(
          cudnnAddTensor(handle, &one, s->bias_desc.get(), bias, &one, s->y_desc.get(), y));
    }
  }
};

}  // namespace

KILN_REGISTER_TACTIC(CudnnConvolutionTactic);

}  // namespace kiln::cuda
