// kiln's CUDA tactic of the resize layer: every mode, transformation and rounding of ONNX Resize
// (core/resize_math.h, shared with the CPU reference); nearest for any type, linear and cubic for
// float32/16 and bfloat16.
#include "backends/cuda/kernels/resize.h"
#include "backends/cuda/tactics/util.h"

namespace kiln::cuda {
namespace {

class ResizeTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.resize"; }
  LayerType layer() const override { return LayerType::kRESIZE; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override { return true; }
  void enqueue(const LaunchArgs& args) const override {
    const ResizeAttrs& a = args.node.get<ResizeAttrs>();
    const DeviceTensor& in = args.inputs[0];
    const DeviceTensor& out = args.outputs[0];
    ResizeGeometry g;
    g.rank = in.dims.nb_dims;
    g.mode = static_cast<int32_t>(a.mode);
    g.rounding = static_cast<int32_t>(a.nearest_rounding);
    g.cubic_a = a.cubic_coeff;
    g.exclude_outside = a.exclude_outside;
    StridedShape dense = contiguous(in.dims);
    for (int32_t i = 0; i < g.rank; ++i) {
      resize::Axis& axis = g.axes[i];
      axis.in = in.dims.d[i];
      axis.out = out.dims.d[i];
      axis.scale = a.use_scales ? static_cast<double>(a.scales[i])
                                : static_cast<double>(axis.out) / static_cast<double>(axis.in);
      axis.transformation = static_cast<int32_t>(a.transformation);
      axis.upper_for_single_pixel = a.selector == ResizeSelector::kUPPER;
      g.in_strides[i] = dense.strides[i];
      g.active[i] = g.mode != resize::kNEAREST &&
                    !resize::is_identity(axis, g.mode, g.rounding, g.cubic_a, g.exclude_outside);
    }
    resize(out.data, in.data, static_cast<int32_t>(in.type), element_size(in.type), g, args.stream);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(ResizeTactic);

}  // namespace kiln::cuda
