// Plugin nodes in the graph: their attributes from a plugin instance, and the instances of a
// graph read from a plan, re-created through the registry.
#pragma once

#include "ir/graph.h"
#include "kiln/plugin.h"

namespace kiln::plugin {

// The attributes of a node running a clone of `plugin`: key, serialized fields, output count.
// Throws Error prefixed with `what` when the plugin misbehaves.
PluginV3Attrs make_attrs(const PluginV3& plugin, int32_t num_shape_inputs, const std::string& what);

// Gives every plugin node of `graph` that has no instance one made by the registry from its stored
// fields (PluginPhase::kRUNTIME). Throws Error naming the layer and the plugin's name, version and
// namespace when its creator is not registered, and "corrupted: ..." for bad field bytes.
void create_plugins(ir::Graph& graph);

// The plugin of a plugin node; throws naming the layer when it has none.
PluginV3& instance(const ir::Node& node);

}  // namespace kiln::plugin
