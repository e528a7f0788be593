// fuse_attention: scaled dot-product attention as exporters write it becomes one attention op
// (ir/internal_attributes.h, AttentionAttrs), which no backend computes through an S x S matrix
// in memory:
//
//   s = matmul(q, k, op_b = TRANSPOSE)         q, k, v: [batch..., S, D] (rank 3 or 4)
//   s = s * c  |  s / c                        optional, c a one-element constant
//   s = s + mask                               optional, mask broadcast to s (never widening it)
//   p = softmax(s, last axis)
//   o = matmul(p, v)                       ->  o = attention(scale = c | 1/c) q, k, v, mask
//
// Also matched: the scale applied to q and/or k instead (PyTorch's scaled_dot_product_attention
// export multiplies both by sqrt(scale); the scales multiply), and k^T given by a shuffle that
// swaps k's last two dims (op_b = NONE, with or without a scale between: the swap is taken off
// the shuffle, as fold_transpose_into_matmul does, and a shuffle left doing nothing goes). Every
// intermediate tensor must be read by the pattern alone. Transposes around the op are taken over
// as its read and write permutations (q_perm, k_perm, v_perm, out_perm): a head split
// reshape [B,S,H*D] -> [B,S,H,D] + transpose (0,2,1,3) keeps only its reshape (a view), and so
// does the head merge after the op, so the heads are read and written in place. A constant mask
// that is exactly causal (0 on and below the diagonal, -inf above, as the ONNX Attention importer
// builds for is_causal) becomes the op's `causal` flag, which lets kernels skip the masked key
// tiles. K and V heads repeated by a gather along the heads (grouped-query attention, as the ONNX
// Attention importer writes it) are read shared through the op's `kv_group`. With `keep_weights`
// (REFIT builds) a pattern whose scale is a weights constant is left alone, so that a refit can
// still change it. Run after fold_transpose_into_matmul and before lower_precision.
#include <cmath>

#include "builder/rewrites/match.h"
#include "builder/rewrites/rewrites.h"
#include "ir/op.h"

