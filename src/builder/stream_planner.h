// Sends independent branches of the step graph to auxiliary streams.
#pragma once

#include "runtime/engine_data.h"

namespace kiln::builder {

// Sets steps[i].stream (0 = main) for nodes in execution order. A step continues the stream of an
// input's producer when that producer was the last step on it (a chain stays on one stream); a
// step that starts a new branch goes to the next stream round robin among 1 + max_aux. Returns
// the number of auxiliary streams used.
int32_t plan_streams(const ir::Graph& graph, std::vector<runtime::StepData>& steps,
                     int32_t max_aux);

}  // namespace kiln::builder
