// add_plugin_v3, the PluginV3Layer handle, and plugin instances for graphs read from plans.
#include "plugin/network.h"

#include "ir/network_impl.h"
#include "ir/op.h"
#include "plugin/fields.h"

namespace kiln {
namespace plugin {

namespace {
constexpr int32_t kMaxOutputs = 64;
}

PluginV3Attrs make_attrs(const PluginV3& plugin, int32_t num_shape_inputs,
                         const std::string& what) {
  PluginV3Attrs a;
  try {
    a.plugin_name = plugin.get_plugin_name();
    a.plugin_version = plugin.get_plugin_version();
    a.plugin_namespace = plugin.get_plugin_namespace();
    a.num_outputs = plugin.get_nb_outputs();
    a.plugin_fields = encode_fields(plugin.get_fields_to_serialize());
    std::unique_ptr<PluginV3> clone = plugin.clone();
    if (!clone) fail("clone() returned nothing");
    clone->set_plugin_namespace(a.plugin_namespace);
    a.plugin = std::move(clone);
  } catch (const std::exception& e) {
    fail(what, ": plugin '", a.plugin_name, "': ", e.what());
  }
  if (a.plugin_name.empty()) fail(what, ": the plugin has an empty name");
  if (a.num_outputs < 1 || a.num_outputs > kMaxOutputs) {
    fail(what, ": plugin '", a.plugin_name, "' has ", a.num_outputs, " outputs; expected 1 to ",
         kMaxOutputs);
  }
  a.num_shape_inputs = num_shape_inputs;
  return a;
}

void create_plugins(ir::Graph& graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    ir::Node& node = graph.nodes[i];
    auto* a = std::get_if<PluginV3Attrs>(&node.attrs);
    if (!a || a->plugin) continue;
    std::string where = str_cat("corrupted: nodes: node ", i, " '", node.name.substr(0, 64), "'");
    PluginFieldCollection fields =
        decode_fields(a->plugin_fields.data(), a->plugin_fields.size(), where);
    std::unique_ptr<PluginV3> p =
        get_plugin_registry().create_plugin(a->plugin_name, a->plugin_version, a->plugin_namespace,
                                            node.name, fields, PluginPhase::kRUNTIME);
    int32_t n = 0;
    try {
      n = p->get_nb_outputs();
    } catch (const std::exception& e) {
      fail("[plugin_v3 '", node.name, "'] get_nb_outputs: ", e.what());
    }
    if (n != a->num_outputs) {
      fail("[plugin_v3 '", node.name, "'] plugin '", a->plugin_name,
           "' re-created from the plan has ", n, " outputs; the plan has ", a->num_outputs);
    }
    a->plugin = std::move(p);
  }
}

PluginV3& instance(const ir::Node& node) {
  const PluginV3Attrs& a = node.get<PluginV3Attrs>();
  if (!a.plugin) {
    ir::fail_at(node, "plugin '", a.plugin_name, "' version '", a.plugin_version, "' namespace '",
                a.plugin_namespace, "' has no instance (its creator was not found)");
  }
  return *a.plugin;
}

}  // namespace plugin

PluginV3Layer* NetworkDefinition::add_plugin_v3(Tensor* const* inputs, int32_t num_inputs,
                                                Tensor* const* shape_inputs,
                                                int32_t num_shape_inputs, PluginV3& plugin) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    if (num_inputs < 0 || num_shape_inputs < 0 || (num_inputs > 0 && !inputs) ||
        (num_shape_inputs > 0 && !shape_inputs)) {
      fail("add_plugin_v3: invalid input list (", num_inputs, " inputs, ", num_shape_inputs,
           " shape inputs)");
    }
    std::vector<int32_t> ins;
    for (int32_t i = 0; i < num_inputs + num_shape_inputs; ++i) {
      Tensor* t = i < num_inputs ? inputs[i] : shape_inputs[i - num_inputs];
      if (!t) fail("add_plugin_v3: input ", i, " is null");
      ins.push_back(impl.tensor_index(*t, "add_plugin_v3"));
    }
    PluginV3Attrs a = plugin::make_attrs(plugin, num_shape_inputs, "add_plugin_v3");
    int32_t n = a.num_outputs;
    int32_t id = impl.add_node(std::move(a), std::move(ins), "", "PluginV3");
    for (int32_t i = 0; i < n; ++i) {
      std::string base =
          impl.graph.nodes[id].name + (n == 1 ? std::string("_output") : str_cat("_output_", i));
      int32_t t = impl.add_tensor(impl.unique_tensor_name(base));
      impl.graph.tensors[t].producer = id;
      impl.graph.nodes[id].outputs.push_back(t);
    }
    return static_cast<PluginV3Layer*>(impl.layers[id].get());
  });
}

PluginV3& PluginV3Layer::get_plugin() const {
  return *attrs().plugin;
}

}  // namespace kiln
