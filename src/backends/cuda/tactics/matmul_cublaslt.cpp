// cuBLASLt's tactic for MatrixMultiply ("cuda.cublaslt.matrix_multiply"): float32, float16 and
// bfloat16 in and out with float32 accumulation, every operation combination and batch pattern.
//
// Row-major C[m,n] = op(A) op(B) is column-major C^T[n,m] = op(B)^T op(A)^T, so cuBLASLt's A is
// our B and its B our A, each described as its stored row-major matrix read column-major, with
// its transpose flag carried over. The batch runs as one strided batch over the longest trailing
// run of output batch dims along which each operand advances by one fixed stride (0 where it
// broadcasts); leading dims that do not fit (a [2,1,M,K] x [1,3,K,N] batch) are looped over in
// enqueue(), one cublasLtMatmul each. configs() offers the heuristic's top algorithms at the opt
// shapes (the plan stores the chosen blob with the cuBLASLt version); reshape() builds the
// descriptors and takes the stored algorithm when cuBLASLt accepts it at the new shapes, else the
// heuristic's; enqueue() only calls cublasLtMatmul (or, for k == 0, clears the output). Float32
// products use TF32 when the build allows it (BuilderFlag::kTF32, on by default).
#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <type_traits>

#include <cstring>

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/gemm.h"
#include "backends/cuda/tactic.h"
#include "backends/cuda/tactics/util.h"
#include "core/bytes.h"
#include "core/error.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

// NVIDIA's recommended cuBLASLt workspace on Hopper; the heuristic is told this limit.
constexpr size_t kWorkspaceBytes = size_t{32} << 20;
// Pointer alignment the preferred algorithm may assume. The arena, the weights and cudaMalloc'd
// I/O are 256-byte aligned; batch offsets and user pointers may be less, so reshape() also picks
// an algorithm for element-aligned pointers and enqueue() uses it when a pointer needs it.
constexpr uint32_t kAlignedBytes = 16;
constexpr int kCandidates = 8;

// One cuBLASLt handle per device, shared by every step of every context: cuBLASLt takes the stream
// and the workspace per call, so a handle carries no per-call state. It is created by
// create_state(), i.e. at context creation, before any graph capture.
class LtHandle {
 public:
  LtHandle() { KILN_CUBLAS_CHECK(cublasLtCreate(&handle_)); }
  ~LtHandle() { cublasLtDestroy(handle_); }  // unchecked: a destructor cannot throw
  LtHandle(const LtHandle&) = delete;
  LtHandle& operator=(const LtHandle&) = delete;
  cublasLtHandle_t get() const { return handle_; }

 private:
  cublasLtHandle_t handle_ = nullptr;
};

std::shared_ptr<LtHandle> device_handle() {
  static std::mutex mutex;
  static std::map<int, std::weak_ptr<LtHandle>> handles;
  int device = 0;
  KILN_CUDA_CHECK(cudaGetDevice(&device));
  std::lock_guard<std::mutex> lock(mutex);
  std::weak_ptr<LtHandle>& slot = handles[device];
  std::shared_ptr<LtHandle> handle = slot.lock();
  if (!handle) {
    handle = std::make_shared<LtHandle>();
    slot = handle;
  }
  return handle;
}

cudaDataType_t cuda_type(DataType type) {
  switch (type) {
    case DataType::kFLOAT:
      return CUDA_R_32F;
    case DataType::kHALF:
      return CUDA_R_16F;
    case DataType::kBF16:
      return CUDA_R_16BF;
    default:
      break;
  }
  fail("[cuBLASLt matrix_multiply] takes float32, float16 or bfloat16, not ", type);
}

// The batch as cuBLASLt runs it: `inner` items as one strided batch (A's items stride_a elements
// apart, B's stride_b, C's m*n), once per item of the leading dims outer_a / outer_b describe.
struct BatchPlan {
  int64_t inner = 1, stride_a = 0, stride_b = 0;
  int64_t outer = 1;
  StridedShape outer_a, outer_b;
};

