// Graph queries, topological order, whole-graph inference and the textual dump.
#include "ir/graph.h"

#include <cstring>
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

bool TensorDesc::value_known() const {
  if (!has_value) return false;
  for (int64_t v : value) {
    if (v == kUnknownValue) return false;
  }
  return true;
}

TensorDesc weights_desc(const WeightsData& w) {
  TensorDesc d{w.type, w.dims};
  int64_t n = volume(w.dims);
  bool integer =
      w.type == DataType::kINT32 || w.type == DataType::kINT64 || w.type == DataType::kBOOL;
  if (!integer || n < 0 || n > kMaxValueElements || !w.bytes ||
      static_cast<int64_t>(w.bytes->size()) < n * element_size(w.type)) {
    return d;
  }
  d.has_value = true;
  d.value.resize(static_cast<size_t>(n));
  const uint8_t* p = w.bytes->data();
  for (int64_t i = 0; i < n; ++i) {
    if (w.type == DataType::kINT64) {
      std::memcpy(&d.value[i], p + i * 8, 8);
    } else if (w.type == DataType::kINT32) {
      int32_t x;
      std::memcpy(&x, p + i * 4, 4);
      d.value[i] = x;
    } else {
      d.value[i] = p[i] != 0;
    }
  }
  return d;
}

TensorDesc Graph::desc(int32_t tensor) const {
  const Tensor& t = tensors[tensor];
  if (t.weights >= 0) return weights_desc(weights[t.weights]);
  TensorDesc d{t.type, t.dims};
  d.has_value = t.has_value;
  if (t.has_value) d.value = t.value;
  return d;
}

std::vector<TensorDesc> tensor_descs(const Graph& graph) {
  std::vector<TensorDesc> descs;
  descs.reserve(graph.tensors.size());
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    descs.push_back(graph.desc(static_cast<int32_t>(t)));
  }
  return descs;
}

namespace {

// Layers whose inference computes output values (ir/ops/); any other layer's outputs carry none.
bool computes_values(LayerType type) {
  if (type == op::kVIEW) return true;  // a reshape, as a shuffle
  switch (type) {
    case LayerType::kSHAPE:
    case LayerType::kGATHER:
    case LayerType::kCONCATENATION:
    case LayerType::kSHUFFLE:
    case LayerType::kCAST:
    case LayerType::kIDENTITY:
    case LayerType::kELEMENTWISE:
    case LayerType::kUNARY:
    case LayerType::kSELECT:
    case LayerType::kSLICE:
    case LayerType::kREDUCE:
      return true;
    default:
      return false;
  }
}

void set_tensor(Tensor& t, const TensorDesc& d) {
  t.type = d.type;
  t.dims = d.dims;
  t.has_value = d.has_value;
  t.value = d.value;
}

}  // namespace

void infer_node(const Node& node, std::span<const TensorDesc> inputs,
                std::span<TensorDesc> outputs) {
  for (TensorDesc& d : outputs) {
    d.has_value = false;
    d.value.clear();
  }
  infer_fn(node.kind())(node, inputs, outputs);
  bool keep = computes_values(node.kind());
  for (TensorDesc& d : outputs) {
    if (!d.has_value) continue;
    bool integer =
        d.type == DataType::kINT32 || d.type == DataType::kINT64 || d.type == DataType::kBOOL;
    int64_t n = volume(d.dims);
    if (!keep || !integer || n < 0 || n > kMaxValueElements ||
        static_cast<int64_t>(d.value.size()) != n) {
      d.has_value = false;
      d.value.clear();
    }
  }
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

void alias_views(const Graph& graph, std::vector<void*>& where) {
  for (const Node& n : graph.nodes) {
    if (n.kind() != op::kVIEW || n.outputs.empty() || n.inputs.empty() || n.inputs[0] < 0) continue;
    if (where[n.outputs[0]] == nullptr) where[n.outputs[0]] = where[n.inputs[0]];
  }
}

int32_t view_root(const Graph& graph, int32_t t) {
  for (size_t hops = 0; t >= 0 && hops <= graph.nodes.size(); ++hops) {
    int32_t p = graph.tensors[t].producer;
    if (p < 0 || graph.nodes[p].kind() != op::kVIEW || graph.nodes[p].inputs.empty()) return t;
    t = graph.nodes[p].inputs[0];
  }
  return t;
}

void infer_graph(Graph& graph) {
  for (Tensor& t : graph.tensors) {
    if (t.weights >= 0) {
      t.type = graph.weights[t.weights].type;
      t.dims = graph.weights[t.weights].dims;
    }
    if (t.producer >= 0 || t.weights >= 0) {  // recomputed below (or read from the weights)
      t.has_value = false;
      t.value.clear();
    }
  }
  std::vector<TensorDesc> descs = tensor_descs(graph);
  std::vector<TensorDesc> in, out;
  for (int32_t index : topological_order(graph)) {
    const Node& node = graph.nodes[index];
    if (node.kind() == LayerType::kCONSTANT) {
      TensorDesc d = weights_desc(graph.weights[node.get<ConstantAttrs>().weights]);
      set_tensor(graph.tensors[node.outputs[0]], d);
      descs[node.outputs[0]] = std::move(d);
      continue;
    }
    node_descs(node, descs, in, out);
    infer_node(node, in, out);
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      set_tensor(graph.tensors[node.outputs[i]], out[i]);
      descs[node.outputs[i]] = out[i];
    }
  }
}

}  // namespace kiln::ir
