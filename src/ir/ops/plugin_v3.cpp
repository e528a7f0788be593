// Shape and type inference of a plugin node: asks the plugin, then checks what it answers.
#include "ir/op.h"
#include "plugin/network.h"

namespace kiln::ir {

void infer_plugin_v3(const Node& node, std::span<const TensorDesc> inputs,
                     std::span<TensorDesc> outputs) {
  const PluginV3Attrs& a = node.get<PluginV3Attrs>();
  PluginV3& plugin = plugin::instance(node);
  size_t num_data = inputs.size() - static_cast<size_t>(a.num_shape_inputs);
  std::vector<DataType> types;
  std::vector<Dims> dims, shape_dims;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dims.nb_dims < 0) fail_at(node, "input ", i, " is missing");
    if (i < num_data) {
      types.push_back(inputs[i].type);
      dims.push_back(inputs[i].dims);
    } else {
      shape_dims.push_back(inputs[i].dims);
    }
  }
  std::vector<DataType> out_types;
  std::vector<Dims> out_dims;
  bool supported = false;
  try {
    out_types = plugin.get_output_data_types(types);
    out_dims = plugin.get_output_shapes(dims, shape_dims);
    if (out_types.size() == outputs.size()) supported = plugin.supports_types(types, out_types);
  } catch (const std::exception& e) {
    fail_at(node, "plugin '", a.plugin_name, "' failed in shape inference: ", e.what());
  }
  if (out_types.size() != outputs.size() || out_dims.size() != outputs.size()) {
    fail_at(node, "plugin '", a.plugin_name, "' gave ", out_types.size(), " output types and ",
            out_dims.size(), " output shapes for ", outputs.size(), " outputs");
  }
  if (!supported) {
    std::string in_text, out_text;
    for (DataType t : types) in_text += str_cat(in_text.empty() ? "" : ", ", to_string(t));
    for (DataType t : out_types) out_text += str_cat(out_text.empty() ? "" : ", ", to_string(t));
    fail_at(node, "plugin '", a.plugin_name, "' does not support inputs (", in_text,
            ") with outputs (", out_text, ")");
  }
  bool inputs_known = true;
  for (const TensorDesc& in : inputs) inputs_known = inputs_known && !in.dims.is_dynamic();
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Dims& d = out_dims[i];
    if (d.nb_dims < 0 || d.nb_dims > Dims::kMaxDims)
      fail_at(node, "plugin '", a.plugin_name, "' gave output ", i, " rank ", d.nb_dims);
    for (int32_t k = 0; k < d.nb_dims; ++k) {
      if (d.d[k] < -1 || (inputs_known && d.d[k] < 0)) {
        fail_at(node, "plugin '", a.plugin_name, "' gave output ", i, " the invalid shape ", d,
                inputs_known ? " for inputs of known shapes" : "");
      }
    }
    if (static_cast<int32_t>(out_types[i]) < 0 || out_types[i] > DataType::kBOOL)
      fail_at(node, "plugin '", a.plugin_name, "' gave output ", i, " an invalid type");
    outputs[i] = {out_types[i], d};
  }
}

}  // namespace kiln::ir
