// oneDNN's tactics for CPU engines (built when oneDNN is found; see onednn_tactics.cpp).
#pragma once

#include <span>
#include <string_view>

#include "backends/cpu/tactics.h"

namespace kiln::cpu::onednn {

std::span<const Tactic> tactics();
std::string_view version();  // "oneDNN 2.6.3"

}  // namespace kiln::cpu::onednn
