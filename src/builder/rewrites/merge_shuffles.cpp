// merge_shuffles: two shuffle layers in a row (Reshape then Transpose, Transpose then Reshape, two
// Transposes: what exporters write for attention's head split and merge) become one shuffle, so
// the data is copied once instead of twice. A shuffle is first_transpose -> reshape ->
// second_transpose; two of them merge when at most one reshapes:
//
//   (t1, -, t2) then (u1, r, u2)  ->  (t1·t2·u1, r, u2)
//   (t1, r, t2) then (u1, -, u2)  ->  (t1, r, t2·u1·u2)
//
// where p·q is "p, then q" (output dim i reads input dim p[q[i]]). Shuffles with a run-time shape
// input, and a first shuffle whose output something else reads, are left alone.
#include "builder/rewrites/match.h"
#include "builder/rewrites/rewrites.h"

namespace kiln::builder {

using match::then;

ir::Graph merge_shuffles(const ir::Graph& graph, Logger& logger) {
  ir::Graph g = graph;
  std::vector<bool> keep(g.nodes.size(), true);
  match::Uses u(g);
  int32_t merged = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(g.nodes.size()); ++i) {
    if (!keep[i] || g.nodes[i].kind() != LayerType::kSHUFFLE || g.nodes[i].inputs.size() != 1)
      continue;
    // Follow the chain from i as far as it merges.
    for (int32_t cur = i;;) {
      int32_t out = g.nodes[cur].outputs[0];
      int32_t j = u.sole_consumer(out);
      if (j < 0 || !keep[j] || g.nodes[j].kind() != LayerType::kSHUFFLE ||
          g.nodes[j].inputs.size() != 1)
        break;
      const ShuffleAttrs& a = g.nodes[cur].get<ShuffleAttrs>();
      const ShuffleAttrs& b = g.nodes[j].get<ShuffleAttrs>();
      if (a.has_reshape && b.has_reshape) break;
      ShuffleAttrs m;
      if (!a.has_reshape) {
        m.first_transpose = then(then(a.first_transpose, a.second_transpose), b.first_transpose);
        m.has_reshape = b.has_reshape;
        m.reshape_dims = b.reshape_dims;
        m.zero_is_placeholder = b.zero_is_placeholder;
        m.second_transpose = b.second_transpose;
      } else {
        m = a;
        m.second_transpose = then(then(a.second_transpose, b.first_transpose), b.second_transpose);
      }
      // j becomes the merged shuffle reading cur's input; cur goes.
      ir::Node& n = g.nodes[j];
      n.name = g.nodes[cur].name + " + " + n.name;
      n.attrs = m;
      n.inputs = g.nodes[cur].inputs;
      keep[cur] = false;
      ++merged;
      cur = j;
    }
  }
  if (merged > 0) {
    logger.report(Logger::Severity::kVERBOSE, str_cat("merge_shuffles: ", merged, " merged"));
  }
  return remove_nodes(g, keep);
}

}  // namespace kiln::builder
