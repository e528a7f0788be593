// remove_identities: an identity layer, or a cast to the type its input already has, changes
// nothing; its readers read its input instead. A layer whose output is a network output stays
// (the output tensor must be written by a step under its own name).
#include "builder/rewrites/match.h"
#include "builder/rewrites/rewrites.h"

namespace kiln::builder {

ir::Graph remove_identities(const ir::Graph& graph, Logger& logger) {
  ir::Graph g = graph;
  std::vector<bool> keep(g.nodes.size(), true);
  match::Uses u(g);
  std::vector<int32_t> replace(g.tensors.size(), -1);
  int32_t removed = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(g.nodes.size()); ++i) {
    const ir::Node& n = g.nodes[i];
    LayerType kind = n.kind();
    if ((kind != LayerType::kIDENTITY && kind != LayerType::kCAST) || n.inputs.size() != 1 ||
        n.outputs.size() != 1 || n.inputs[0] < 0)
      continue;
    int32_t in = n.inputs[0], out = n.outputs[0];
    if (u.is_output[out] || g.tensors[in].type != g.tensors[out].type ||
        !(g.tensors[in].dims == g.tensors[out].dims))
      continue;
    replace[out] = in;
    keep[i] = false;
    ++removed;
  }
  if (removed == 0) return g;
  auto resolve = [&](int32_t t) {
    while (t >= 0 && replace[t] >= 0) t = replace[t];
    return t;
  };
  for (ir::Node& n : g.nodes) {
    for (int32_t& t : n.inputs) t = resolve(t);
  }
  logger.report(Logger::Severity::kVERBOSE,
                str_cat("remove_identities: ", removed, " identity layers and casts"));
  return remove_nodes(g, keep);
}

}  // namespace kiln::builder
