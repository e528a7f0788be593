// kiln's own CUDA convolution tactic: everything the CPU reference runs (1-3 spatial dims, groups,
// dilation, asymmetric padding, optional bias, float32/float16/bfloat16 with float32 accumulation).
//
// It is the fallback under cuDNN (cuda.cudnn.convolution), which also delegates here for shapes
// or pointers cuDNN has no plan for. enqueue() only launches: no workspace, no allocation.
#include "backends/cuda/kernels/convolution.h"
#include "backends/cuda/tactic.h"
#include "backends/cuda/tactics/util.h"
#include "core/error.h"
#include "ir/op.h"

#include <algorithm>

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

  // The shape-based choice first, then each kernel forced (the plan stores the ConvKernel byte).
  std::vector<TacticConfig> configs(const TacticQuery& q, int32_t max_configs) const override {
    std::vector<TacticConfig> configs;
    for (ConvKernel k :
         {ConvKernel::kAuto, ConvKernel::kGemm64, ConvKernel::kGemm16x256, ConvKernel::kDirect}) {
      if (static_cast<int32_t>(configs.size()) >= std::max(max_configs, 1)) break;
      configs.push_back({static_cast<int64_t>(k), {static_cast<uint8_t>(k)}});
    }
    return configs;
  }

  void enqueue(const LaunchArgs& args) const override {
    ConvKernel kernel = ConvKernel::kAuto;
    if (!args.params.empty()) {
      if (args.params.size() != 1 || args.params[0] > static_cast<uint8_t>(ConvKernel::kDirect)) {
        fail("[convolution '", args.node.name, "'] kiln convolution params name no kernel (",
             args.params.size(), " bytes)");
      }
      kernel = static_cast<ConvKernel>(args.params[0]);
    }
    const ConvolutionAttrs& a = args.node.get<ConvolutionAttrs>();
    const DeviceTensor& x = args.inputs[0];
    const DeviceTensor& w = args.inputs[1];
    const DeviceTensor& y = args.outputs[0];
    const DeviceTensor* bias =
        args.inputs.size() > 2 && args.inputs[2].data ? &args.inputs[2] : nullptr;
    launch_convolution(geometry_of(a, x.dims, y.dims), x.type, x.data, w.type, w.data,
                       bias ? bias->type : DataType::kFLOAT, bias ? bias->data : nullptr, y.data,
                       args.stream, kernel);
    run_epilogue(nullptr, a.epilogue, y, args.stream);  // a fused activation, in place
  }
};

}  // namespace

KILN_REGISTER_TACTIC(ConvolutionTactic);

}  // namespace kiln::cuda
