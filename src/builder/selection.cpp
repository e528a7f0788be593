#include "builder/selection.h"

#include <algorithm>

#include "core/error.h"

namespace kiln::builder {

AlgorithmContext algorithm_context(const ir::Graph& graph, const ir::Node& node,
                                   std::span<const ir::TensorDesc> descs, int32_t profile) {
  AlgorithmContext c;
  c.layer_name = node.name;
  c.layer_type = node.kind();
  c.profile = profile;
  for (int32_t t : node.inputs) {
    if (t < 0) {
      c.inputs.push_back({"", DataType::kFLOAT, Dims{}});
      c.inputs.back().dims.nb_dims = -1;
      continue;
    }
    c.inputs.push_back({graph.tensors[t].name, descs[t].type, descs[t].dims});
  }
  for (int32_t t : node.outputs)
    c.outputs.push_back({graph.tensors[t].name, descs[t].type, descs[t].dims});
  return c;
}

size_t choose_algorithm(const AlgorithmContext& context, std::span<const Algorithm> candidates,
                        AlgorithmSelector* selector, Logger& logger) {
  KILN_CHECK(!candidates.empty(), "[", context.layer_name, "] no candidates to choose from");
  std::vector<bool> kept(candidates.size(), true);
  if (selector != nullptr) {
    std::vector<int32_t> keep = selector->select_algorithms(context, candidates);
    if (!keep.empty()) {
      std::fill(kept.begin(), kept.end(), false);
      for (int32_t i : keep) {
        if (i < 0 || static_cast<size_t>(i) >= candidates.size()) {
          fail("[", to_string(context.layer_type), " '", context.layer_name,
               "'] the algorithm selector kept candidate ", i, "; there are ", candidates.size(),
               " (0 to ", candidates.size() - 1, ")");
        }
        kept[static_cast<size_t>(i)] = true;
      }
    }
  }
  size_t best = candidates.size();
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!kept[i]) continue;
    if (best == candidates.size()) {
      best = i;
      continue;
    }
    float t = candidates[i].time_ms, b = candidates[best].time_ms;
    if (t >= 0 && (b < 0 || t < b)) best = i;
  }
  if (logger.enabled(Logger::Severity::kVERBOSE)) {
    std::string text = str_cat("tactics for ", to_string(context.layer_type), " '",
                               context.layer_name, "' (", candidates.size(), " candidates):");
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Algorithm& a = candidates[i];
      text += str_cat("\n  ", i == best ? "* " : "  ", a.implementation, " #", a.tactic_id, " [",
                      to_string(a.source), "] ",
                      a.time_ms >= 0 ? str_cat(a.time_ms * 1000.0f, " us") : std::string("untimed"),
                      ", workspace ", a.workspace_size, " B",
                      kept[i] ? "" : " (dropped by the selector)");
    }
    logger.report(Logger::Severity::kVERBOSE, text);
  }
  return best;
}

}  // namespace kiln::builder