BatchPlan plan_batch(const GemmShape& s) {
  const StridedShape& a = s.a_batch;
  const StridedShape& b = s.b_batch;
  BatchPlan p;
  int32_t split = a.rank;  // dims [split, rank) form the strided batch
  bool started = false;
  for (int32_t i = a.rank - 1; i >= 0; --i) {
    int64_t d = a.dims[i];
    if (d == 1) {  // a size-1 dim moves nothing
      split = i;
      continue;
    }
    if (d > INT32_MAX || p.inner * d > INT32_MAX) break;  // BATCH_COUNT is an int32
    if (!started) {
      started = true;
      p.stride_a = a.strides[i];
      p.stride_b = b.strides[i];
    } else if (a.strides[i] != p.stride_a * p.inner || b.strides[i] != p.stride_b * p.inner) {
      break;
    }
    p.inner *= d;
    split = i;
  }
  p.outer_a.rank = p.outer_b.rank = split;
  for (int32_t i = 0; i < split; ++i) {
    p.outer_a.dims[i] = p.outer_b.dims[i] = a.dims[i];
    p.outer_a.strides[i] = a.strides[i];
    p.outer_b.strides[i] = b.strides[i];
    p.outer *= a.dims[i];
  }
  return p;
}

// Host twin of strided_offset (kernels/common.cuh).
int64_t offset_of(int64_t i, const StridedShape& s) {
  int64_t off = 0;
  for (int32_t d = s.rank - 1; d >= 0; --d) {
    off += (i % s.dims[d]) * s.strides[d];
    i /= s.dims[d];
  }
  return off;
}

struct LtAlgo {
  bool found = false;
  cublasLtMatmulAlgo_t algo{};
  size_t workspace = 0;
};

// Per step and context: the descriptors and algorithms for the shapes of the last reshape().
class LtState final : public TacticState {
 public:
  explicit LtState(std::shared_ptr<LtHandle> h) : handle(std::move(h)) {}
  ~LtState() override { release(); }

  // Destroy calls are unchecked: this runs in the destructor too.
  void release() {
    if (layout_a) cublasLtMatrixLayoutDestroy(layout_a);
    if (layout_b) cublasLtMatrixLayoutDestroy(layout_b);
    if (layout_d) cublasLtMatrixLayoutDestroy(layout_d);
    if (desc) cublasLtMatmulDescDestroy(desc);
    layout_a = layout_b = layout_d = nullptr;
    desc = nullptr;
    aligned = LtAlgo{};
    unaligned = LtAlgo{};
    ready = false;
  }

  std::shared_ptr<LtHandle> handle;
  bool ready = false;  // reshape() prepared a_dims x b_dims
  Dims a_dims, b_dims;
  GemmShape shape;
  BatchPlan batch;
  // Null when there is nothing to multiply (an empty output, or k == 0: zeros).
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t layout_a = nullptr;  // cuBLASLt's A: our B
  cublasLtMatrixLayout_t layout_b = nullptr;  // cuBLASLt's B: our A
  cublasLtMatrixLayout_t layout_d = nullptr;  // C and D: our output
  LtAlgo aligned;                             // for pointers aligned to kAlignedBytes
  LtAlgo unaligned;                           // for pointers aligned to the element size only
  bool bias_native = false;                   // the fused bias runs in cuBLASLt's epilogue
  bool activation_native = false;             // so does the fused activation (ReLU, tanh-GELU)
};

// A row-major matrix stored [rows][ld] (cols <= ld used) is column-major cols x rows.
void make_layout(cudaDataType_t type, int64_t rows, int64_t cols, int64_t ld, int64_t batch,
                 int64_t batch_stride, cublasLtMatrixLayout_t& out) {
  KILN_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&out, type, static_cast<uint64_t>(cols),
                                               static_cast<uint64_t>(rows), ld));
  if (batch > 1) {
    int32_t count = static_cast<int32_t>(batch);
    KILN_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(out, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT,
                                                       &count, sizeof(count)));
    KILN_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(
        out, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &batch_stride, sizeof(batch_stride)));
  }
}

