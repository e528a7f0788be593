// Places every activation tensor in one arena per profile, reusing memory between tensors whose
// lifetimes do not overlap.
#pragma once

#include <vector>

#include "runtime/engine_data.h"

namespace kiln::builder {

constexpr int64_t kArenaAlignment = 256;

// graph: nodes in execution order (step i runs node i). bytes: per tensor, its size at the
// profile's max shapes. Activation tensors are those a node produces that are not network
// outputs (those live in user memory); every other tensor gets offset -1.
runtime::MemoryPlan plan_memory(const ir::Graph& graph, const std::vector<int64_t>& bytes);

}  // namespace kiln::builder
