// cuDNN convolution tactic: NCHW convolution with 1-3 spatial dims (1-D runs as 2-D) through the
// cuDNN 9 graph (backend) API, all tensors of one float type, symmetric padding.
//
// create_state() makes a handle for the step in each context. reshape() builds the operation graph
// for the shapes (conv -> bias add fused when an engine takes it, else conv alone and
// cudnnAddTensor after it), asks the heuristics (mode A, then fallback) for engine configs and
// keeps those that finalize within kWorkspaceLimit and keep the math the build allows: float32
// data runs on tensor cores (TF32) or FFT only with BuilderFlag::kTF32; never reduced-precision
// accumulation. configs() offers the first such engine configs at the opt shapes to the
// autotuner; the plan stores the chosen engine's global index (with the cuDNN version), and
// reshape() takes that engine again at any shape where it is viable, else the viable config of the
// same heuristic rank, else the first. enqueue() sets the stream and executes the plan. Shapes with
// no such plan, and pointers not 16-byte aligned, run kiln's cuda.kiln.convolution.
#include <cudnn.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "backends/cuda/cudnn/cudnn_check.h"
#include "backends/cuda/kernels/movement.h"
#include "backends/cuda/tactic.h"
#include "backends/cuda/tactics/util.h"
#include "core/bytes.h"
#include "core/error.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

constexpr int64_t kWorkspaceLimit = int64_t{64} << 20;
constexpr int64_t kAlignment = 16;  // declared for every tensor; enqueue checks the pointers
enum Uid : int64_t {
  kUidX = 1,
  kUidW = 2,
  kUidY = 3,
  kUidBias = 4,
  kUidConvOut = 5,
  kUidAddOut = 6
};

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
  bool nhwc = false;  // describe every tensor channels-last (the data is reformatted around it)
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
// Packed strides of dims [N, C, spatial...]: row-major, or channels-last (C innermost).
void packed_strides(int32_t rank, const int64_t* dims, bool nhwc, int64_t* strides) {
  int64_t stride = 1;
  if (nhwc) {
    strides[1] = 1;
    stride = dims[1];
    for (int32_t i = rank - 1; i >= 2; --i) {
      strides[i] = stride;
      stride *= dims[i];
    }
    strides[0] = stride;
    return;
  }
  for (int32_t i = rank - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= dims[i];
  }
}

