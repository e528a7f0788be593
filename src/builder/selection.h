// Choosing one candidate per layer, shared by the CPU and CUDA backends: the algorithm selector
// hook, the fastest-kept rule and the verbose log of every candidate.
#pragma once

#include <span>
#include <vector>

#include "ir/graph.h"
#include "kiln/logger.h"
#include "kiln/tuning.h"

namespace kiln::builder {

// What report_algorithms gets once the build is done: one context and choice per step.
struct SelectionRecord {
  std::vector<AlgorithmContext> contexts;
  std::vector<Algorithm> choices;
};

// The selector's view of `node` with tensor descs `descs` (the opt shapes of `profile`).
AlgorithmContext algorithm_context(const ir::Graph& graph, const ir::Node& node,
                                   std::span<const ir::TensorDesc> descs, int32_t profile);

// Index of the candidate to use: the selector (if any) names the ones to keep; of those, the one
// with the smallest measured time wins, or the first when none was timed. Throws Error naming the
// layer when the selector returns an index out of range. Logs every candidate at kVERBOSE.
size_t choose_algorithm(const AlgorithmContext& context, std::span<const Algorithm> candidates,
                        AlgorithmSelector* selector, Logger& logger);

}  // namespace kiln::builder
