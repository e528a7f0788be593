// refit_data: with BuilderFlag::kREFIT, records where each floating-point network weights ended up
// in the optimized graph, and which layer used it in which role, so a Refitter can find it by the
// names the user knows (docs/refit.md).
#include "builder/refit_info.h"

#include <algorithm>

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
  for (const ir::WeightsData& w : network.weights) {
    if (!is_refittable_type(w.type) || w.name.empty()) continue;
    runtime::RefitWeights entry{w.name, w.type, w.dims, {}};
    for (size_t i = 0; i < engine.weights.size(); ++i) {
      const ir::WeightsData& e = engine.weights[i];
      if ((e.name == w.name || e.name == w.name + ".fused_bias") && holds_values_of(w, e)) {
        entry.targets.push_back(static_cast<int32_t>(i));
      }
    }
    if (!entry.targets.empty()) refit.weights.push_back(std::move(entry));
  }
  auto refittable = [&](const std::string& name) {
    return !name.empty() &&
           std::any_of(refit.weights.begin(), refit.weights.end(),
                       [&](const runtime::RefitWeights& r) { return r.name == name; });
  };
  auto add_role = [&](const std::string& layer, WeightsRole role, const std::string& weights) {
    if (!refittable(weights)) return;
    for (const runtime::RefitRole& r : refit.roles) {
      if (r.layer == layer && r.role == static_cast<int32_t>(role)) return;
    }
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