BackendDesc make_tensor(int64_t uid, cudnnDataType_t type, int32_t rank, const int64_t* dims,
                        bool is_virtual, bool nhwc = false) {
  int64_t strides[5];
  packed_strides(rank, dims, nhwc, strides);
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

// conv(X, W) -> Y, or with fuse_bias conv(X, W) -> T (virtual, float32) and T + bias -> Y, or
// with fuse_relu as well T + bias -> U (virtual) and relu(U) -> Y. False when cuDNN rejects the
// graph itself.
bool build_graph(const ConvShapes& s, cudnnDataType_t type, bool fuse_bias, bool fuse_relu,
                 cudnnHandle_t handle, OpGraph& g) {
  fuse_relu = fuse_relu && fuse_bias;
  const cudnnDataType_t compute = CUDNN_DATA_FLOAT;
  BackendDesc x = make_tensor(kUidX, type, s.rank, s.x, false, s.nhwc);
  BackendDesc w = make_tensor(kUidW, type, s.rank, s.w, false, s.nhwc);
  BackendDesc y = make_tensor(kUidY, type, s.rank, s.y, false, s.nhwc);
  BackendDesc conv_out =
      fuse_bias ? make_tensor(kUidConvOut, compute, s.rank, s.y, true, s.nhwc) : BackendDesc();

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

  BackendDesc bias, add, add_op, add_out, relu, relu_op;
  if (fuse_relu) add_out = make_tensor(kUidAddOut, compute, s.rank, s.y, true, s.nhwc);
  if (fuse_bias) {
    bias = make_tensor(kUidBias, type, s.rank, s.bias, false, s.nhwc);
    add = BackendDesc(CUDNN_BACKEND_POINTWISE_DESCRIPTOR);
    const cudnnPointwiseMode_t pw_mode = CUDNN_POINTWISE_ADD;
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(add.get(), CUDNN_ATTR_POINTWISE_MODE,
                                              CUDNN_TYPE_POINTWISE_MODE, 1, &pw_mode));
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(add.get(), CUDNN_ATTR_POINTWISE_MATH_PREC,
                                              CUDNN_TYPE_DATA_TYPE, 1, &compute));
    KILN_CUDNN_CHECK(cudnnBackendFinalize(add.get()));
    add_op = BackendDesc(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR);
    cudnnBackendDescriptor_t add_y = fuse_relu ? add_out.get() : y.get();
    cudnnBackendDescriptor_t pw[] = {add.get(), conv_out.get(), bias.get(), add_y};
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
  if (fuse_relu) {
    relu = BackendDesc(CUDNN_BACKEND_POINTWISE_DESCRIPTOR);
    const cudnnPointwiseMode_t pw_mode = CUDNN_POINTWISE_RELU_FWD;
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(relu.get(), CUDNN_ATTR_POINTWISE_MODE,
                                              CUDNN_TYPE_POINTWISE_MODE, 1, &pw_mode));
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(relu.get(), CUDNN_ATTR_POINTWISE_MATH_PREC,
                                              CUDNN_TYPE_DATA_TYPE, 1, &compute));
    KILN_CUDNN_CHECK(cudnnBackendFinalize(relu.get()));
    relu_op = BackendDesc(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR);
    cudnnBackendDescriptor_t pw[] = {relu.get(), add_out.get(), y.get()};
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(relu_op.get(),
                                              CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR,
                                              CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &pw[0]));
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(relu_op.get(), CUDNN_ATTR_OPERATION_POINTWISE_XDESC,
                                              CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &pw[1]));
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(relu_op.get(), CUDNN_ATTR_OPERATION_POINTWISE_YDESC,
                                              CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &pw[2]));
    KILN_CUDNN_CHECK(cudnnBackendFinalize(relu_op.get()));
    ops.push_back(relu_op.get());
  }

  g.graph = BackendDesc(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
  // The handle is optional since cuDNN 9.8 (the attribute is deprecated) but required before.
  cudnnBackendSetAttribute(g.graph.get(), CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1,
                           &handle);
  KILN_CUDNN_CHECK(cudnnBackendSetAttribute(g.graph.get(), CUDNN_ATTR_OPERATIONGRAPH_OPS,
                                            CUDNN_TYPE_BACKEND_DESCRIPTOR,
                                            static_cast<int64_t>(ops.size()), ops.data()));
  if (cudnnBackendFinalize(g.graph.get()) != CUDNN_STATUS_SUCCESS) return false;
  for (BackendDesc* d :
       {&x, &w, &y, &conv_out, &conv, &conv_op, &bias, &add, &add_op, &add_out, &relu, &relu_op}) {
    if (d->get()) g.parts.push_back(std::move(*d));
  }
  return true;
}

// The arithmetic an engine may use: 16-bit data (tensor cores and their input handling are the
// point), float32 data with TF32 allowed (tensor cores on TF32-rounded inputs), or float32
// throughout.
enum class Math { k16Bit, kTf32, kFloat32 };

Math math_for(DataType type, bool tf32) {
  if (type != DataType::kFLOAT) return Math::k16Bit;
  return tf32 ? Math::kTf32 : Math::kFloat32;
}

// False for engines whose numerics are not allowed under `math`: tensor cores or FFT on float32
// data without TF32, float32 inputs converted down to 16 bits, and, always, reduced-precision
// sums.
bool keeps_math(cudnnBackendDescriptor_t config, Math math) {
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
        if (math == Math::kFloat32) return false;
        break;
      case CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS:
        if (math != Math::k16Bit) return false;
        break;
      case CUDNN_NUMERICAL_NOTE_FFT:  // float32 FFT is at least as accurate as TF32
        if (math == Math::kFloat32) return false;
        break;
      case CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION:
        return false;
      default:
        break;
    }
  }
  return true;
}

