// Plugin fields as bytes: the encoding a plan stores in a plugin node's "plugin_fields" attribute
// (docs/plan-format.md), and its bounds-checked decoding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/plugin.h"

namespace kiln::plugin {

// u32 count, then per field: u32 name length, name bytes, i32 PluginFieldType, i64 length, then
// length * element size bytes of values (little-endian).
std::vector<uint8_t> encode_fields(const PluginFieldCollection& fields);
// Throws Error starting with `where` when the bytes are not a valid encoding (whatever they hold).
PluginFieldCollection decode_fields(const uint8_t* data, size_t size, const std::string& where);

}  // namespace kiln::plugin
