// kiln's own CUDA pooling tactic: max and average over 1-3 spatial dims, float32/float16/bfloat16,
// with the CPU reference's padding rules (windows clipped to the input; count with or without
// padding).
#include "backends/cuda/kernels/pooling.h"
#include "backends/cuda/tactic.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

PoolGeometry geometry_of(const PoolingAttrs& a, const Dims& x, const Dims& y) {
  PoolGeometry g;
  g.planes = x.d[0] * x.d[1];
  const int32_t rank = a.window.nb_dims;
  for (int32_t i = 0; i < rank; ++i) {
    const int32_t j = 3 - rank + i;
    g.in[j] = x.d[2 + i];
    g.out[j] = y.d[2 + i];
    g.window[j] = a.window.d[i];
    g.stride[j] = a.stride.d[i];
    g.pad[j] = a.pre_padding.d[i];
  }
  return g;
}

class PoolingTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.pooling"; }
  LayerType layer() const override { return LayerType::kPOOLING; }
  TacticSource source() const override { return TacticSource::kKILN; }

  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() != 1 || q.outputs.size() != 1) return false;
    const PoolingAttrs& a = q.node.get<PoolingAttrs>();
    const int32_t rank = a.window.nb_dims;
    const ir::TensorDesc& x = q.inputs[0];
    return rank >= 1 && rank <= 3 && x.dims.nb_dims == rank + 2 && ir::is_floating(x.type) &&
           q.outputs[0].type == x.type &&
           (a.type == PoolingType::kMAX || a.type == PoolingType::kAVERAGE);
  }

  void enqueue(const LaunchArgs& args) const override {
    const PoolingAttrs& a = args.node.get<PoolingAttrs>();
    const DeviceTensor& x = args.inputs[0];
    const DeviceTensor& y = args.outputs[0];
    launch_pooling(geometry_of(a, x.dims, y.dims), a.type, a.average_count_excludes_padding, x.type,
                   x.data, y.data, args.stream);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(PoolingTactic);

}  // namespace kiln::cuda
