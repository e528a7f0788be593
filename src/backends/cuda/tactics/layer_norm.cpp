// cuda.kiln.layer_norm: the internal layer_norm op (LayerNorm / RMSNorm over the last dimension,
// optional residual and sum output) with kiln's kernel (kernels/layer_norm.h).
#include "backends/cuda/kernels/layer_norm.h"
#include "backends/cuda/tactics/util.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

class LayerNormTactic : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.layer_norm"; }
  LayerType layer() const override { return ir::op::kLAYER_NORM; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() != 4 || q.outputs.empty() || q.inputs[0].dims.nb_dims < 1) return false;
    DataType t = q.inputs[0].type;
    return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16;
  }
  void enqueue(const LaunchArgs& args) const override {
    const auto& attrs = args.node.get<LayerNormAttrs>();
    const DeviceTensor& x = args.inputs[0];
    const int64_t h = x.dims.d[x.dims.nb_dims - 1];
    if (h <= 0) return;
    const int64_t rows = volume(x.dims) / h;
    launch_layer_norm(x.type, x.data, args.inputs[1].data, args.inputs[2].data, args.inputs[3].data,
                      args.outputs[0].data,
                      args.outputs.size() > 1 ? args.outputs[1].data : nullptr, rows, h,
                      attrs.epsilon, attrs.rms, args.stream);
  }
};

KILN_REGISTER_TACTIC(LayerNormTactic);

}  // namespace

}  // namespace kiln::cuda
