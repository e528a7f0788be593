// The CUDA tactic of plugin nodes: calls the plugin's enqueue with device pointers, the step's
// workspace and the stream. Applies to every plugin whose supports_device(kGPU) is true.
#include "backends/cuda/tactics/util.h"
#include "ir/op.h"
#include "plugin/network.h"

namespace kiln::cuda {
namespace {

std::vector<PluginTensorDesc> descs(std::span<const ir::TensorDesc> t, size_t count) {
  std::vector<PluginTensorDesc> out;
  for (size_t i = 0; i < count && i < t.size(); ++i) out.push_back({t[i].type, t[i].dims});
  return out;
}

size_t num_data_inputs(const ir::Node& node, size_t inputs) {
  return inputs - static_cast<size_t>(node.get<PluginV3Attrs>().num_shape_inputs);
}

class PluginTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.plugin"; }
  LayerType layer() const override { return LayerType::kPLUGIN_V3; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    PluginV3& plugin = plugin::instance(q.node);
    if (!plugin.supports_device(DeviceType::kGPU)) {
      ir::fail_at(q.node, "plugin '", q.node.get<PluginV3Attrs>().plugin_name,
                  "' does not run on the GPU (supports_device(kGPU) is false); build the "
                  "network for the CPU (BuilderConfig::set_default_device_type(kCPU))");
    }
    return true;
  }
  size_t workspace_size(const TacticQuery& q) const override {
    try {
      return plugin::instance(q.node).get_workspace_size(
          descs(q.inputs, num_data_inputs(q.node, q.inputs.size())),
          descs(q.outputs, q.outputs.size()));
    } catch (const std::exception& e) {
      ir::fail_at(q.node, "plugin get_workspace_size failed: ", e.what());
    }
  }
  void enqueue(const LaunchArgs& args) const override {
    PluginV3& plugin = plugin::instance(args.node);
    size_t num_data = num_data_inputs(args.node, args.inputs.size());
    std::vector<PluginTensorDesc> in, out;
    std::vector<const void*> in_ptrs;
    std::vector<void*> out_ptrs;
    for (size_t i = 0; i < num_data; ++i) {
      in.push_back({args.inputs[i].type, args.inputs[i].dims});
      in_ptrs.push_back(args.inputs[i].data);
    }
    for (const DeviceTensor& t : args.outputs) {
      out.push_back({t.type, t.dims});
      out_ptrs.push_back(t.data);
    }
    try {
      plugin.enqueue(DeviceType::kGPU, in, out, in_ptrs.data(), out_ptrs.data(), args.workspace,
                     args.stream);
    } catch (const std::exception& e) {
      ir::fail_at(args.node, "plugin '", args.node.get<PluginV3Attrs>().plugin_name,
                  "' failed: ", e.what());
    }
  }
};

KILN_REGISTER_TACTIC(PluginTactic);

}  // namespace
}  // namespace kiln::cuda
