// kiln's own CUDA tactic for MatrixMultiply: every operation combination, any broadcast batch
// pattern and shape, float32/float16/bfloat16 with float32 accumulation (kernels/gemm.cu).
//
// It is what runs when cuBLASLt is switched off (the builder prefers library sources); it needs no
// workspace and no per-context state, so enqueue() just describes the product and launches.
#include "backends/cuda/kernels/gemm.h"
#include "backends/cuda/tactic.h"
#include "backends/cuda/tactics/util.h"
#include "core/error.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

int32_t tile_of(std::span<const uint8_t> params, const ir::Node& node) {
  if (params.empty()) return 64;
  if (params.size() != 1 || (params[0] != 64 && params[0] != 32)) {
    fail("[matrix_multiply '", node.name, "'] kiln GEMM params name no tile size (", params.size(),
         " bytes)");
  }
  return params[0];
}

class MatrixMultiplyTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.matrix_multiply"; }
  LayerType layer() const override { return LayerType::kMATRIX_MULTIPLY; }
  TacticSource source() const override { return TacticSource::kKILN; }

  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() < 2 || q.inputs.size() > 3 || q.outputs.size() != 1) return false;
    if (q.inputs[0].dims.nb_dims < 0 || q.inputs[1].dims.nb_dims < 0) return false;
    DataType t = q.inputs[0].type;
    if (q.inputs.size() == 3 && q.inputs[2].type != t) return false;  // a fused bias
    return ir::is_floating(t) && q.inputs[1].type == t && q.outputs[0].type == t;
  }

  // Two launch configurations: 64x64 and 32x32 output tiles; the plan stores the tile as one
  // byte (none: 64).
  std::vector<TacticConfig> configs(const TacticQuery& q, int32_t max_configs) const override {
    std::vector<TacticConfig> configs = {{64, {64}}};
    if (max_configs > 1) configs.push_back({32, {32}});
    return configs;
  }

  void enqueue(const LaunchArgs& args) const override {
    const MatrixMultiplyAttrs& attrs = args.node.get<MatrixMultiplyAttrs>();
    const DeviceTensor& a = args.inputs[0];
    const DeviceTensor& b = args.inputs[1];
    const DeviceTensor& c = args.outputs[0];
    GemmShape shape = matrix_multiply_shape(attrs.op_a, a.dims, attrs.op_b, b.dims, c.dims);
    launch_gemm(c.type, shape, a.data, b.data, c.data, args.stream,
                tile_of(args.params, args.node));
    // A fused bias and activation run after the product, in place.
    run_epilogue(args.inputs.size() > 2 ? &args.inputs[2] : nullptr, attrs.epilogue, c,
                 args.stream);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(MatrixMultiplyTactic);

}  // namespace kiln::cuda