// The heuristic's algorithms for pointers aligned to `alignment` bytes within the workspace
// limit, best first, at most `max`; empty when it has none. Split-K may only reduce in float32
// (the compute type), never in place in a float16 output.
std::vector<LtAlgo> heuristic_algos(const LtState& st, uint32_t alignment, int max) {
  cublasLtMatmulPreference_t raw = nullptr;
  KILN_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&raw));
  std::unique_ptr<std::remove_pointer_t<cublasLtMatmulPreference_t>,
                  decltype(&cublasLtMatmulPreferenceDestroy)>
      pref(raw, &cublasLtMatmulPreferenceDestroy);
  uint64_t workspace = kWorkspaceBytes;
  KILN_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(
      pref.get(), CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof(workspace)));
  uint32_t reduction = CUBLASLT_REDUCTION_SCHEME_COMPUTE_TYPE;
  KILN_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(
      pref.get(), CUBLASLT_MATMUL_PREF_REDUCTION_SCHEME_MASK, &reduction, sizeof(reduction)));
  for (cublasLtMatmulPreferenceAttributes_t attr :
       {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES}) {
    KILN_CUBLAS_CHECK(
        cublasLtMatmulPreferenceSetAttribute(pref.get(), attr, &alignment, sizeof(alignment)));
  }
  std::vector<cublasLtMatmulHeuristicResult_t> results(static_cast<size_t>(std::max(max, 1)));
  int returned = 0;
  cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(
      st.handle->get(), st.desc, st.layout_a, st.layout_b, st.layout_d, st.layout_d, pref.get(),
      static_cast<int>(results.size()), results.data(), &returned);
  // NOT_SUPPORTED: no algorithm for this problem, which the caller reports with the layer's name.
  if (status == CUBLAS_STATUS_NOT_SUPPORTED) return {};
  check_cublas(status, "cublasLtMatmulAlgoGetHeuristic", __FILE__, __LINE__);
  std::vector<LtAlgo> algos;
  for (int i = 0; i < returned; ++i) {
    if (results[i].state == CUBLAS_STATUS_SUCCESS && results[i].workspaceSize <= kWorkspaceBytes) {
      algos.push_back({true, results[i].algo, results[i].workspaceSize});
    }
  }
  return algos;
}

LtAlgo pick_algo(const LtState& st, uint32_t alignment) {
  std::vector<LtAlgo> algos = heuristic_algos(st, alignment, kCandidates);
  return algos.empty() ? LtAlgo{} : algos[0];
}

// The stored algorithm when cuBLASLt accepts it for the current problem within the workspace.
LtAlgo check_algo(const LtState& st, const cublasLtMatmulAlgo_t& algo) {
  cublasLtMatmulHeuristicResult_t result{};
  cublasStatus_t status =
      cublasLtMatmulAlgoCheck(st.handle->get(), st.desc, st.layout_a, st.layout_b, st.layout_d,
                              st.layout_d, &algo, &result);
  if (status != CUBLAS_STATUS_SUCCESS || result.state != CUBLAS_STATUS_SUCCESS ||
      result.workspaceSize > kWorkspaceBytes) {
    return {};
  }
  return {true, algo, result.workspaceSize};
}

bool is_aligned(const void* p, uint32_t bytes) {
  return reinterpret_cast<uintptr_t>(p) % bytes == 0;
}

// What a plan stores for a configuration: the cuBLASLt version that chose it, the heuristic rank
// it had at the opt shapes, and the algorithm itself. Older or missing params mean "rank 0".
struct LtParams {
  uint64_t version = 0;
  int32_t rank = 0;
  bool has_algo = false;
  cublasLtMatmulAlgo_t algo{};
};
constexpr uint32_t kParamsTag = 0x4c544131;  // "LTA1"

