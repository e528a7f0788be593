// Optimization profiles resolved against a network: every input's min/opt/max in every profile.
#pragma once

#include <vector>

#include "ir/graph.h"
#include "kiln/builder.h"

namespace kiln::builder {

// result[profile][i] is the range of graph.inputs[i]. With no profile in the config, all inputs
// must be static and one profile of their fixed shapes is made. Throws Error naming the profile,
// the input and the dimension for a missing, misranked or contradicting shape.
std::vector<std::vector<ProfileDims>> resolve_profiles(const ir::Graph& graph,
                                                       const BuilderConfig& config);

// The graph with every input's dims replaced by `dims` and everything re-inferred. `what` names
// the shapes in errors ("profile 1 max shapes").
ir::Graph with_input_dims(const ir::Graph& graph, const std::vector<Dims>& dims,
                          const std::string& what);

// Infers the graph at each profile's min, opt and max shapes; throws naming the profile and the
// layer on the first failure.
void check_profile_shapes(const ir::Graph& graph,
                          const std::vector<std::vector<ProfileDims>>& profiles);

}  // namespace kiln::builder
