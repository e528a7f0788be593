// The textual IR: a graph as lines of text that parse back into the same graph, so that each
// builder rewrite is tested by stating the graph before and after (tests/cpp/builder/rewrites/),
// and a user can see what the optimizer did (KILN_DUMP_IR, docs/optimizer.md).
//
//   input x float32 [-1,768]
//   weights w float32 [3] = [0.5, 1, 2]        values shown for at most 16 elements
//   weights big float16 [768,768]              larger weights: no values (parse: deterministic)
//   node fc1 matrix_multiply(op_a=0 op_b=0 ...) x, w -> t0
//   node "fc1 + gelu" fused_pointwise(program="in 0; gelu_erf %0; out %1 float16" ...) t0 -> t1
//   outputs t1
//
// Names made of letters, digits and _ . : / # @ + - print bare, others in double quotes with \"
// and \\ escapes; an absent optional input prints as -. Attribute fields print as name=value in
// their fields() order: integers and enums as numbers, floats with 9 significant digits, bool
// true/false, Dims [a,b] (none when absent), permutations (a,b,...), strings quoted, bytes hex
// (0x...). Types and dims of node outputs are not written: parse re-infers them.
#pragma once

#include <string>
#include <string_view>

#include "ir/graph.h"

namespace kiln::ir {

// The text form (ir::dump prints the same).
std::string print(const Graph& graph);

// The graph a text describes, with every tensor's type and dims inferred. Weights printed without
// values get deterministic pseudo-random values (seeded by the name), so parsed test graphs can
// run. Throws Error naming the line and what is wrong: an unknown kind or attribute, a tensor used
// before it is defined or defined twice, a malformed value, a graph that fails inference.
Graph parse(std::string_view text);

}  // namespace kiln::ir
