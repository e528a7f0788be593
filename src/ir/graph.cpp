// Graph queries, topological order, whole-graph inference and the textual dump.
#include "ir/graph.h"

#include <sstream>

#include "ir/fields.h"
#include "ir/op.h"

namespace kiln::ir {

int32_t Graph::find_tensor(const std::string& name) const {
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].name == name) return static_cast<int32_t>(i);
  }
  return -1;
}

int32_t Graph::find_node(const std::string& name) const {
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return static_cast<int32_t>(i);
  }
  return -1;
}

std::vector<TensorDesc> tensor_descs(const Graph& graph) {
  std::vector<TensorDesc> descs;
  descs.reserve(graph.tensors.size());
  for (const Tensor& t : graph.tensors) descs.push_back({t.type, t.dims});
  return descs;
}

void node_descs(const Node& node, std::span<const TensorDesc> descs,
                std::vector<TensorDesc>& inputs, std::vector<TensorDesc>& outputs) {
  inputs.clear();
  for (int32_t t : node.inputs) {
    TensorDesc d;
    if (t < 0) {
      d.dims.nb_dims = -1;
    } else {
      d = descs[t];
    }
    inputs.push_back(d);
  }
  outputs.clear();
  for (int32_t t : node.outputs) outputs.push_back(descs[t]);
}

std::vector<int32_t> topological_order(const Graph& graph) {
  // Depth-first over producers; state 1 = on the stack, 2 = done.
  std::vector<int8_t> state(graph.nodes.size(), 0);
  std::vector<int32_t> order;
  order.reserve(graph.nodes.size());
  std::vector<std::pair<int32_t, size_t>> stack;
  for (int32_t root = 0; root < static_cast<int32_t>(graph.nodes.size()); ++root) {
    if (state[root]) continue;
    stack.push_back({root, 0});
    state[root] = 1;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      const Node& n = graph.nodes[node];
      if (next < n.inputs.size()) {
        int32_t t = n.inputs[next++];
        if (t < 0) continue;
        int32_t p = graph.tensors[t].producer;
        if (p < 0) continue;
        if (state[p] == 1) {
          fail("[", to_string(graph.nodes[p].kind()), " '", graph.nodes[p].name,
               "'] is part of a cycle: its output '", graph.tensors[t].name,
               "' feeds back into its own inputs");
        }
        if (state[p] == 0) {
          state[p] = 1;
          stack.push_back({p, 0});
        }
        continue;
      }
      state[node] = 2;
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

void infer_graph(Graph& graph) {
  for (Tensor& t : graph.tensors) {
    if (t.weights >= 0) {
      t.type = graph.weights[t.weights].type;
      t.dims = graph.weights[t.weights].dims;
    }
  }
  std::vector<TensorDesc> descs = tensor_descs(graph);
  std::vector<TensorDesc> in, out;
  for (int32_t index : topological_order(graph)) {
    const Node& node = graph.nodes[index];
    if (node.kind() == LayerType::kCONSTANT) {
      const WeightsData& w = graph.weights[node.get<ConstantAttrs>().weights];
      graph.tensors[node.outputs[0]].type = w.type;
      graph.tensors[node.outputs[0]].dims = w.dims;
      descs[node.outputs[0]] = {w.type, w.dims};
      continue;
    }
    node_descs(node, descs, in, out);
    infer_fn(node.kind())(node, in, out);
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      graph.tensors[node.outputs[i]].type = out[i].type;
      graph.tensors[node.outputs[i]].dims = out[i].dims;
      descs[node.outputs[i]] = out[i];
    }
  }
}

std::string dump(const Graph& graph) {
  std::ostringstream out;
  auto names = [&](const std::vector<int32_t>& ids) {
    std::string s;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) s += ", ";
      s += ids[i] < 0 ? std::string("-") : graph.tensors[ids[i]].name;
    }
    return s;
  };
  for (int32_t t : graph.inputs) {
    out << "input " << graph.tensors[t].name << " " << graph.tensors[t].type << " "
        << graph.tensors[t].dims << "\n";
  }
  for (const Tensor& t : graph.tensors) {
    if (t.weights >= 0) out << "weights " << t.name << " " << t.type << " " << t.dims << "\n";
  }
  for (const Node& n : graph.nodes) {
    out << "node " << n.name << " " << to_string(n.kind()) << "(";
    print_attrs(out, n.attrs);
    out << ") " << names(n.inputs) << " -> " << names(n.outputs) << "\n";
  }
  out << "outputs " << names(graph.outputs) << "\n";
  return out.str();
}

}  // namespace kiln::ir
