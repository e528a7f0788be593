// What the pattern rewrites share: who consumes each tensor, scalar constants, and small graph
// edits. A rewrite matches a pattern around an anchor node, checks that every intermediate tensor
// it swallows is read by the pattern alone, then replaces the pattern's last node in place (its
// output tensor keeps its id, so nothing downstream changes) and marks the others removed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace kiln::builder::match {

struct Uses {
  std::vector<std::vector<int32_t>> consumers;  // node indices per tensor (once per input slot)
  std::vector<bool> is_output;                  // a network output

  explicit Uses(const ir::Graph& g);
  // The node that alone reads `t` (once), when `t` is not a network output; else -1.
  int32_t sole_consumer(int32_t t) const;
  // `t` is read only by nodes in `allowed` (and is no network output).
  bool only_read_by(int32_t t, const std::vector<int32_t>& allowed) const;
};

// The node producing `t` when it has attributes A (and is not removed), else -1.
template <typename A>
int32_t producer(const ir::Graph& g, int32_t t, const std::vector<bool>& keep) {
  if (t < 0) return -1;
  int32_t p = g.tensors[t].producer;
  if (p < 0 || !keep[p] || !std::holds_alternative<A>(g.nodes[p].attrs)) return -1;
  return p;
}

// A binary elementwise node doing `op` (two inputs).
bool is_binary(const ir::Node& n, ElementWiseOperation op);
// The other input of a two-input node (-1 when `t` is not an input or is both).
int32_t other_input(const ir::Node& n, int32_t t);

// The value of a one-element floating-point weights tensor.
bool scalar_value(const ir::Graph& g, int32_t t, float* value);
// `t` is a one-element weights tensor equal to `expected` within relative `tol`.
bool is_scalar(const ir::Graph& g, int32_t t, float expected, float tol = 1e-4f);
// Rank of `t` does not exceed `rank` (a broadcast against a tensor of that rank keeps its shape).
bool rank_at_most(const ir::Graph& g, int32_t t, int32_t rank);

// Adds weights `name` with these bytes and a tensor (of the same name) bound to them; returns the
// tensor's id.
int32_t add_weights(ir::Graph& g, const std::string& name, DataType type, const Dims& dims,
                    std::shared_ptr<const std::vector<uint8_t>> bytes);

// add_weights of float values, stored as `type` (float32, or float16/bfloat16 converted as
// lower_precision converts weights).
int32_t add_float_weights(ir::Graph& g, const std::string& name, const Dims& dims,
                          const std::vector<float>& values, DataType type = DataType::kFLOAT);

// Adds a weights tensor viewing `t`'s weights bytes with dims `dims` (same element count), named
// "<weights name>.fused_bias" so that a refit finds it (builder/refit_info.h); returns its id.
int32_t weights_view(ir::Graph& g, int32_t t, const Dims& dims);

// Permutation p, then q (as a shuffle applies first_transpose, then second_transpose): output dim
// i reads input dim p[q[i]].
Permutation then(const Permutation& p, const Permutation& q);

// `a` followed by a swap of the last two of its `rank` output dims, as one shuffle: the swap joins
// the second transpose after a reshape, else the merged first transpose (the second becomes the
// identity). Rewrites that hand K^T's swap to a consumer take it off this way.
ShuffleAttrs then_swap_last_two(const ShuffleAttrs& a, int32_t rank);

// The names of nodes joined with " + " (a fused node's name says what it holds).
std::string joined_names(const ir::Graph& g, const std::vector<int32_t>& nodes);

}  // namespace kiln::builder::match
