// refit_data: with BuilderFlag::kREFIT, records where each floating-point network weights ended up
// in the optimized graph, and which layer used it in which role, so a Refitter can find it by the
// names the user knows (docs/refit.md).
#include "builder/refit_info.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "kiln/refit.h"

namespace kiln::builder {

bool is_refittable_type(DataType type) {
  return type == DataType::kFLOAT || type == DataType::kHALF || type == DataType::kBF16;
}

namespace {

// A target holds the source's values: the same count, in the same type or (reduced-precision
// builds) float32 lowered to float16/bfloat16.
bool holds_values_of(const ir::WeightsData& source, const ir::WeightsData& target) {
  if (volume(source.dims) != volume(target.dims)) return false;
  return source.type == target.type ||
         (source.type == DataType::kFLOAT &&
          (target.type == DataType::kHALF || target.type == DataType::kBF16));
}

// The weights name of the constant layer producing `tensor`, or "" when it is not one.
std::string constant_name(const ir::Graph& g, int32_t tensor) {
  if (tensor < 0) return {};
  int32_t p = g.tensors[tensor].producer;
  if (p < 0 || g.nodes[p].kind() != LayerType::kCONSTANT) return {};
  return g.weights[g.nodes[p].get<ConstantAttrs>().weights].name;
}

}  // namespace

runtime::RefitData refit_data(const ir::Graph& network, const ir::Graph& engine) {
  runtime::RefitData refit;
  // The engine's weights by name, each list in index order.
  std::unordered_map<std::string, std::vector<int32_t>> engine_weights;
  for (size_t i = 0; i < engine.weights.size(); ++i)
    engine_weights[engine.weights[i].name].push_back(static_cast<int32_t>(i));
  auto named = [&](const std::string& name) {
    auto it = engine_weights.find(name);
    return it == engine_weights.end() ? std::vector<int32_t>{} : it->second;
  };
  for (const ir::WeightsData& w : network.weights) {
    if (!is_refittable_type(w.type) || w.name.empty()) continue;
    runtime::RefitWeights entry{w.name, w.type, w.dims, {}};
    // The engine weights named like w or "<w>.fused_bias", in index order.
    std::vector<int32_t> same = named(w.name), bias = named(w.name + ".fused_bias"), both;
    std::merge(same.begin(), same.end(), bias.begin(), bias.end(), std::back_inserter(both));
    for (int32_t i : both) {
      if (holds_values_of(w, engine.weights[i])) entry.targets.push_back(i);
    }
    if (!entry.targets.empty()) refit.weights.push_back(std::move(entry));
  }
  std::unordered_set<std::string> refittable;
  for (const runtime::RefitWeights& r : refit.weights) refittable.insert(r.name);
  std::set<std::pair<std::string, int32_t>> has_role;  // (layer, role) pairs recorded
  auto add_role = [&](const std::string& layer, WeightsRole role, const std::string& weights) {
    if (weights.empty() || !refittable.count(weights)) return;
    if (!has_role.insert({layer, static_cast<int32_t>(role)}).second) return;
    refit.roles.push_back({layer, static_cast<int32_t>(role), weights});
  };
  for (const ir::Node& node : network.nodes) {
    auto input = [&](size_t i) {
      return i < node.inputs.size() ? constant_name(network, node.inputs[i]) : std::string();
    };
    switch (node.kind()) {
      case LayerType::kCONSTANT:
        add_role(node.name, WeightsRole::kCONSTANT,
                 network.weights[node.get<ConstantAttrs>().weights].name);
        break;
      case LayerType::kCONVOLUTION:
      case LayerType::kDECONVOLUTION:
        add_role(node.name, WeightsRole::kKERNEL, input(1));
        add_role(node.name, WeightsRole::kBIAS, input(2));
        break;
      case LayerType::kMATRIX_MULTIPLY:
        add_role(node.name, WeightsRole::kKERNEL, input(1));
        break;
      case LayerType::kNORMALIZATION:
        add_role(node.name, WeightsRole::kSCALE, input(1));
        add_role(node.name, WeightsRole::kSHIFT, input(2));
        break;
      default:
        break;
    }
  }
  // Layers the network API gave "<layer>.kernel" / "<layer>.bias" constants (fully connected).
  for (const ir::Node& node : network.nodes) {
    add_role(node.name, WeightsRole::kKERNEL, node.name + ".kernel");
    add_role(node.name, WeightsRole::kBIAS, node.name + ".bias");
  }
  return refit;
}

}  // namespace kiln::builder
