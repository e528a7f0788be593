#include "backends/cpu/tactics.h"

#if KILN_HAVE_ONEDNN
#include "backends/cpu/onednn/onednn.h"
#endif

namespace kiln::cpu {

std::vector<bool> constant_inputs(const ir::Graph& graph, const ir::Node& node) {
  std::vector<bool> constant;
  for (int32_t t : node.inputs) constant.push_back(t >= 0 && graph.tensors[t].weights >= 0);
  return constant;
}

std::span<const Tactic> library_tactics() {
#if KILN_HAVE_ONEDNN
  return onednn::tactics();
#else
  return {};
#endif
}

const Tactic* find_tactic(std::string_view name) {
  for (const Tactic& t : library_tactics()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string_view library_version() {
#if KILN_HAVE_ONEDNN
  return onednn::version();
#else
  return "";
#endif
}

}  // namespace kiln::cpu
