// The CPU kernel of a plugin node: calls the plugin's enqueue with host pointers, a host workspace
// of get_workspace_size() bytes and stream == nullptr.
#include "backends/cpu/kernels.h"
#include "ir/op.h"
#include "plugin/network.h"

namespace kiln::cpu {

void run_plugin_v3(const ir::Node& node, std::span<const TensorView> inputs,
                   std::span<const TensorView> outputs) {
  const PluginV3Attrs& a = node.get<PluginV3Attrs>();
  PluginV3& plugin = plugin::instance(node);
  size_t num_data = inputs.size() - static_cast<size_t>(a.num_shape_inputs);
  std::vector<PluginTensorDesc> in_descs, out_descs;
  std::vector<const void*> in_ptrs;
  std::vector<void*> out_ptrs;
  for (size_t i = 0; i < num_data; ++i) {
    in_descs.push_back({inputs[i].type, inputs[i].dims});
    in_ptrs.push_back(inputs[i].data);
  }
  for (const TensorView& out : outputs) {
    out_descs.push_back({out.type, out.dims});
    out_ptrs.push_back(out.data);
  }
  if (!plugin.supports_device(DeviceType::kCPU))
    ir::fail_at(node, "plugin '", a.plugin_name, "' does not run on the CPU");
  try {
    std::vector<uint64_t> workspace((plugin.get_workspace_size(in_descs, out_descs) + 7) / 8);
    plugin.enqueue(DeviceType::kCPU, in_descs, out_descs, in_ptrs.data(), out_ptrs.data(),
                   workspace.empty() ? nullptr : workspace.data(), nullptr);
  } catch (const std::exception& e) {
    ir::fail_at(node, "plugin '", a.plugin_name, "' failed: ", e.what());
  } catch (...) {
    ir::fail_at(node, "plugin '", a.plugin_name, "' threw a non-standard exception");
  }
}

}  // namespace kiln::cpu
