// Places every activation tensor in one arena per profile, reusing memory between tensors that
// are never in use at the same time.
#pragma once

#include <vector>

#include "runtime/engine_data.h"

namespace kiln::builder {

constexpr int64_t kArenaAlignment = 256;

// graph: nodes in execution order (step i runs node i). bytes: per tensor, its size at the
// profile's max shapes. streams: per step, the stream it runs on (empty: all on one stream).
// Activation tensors are those a node produces that are not network outputs (those live in user
// memory); every other tensor gets offset -1, and so do views' outputs, which use their input's
// memory (that input then stays alive until the views' last reader). Two tensors share bytes only
// when every use of one happens before the other is written (by data dependency or stream order),
// so plans with auxiliary streams stay race-free.
runtime::MemoryPlan plan_memory(const ir::Graph& graph, const std::vector<int64_t>& bytes,
                                const std::vector<int32_t>& streams = {});

}  // namespace kiln::builder
