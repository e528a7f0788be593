// merge_shuffles: two shuffle layers in a row (Reshape then Transpose, Transpose then Reshape, two
// Transposes: what exporters write for attention's head split and merge) become one shuffle, so
// the data is copied once instead of twice. A shuffle is first_transpose -> reshape ->
// second_transpose; two of them merge when at most one reshapes:
//
//   (t1, -, t2) then (u1, r, u2)  ->  (t1·t2·u1, r, u2)
//   (t1, r, t2) then (u1, -, u2)  ->  (t1, r, t2·u1·u2)
//
// where p·q is "p, then q" (output dim i reads input dim p[q[i]]). Two that both reshape merge
// when the second's reshape only splits dims of the first's output (static dims), as PyTorch's
// multi-head attention writes its head split ([S,B,E] -> [S,B*H,D] -> transpose -> [B,H,S,D]):
// the split moves in front of the transpose,
//
//   (t1, r, p) then (-, r2, u2)  ->  (t1, r', p', u2)     r2 splits p's output dims
//
// where r' splits r's dims as r2 splits them and p' moves the split dims together. Shuffles with a
// run-time shape input, and a first shuffle whose output something else reads, are left alone.
#include "builder/rewrites/match.h"
#include "builder/rewrites/rewrites.h"

namespace kiln::builder {

using match::then;

namespace {

// `a` (reshaping, output dims `a_out`) then `b` (reshape only before its second transpose, the
// reshape giving `b_dims`) as one shuffle, when b's reshape splits each of a_out's dims into
// consecutive dims (static dims only). False when it does not.
bool merge_split(const ShuffleAttrs& a, const Dims& a_out, const ShuffleAttrs& b,
                 const Dims& b_dims, ShuffleAttrs* merged) {
  const int32_t n = a_out.nb_dims, m = b_dims.nb_dims;
  if (!(b.first_transpose == Permutation{}) || n < 1 || m < n) return false;
  for (int32_t i = 0; i < n; ++i) {
    if (a_out.d[i] < 0) return false;
  }
  for (int32_t i = 0; i < m; ++i) {
    if (b_dims.d[i] < 0) return false;
  }
  // Group b's dims: a_out[i] = the product of b_dims[start[i] .. start[i+1]).
  int32_t start[Dims::kMaxDims + 1] = {};
  int32_t j = 0;
  for (int32_t i = 0; i < n; ++i) {
    start[i] = j;
    int64_t product = 1;
    do {
      if (j >= m) return false;
      product *= b_dims.d[j++];
    } while (product < a_out.d[i] && product != 0);
    if (product != a_out.d[i]) return false;
  }
  start[n] = j;
  if (j != m) return false;
  // a's reshape result, before its transpose p: dim p[i] is a_out[i].
  const Permutation& p = a.second_transpose;
  int32_t inverse[Dims::kMaxDims] = {};
  for (int32_t i = 0; i < n; ++i) inverse[p.order[i]] = i;
  // r': dim k of a's reshape split as a_out[inverse[k]] is; offset[k] its first new dim.
  Dims r;
  r.nb_dims = m;
  int32_t offset[Dims::kMaxDims] = {};
  int32_t at = 0;
  for (int32_t k = 0; k < n; ++k) {
    const int32_t i = inverse[k];
    offset[k] = at;
    for (int32_t x = start[i]; x < start[i + 1]; ++x) r.d[at++] = b_dims.d[x];
  }
  Permutation q;
  for (int32_t i = 0; i < n; ++i) {
    for (int32_t t = 0; t < start[i + 1] - start[i]; ++t)
      q.order[start[i] + t] = offset[p.order[i]] + t;
  }
  *merged = a;
  merged->reshape_dims = r;
  merged->zero_is_placeholder = false;
  merged->second_transpose = then(q, b.second_transpose);
  return true;
}

}  // namespace

ir::Graph merge_shuffles(const ir::Graph& graph, Logger& logger) {
  ir::Graph g = graph;
  std::vector<bool> keep(g.nodes.size(), true);
  match::Uses u(g);
  int32_t merged = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(g.nodes.size()); ++i) {
    if (!keep[i] || g.nodes[i].kind() != LayerType::kSHUFFLE || g.nodes[i].inputs.size() != 1)
      continue;
    // Follow the chain from i as far as it merges.
    for (int32_t cur = i;;) {
      int32_t out = g.nodes[cur].outputs[0];
      int32_t j = u.sole_consumer(out);
      if (j < 0 || !keep[j] || g.nodes[j].kind() != LayerType::kSHUFFLE ||
          g.nodes[j].inputs.size() != 1)
        break;
      const ShuffleAttrs& a = g.nodes[cur].get<ShuffleAttrs>();
      const ShuffleAttrs& b = g.nodes[j].get<ShuffleAttrs>();
      ShuffleAttrs m;
      if (a.has_reshape && b.has_reshape) {
        // b's reshape result: its output before its second transpose.
        const Dims& b_out = g.tensors[g.nodes[j].outputs[0]].dims;
        Dims b_dims = b_out;
        for (int32_t x = 0; x < b_out.nb_dims; ++x)
          b_dims.d[b.second_transpose.order[x]] = b_out.d[x];
        if (!merge_split(a, g.tensors[out].dims, b, b_dims, &m)) break;
      } else if (!a.has_reshape) {
        m.first_transpose = then(then(a.first_transpose, a.second_transpose), b.first_transpose);
        m.has_reshape = b.has_reshape;
        m.reshape_dims = b.reshape_dims;
        m.zero_is_placeholder = b.zero_is_placeholder;
        m.second_transpose = b.second_transpose;
      } else {
        m = a;
        m.second_transpose = then(then(a.second_transpose, b.first_transpose), b.second_transpose);
      }
      // j becomes the merged shuffle reading cur's input; cur goes.
      ir::Node& n = g.nodes[j];
      n.name = g.nodes[cur].name + " + " + n.name;
      n.attrs = m;
      n.inputs = g.nodes[cur].inputs;
      keep[cur] = false;
      ++merged;
      cur = j;
    }
  }
  if (merged > 0) {
    logger.report(Logger::Severity::kVERBOSE, str_cat("merge_shuffles: ", merged, " merged"));
  }
  return remove_nodes(g, keep);
}

}  // namespace kiln::builder
