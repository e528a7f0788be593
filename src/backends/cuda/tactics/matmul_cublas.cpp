// cuBLAS's tactic for MatrixMultiply ("cuda.cublas.matrix_multiply", source kCUBLAS): one
// cublasGemmStridedBatchedEx call for products with at most one batch dim (a single strided run
// on each operand, or a broadcast), float32 (TF32 when the build allows it), float16 and bfloat16
// with float32 accumulation. A fused bias and activation run after it (run_epilogue). Other batch
// patterns are left to cuBLASLt and kiln's kernel.
//
// Row-major C[m,n] = op(A) op(B) is column-major C^T[n,m] = op(B)^T op(A)^T: cuBLAS's first
// operand is our B. Each context's state owns a cuBLAS handle (created with the context, before
// any capture) and gives cuBLAS the step's workspace, so cuBLAS allocates nothing while enqueueing.
#include <cublas_v2.h>

#include <climits>

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/gemm.h"
#include "backends/cuda/tactic.h"
#include "backends/cuda/tactics/util.h"
#include "core/error.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

constexpr size_t kWorkspaceBytes = size_t{32} << 20;

// The batch stride of an operand whose batch dims form one contiguous run (or broadcast
// entirely): true with `stride` set, else false.
bool uniform_stride(const StridedShape& s, int64_t& stride) {
  stride = 0;
  int64_t expected = -1;
  for (int32_t i = s.rank - 1; i >= 0; --i) {
    if (s.dims[i] == 1) continue;
    if (expected < 0) {
      stride = s.strides[i];
      expected = stride * s.dims[i];
      continue;
    }
    if (stride == 0 ? s.strides[i] != 0 : s.strides[i] != expected) return false;
    expected *= s.dims[i];
  }
  return true;
}

cudaDataType_t cuda_type(DataType type) {
  return type == DataType::kFLOAT ? CUDA_R_32F : type == DataType::kHALF ? CUDA_R_16F : CUDA_R_16BF;
}

struct CublasState final : TacticState {
  CublasState() { KILN_CUBLAS_CHECK(cublasCreate(&handle)); }
  ~CublasState() override { cublasDestroy(handle); }  // unchecked: a destructor cannot throw
  cublasHandle_t handle = nullptr;
};

class CublasMatrixMultiplyTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.cublas.matrix_multiply"; }
  LayerType layer() const override { return LayerType::kMATRIX_MULTIPLY; }
  TacticSource source() const override { return TacticSource::kCUBLAS; }

  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() < 2 || q.inputs.size() > 3 || q.outputs.size() != 1) return false;
    const ir::TensorDesc& a = q.inputs[0];
    const ir::TensorDesc& b = q.inputs[1];
    if (a.dims.nb_dims < 0 || b.dims.nb_dims < 0) return false;
    if (!ir::is_floating(a.type) || b.type != a.type || q.outputs[0].type != a.type) return false;
    if (q.inputs.size() == 3 && q.inputs[2].type != a.type) return false;
    // At most one batch dim in the output: then each operand's batch is one strided run (or a
    // broadcast) at every shape, dynamic or not.
    const MatrixMultiplyAttrs& attrs = q.node.get<MatrixMultiplyAttrs>();
    int32_t matrix_dims =
        (attrs.op_a != MatrixOperation::kVECTOR) + (attrs.op_b != MatrixOperation::kVECTOR);
    return q.outputs[0].dims.nb_dims - matrix_dims <= 1;
  }

  std::vector<TacticConfig> configs(const TacticQuery& q, int32_t) const override {
    reshape(nullptr, q);  // fails at sizes over cuBLAS's int range
    return {TacticConfig{}};
  }

  size_t workspace_size(const TacticQuery&) const override { return kWorkspaceBytes; }

  std::unique_ptr<TacticState> create_state(const ir::Node&,
                                            std::span<const uint8_t>) const override {
    return std::make_unique<CublasState>();
  }

  void reshape(TacticState*, const TacticQuery& q) const override {
    if (!fits(q)) {
      fail("[matrix_multiply '", q.node.name, "'] ", q.inputs[0].dims, " x ", q.inputs[1].dims,
           " exceeds cuBLAS's int sizes; rebuild without TacticSource::kCUBLAS");
    }
  }

  void enqueue(const LaunchArgs& args) const override {
    auto* st = static_cast<CublasState*>(args.state);
    KILN_CHECK(st != nullptr, "[matrix_multiply '", args.node.name, "'] cuBLAS without its state");
    const MatrixMultiplyAttrs& attrs = args.node.get<MatrixMultiplyAttrs>();
    const DeviceTensor& a = args.inputs[0];
    const DeviceTensor& b = args.inputs[1];
    const DeviceTensor& c = args.outputs[0];
    const GemmShape s = matrix_multiply_shape(attrs.op_a, a.dims, attrs.op_b, b.dims, c.dims);
    const int64_t count = batch_count(s);
    const DeviceTensor* bias = args.inputs.size() > 2 ? &args.inputs[2] : nullptr;
    if (s.m == 0 || s.n == 0 || count == 0) return;
    if (s.k == 0) {
      KILN_CUDA_CHECK(
          cudaMemsetAsync(c.data, 0, volume(c.dims) * element_size(c.type), args.stream));
      run_epilogue(bias, attrs.epilogue, c, args.stream);
      return;
    }
    int64_t stride_a = 0, stride_b = 0;
    uniform_stride(s.a_batch, stride_a);
    uniform_stride(s.b_batch, stride_b);
    KILN_CUBLAS_CHECK(cublasSetStream(st->handle, args.stream));
    KILN_CUBLAS_CHECK(cublasSetWorkspace(st->handle, args.workspace, args.workspace_size));
    const cudaDataType_t t = cuda_type(c.type);
    const cublasComputeType_t compute =
        c.type == DataType::kFLOAT &&
                (args.builder_flags >> static_cast<uint32_t>(BuilderFlag::kTF32) & 1u)
            ? CUBLAS_COMPUTE_32F_FAST_TF32
            : CUBLAS_COMPUTE_32F;
    const float one = 1.0f, zero = 0.0f;
    KILN_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
        st->handle, s.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, s.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N,
        static_cast<int>(s.n), static_cast<int>(s.m), static_cast<int>(s.k), &one, b.data, t,
        static_cast<int>(s.ldb), stride_b, a.data, t, static_cast<int>(s.lda), stride_a, &zero,
        c.data, t, static_cast<int>(s.n), s.m * s.n, static_cast<int>(count), compute,
        CUBLAS_GEMM_DEFAULT));
    run_epilogue(bias, attrs.epilogue, c, args.stream);
  }

 private:
  // Concrete shapes one cublasGemmStridedBatchedEx call computes: int-sized dims and a single
  // strided batch per operand (always so with supports()'s at most one batch dim).
  static bool fits(const TacticQuery& q) {
    const MatrixMultiplyAttrs& attrs = q.node.get<MatrixMultiplyAttrs>();
    GemmShape s = matrix_multiply_shape(attrs.op_a, q.inputs[0].dims, attrs.op_b, q.inputs[1].dims,
                                        q.outputs[0].dims);
    int64_t stride = 0;
    for (int64_t v : {s.m, s.n, s.k, s.lda, s.ldb, batch_count(s)}) {
      if (v > INT_MAX) return false;
    }
    return uniform_stride(s.a_batch, stride) && uniform_stride(s.b_batch, stride);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(CublasMatrixMultiplyTactic);

}  // namespace kiln::cuda
