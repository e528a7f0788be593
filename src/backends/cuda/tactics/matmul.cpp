// kiln's own CUDA tactic for MatrixMultiply: every operation combination, any broadcast batch
// pattern and shape, float32/float16/bfloat16 with float32 accumulation (kernels/gemm.cu).
//
// It is what runs when cuBLASLt is switched off (the builder prefers library sources); it needs no
// workspace and no per-context state, so enqueue() just describes the product and launches.
#include "backends/cuda/kernels/gemm.h"
#include "backends/cuda/tactic.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

class MatrixMultiplyTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.matrix_multiply"; }
  LayerType layer() const override { return LayerType::kMATRIX_MULTIPLY; }
  TacticSource source() const override { return TacticSource::kKILN; }

  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() != 2 || q.outputs.size() != 1) return false;
    if (q.inputs[0].dims.nb_dims < 0 || q.inputs[1].dims.nb_dims < 0) return false;
    DataType t = q.inputs[0].type;
    return ir::is_floating(t) && q.inputs[1].type == t && q.outputs[0].type == t;
  }

  void enqueue(const LaunchArgs& args) const override {
    const MatrixMultiplyAttrs& attrs = args.node.get<MatrixMultiplyAttrs>();
    const DeviceTensor& a = args.inputs[0];
    const DeviceTensor& b = args.inputs[1];
    const DeviceTensor& c = args.outputs[0];
    GemmShape shape = matrix_multiply_shape(attrs.op_a, a.dims, attrs.op_b, b.dims, c.dims);
    launch_gemm(c.type, shape, a.data, b.data, c.data, args.stream);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(MatrixMultiplyTactic);

}  // namespace kiln::cuda
