// kiln's built-in plugins, registered by init_kiln_plugins (builtin.cpp).
#pragma once

#include <memory>

#include "kiln/plugin.h"

namespace kiln::plugin {

std::shared_ptr<PluginCreator> make_bias_gelu_creator();    // "BiasGelu" version "1"
std::shared_ptr<PluginCreator> make_grid_sample_creator();  // "GridSample" version "1"

}  // namespace kiln::plugin