std::vector<uint8_t> encode(const LtParams& p) {
  ByteWriter w;
  w.u32(kParamsTag);
  w.u64(p.version);
  w.i32(p.rank);
  w.u8(p.has_algo ? 1 : 0);
  w.bytes(&p.algo, sizeof(p.algo));
  return w.take();
}

LtParams decode(std::span<const uint8_t> bytes, std::string_view layer) {
  LtParams p;
  if (bytes.empty()) return p;
  ByteReader r(bytes.data(), bytes.size(),
               str_cat("[matrix_multiply '", layer, "'] cuBLASLt params"));
  if (r.u32() != kParamsTag) fail(r.context(), ": unknown parameter format");
  p.version = r.u64();
  p.rank = r.i32();
  p.has_algo = r.u8() != 0;
  std::memcpy(&p.algo, r.bytes(sizeof(p.algo)), sizeof(p.algo));
  return p;
}

class CublasLtMatrixMultiplyTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.cublaslt.matrix_multiply"; }
  LayerType layer() const override { return LayerType::kMATRIX_MULTIPLY; }
  TacticSource source() const override { return TacticSource::kCUBLAS_LT; }

  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() < 2 || q.inputs.size() > 3 || q.outputs.size() != 1) return false;
    if (q.inputs[0].dims.nb_dims < 0 || q.inputs[1].dims.nb_dims < 0) return false;
    DataType t = q.inputs[0].type;
    if (q.inputs.size() == 3 && q.inputs[2].type != t) return false;  // a fused bias
    return ir::is_floating(t) && q.inputs[1].type == t && q.outputs[0].type == t;
  }

  size_t workspace_size(const TacticQuery& q) const override { return kWorkspaceBytes; }

  std::unique_ptr<TacticState> create_state(const ir::Node& node,
                                            std::span<const uint8_t> params) const override {
    return std::make_unique<LtState>(device_handle());
  }

  // Configurations: the heuristic's top algorithms at the opt shapes, as ranks with their blobs.
  std::vector<TacticConfig> configs(const TacticQuery& q, int32_t max_configs) const override {
    LtState st(device_handle());
    if (!describe(st, q)) return {TacticConfig{}};  // nothing to multiply: one trivial config
    std::vector<LtAlgo> algos = heuristic_algos(st, kAlignedBytes, max_configs);
    std::vector<TacticConfig> configs;
    for (size_t r = 0; r < algos.size(); ++r) {
      LtParams p;
      p.version = cublasLtGetVersion();
      p.rank = static_cast<int32_t>(r);
      p.has_algo = true;
      p.algo = algos[r].algo;
      configs.push_back({static_cast<int64_t>(r), encode(p)});
    }
    if (configs.empty() &&
        heuristic_algos(st, static_cast<uint32_t>(element_size(q.inputs[0].type)), 1).empty()) {
      fail("[matrix_multiply '", q.node.name, "'] cuBLASLt has no algorithm for ", q.inputs[0].dims,
           " x ", q.inputs[1].dims);
    }
    if (configs.empty()) configs.push_back(TacticConfig{});  // only unaligned pointers work
    return configs;
  }

  void reshape(TacticState* state, const TacticQuery& q) const override {
    auto* st = static_cast<LtState*>(state);
    KILN_CHECK(st != nullptr, "[matrix_multiply '", q.node.name,
               "'] cuBLASLt tactic without its state");
    const Dims& a = q.inputs[0].dims;
    const Dims& b = q.inputs[1].dims;
    if (st->ready && a == st->a_dims && b == st->b_dims) return;
    if (!describe(*st, q)) return;
    // The stored algorithm where cuBLASLt (of the same version) takes it at these shapes, else the
    // heuristic's algorithm of the stored rank, else its best: a plan from another cuBLASLt
    // version is re-selected this way, never run with a foreign blob.
    LtParams p = decode(q.params, q.node.name);
    if (p.has_algo && p.version == cublasLtGetVersion()) st->aligned = check_algo(*st, p.algo);
    if (!st->aligned.found) {
      std::vector<LtAlgo> algos = heuristic_algos(*st, kAlignedBytes, std::max(p.rank + 1, 1));
      if (!algos.empty())
        st->aligned =
            algos[std::min<size_t>(static_cast<size_t>(std::max(p.rank, 0)), algos.size() - 1)];
    }
    st->unaligned = pick_algo(*st, static_cast<uint32_t>(element_size(q.inputs[0].type)));
    if (!st->aligned.found && !st->unaligned.found) {
      const GemmShape& s = st->shape;
      fail("[matrix_multiply '", q.node.name, "'] cuBLASLt has no algorithm for ", a, " x ", b,
           " (", q.inputs[0].type, ", m ", s.m, ", n ", s.n, ", k ", s.k, ", batch ",
           st->batch.inner, "); build without the cuBLASLt tactic source to use kiln's kernel");
    }
    st->ready = true;
  }

 private:
  // Builds the descriptors for q's shapes into `st`; false (and st ready) when there is nothing to
  // multiply. Float32 products use TF32 tensor cores when the build allowed it (kTF32).
  static bool describe(LtState& st, const TacticQuery& q) {
    const Dims& a = q.inputs[0].dims;
    const Dims& b = q.inputs[1].dims;
    st.release();
    const MatrixMultiplyAttrs& attrs = q.node.get<MatrixMultiplyAttrs>();
    st.shape = matrix_multiply_shape(attrs.op_a, a, attrs.op_b, b, q.outputs[0].dims);
    st.a_dims = a;
    st.b_dims = b;
    const GemmShape& s = st.shape;
    if (s.m == 0 || s.n == 0 || s.k == 0 || batch_count(s) == 0) {
      st.ready = true;  // enqueue() only clears a non-empty output
      return false;
    }
    st.batch = plan_batch(s);
    const BatchPlan& p = st.batch;
    DataType type = q.inputs[0].type;
    cudaDataType_t t = cuda_type(type);
    cublasComputeType_t compute = type == DataType::kFLOAT && q.allows(BuilderFlag::kTF32)
                                      ? CUBLAS_COMPUTE_32F_FAST_TF32
                                      : CUBLAS_COMPUTE_32F;
    KILN_CUBLAS_CHECK(cublasLtMatmulDescCreate(&st.desc, compute, CUDA_R_32F));
    cublasOperation_t op_a = s.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;  // cuBLASLt's A is our B
    cublasOperation_t op_b = s.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    KILN_CUBLAS_CHECK(
        cublasLtMatmulDescSetAttribute(st.desc, CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof(op_a)));
    KILN_CUBLAS_CHECK(
        cublasLtMatmulDescSetAttribute(st.desc, CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof(op_b)));
    // A fused epilogue: cuBLASLt adds the bias (along our n, its rows) and applies ReLU or
    // tanh-GELU; other activations run after the product (run_epilogue).
    const FusedActivation& act = attrs.epilogue;
    const bool bias = q.inputs.size() == 3 && q.inputs[2].dims.nb_dims >= 0;
    const bool relu = act.enabled && act.type == ActivationType::kRELU;
    const bool gelu = act.enabled && act.type == ActivationType::kGELU_TANH;
    cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
    if (bias)
      epilogue = relu ? CUBLASLT_EPILOGUE_RELU_BIAS
                      : (gelu ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_BIAS);
    else if (relu || gelu)
      epilogue = relu ? CUBLASLT_EPILOGUE_RELU : CUBLASLT_EPILOGUE_GELU;
    st.bias_native = bias;
    st.activation_native = relu || gelu;
    if (epilogue != CUBLASLT_EPILOGUE_DEFAULT) {
      KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(st.desc, CUBLASLT_MATMUL_DESC_EPILOGUE,
                                                       &epilogue, sizeof(epilogue)));
    }
    // Our B is stored [k][ldb] ([n][ldb] transposed), our A [m][lda] ([k][lda]), C [m][n].
    make_layout(t, s.trans_b ? s.n : s.k, s.trans_b ? s.k : s.n, s.ldb, p.inner, p.stride_b,
                st.layout_a);
    make_layout(t, s.trans_a ? s.k : s.m, s.trans_a ? s.m : s.k, s.lda, p.inner, p.stride_a,
                st.layout_b);
    make_layout(t, s.m, s.n, s.n, p.inner, s.m * s.n, st.layout_d);
    return true;
  }

 public:
  void enqueue(const LaunchArgs& args) const override {
    const auto* st = static_cast<const LtState*>(args.state);
    const DeviceTensor& a = args.inputs[0];
    const DeviceTensor& b = args.inputs[1];
    const DeviceTensor& c = args.outputs[0];
    KILN_CHECK(st != nullptr && st->ready && a.dims == st->a_dims && b.dims == st->b_dims,
               "[matrix_multiply '", args.node.name, "'] enqueued at shapes ", a.dims, " x ",
               b.dims, " that reshape() did not prepare");
    int64_t esize = element_size(c.type);
    const DeviceTensor* bias = args.inputs.size() > 2 ? &args.inputs[2] : nullptr;
    const FusedActivation& act = args.node.get<MatrixMultiplyAttrs>().epilogue;
    if (st->desc == nullptr) {
      int64_t bytes = volume(c.dims) * esize;  // k == 0: a sum of nothing
      if (bytes > 0)
        KILN_CUDA_CHECK(cudaMemsetAsync(c.data, 0, static_cast<size_t>(bytes), args.stream));
      run_epilogue(bias, act, c, args.stream);
      return;
    }
    if (st->bias_native) {  // a host-side descriptor update: capture-safe
      const void* pointer = bias->data;
      KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(st->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                                                       &pointer, sizeof(pointer)));
    }
    const GemmShape& s = st->shape;
    const BatchPlan& p = st->batch;
    const float one = 1.0f, zero = 0.0f;
    for (int64_t o = 0; o < p.outer; ++o) {
      const char* pa = static_cast<const char*>(a.data) + offset_of(o, p.outer_a) * esize;
      const char* pb = static_cast<const char*>(b.data) + offset_of(o, p.outer_b) * esize;
      char* pc = static_cast<char*>(c.data) + o * p.inner * s.m * s.n * esize;
      bool aligned = is_aligned(pa, kAlignedBytes) && is_aligned(pb, kAlignedBytes) &&
                     is_aligned(pc, kAlignedBytes);
      const LtAlgo& algo = aligned && st->aligned.found ? st->aligned : st->unaligned;
      if (!algo.found) {
        fail("[matrix_multiply '", args.node.name,
             "'] cuBLASLt has no algorithm for tensors aligned to fewer than ", kAlignedBytes,
             " bytes at these shapes; pass ", kAlignedBytes, "-byte aligned addresses");
      }
      KILN_CHECK(args.workspace_size >= algo.workspace, "[matrix_multiply '", args.node.name,
                 "'] needs ", algo.workspace, " bytes of workspace, got ", args.workspace_size);
      // cuBLASLt's A is our B and its B our A; beta = 0, so C (= D) is not read.
      KILN_CUBLAS_CHECK(cublasLtMatmul(st->handle->get(), st->desc, &one, pb, st->layout_a, pa,
                                       st->layout_b, &zero, pc, st->layout_d, pc, st->layout_d,
                                       &algo.algo, args.workspace, args.workspace_size,
                                       args.stream));
    }
    run_epilogue(bias, act, c, args.stream, st->bias_native, st->activation_native);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(CublasLtMatrixMultiplyTactic);

}  // namespace kiln::cuda
