// import_as_plugin: an ONNX node becomes add_plugin_v3 when a creator of its op type is
// registered. Attributes become fields: float -> float32, int -> int64, string -> char,
// floats -> float32[], ints -> int64[]; other attribute kinds are refused naming the attribute.
#include "onnx/plugin_import.h"

#include "kiln/plugin.h"

namespace kiln::onnx {

namespace {

PluginField to_field(ImportContext& ctx, const Attribute& a) {
  switch (a.type) {
    case Attribute::kFloatAttr:
      return PluginField(a.name, std::vector<float>{a.f});
    case Attribute::kIntAttr:
      return PluginField(a.name, std::vector<int64_t>{a.i});
    case Attribute::kStringAttr:
      return PluginField(a.name, std::string_view(a.s));
    case Attribute::kFloatsAttr:
      return PluginField(a.name, a.floats);
    case Attribute::kIntsAttr:
      return PluginField(a.name, a.ints);
    default:
      ctx.unsupported(
          str_cat("attribute '", a.name, "' of type ", a.type, " cannot become a plugin field"));
  }
}

}  // namespace

bool import_as_plugin(ImportContext& ctx) {
  const Node& node = ctx.node();
  std::string ns = node.domain == "ai.onnx" ? "" : node.domain;
  std::string version = "1";
  if (const Attribute* v = node.find("plugin_version")) {
    version = v->type == Attribute::kStringAttr ? v->s : std::to_string(v->i);
  }
  PluginRegistry& registry = get_plugin_registry();
  if (!registry.get_creator(node.op_type, version, ns)) return false;
  PluginFieldCollection fields;
  for (const Attribute& a : node.attributes) {
    if (a.name != "plugin_version") fields.push_back(to_field(ctx, a));
  }
  std::string layer = ctx.base_name();
  std::unique_ptr<PluginV3> plugin;
  std::vector<Tensor*> inputs;
  try {
    plugin = registry.create_plugin(node.op_type, version, ns, layer, fields, PluginPhase::kBUILD);
    for (int32_t i = 0; i < ctx.num_inputs(); ++i) {
      if (!ctx.has_input(i)) ctx.unsupported(str_cat("plugin input ", i, " is absent"));
      inputs.push_back(&ctx.input(i));
    }
  } catch (const NodeError&) {
    throw;
  } catch (const Error& e) {
    ctx.invalid(e.what());
  }
  PluginV3Layer* l;
  try {
    l = ctx.network().add_plugin_v3(inputs.data(), static_cast<int32_t>(inputs.size()), nullptr, 0,
                                    *plugin);
  } catch (const Error& e) {
    ctx.invalid(e.what());
  }
  ctx.named(*l);
  if (ctx.num_outputs() > l->num_outputs()) {
    ctx.invalid(str_cat("the node has ", ctx.num_outputs(), " outputs; plugin '", node.op_type,
                        "' gives ", l->num_outputs()));
  }
  for (int32_t i = 0; i < ctx.num_outputs(); ++i) {
    if (ctx.has_output(i)) ctx.set_output(i, *l->get_output(i));
  }
  return true;
}

}  // namespace kiln::onnx
