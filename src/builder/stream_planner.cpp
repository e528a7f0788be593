// Stream planning: chains of dependent steps stay on one stream; independent branches are spread
// over the main and auxiliary streams. The executor joins streams with events where data crosses.
#include "builder/stream_planner.h"

#include <algorithm>

namespace kiln::builder {

int32_t plan_streams(const ir::Graph& graph, std::vector<runtime::StepData>& steps,
                     int32_t max_aux) {
  const int32_t streams = 1 + std::max(max_aux, 0);
  std::vector<int32_t> tail(streams, -1);  // last step placed on each stream
  std::vector<int32_t> step_of_node(graph.nodes.size(), -1);
  for (size_t s = 0; s < steps.size(); ++s) step_of_node[steps[s].node] = static_cast<int32_t>(s);
  int32_t next = 0;
  int32_t used = 0;
  for (size_t s = 0; s < steps.size(); ++s) {
    const ir::Node& node = graph.nodes[steps[s].node];
    int32_t chosen = -1;
    for (int32_t t : node.inputs) {
      if (t < 0 || graph.tensors[t].producer < 0) continue;
      int32_t p = step_of_node[graph.tensors[t].producer];
      if (tail[steps[p].stream] == p) {
        chosen = steps[p].stream;
        break;
      }
    }
    if (chosen < 0) chosen = next++ % streams;  // a new branch; the first one is on main
    steps[s].stream = chosen;
    tail[chosen] = static_cast<int32_t>(s);
    used = std::max(used, chosen);
  }
  return used;
}

}  // namespace kiln::builder