int64_t engine_index(cudnnBackendDescriptor_t config) {
  BackendDesc engine(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
  int64_t n = 0, index = -1;
  if (cudnnBackendGetAttribute(config, CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR,
                               1, &n, engine.address()) != CUDNN_STATUS_SUCCESS ||
      cudnnBackendGetAttribute(engine.get(), CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1,
                               &n, &index) != CUDNN_STATUS_SUCCESS) {
    return -1;
  }
  return index;
}

// An engine config finalized into a plan.
struct Viable {
  BackendDesc config, plan;
  int64_t workspace = 0;
  int64_t engine = -1;  // CUDNN_ATTR_ENGINE_GLOBAL_INDEX
};

// The heuristic engine configs (mode A, then the fallback list) that keep the allowed math and
// finalize into a plan needing at most kWorkspaceLimit bytes, in heuristic order. Stops after
// `max` of them, or at the first running engine `engine` when that is >= 0.
std::vector<Viable> viable_plans(cudnnHandle_t handle, cudnnBackendDescriptor_t graph, Math math,
                                 size_t max, int64_t engine = -1) {
  std::vector<Viable> found;
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
      if (!keeps_math(raw[i], math)) continue;
      int64_t index = engine_index(raw[i]);
      if (engine >= 0 && index != engine) continue;
      bool duplicate = false;  // the fallback list repeats engines of mode A
      for (const Viable& v : found) duplicate |= v.engine == index && index >= 0;
      if (duplicate) continue;
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
      found.push_back({std::move(configs[i]), std::move(candidate), workspace, index});
      if (found.size() >= max || engine >= 0) return found;
    }
  }
  return found;
}

// What a plan stores for a configuration: the cuDNN version, the engine's global index and its
// heuristic rank at the opt shapes. Empty params mean "the first viable engine".
struct CudnnParams {
  uint64_t version = 0;
  int64_t engine = -1;
  int32_t rank = 0;
  // The bias (and a fused ReLU) run in the cuDNN graph; false: the convolution alone, then
  // cudnnAddTensor and the activation kernel (for 16-bit data cuDNN's fused graphs are often slow).
  bool fused = true;
  // x, w and y are reformatted to channels-last in the workspace around an NHWC graph (Hopper's
  // fast 16-bit engines want NHWC; kiln's tensors are NCHW).
  bool nhwc = false;
};
constexpr uint32_t kParamsTag = 0x434e4e33;  // "CNN3"

std::vector<uint8_t> encode(const CudnnParams& p) {
  ByteWriter w;
  w.u32(kParamsTag);
  w.u64(p.version);
  w.i64(p.engine);
  w.i32(p.rank);
  w.u8(p.fused ? 1 : 0);
  w.u8(p.nhwc ? 1 : 0);
  return w.take();
}

CudnnParams decode(std::span<const uint8_t> bytes, std::string_view layer) {
  CudnnParams p;
  if (bytes.empty()) return p;
  ByteReader r(bytes.data(), bytes.size(), str_cat("[convolution '", layer, "'] cuDNN params"));
  if (r.u32() != kParamsTag) fail(r.context(), ": unknown parameter format");
  p.version = r.u64();
  p.engine = r.i64();
  p.rank = r.i32();
  p.fused = r.u8() != 0;
  p.nhwc = r.u8() != 0;
  return p;
}

// The plan for `params` on `graph`: the stored engine when it is viable (and cuDNN's version is
// the one that chose it), else the viable config of the stored rank, else the first viable one.
bool pick_plan(cudnnHandle_t handle, cudnnBackendDescriptor_t graph, Math math,
               const CudnnParams& params, BackendDesc& config, BackendDesc& plan,
               int64_t& workspace_bytes) {
  std::vector<Viable> found;
  if (params.engine >= 0 && params.version == cudnnGetVersion()) {
    found = viable_plans(handle, graph, math, 1, params.engine);
  }
  if (found.empty()) {
    found = viable_plans(handle, graph, math, static_cast<size_t>(params.rank) + 1);
    if (found.empty()) return false;
    found.erase(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(found.size() - 1));
  }
  config = std::move(found[0].config);
  plan = std::move(found[0].plan);
  workspace_bytes = found[0].workspace;
  return true;
}

enum class Path { kNone, kEmpty, kCudnn, kKiln };