namespace kiln::builder {

namespace {

using match::is_binary;
using match::producer;
using match::scalar_value;

bool plain_matmul(const ir::Node& n) {
  const auto* a = std::get_if<MatrixMultiplyAttrs>(&n.attrs);
  return a != nullptr && n.inputs.size() == 2 && a->op_a == MatrixOperation::kNONE &&
         !a->epilogue.enabled;
}

bool same_dims(const Dims& a, const Dims& b) {
  if (a.nb_dims != b.nb_dims) return false;
  for (int32_t i = 0; i < a.nb_dims; ++i) {
    if (a.d[i] != b.d[i]) return false;
  }
  return true;
}

struct Match {
  std::vector<int32_t> nodes;  // absorbed nodes (the anchor excluded)
  double scale = 1.0;
  bool scaled_by_weights = false;
  int32_t q = -1, k = -1, v = -1, mask = -1;
  int32_t k_shuffle = -1;  // a shuffle whose last-two swap k^T gives up
};

// `t` times / divided by a one-element constant, read only by `consumer`: returns the other
// operand and multiplies m.scale; else (or when the constant would broadcast the operand up)
// returns `t`.
int32_t peel_scale(const ir::Graph& g, const match::Uses& u, int32_t t, int32_t consumer,
                   const std::vector<bool>& keep, Match& m) {
  const int32_t p = producer<ElementWiseAttrs>(g, t, keep);
  if (p < 0 || u.sole_consumer(t) != consumer) return t;
  const ir::Node& n = g.nodes[p];
  if (n.inputs.size() != 2 || n.inputs[0] == n.inputs[1]) return t;
  float c = 0.0f;
  int32_t x = -1;
  double factor = 1.0;
  if (is_binary(n, ElementWiseOperation::kDIV) && scalar_value(g, n.inputs[1], &c) && c != 0.0f) {
    x = n.inputs[0];
    factor = 1.0 / c;
  } else if (is_binary(n, ElementWiseOperation::kPROD) && scalar_value(g, n.inputs[1], &c)) {
    x = n.inputs[0];
    factor = c;
  } else if (is_binary(n, ElementWiseOperation::kPROD) && scalar_value(g, n.inputs[0], &c)) {
    x = n.inputs[1];
    factor = c;
  } else {
    return t;
  }
  if (!same_dims(g.tensors[x].dims, g.tensors[t].dims)) return t;
  m.scale *= factor;
  m.nodes.push_back(p);
  m.scaled_by_weights = true;
  return x;
}

bool match_attention(const ir::Graph& g, const match::Uses& u, const std::vector<bool>& keep,
                     int32_t anchor, Match& m) {
  const ir::Node& mm2 = g.nodes[anchor];
  if (!plain_matmul(mm2) || mm2.get<MatrixMultiplyAttrs>().op_b != MatrixOperation::kNONE)
    return false;
  const int32_t probs = mm2.inputs[0];
  m.v = mm2.inputs[1];
  const int32_t rank = g.tensors[probs].dims.nb_dims;
  if (rank < 3 || rank > 4 || g.tensors[m.v].dims.nb_dims != rank) return false;
  const int32_t sm = producer<SoftMaxAttrs>(g, probs, keep);
  if (sm < 0 || u.sole_consumer(probs) != anchor || g.nodes[sm].inputs.size() != 1 ||
      g.nodes[sm].get<SoftMaxAttrs>().axes != (1u << (rank - 1)))
    return false;
  m.nodes.push_back(sm);
  int32_t s = g.nodes[sm].inputs[0];
  int32_t reader = sm;
  // The mask add: the side whose chain reaches the scores' multiply is the scores.
  if (const int32_t add = producer<ElementWiseAttrs>(g, s, keep);
      add >= 0 && is_binary(g.nodes[add], ElementWiseOperation::kSUM) &&
      u.sole_consumer(s) == reader) {
    const ir::Node& a = g.nodes[add];
    for (int side = 0; side < 2; ++side) {
      const int32_t scores = a.inputs[side], mask = a.inputs[1 - side];
      if (scores == mask || g.tensors[mask].dims.nb_dims > rank) continue;
      if (!same_dims(g.tensors[scores].dims, g.tensors[s].dims)) continue;
      Match probe;
      const int32_t t = peel_scale(g, u, scores, add, keep, probe);
      const int32_t mm = producer<MatrixMultiplyAttrs>(g, t, keep);
      if (mm < 0 || !plain_matmul(g.nodes[mm])) continue;
      m.mask = mask;
      m.nodes.push_back(add);
      reader = add;
      s = scores;
      break;
    }
  }
  s = peel_scale(g, u, s, reader, keep, m);
  const int32_t mm1 = producer<MatrixMultiplyAttrs>(g, s, keep);
  if (mm1 < 0 || !plain_matmul(g.nodes[mm1]) || u.sole_consumer(s) < 0) return false;
  m.nodes.push_back(mm1);
  const ir::Node& qk = g.nodes[mm1];
  m.q = peel_scale(g, u, qk.inputs[0], mm1, keep, m);
  const int32_t kt = peel_scale(g, u, qk.inputs[1], mm1, keep, m);
  const MatrixOperation op_b = qk.get<MatrixMultiplyAttrs>().op_b;
  if (op_b == MatrixOperation::kTRANSPOSE) {
    m.k = kt;
  } else if (op_b == MatrixOperation::kNONE) {
    // k^T from a shuffle ending in a swap of the last two dims, read by the pattern alone.
    const int32_t sh = producer<ShuffleAttrs>(g, kt, keep);
    if (sh < 0 || g.nodes[sh].inputs.size() != 1 || g.tensors[kt].dims.nb_dims != rank ||
        u.consumers[kt].size() != 1 || u.is_output[kt])
      return false;
    const ShuffleAttrs& a = g.nodes[sh].get<ShuffleAttrs>();
    if (a.has_reshape && a.second_transpose == Permutation{}) return false;
    m.k_shuffle = sh;
    m.k = kt;
  } else {
    return false;
  }
  for (int32_t t : {m.q, m.k, m.v}) {
    if (g.tensors[t].dims.nb_dims != rank || !ir::is_floating(g.tensors[t].type)) return false;
  }
  if (m.mask >= 0 && g.tensors[m.mask].type != g.tensors[m.q].type) return false;
  return std::isfinite(m.scale);
}

// A constant mask that is exactly causal: [1..., Sq, Sk] with 0 where key j <= query i and
// -inf (or below -1e30, which exp turns into the same 0) elsewhere.
bool is_causal_mask(const ir::Graph& g, int32_t t) {
  if (t < 0 || g.tensors[t].weights < 0) return false;
  const ir::WeightsData& w = g.weights[g.tensors[t].weights];
  const Dims& d = w.dims;
  if (d.nb_dims < 2 || !w.bytes || w.type != DataType::kFLOAT) return false;
  for (int32_t i = 0; i < d.nb_dims - 2; ++i) {
    if (d.d[i] != 1) return false;
  }
  const int64_t sq = d.d[d.nb_dims - 2], sk = d.d[d.nb_dims - 1];
  if (sq < 2 || sk != sq || w.bytes->size() != static_cast<size_t>(sq * sk) * sizeof(float))
    return false;
  const float* v = reinterpret_cast<const float*>(w.bytes->data());
  for (int64_t i = 0; i < sq; ++i) {
    for (int64_t j = 0; j < sk; ++j) {
      const float x = v[i * sk + j];
      if (j <= i ? x != 0.0f : !(x <= -1e30f)) return false;
    }
  }
  return true;
}

// `t` = gather(x, idx) along the heads (dim rank-3) with constant idx[i] = i / g (the K/V head
// repeat of grouped-query attention), read by the pattern alone: returns the gather node, x and g;
// -1 when `t` is not that.
int32_t head_repeat(const ir::Graph& g, const match::Uses& u, int32_t t,
                    const std::vector<int32_t>& pattern, const std::vector<bool>& keep, int32_t* x,
                    int32_t* group) {
  const int32_t ga = producer<GatherAttrs>(g, t, keep);
  if (ga < 0 || g.nodes[ga].inputs.size() != 2 || u.consumers[t].size() != 1 ||
      !u.only_read_by(t, pattern))
    return -1;
  const GatherAttrs& a = g.nodes[ga].get<GatherAttrs>();
  const int32_t rank = g.tensors[t].dims.nb_dims;
  const int32_t in = g.nodes[ga].inputs[0], idx = g.nodes[ga].inputs[1];
  if (a.mode != GatherMode::kDEFAULT || g.tensors[in].dims.nb_dims != rank ||
      (a.axis < 0 ? a.axis + rank : a.axis) != rank - 3 || g.tensors[idx].weights < 0)
    return -1;
  const ir::WeightsData& w = g.weights[g.tensors[idx].weights];
  const int64_t heads = g.tensors[t].dims.d[rank - 3], kv = g.tensors[in].dims.d[rank - 3];
  if (w.dims.nb_dims != 1 || w.dims.d[0] != heads || kv < 1 || heads <= kv || heads % kv != 0 ||
      !w.bytes)
    return -1;
  const int64_t per = heads / kv;
  for (int64_t i = 0; i < heads; ++i) {
    int64_t v = -1;
    if (w.type == DataType::kINT32 && w.bytes->size() == static_cast<size_t>(heads) * 4) {
      v = reinterpret_cast<const int32_t*>(w.bytes->data())[i];
    } else if (w.type == DataType::kINT64 && w.bytes->size() == static_cast<size_t>(heads) * 8) {
      v = reinterpret_cast<const int64_t*>(w.bytes->data())[i];
    }
    if (v != i / per) return -1;
  }
  *x = in;
  *group = static_cast<int32_t>(per);
  return ga;
}

bool keeps_last(const Permutation& p, int32_t rank) {
  return p.order[rank - 1] == rank - 1;
}

// An input `t` of the op, produced by a shuffle that the pattern alone reads: the shuffle's
// transpose becomes the op's read permutation. A transpose alone goes (the op reads the
// shuffle's input); a reshape followed by a transpose keeps its reshape (a view later). Returns
// the tensor the op reads.
int32_t absorb_input_transpose(ir::Graph& g, const match::Uses& u, int32_t t,
                               const std::vector<int32_t>& pattern, std::vector<bool>& keep,
                               Permutation* perm, std::vector<int32_t>& removed) {
  const int32_t sh = producer<ShuffleAttrs>(g, t, keep);
  const int32_t rank = g.tensors[t].dims.nb_dims;
  if (sh < 0 || g.nodes[sh].inputs.size() != 1 || u.consumers[t].size() != 1 ||
      !u.only_read_by(t, pattern))
    return t;
  ShuffleAttrs a = g.nodes[sh].get<ShuffleAttrs>();
  if (!a.has_reshape) {
    const Permutation p = match::then(a.first_transpose, a.second_transpose);
    if (p == Permutation{} || !keeps_last(p, rank)) return t;
    *perm = p;
    removed.push_back(sh);
    keep[sh] = false;
    return g.nodes[sh].inputs[0];
  }
  const Permutation p = a.second_transpose;
  if (!(a.first_transpose == Permutation{}) || p == Permutation{} || !keeps_last(p, rank)) return t;
  // The shuffle now only reshapes: its output is the reshape's dims (x[p[i]] = old[i]).
  Dims reshaped = g.tensors[t].dims;
  for (int32_t i = 0; i < rank; ++i) reshaped.d[p.order[i]] = g.tensors[t].dims.d[i];
  a.second_transpose = Permutation{};
  g.nodes[sh].attrs = a;
  g.tensors[t].dims = reshaped;
  *perm = p;
  return t;
}

// The op's output `y`, read only by a shuffle starting with a transpose that keeps the last dim:
// the op writes the transposed layout itself (its out_perm) and the shuffle keeps only the rest
// (a reshape: a view later). Returns the permutation (identity when nothing was taken).
Permutation absorb_output_transpose(ir::Graph& g, const match::Uses& u, int32_t y,
                                    const std::vector<bool>& keep) {
  const int32_t rank = g.tensors[y].dims.nb_dims;
  const int32_t sh = u.sole_consumer(y);
  if (sh < 0 || !keep[sh] || g.nodes[sh].kind() != LayerType::kSHUFFLE ||
      g.nodes[sh].inputs.size() != 1)
    return Permutation{};
  ShuffleAttrs a = g.nodes[sh].get<ShuffleAttrs>();
  Permutation p =
      a.has_reshape ? a.first_transpose : match::then(a.first_transpose, a.second_transpose);
  if (p == Permutation{} || !keeps_last(p, rank)) return Permutation{};
  a.first_transpose = Permutation{};
  if (!a.has_reshape) {
    // Nothing left to move: a reshape to the same dims (0 copies a dim), which becomes a view.
    a.second_transpose = Permutation{};
    a.has_reshape = true;
    a.zero_is_placeholder = true;
    a.reshape_dims = Dims{};
    a.reshape_dims.nb_dims = rank;
    for (int32_t i = 0; i < rank; ++i) a.reshape_dims.d[i] = 0;
  }
  g.nodes[sh].attrs = a;
  Dims stored = g.tensors[y].dims;
  for (int32_t i = 0; i < rank; ++i) stored.d[i] = g.tensors[y].dims.d[p.order[i]];
  g.tensors[y].dims = stored;
  return p;
}

}  // namespace

ir::Graph fuse_attention(const ir::Graph& graph, Logger& logger, bool keep_weights) {
  ir::Graph g = graph;
  std::vector<bool> keep(g.nodes.size(), true);
  match::Uses u(g);
  int32_t fused = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(g.nodes.size()); ++i) {
    if (!keep[i] || g.nodes[i].kind() != LayerType::kMATRIX_MULTIPLY) continue;
    Match m;
    if (!match_attention(g, u, keep, i, m)) continue;
    if (keep_weights && m.scaled_by_weights) continue;
    if (m.k_shuffle >= 0) {
      // The shuffle gives up its final swap: it now produces k itself.
      ir::Node& sh = g.nodes[m.k_shuffle];
      const int32_t rank = g.tensors[m.k].dims.nb_dims;
      const ShuffleAttrs a = match::then_swap_last_two(sh.get<ShuffleAttrs>(), rank);
      if (!a.has_reshape && a.first_transpose == Permutation{}) {
        m.k = sh.inputs[0];
        m.nodes.push_back(m.k_shuffle);
      } else {
        sh.attrs = a;
        std::swap(g.tensors[m.k].dims.d[rank - 2], g.tensors[m.k].dims.d[rank - 1]);
      }
    }
    std::vector<int32_t> all = m.nodes;
    all.push_back(i);
    AttentionAttrs attrs;
    attrs.scale = static_cast<float>(m.scale);
    if (is_causal_mask(g, m.mask)) {
      attrs.causal = true;
      m.mask = -1;
    }
    // Grouped-query attention: K/V heads repeated by a gather are read shared instead.
    std::vector<int32_t> absorbed;
    {
      int32_t k_in = -1, v_in = -1, gk = 0, gv = 0;
      const int32_t nk = head_repeat(g, u, m.k, all, keep, &k_in, &gk);
      const int32_t nv = head_repeat(g, u, m.v, all, keep, &v_in, &gv);
      if (nk >= 0 && nv >= 0 && gk == gv) {
        attrs.kv_group = gk;
        m.k = k_in;
        m.v = v_in;
        for (int32_t n : {nk, nv}) {
          keep[n] = false;
          all.push_back(n);
        }
      }
    }
    // Head splits and the head merge: read and written in place through permutations.
    m.q = absorb_input_transpose(g, u, m.q, all, keep, &attrs.q_perm, absorbed);
    m.k = absorb_input_transpose(g, u, m.k, all, keep, &attrs.k_perm, absorbed);
    m.v = absorb_input_transpose(g, u, m.v, all, keep, &attrs.v_perm, absorbed);
    attrs.out_perm = absorb_output_transpose(g, u, g.nodes[i].outputs[0], keep);
    all.insert(all.end(), absorbed.begin(), absorbed.end());
    ir::Node& node = g.nodes[i];
    node.name = match::joined_names(g, all);
    node.attrs = attrs;
    node.inputs = {m.q, m.k, m.v, m.mask};
    for (int32_t n : m.nodes) keep[n] = false;
    ++fused;
  }
  if (fused > 0) {
    logger.report(Logger::Severity::kVERBOSE,
                  str_cat("fuse_attention: ", fused, " attention blocks fused"));
  }
  return remove_nodes(g, keep);
}

}  // namespace kiln::builder
