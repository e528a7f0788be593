// fold_transpose_into_matmul: a shuffle whose last step swaps the last two dimensions, read only by
// a matrix multiply, hands that swap to the multiply (its operand flag flips between kNONE and
// kTRANSPOSE, which the GEMM libraries do for free) instead of copying the data transposed:
//
//   k' = transpose(k, (0,1,3,2)); s = matmul(q, k')    ->   s = matmul(q, k, op_b = TRANSPOSE)
//
// Only a shuffle that moves its input's last dim to the second-to-last place is taken (K^T); the
// shuffle keeps the rest of its work (a head split's reshape and (0,2,1,3) stays one copy); a
// shuffle left doing nothing at all is removed. Run after merge_shuffles.
#include "builder/rewrites/match.h"
#include "builder/rewrites/rewrites.h"

namespace kiln::builder {

namespace {

using match::then;

bool is_identity(const Permutation& p) {
  return p == Permutation{};
}

}  // namespace

ir::Graph fold_transpose_into_matmul(const ir::Graph& graph, Logger& logger) {
  ir::Graph g = graph;
  std::vector<bool> keep(g.nodes.size(), true);
  match::Uses u(g);
  int32_t folded = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(g.nodes.size()); ++i) {
    if (!keep[i] || g.nodes[i].kind() != LayerType::kMATRIX_MULTIPLY) continue;
    for (int operand = 0; operand < 2; ++operand) {
      ir::Node& mm = g.nodes[i];
      if (static_cast<int32_t>(mm.inputs.size()) <= operand) continue;
      auto& attrs = mm.get<MatrixMultiplyAttrs>();
      MatrixOperation& op = operand == 0 ? attrs.op_a : attrs.op_b;
      if (op == MatrixOperation::kVECTOR) continue;
      const int32_t t = mm.inputs[operand];
      const int32_t s = t >= 0 ? g.tensors[t].producer : -1;
      if (s < 0 || !keep[s] || g.nodes[s].kind() != LayerType::kSHUFFLE ||
          g.nodes[s].inputs.size() != 1 || u.sole_consumer(t) != i)
        continue;
      const int32_t rank = g.tensors[t].dims.nb_dims;
      if (rank < 2) continue;
      ShuffleAttrs a = g.nodes[s].get<ShuffleAttrs>();
      // Only a transpose that moves the input's last dim to the second-to-last place gains: the
      // swap taken off leaves the last dim in place (K^T from a head split becomes a plain head
      // split, a bare transpose goes). Others (q's (0,2,1,3)) would only trade one copy for
      // another and hide the operand's layout from later rewrites.
      const Permutation last_step =
          a.has_reshape ? a.second_transpose : then(a.first_transpose, a.second_transpose);
      if (last_step.order[rank - 2] != rank - 1) continue;
      // Only the second transpose runs after a reshape; a reshape alone ends in a plain
      // row-major [.., M, N] that a swap cannot be taken from.
      if (a.has_reshape && is_identity(a.second_transpose)) continue;
      a = match::then_swap_last_two(a, rank);
      op = op == MatrixOperation::kNONE ? MatrixOperation::kTRANSPOSE : MatrixOperation::kNONE;
      mm.name = g.nodes[s].name + " + " + mm.name;
      if (!a.has_reshape && is_identity(a.first_transpose)) {
        mm.inputs[operand] = g.nodes[s].inputs[0];  // the shuffle does nothing any more
        keep[s] = false;
      } else {
        g.nodes[s].attrs = a;
        std::swap(g.tensors[t].dims.d[rank - 2], g.tensors[t].dims.d[rank - 1]);
      }
      ++folded;
    }
  }
  if (folded > 0) {
    logger.report(Logger::Severity::kVERBOSE,
                  str_cat("fold_transpose_into_matmul: ", folded, " transposes folded"));
  }
  return remove_nodes(g, keep);
}

}  // namespace kiln::builder
