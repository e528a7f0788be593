// make_views: a shuffle that only reshapes (no transposes) copies nothing on any backend: it
// becomes a view op whose output is its input's bytes under new dims (ir::alias_views gives the
// output the input's address, the memory planner keeps the input alive for the view's readers).
// Network outputs keep their shuffle: they are written into the user's memory.
#include "builder/rewrites/match.h"
#include "builder/rewrites/rewrites.h"

namespace kiln::builder {

ir::Graph make_views(const ir::Graph& graph, Logger& logger) {
  ir::Graph g = graph;
  std::vector<bool> is_output(g.tensors.size(), false);
  for (int32_t t : g.outputs) is_output[t] = true;
  int32_t views = 0;
  for (ir::Node& n : g.nodes) {
    if (n.kind() != LayerType::kSHUFFLE || n.outputs.size() != 1 || is_output[n.outputs[0]])
      continue;
    const ShuffleAttrs& s = n.get<ShuffleAttrs>();
    if (!(s.first_transpose == Permutation{}) || !(s.second_transpose == Permutation{})) continue;
    ViewAttrs v;
    v.has_reshape = s.has_reshape;
    v.reshape_dims = s.reshape_dims;
    v.zero_is_placeholder = s.zero_is_placeholder;
    n.attrs = v;
    ++views;
  }
  if (views > 0) {
    logger.report(Logger::Severity::kVERBOSE, str_cat("make_views: ", views, " reshapes as views"));
  }
  return g;
}

}  // namespace kiln::builder
