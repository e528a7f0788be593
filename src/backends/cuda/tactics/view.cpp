// cuda.kiln.view: the view op (ViewAttrs) launches nothing: the executor gives its output the
// input's address (ir::alias_views). Only an output given memory of its own (a plan whose view
// writes a bound tensor) is copied, device to device.
#include "backends/cuda/check.h"
#include "backends/cuda/tactics/util.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

class ViewTactic : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.view"; }
  LayerType layer() const override { return ir::op::kVIEW; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    return !q.inputs.empty() && q.outputs.size() == 1 && q.inputs[0].dims.nb_dims >= 0;
  }
  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& x = args.inputs[0];
    const DeviceTensor& y = args.outputs[0];
    if (x.data == y.data) return;
    size_t bytes = static_cast<size_t>(volume(y.dims)) * element_size(y.type);
    if (bytes > 0) {
      KILN_CUDA_CHECK(
          cudaMemcpyAsync(y.data, x.data, bytes, cudaMemcpyDeviceToDevice, args.stream));
    }
  }
};

KILN_REGISTER_TACTIC(ViewTactic);

}  // namespace

}  // namespace kiln::cuda
