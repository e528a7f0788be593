// init_kiln_plugins: registers kiln's built-in plugins, like TensorRT's initLibNvInferPlugins.
#include "plugin/builtin.h"

#include "core/error.h"
#include "kiln/logger.h"

namespace kiln {

bool init_kiln_plugins(Logger* logger, const std::string& plugin_namespace) {
  bool ok = true;
  for (std::shared_ptr<PluginCreator> creator :
       {plugin::make_bias_gelu_creator(), plugin::make_grid_sample_creator()}) {
    PluginRegistry& registry = get_plugin_registry();
    std::string name = creator->get_plugin_name(), version = creator->get_plugin_version();
    if (registry.get_creator(name, version, plugin_namespace)) continue;  // already there
    if (!registry.register_creator(creator, plugin_namespace)) {
      ok = false;
      if (logger) {
        logger->report(Logger::Severity::kERROR,
                       str_cat("init_kiln_plugins: cannot register plugin '", name, "' version '",
                               version, "' in namespace '", plugin_namespace, "'"));
      }
    }
  }
  return ok;
}

}  // namespace kiln
