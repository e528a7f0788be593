// eliminate_dead_layers: removes layers no network output depends on (walking back from the
// outputs), so unused branches cost neither time nor memory.
#include "builder/passes.h"
#include "core/error.h"

namespace kiln::builder {

ir::Graph eliminate_dead_layers(const ir::Graph& graph, Logger& logger) {
  std::vector<bool> live(graph.nodes.size(), false);
  std::vector<int32_t> work;
  auto need = [&](int32_t tensor) {
    if (tensor < 0) return;
    int32_t p = graph.tensors[tensor].producer;
    if (p >= 0 && !live[p]) {
      live[p] = true;
      work.push_back(p);
    }
  };
  for (int32_t t : graph.outputs) need(t);
  while (!work.empty()) {
    int32_t n = work.back();
    work.pop_back();
    for (int32_t t : graph.nodes[n].inputs) need(t);
  }
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (live[i]) continue;
    logger.report(Logger::Severity::kVERBOSE,
                  str_cat("dead layer elimination: removed '", graph.nodes[i].name,
                          "' (no network output depends on it)"));
  }
  return compact(remove_nodes(graph, live));
}

}  // namespace kiln::builder
