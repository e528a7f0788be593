// ONNX ops kiln has no importer for, imported as plugins when a creator of the same name is
// registered (docs/plugins.md).
#pragma once

#include "onnx/importer.h"

namespace kiln::onnx {

// When the registry has a creator for the current node (name = op_type, version = the node's
// "plugin_version" attribute or "1", namespace = the node's domain, "" for ai.onnx), adds it as a
// plugin layer with the other attributes as plugin fields and returns true; false otherwise.
bool import_as_plugin(ImportContext& ctx);

}  // namespace kiln::onnx
