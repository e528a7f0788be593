// kiln's CUDA tactic of the deconvolution layer: a direct kernel (one thread per output element),
// float32/16 and bfloat16, any groups, strides, dilation and padding (negative post padding too).
#include "backends/cuda/kernels/deconvolution.h"
#include "backends/cuda/tactics/util.h"

namespace kiln::cuda {
namespace {

class DeconvolutionTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.deconvolution"; }
  LayerType layer() const override { return LayerType::kDECONVOLUTION; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    DataType t = q.inputs[0].type;
    for (const ir::TensorDesc& d : q.inputs) {
      if (d.dims.nb_dims >= 0 && d.type != t) return false;
    }
    return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16;
  }
  void enqueue(const LaunchArgs& args) const override {
    const DeconvolutionAttrs& a = args.node.get<DeconvolutionAttrs>();
    const DeviceTensor& x = args.inputs[0];
    const DeviceTensor& y = args.outputs[0];
    DeconvGeometry g;
    g.batch = x.dims.d[0];
    g.channels = x.dims.d[1];
    g.maps = a.num_output_maps;
    g.groups = a.num_groups;
    int32_t rank = a.kernel_shape.nb_dims;
    for (int32_t i = 0; i < rank; ++i) {
      int32_t j = 3 - rank + i;
      g.in[j] = x.dims.d[2 + i];
      g.out[j] = y.dims.d[2 + i];
      g.kernel[j] = a.kernel_shape.d[i];
      g.stride[j] = a.stride.d[i];
      g.pad[j] = a.pre_padding.d[i];
      g.dilation[j] = a.dilation.d[i];
    }
    const void* bias = args.inputs.size() > 2 ? args.inputs[2].data : nullptr;
    deconvolution(y.data, x.data, args.inputs[1].data, bias, static_cast<int32_t>(x.type), g,
                  args.stream);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(DeconvolutionTactic);

}  // namespace kiln::cuda
