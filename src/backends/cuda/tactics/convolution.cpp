// kiln's own CUDA convolution tactic: everything the CPU reference runs (1-3 spatial dims, groups,
// dilation, asymmetric padding, optional bias, float32/float16/bfloat16 with float32 accumulation).
//
// It is the fallback under cuDNN (cuda.cudnn.convolution), which also delegates here for shapes
// or pointers cuDNN has no plan for. enqueue() only launches: no workspace, no allocation.
#include "backends/cuda/kernels/convolution.h"
#include "backends/cuda/tactic.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

// The kernels' geometry: spatial parameters moved to the back of three dims, as the CPU does.
ConvGeometry geometry_of(const ConvolutionAttrs& a, const Dims& x, const Dims& y) {
  ConvGeometry g;
  g.batch = x.d[0];
  g.channels = x.d[1];
  g.maps = a.num_output_maps;
  g.groups = a.num_groups;
  const int32_t rank = a.kernel_shape.nb_dims;
  for (int32_t i = 0; i < rank; ++i) {
    const int32_t j = 3 - rank + i;
    g.in[j] = x.d[2 + i];
    g.out[j] = y.d[2 + i];
    g.kernel[j] = a.kernel_shape.d[i];
    g.stride[j] = a.stride.d[i];
    g.pad[j] = a.pre_padding.d[i];
    g.dilation[j] = a.dilation.d[i];
  }
  return g;
}

class ConvolutionTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.convolution"; }
  LayerType layer() const override { return LayerType::kCONVOLUTION; }
  TacticSource source() const override { return TacticSource::kKILN; }

  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() < 2 || q.inputs.size() > 3 || q.outputs.size() != 1) return false;
    const ConvolutionAttrs& a = q.node.get<ConvolutionAttrs>();
    const int32_t rank = a.kernel_shape.nb_dims;
    const ir::TensorDesc& x = q.inputs[0];
    const ir::TensorDesc& w = q.inputs[1];
    if (rank < 1 || rank > 3 || x.dims.nb_dims != rank + 2 || w.dims.nb_dims != rank + 2)
      return false;
    if (!ir::is_floating(x.type) || !ir::is_floating(w.type) || q.outputs[0].type != x.type)
      return false;
    const bool has_bias = q.inputs.size() == 3 && q.inputs[2].dims.nb_dims >= 0;
    return !has_bias || ir::is_floating(q.inputs[2].type);
  }

  void enqueue(const LaunchArgs& args) const override {
    const ConvolutionAttrs& a = args.node.get<ConvolutionAttrs>();
    const DeviceTensor& x = args.inputs[0];
    const DeviceTensor& w = args.inputs[1];
    const DeviceTensor& y = args.outputs[0];
    const DeviceTensor* bias =
        args.inputs.size() > 2 && args.inputs[2].data ? &args.inputs[2] : nullptr;
    launch_convolution(geometry_of(a, x.dims, y.dims), x.type, x.data, w.type, w.data,
                       bias ? bias->type : DataType::kFLOAT, bias ? bias->data : nullptr, y.data,
                       args.stream);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(ConvolutionTactic);

}  // namespace kiln::cuda
