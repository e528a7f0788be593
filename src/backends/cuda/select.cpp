// Choosing a CUDA tactic per node. Until the autotuner times candidates, the first supported
// tactic wins, library sources (cuBLASLt, cuDNN, cuBLAS) before kiln's own kernels.
#include "backends/cuda/tactic.h"
#include "backends/device.h"
#include "core/error.h"

namespace kiln {

namespace {

int priority(TacticSource source) {
  switch (source) {
    case TacticSource::kCUBLAS_LT:
      return 0;
    case TacticSource::kCUDNN:
      return 1;
    case TacticSource::kCUBLAS:
      return 2;
    case TacticSource::kKILN:
      return 3;
  }
  return 4;
}

}  // namespace

std::vector<runtime::StepData> select_cuda_tactics(const ir::Graph& graph,
                                                   const BuilderConfig& config) {
  std::vector<ir::TensorDesc> descs = ir::tensor_descs(graph), in, out;
  std::vector<runtime::StepData> steps;
  for (int32_t i = 0; i < static_cast<int32_t>(graph.nodes.size()); ++i) {
    const ir::Node& node = graph.nodes[i];
    ir::node_descs(node, descs, in, out);
    cuda::TacticQuery q{node, in, out};
    const cuda::Tactic* best = nullptr;
    std::string considered;
    for (const cuda::Tactic* t : cuda::tactics_for(node.kind())) {
      bool allowed = (config.tactic_sources() >> static_cast<uint32_t>(t->source())) & 1u;
      considered +=
          str_cat(considered.empty() ? "" : ", ", t->name(), allowed ? "" : " (source off)");
      if (!allowed || !t->supports(q)) continue;
      if (best == nullptr || priority(t->source()) < priority(best->source())) best = t;
    }
    if (best == nullptr) {
      std::string types;
      for (const ir::TensorDesc& d : in)
        types += str_cat(types.empty() ? "" : ", ", d.dims.nb_dims < 0 ? "-" : to_string(d.type));
      fail("[", to_string(node.kind()), " '", node.name, "'] no CUDA tactic runs it with inputs (",
           types, "); candidates: ", considered.empty() ? "none" : considered);
    }
    runtime::StepData step;
    step.node = i;
    step.tactic = std::string(best->name());
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace kiln