struct CudnnConvState final : TacticState {
  Handle handle;
  CudnnParams params;
  ConvShapes shapes;  // of the current plan; shapes.nhwc: x, w and y are reformatted around it
  int64_t esize = 4;
  const Tactic* kiln = nullptr;  // cuda.kiln.convolution, for what cuDNN has no plan for
  // For the current shapes (reshape):
  Path path = Path::kNone;
  Dims x_dims, y_dims;
  bool has_bias = false;
  bool fused = false;       // the bias is part of the plan; else cudnnAddTensor adds it
  bool relu_fused = false;  // a fused ReLU is part of the plan; else run_epilogue applies it
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

int64_t align256(int64_t n) {
  return (n + 255) & ~int64_t{255};
}

// A channels-last copy of the [N, C, spatial...] tensor `src` (dims as ConvShapes has them) into
// dst, or back (to_nhwc false: src is channels-last, dst row-major).
void reformat(void* dst, const void* src, int64_t esize, int32_t rank, const int64_t* dims,
              bool to_nhwc, cudaStream_t stream) {
  int64_t nchw[5], nhwc[5];
  packed_strides(rank, dims, false, nchw);
  packed_strides(rank, dims, true, nhwc);
  const int64_t* from = to_nhwc ? nchw : nhwc;
  StridedShape view;
  view.rank = rank;
  // dst is dense in its own order: [N, spatial..., C] for NHWC, [N, C, spatial...] for NCHW.
  for (int32_t i = 0; i < rank; ++i) {
    int32_t axis = to_nhwc ? (i == rank - 1 ? 1 : (i == 0 ? 0 : i + 1)) : i;
    view.dims[i] = dims[axis];
    view.strides[i] = from[axis];
  }
  strided_copy(dst, src, esize, view, stream);
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

  // The plan's workspace, plus the channels-last copies of x, w and y for an NHWC configuration.
  size_t workspace_size(const TacticQuery& q) const override {
    int64_t bytes = kWorkspaceLimit;
    if (decode(q.params, q.node.name).nhwc) {
      for (const ir::TensorDesc* d : {&q.inputs[0], &q.inputs[1], &q.outputs[0]})
        bytes += align256(volume(d->dims) * element_size(d->type));
    }
    return static_cast<size_t>(bytes);
  }

  // The first viable engine configs at the opt shapes (of the fused conv + bias graph when there
  // is a bias and an engine takes it).
  std::vector<TacticConfig> configs(const TacticQuery& q, int32_t max_configs) const override {
    const Dims& x = q.inputs[0].dims;
    const Dims& w = q.inputs[1].dims;
    const Dims& y = q.outputs[0].dims;
    if (volume(y) == 0 || volume(x) == 0 || volume(w) == 0) return {TacticConfig{}};
    Handle handle;
    ConvShapes shapes = shapes_of(q.node.get<ConvolutionAttrs>(), x, w, y);
    const cudnnDataType_t type = cudnn_type(q.inputs[0].type);
    const Math math = math_for(q.inputs[0].type, q.allows(BuilderFlag::kTF32));
    const bool has_bias = q.inputs.size() == 3 && q.inputs[2].dims.nb_dims >= 0;
    const FusedActivation& act = q.node.get<ConvolutionAttrs>().epilogue;
    const bool relu = act.enabled && act.type == ActivationType::kRELU;
    // Engines of the fused graph (with a bias) and of the convolution alone, ranks numbered per
    // graph, in NCHW and in NHWC: ids 0.. fused, 1000.. plain, +2000 for NHWC. An NHWC graph
    // with a bias is offered fused only (cudnnAddTensor would need NCHW).
    std::vector<TacticConfig> configs;
    for (bool nhwc : {false, true}) {
      shapes.nhwc = nhwc;
      for (bool fuse : {true, false}) {
        if (fuse && !has_bias) continue;
        if (nhwc && has_bias && !fuse) continue;
        OpGraph graph;
        if (!build_graph(shapes, type, fuse, fuse && relu, handle.get(), graph)) continue;
        std::vector<Viable> found = viable_plans(handle.get(), graph.graph.get(), math,
                                                 static_cast<size_t>(std::max(max_configs, 1)));
        for (size_t r = 0; r < found.size(); ++r) {
          CudnnParams p{static_cast<uint64_t>(cudnnGetVersion()), found[r].engine,
                        static_cast<int32_t>(r), fuse, nhwc};
          configs.push_back(
              {static_cast<int64_t>(r) + (fuse ? 0 : 1000) + (nhwc ? 2000 : 0), encode(p)});
        }
      }
    }
    if (configs.empty()) {
      fail("[convolution '", q.node.name, "'] cuDNN has no engine for ", x, " * ", w, " within ",
           kWorkspaceLimit, " bytes of workspace");
    }
    return configs;
  }

  std::unique_ptr<TacticState> create_state(const ir::Node& node,
                                            std::span<const uint8_t> params) const override {
    auto state = std::make_unique<CudnnConvState>();
    state->params = decode(params, node.name);
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

    ConvShapes shapes = shapes_of(q.node.get<ConvolutionAttrs>(), x, w, y);
    const cudnnDataType_t type = cudnn_type(q.inputs[0].type);
    const Math math = math_for(q.inputs[0].type, q.allows(BuilderFlag::kTF32));
    cudnnHandle_t handle = s->handle.get();
    const FusedActivation& act = q.node.get<ConvolutionAttrs>().epilogue;
    const bool relu = act.enabled && act.type == ActivationType::kRELU;
    s->relu_fused = false;
    s->shapes = shapes;
    s->esize = element_size(q.inputs[0].type);
    // NHWC: a fused graph when there is a bias (else the plain one); NCHW below when that fails.
    if (s->params.nhwc) {
      shapes.nhwc = true;
      OpGraph graph;
      if (build_graph(shapes, type, s->has_bias, s->has_bias && relu, handle, graph) &&
          pick_plan(handle, graph.graph.get(), math, s->params, s->config, s->plan, s->workspace)) {
        s->graph = std::move(graph);
        s->fused = s->has_bias;
        s->relu_fused = s->has_bias && relu;
        s->shapes.nhwc = true;
        s->path = Path::kCudnn;
        return;
      }
      shapes.nhwc = false;
    }
    if (s->has_bias && s->params.fused) {
      OpGraph fused;
      if (build_graph(shapes, type, true, relu, handle, fused) &&
          pick_plan(handle, fused.graph.get(), math, s->params, s->config, s->plan, s->workspace)) {
        s->graph = std::move(fused);
        s->fused = true;
        s->relu_fused = relu;
        s->path = Path::kCudnn;
        return;
      }
    }
    // cudnnAddTensor's legacy descriptors take int dims and strides.
    if (s->has_bias && volume(y) > std::numeric_limits<int32_t>::max()) return;
    OpGraph plain;
    if (!build_graph(shapes, type, false, false, handle, plain) ||
        !pick_plan(handle, plain.graph.get(), math, s->params, s->config, s->plan, s->workspace)) {
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
      LaunchArgs kiln_args = args;
      kiln_args.params = {};  // cuDNN's params mean nothing to kiln's kernel
      kiln_args.state = nullptr;
      s->kiln->enqueue(kiln_args);
      return;
    }
    KILN_CHECK(args.workspace_size >= static_cast<size_t>(s->workspace), "[convolution '",
               args.node.name, "'] the cuDNN plan needs ", s->workspace,
               " bytes of workspace, got ", args.workspace_size);
    cudnnHandle_t handle = s->handle.get();
    KILN_CUDNN_CHECK(cudnnSetStream(handle, args.stream));
    void* const y_user = y;
    if (s->shapes.nhwc) {  // channels-last copies after the plan's workspace
      const ConvShapes& c = s->shapes;
      char* at = static_cast<char*>(args.workspace) + align256(s->workspace);
      int64_t x_bytes = align256(volume(args.inputs[0].dims) * s->esize);
      int64_t w_bytes = align256(volume(args.inputs[1].dims) * s->esize);
      int64_t y_bytes = align256(volume(args.outputs[0].dims) * s->esize);
      KILN_CHECK(args.workspace_size >=
                     static_cast<size_t>(align256(s->workspace) + x_bytes + w_bytes + y_bytes),
                 "[convolution '", args.node.name, "'] the NHWC cuDNN plan needs more workspace");
      reformat(at, x, s->esize, c.rank, c.x, true, args.stream);
      reformat(at + x_bytes, w, s->esize, c.rank, c.w, true, args.stream);
      x = at;
      w = at + x_bytes;
      y = at + x_bytes + w_bytes;
    }
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
    if (s->shapes.nhwc)
      reformat(y_user, y, s->esize, s->shapes.rank, s->shapes.y, false, args.stream);
    if (s->has_bias && !s->fused) {
      const float one = 1.0f;
      KILN_CUDNN_CHECK(
          cudnnAddTensor(handle, &one, s->bias_desc.get(), bias, &one, s->y_desc.get(), y));
    }
    run_epilogue(nullptr, args.node.get<ConvolutionAttrs>().epilogue, args.outputs[0], args.stream,
                 true, s->relu_fused);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(CudnnConvolutionTactic);

}  // namespace kiln::cuda
