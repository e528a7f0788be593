// cuBLASLt's tactic for MatrixMultiply ("cuda.cublaslt.matrix_multiply"): float32, float16 and
// bfloat16 in and out with float32 accumulation, every operation combination and batch pattern.
//
// Row-major C[m,n] = op(A) op(B) is column-major C^T[n,m] = op(B)^T op(A)^T, so cuBLASLt's A is
// our B and its B our A, each described as its stored row-major matrix read column-major, with
// its transpose flag carried over. The batch runs as one strided batch over the longest trailing
// run of output batch dims along which each operand advances by one fixed stride (0 where it
// broadcasts); leading dims that do not fit (a [2,1,M,K] x [1,3,K,N] batch) are looped over in
// enqueue(), one cublasLtMatmul each. reshape() builds the descriptors and asks the heuristic for
// an algorithm; enqueue() only calls cublasLtMatmul (or, for k == 0, clears the output).
#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <type_traits>

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/gemm.h"
#include "backends/cuda/tactic.h"
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

// The heuristic's best algorithm for pointers aligned to `alignment` bytes within the workspace
// limit; found == false when it has none. Split-K may only reduce in float32 (the compute type),
// never in place in a float16 output.
LtAlgo pick_algo(const LtState& st, uint32_t alignment) {
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
  cublasLtMatmulHeuristicResult_t results[kCandidates] = {};
  int returned = 0;
  cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(
      st.handle->get(), st.desc, st.layout_a, st.layout_b, st.layout_d, st.layout_d, pref.get(),
      kCandidates, results, &returned);
  // NOT_SUPPORTED: no algorithm for this problem, which the caller reports with the layer's name.
  if (status == CUBLAS_STATUS_NOT_SUPPORTED) return {};
  check_cublas(status, "cublasLtMatmulAlgoGetHeuristic", __FILE__, __LINE__);
  for (int i = 0; i < returned; ++i) {
    if (results[i].state == CUBLAS_STATUS_SUCCESS && results[i].workspaceSize <= kWorkspaceBytes) {
      return {true, results[i].algo, results[i].workspaceSize};
    }
  }
  return {};
}

bool is_aligned(const void* p, uint32_t bytes) {
  return reinterpret_cast<uintptr_t>(p) % bytes == 0;
}

class CublasLtMatrixMultiplyTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.cublaslt.matrix_multiply"; }
  LayerType layer() const override { return LayerType::kMATRIX_MULTIPLY; }
  TacticSource source() const override { return TacticSource::kCUBLAS_LT; }

  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() != 2 || q.outputs.size() != 1) return false;
    if (q.inputs[0].dims.nb_dims < 0 || q.inputs[1].dims.nb_dims < 0) return false;
    DataType t = q.inputs[0].type;
    return ir::is_floating(t) && q.inputs[1].type == t && q.outputs[0].type == t;
  }

  size_t workspace_size(const TacticQuery& q) const override { return kWorkspaceBytes; }

  std::unique_ptr<TacticState> create_state(const ir::Node& node,
                                            std::span<const uint8_t> params) const override {
    return std::make_unique<LtState>(device_handle());
  }

  void reshape(TacticState* state, const TacticQuery& q) const override {
    auto* st = static_cast<LtState*>(state);
    KILN_CHECK(st != nullptr, "[matrix_multiply '", q.node.name,
               "'] cuBLASLt tactic without its state");
    const Dims& a = q.inputs[0].dims;
    const Dims& b = q.inputs[1].dims;
    if (st->ready && a == st->a_dims && b == st->b_dims) return;
    st->release();
    const MatrixMultiplyAttrs& attrs = q.node.get<MatrixMultiplyAttrs>();
    st->shape = matrix_multiply_shape(attrs.op_a, a, attrs.op_b, b, q.outputs[0].dims);
    st->a_dims = a;
    st->b_dims = b;
    const GemmShape& s = st->shape;
    if (s.m == 0 || s.n == 0 || s.k == 0 || batch_count(s) == 0) {
      st->ready = true;  // enqueue() only clears a non-empty output
      return;
    }
    st->batch = plan_batch(s);
    const BatchPlan& p = st->batch;
    DataType type = q.inputs[0].type;
    cudaDataType_t t = cuda_type(type);

    // TODO: CUBLAS_COMPUTE_32F_FAST_TF32 for float32 when the plan allows TF32
    // (BuilderFlag::kTF32); the node does not carry the flag yet, so float32 runs in full float32
    // for now.
    KILN_CUBLAS_CHECK(cublasLtMatmulDescCreate(&st->desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasOperation_t op_a = s.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;  // cuBLASLt's A is our B
    cublasOperation_t op_b = s.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    KILN_CUBLAS_CHECK(
        cublasLtMatmulDescSetAttribute(st->desc, CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof(op_a)));
    KILN_CUBLAS_CHECK(
        cublasLtMatmulDescSetAttribute(st->desc, CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof(op_b)));
    // Our B is stored [k][ldb] ([n][ldb] transposed), our A [m][lda] ([k][lda]), C [m][n].
    make_layout(t, s.trans_b ? s.n : s.k, s.trans_b ? s.k : s.n, s.ldb, p.inner, p.stride_b,
                st->layout_a);
    make_layout(t, s.trans_a ? s.k : s.m, s.trans_a ? s.m : s.k, s.lda, p.inner, p.stride_a,
                st->layout_b);
    make_layout(t, s.m, s.n, s.n, p.inner, s.m * s.n, st->layout_d);

    st->aligned = pick_algo(*st, kAlignedBytes);
    st->unaligned = pick_algo(*st, static_cast<uint32_t>(element_size(type)));
    if (!st->aligned.found && !st->unaligned.found) {
      fail("[matrix_multiply '", q.node.name, "'] cuBLASLt has no algorithm for ", a, " x ", b,
           " (", type, ", m ", s.m, ", n ", s.n, ", k ", s.k, ", batch ", p.inner,
           "); build without the cuBLASLt tactic "
           "source to use kiln's kernel");
    }
    st->ready = true;
  }

  void enqueue(const LaunchArgs& args) const override {
    const auto* st = static_cast<const LtState*>(args.state);
    const DeviceTensor& a = args.inputs[0];
    const DeviceTensor& b = args.inputs[1];
    const DeviceTensor& c = args.outputs[0];
    KILN_CHECK(st != nullptr && st->ready && a.dims == st->a_dims && b.dims == st->b_dims,
               "[matrix_multiply '", args.node.name, "'] enqueued at shapes ", a.dims, " x ",
               b.dims, " that reshape() did not prepare");
    int64_t esize = element_size(c.type);
    if (st->desc == nullptr) {
      int64_t bytes = volume(c.dims) * esize;  // k == 0: a sum of nothing
      if (bytes > 0)
        KILN_CUDA_CHECK(cudaMemsetAsync(c.data, 0, static_cast<size_t>(bytes), args.stream));
      return;
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
  }
};

}  // namespace

KILN_REGISTER_TACTIC(CublasLtMatrixMultiplyTactic);

}  // namespace kiln::cuda
