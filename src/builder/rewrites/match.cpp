// Shared helpers of the pattern rewrites (match.h).
#include "builder/rewrites/match.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "builder/passes.h"
#include "core/half.h"

namespace kiln::builder::match {

Uses::Uses(const ir::Graph& g) : consumers(g.tensors.size()), is_output(g.tensors.size(), false) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int32_t t : g.nodes[i].inputs) {
      if (t >= 0) consumers[t].push_back(static_cast<int32_t>(i));
    }
  }
  for (int32_t t : g.outputs) is_output[t] = true;
}

int32_t Uses::sole_consumer(int32_t t) const {
  if (t < 0 || is_output[t] || consumers[t].size() != 1) return -1;
  return consumers[t][0];
}

bool Uses::only_read_by(int32_t t, const std::vector<int32_t>& allowed) const {
  if (is_output[t]) return false;
  for (int32_t c : consumers[t]) {
    if (std::find(allowed.begin(), allowed.end(), c) == allowed.end()) return false;
  }
  return true;
}

bool is_binary(const ir::Node& n, ElementWiseOperation op) {
  const auto* a = std::get_if<ElementWiseAttrs>(&n.attrs);
  return a != nullptr && a->op == op && n.inputs.size() == 2;
}

int32_t other_input(const ir::Node& n, int32_t t) {
  if (n.inputs.size() != 2) return -1;
  if (n.inputs[0] == t && n.inputs[1] != t) return n.inputs[1];
  if (n.inputs[1] == t && n.inputs[0] != t) return n.inputs[0];
  return -1;
}

bool scalar_value(const ir::Graph& g, int32_t t, float* value) {
  if (t < 0 || g.tensors[t].weights < 0) return false;
  const ir::WeightsData& w = g.weights[g.tensors[t].weights];
  if (volume(w.dims) != 1 || !w.bytes) return false;
  const uint8_t* p = w.bytes->data();
  switch (w.type) {
    case DataType::kFLOAT:
      if (w.bytes->size() < 4) return false;
      std::memcpy(value, p, 4);
      return true;
    case DataType::kHALF:
      if (w.bytes->size() < 2) return false;
      *value = to_float(*reinterpret_cast<const half_t*>(p));
      return true;
    case DataType::kBF16:
      if (w.bytes->size() < 2) return false;
      *value = to_float(*reinterpret_cast<const bfloat16_t*>(p));
      return true;
    default:
      return false;
  }
}

bool is_scalar(const ir::Graph& g, int32_t t, float expected, float tol) {
  float v;
  return scalar_value(g, t, &v) && std::fabs(v - expected) <= tol * std::fabs(expected) + 1e-12f;
}

bool rank_at_most(const ir::Graph& g, int32_t t, int32_t rank) {
  return g.tensors[t].dims.nb_dims <= rank;
}

int32_t add_weights(ir::Graph& g, const std::string& name, DataType type, const Dims& dims,
                    std::shared_ptr<const std::vector<uint8_t>> bytes) {
  g.weights.push_back({name, type, dims, std::move(bytes)});
  ir::Tensor t;
  t.name = name;
  t.type = type;
  t.dims = dims;
  t.weights = static_cast<int32_t>(g.weights.size() - 1);
  g.tensors.push_back(t);
  return static_cast<int32_t>(g.tensors.size() - 1);
}

int32_t add_float_weights(ir::Graph& g, const std::string& name, const Dims& dims,
                          const std::vector<float>& values, DataType type) {
  std::vector<uint8_t> f32(values.size() * sizeof(float));
  std::memcpy(f32.data(), values.data(), f32.size());
  auto bytes = type == DataType::kFLOAT
                   ? std::make_shared<const std::vector<uint8_t>>(std::move(f32))
                   : convert_float32_weights(f32, type);
  return add_weights(g, name, type, dims, std::move(bytes));
}

int32_t weights_view(ir::Graph& g, int32_t t, const Dims& dims) {
  const ir::WeightsData& w = g.weights[g.tensors[t].weights];
  int32_t view = add_weights(g, w.name + ".fused_bias", w.type, dims, w.bytes);
  g.tensors[view].name = g.tensors[t].name + ".fused_bias";
  return view;
}

Permutation then(const Permutation& p, const Permutation& q) {
  Permutation r;
  for (int i = 0; i < Dims::kMaxDims; ++i) r.order[i] = p.order[q.order[i]];
  return r;
}

ShuffleAttrs then_swap_last_two(const ShuffleAttrs& a, int32_t rank) {
  Permutation swap;
  std::swap(swap.order[rank - 2], swap.order[rank - 1]);
  ShuffleAttrs r = a;
  if (a.has_reshape) {
    r.second_transpose = then(a.second_transpose, swap);
  } else {
    r.first_transpose = then(then(a.first_transpose, a.second_transpose), swap);
    r.second_transpose = Permutation{};
  }
  return r;
}

std::string joined_names(const ir::Graph& g, const std::vector<int32_t>& nodes) {
  std::vector<int32_t> sorted = nodes;  // in the network's order
  std::sort(sorted.begin(), sorted.end());
  std::string name;
  for (int32_t n : sorted) {
    if (!name.empty()) name += " + ";
    name += g.nodes[n].name;
  }
  return name;
}

}  // namespace kiln::builder::match
