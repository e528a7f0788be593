// Tactic selection for CPU engines (cpu_selection.cpp).
#pragma once

#include <span>
#include <vector>

#include "builder/progress.h"
#include "builder/selection.h"
#include "kiln/builder.h"
#include "runtime/engine_data.h"

namespace kiln::builder {

// One step per node of `graph` (in order) with its CPU tactic; `opt[p]` holds every tensor's
// desc at profile p's opt shapes. Fills `record` for the algorithm selector.
std::vector<runtime::StepData> select_cpu_tactics(const ir::Graph& graph,
                                                  const BuilderConfig& config,
                                                  std::span<const std::vector<ir::TensorDesc>> opt,
                                                  Logger& logger, ProgressPhase& phase,
                                                  SelectionRecord& record);

}  // namespace kiln::builder
