// What a BuilderFlag::kREFIT plan records so its weights can be refitted (docs/refit.md).
#pragma once

#include "ir/graph.h"
#include "runtime/engine_data.h"

namespace kiln::builder {

// True for the types refit handles (float32, float16, bfloat16): integer weights hold shapes
// and indices that the build may have relied on.
bool is_refittable_type(DataType type);

// Which engine weights hold each floating-point weights of `network` (the network graph, before
// any pass), found by name after the passes: the weights itself, a float16/bfloat16 copy of it
// (lower_precision keeps the name) or the vector view of a fused bias ("<name>.fused_bias").
// Network weights that reach no engine weights (unused, or folded with other weights) are not
// refittable. Also the layer roles of every refittable weights (Refitter::set_weights).
runtime::RefitData refit_data(const ir::Graph& network, const ir::Graph& engine);

}  // namespace kiln::builder
