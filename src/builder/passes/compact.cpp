// compact: drops unreferenced tensors and weights and orders nodes for execution, so passes can
// remove things without renumbering and the plan holds nothing it does not need.
#include "builder/passes.h"

namespace kiln::builder {

ir::Graph compact(const ir::Graph& graph) {
  std::vector<int32_t> order = ir::topological_order(graph);

  std::vector<bool> used(graph.tensors.size(), false);
  for (int32_t t : graph.inputs) used[t] = true;
  for (int32_t t : graph.outputs) used[t] = true;
  for (const ir::Node& n : graph.nodes) {
    for (int32_t t : n.inputs) {
      if (t >= 0) used[t] = true;
    }
    for (int32_t t : n.outputs) used[t] = true;
  }

  ir::Graph out;
  std::vector<int32_t> weights_map(graph.weights.size(), -1);
  auto map_weights = [&](int32_t w) {
    if (weights_map[w] < 0) {
      weights_map[w] = static_cast<int32_t>(out.weights.size());
      out.weights.push_back(graph.weights[w]);
    }
    return weights_map[w];
  };
  std::vector<int32_t> tensor_map(graph.tensors.size(), -1);
  for (size_t i = 0; i < graph.tensors.size(); ++i) {
    if (!used[i]) continue;
    ir::Tensor t = graph.tensors[i];
    if (t.weights >= 0) t.weights = map_weights(t.weights);
    tensor_map[i] = static_cast<int32_t>(out.tensors.size());
    out.tensors.push_back(std::move(t));
  }
  auto map_list = [&](const std::vector<int32_t>& ids) {
    std::vector<int32_t> r;
    for (int32_t t : ids) r.push_back(t < 0 ? -1 : tensor_map[t]);
    return r;
  };
  out.inputs = map_list(graph.inputs);
  out.outputs = map_list(graph.outputs);
  for (int32_t index : order) {
    ir::Node n = graph.nodes[index];
    if (n.kind() == LayerType::kCONSTANT) {
      n.get<ConstantAttrs>().weights = map_weights(n.get<ConstantAttrs>().weights);
    }
    n.inputs = map_list(n.inputs);
    n.outputs = map_list(n.outputs);
    int32_t new_index = static_cast<int32_t>(out.nodes.size());
    for (int32_t t : n.outputs) out.tensors[t].producer = new_index;
    out.nodes.push_back(std::move(n));
  }
  return out;
}

ir::Graph remove_nodes(const ir::Graph& graph, const std::vector<bool>& keep) {
  ir::Graph out = graph;
  out.nodes.clear();
  std::vector<int32_t> remap(graph.nodes.size(), -1);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!keep[i]) continue;
    remap[i] = static_cast<int32_t>(out.nodes.size());
    out.nodes.push_back(graph.nodes[i]);
  }
  for (ir::Tensor& t : out.tensors) {
    if (t.producer >= 0) t.producer = remap[t.producer];
  }
  return out;
}

}  // namespace kiln::builder
