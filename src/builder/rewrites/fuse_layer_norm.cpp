// fuse_layer_norm: LayerNorm and RMSNorm over the last axis become one layer_norm op, with the
// residual add in front of it folded in (skip-LayerNorm).
//
//   normalization(axes = last, groups 1) x, scale, bias           -> layer_norm x, -, scale, bias
//   m = mean(x); d = x - m; v = mean(d*d | d^2); y = d / sqrt(v + eps) [* scale] [+ bias]
//                                                                 -> layer_norm x, -, scale, bias
//   v = mean(x*x | x^2); y = x / sqrt(v + eps) | x * recip(sqrt(v + eps)) [* scale]
//                                                                 -> layer_norm(rms) x, -, scale, -
//   s = a + b (same shapes); layer_norm s ...                     -> layer_norm a, b, ... (-> y[,
//   s])
//
// "mean" is a reduce AVG over the last axis alone with keep_dims; scale and bias are weights with
// the last dimension's length (shaped [H] or [1, ..., H]); a missing scale becomes a weights of
// ones. The sum of a folded residual add stays available: when anything else reads it, it becomes
// the op's second output.
#include "builder/rewrites/match.h"
#include "builder/rewrites/rewrites.h"
#include "ir/op.h"

namespace kiln::builder {

namespace {

using match::is_binary;
using match::other_input;
using match::producer;

// A reduce AVG over exactly the last axis of its input, keeping dims.
bool is_last_axis_mean(const ir::Graph& g, const ir::Node& n) {
  const auto* r = std::get_if<ReduceAttrs>(&n.attrs);
  if (r == nullptr || r->op != ReduceOperation::kAVG || !r->keep_dims) return false;
  int32_t rank = g.tensors[n.inputs[0]].dims.nb_dims;
  return rank >= 1 && r->axes == (1u << (rank - 1));
}

// The weights tensor `t` as a [h] vector: itself, or a view with dims [h] (not with keep_weights
// unless already [h]); -1 when `t` is not such weights.
int32_t as_vector(ir::Graph& g, int32_t t, int64_t h, DataType type, bool keep_weights) {
  if (t < 0 || g.tensors[t].weights < 0 || g.tensors[t].type != type || h <= 0) return -1;
  const Dims& d = g.tensors[t].dims;
  if (d.nb_dims < 1 || d.d[d.nb_dims - 1] != h || volume(d) != h) return -1;
  if (d.nb_dims == 1) return t;
  if (keep_weights) return -1;
  return match::weights_view(g, t, Dims{h});
}

struct Norm {
  int32_t x = -1;
  bool rms = false;
  float epsilon = 0.0f;
  int32_t scale = -1;  // as found (any weights shape), -1 for none
  int32_t bias = -1;
  std::vector<int32_t> nodes;  // the pattern, the last node last
};

// "a * a" or "a ^ 2" producing `t`: returns a, or -1.
int32_t square_of(const ir::Graph& g, int32_t t, const std::vector<bool>& keep, int32_t* node) {
  int32_t p = producer<ElementWiseAttrs>(g, t, keep);
  if (p < 0) return -1;
  const ir::Node& n = g.nodes[p];
  *node = p;
  if (is_binary(n, ElementWiseOperation::kPROD) && n.inputs[0] == n.inputs[1]) return n.inputs[0];
  if (is_binary(n, ElementWiseOperation::kPOW) && match::is_scalar(g, n.inputs[1], 2.0f))
    return n.inputs[0];
  return -1;
}

// Decomposed LayerNorm/RMSNorm whose variance mean (a reduce AVG node) is `anchor`.
bool match_decomposed(const ir::Graph& g, const match::Uses& u, int32_t anchor,
                      const std::vector<bool>& keep, Norm& out) {
  const ir::Node& mv = g.nodes[anchor];
  if (!is_last_axis_mean(g, mv)) return false;
  int32_t sq_node = -1;
  int32_t d = square_of(g, mv.inputs[0], keep, &sq_node);
  if (d < 0) return false;
  std::vector<int32_t> nodes;
  int32_t x = d;
  // LayerNorm: d = x - mean(x).
  int32_t sub = producer<ElementWiseAttrs>(g, d, keep);
  if (sub >= 0 && is_binary(g.nodes[sub], ElementWiseOperation::kSUB)) {
    int32_t m = producer<ReduceAttrs>(g, g.nodes[sub].inputs[1], keep);
    if (m >= 0 && is_last_axis_mean(g, g.nodes[m]) &&
        g.nodes[m].inputs[0] == g.nodes[sub].inputs[0]) {
      x = g.nodes[sub].inputs[0];
      nodes = {m, sub};
      out.rms = false;
    }
  }
  if (nodes.empty()) out.rms = true;
  nodes.push_back(sq_node);
  nodes.push_back(anchor);
  // + eps, sqrt
  int32_t add = u.sole_consumer(mv.outputs[0]);
  if (add < 0 || !is_binary(g.nodes[add], ElementWiseOperation::kSUM) ||
      !match::scalar_value(g, other_input(g.nodes[add], mv.outputs[0]), &out.epsilon))
    return false;
  int32_t sq = u.sole_consumer(g.nodes[add].outputs[0]);
  if (sq < 0 || !std::holds_alternative<UnaryAttrs>(g.nodes[sq].attrs) ||
      g.nodes[sq].get<UnaryAttrs>().op != UnaryOperation::kSQRT)
    return false;
  nodes.push_back(add);
  nodes.push_back(sq);
  int32_t s = g.nodes[sq].outputs[0];
  // d / s, or d * recip(s)
  int32_t div = u.sole_consumer(s);
  if (div < 0) return false;
  int32_t last = -1;
  if (is_binary(g.nodes[div], ElementWiseOperation::kDIV) && g.nodes[div].inputs[0] == d &&
      g.nodes[div].inputs[1] == s) {
    last = div;
  } else if (std::holds_alternative<UnaryAttrs>(g.nodes[div].attrs) &&
             g.nodes[div].get<UnaryAttrs>().op == UnaryOperation::kRECIP) {
    int32_t mul = u.sole_consumer(g.nodes[div].outputs[0]);
    if (mul < 0 || !is_binary(g.nodes[mul], ElementWiseOperation::kPROD) ||
        other_input(g.nodes[mul], g.nodes[div].outputs[0]) != d)
      return false;
    nodes.push_back(div);
    last = mul;
  } else {
    return false;
  }
  nodes.push_back(last);
  const int32_t rank = g.tensors[x].dims.nb_dims;
  const int64_t h = rank >= 1 ? g.tensors[x].dims.d[rank - 1] : -1;
  // * scale, + bias (weights of h elements)
  auto vector_weights = [&](int32_t t) {
    return t >= 0 && g.tensors[t].weights >= 0 && volume(g.tensors[t].dims) == h &&
           g.tensors[t].dims.nb_dims <= rank && g.tensors[t].dims.nb_dims >= 1 &&
           g.tensors[t].dims.d[g.tensors[t].dims.nb_dims - 1] == h;
  };
  int32_t y = g.nodes[last].outputs[0];
  int32_t mul = u.sole_consumer(y);
  if (mul >= 0 && is_binary(g.nodes[mul], ElementWiseOperation::kPROD) &&
      vector_weights(other_input(g.nodes[mul], y))) {
    out.scale = other_input(g.nodes[mul], y);
    nodes.push_back(mul);
    y = g.nodes[mul].outputs[0];
  }
  int32_t badd = u.sole_consumer(y);
  if (badd >= 0 && is_binary(g.nodes[badd], ElementWiseOperation::kSUM) &&
      vector_weights(other_input(g.nodes[badd], y))) {
    out.bias = other_input(g.nodes[badd], y);
    nodes.push_back(badd);
  }
  for (int32_t p : nodes) {
    if (!keep[p]) return false;
    if (p != nodes.back() && !u.only_read_by(g.nodes[p].outputs[0], nodes)) return false;
  }
  if (h <= 0 || !ir::is_floating(g.tensors[x].type)) return false;
  const ir::Tensor& result = g.tensors[g.nodes[nodes.back()].outputs[0]];
  if (!(result.dims == g.tensors[x].dims) || result.type != g.tensors[x].type) return false;
  out.x = x;
  out.nodes = nodes;
  return true;
}

bool match_normalization(const ir::Graph& g, int32_t i, Norm& out) {
  const ir::Node& n = g.nodes[i];
  const auto* a = std::get_if<NormalizationAttrs>(&n.attrs);
  if (a == nullptr || a->num_groups != 1 || n.inputs.size() != 3) return false;
  int32_t rank = g.tensors[n.inputs[0]].dims.nb_dims;
  if (rank < 1 || a->axes != (1u << (rank - 1))) return false;
  out.x = n.inputs[0];
  out.rms = false;
  out.epsilon = a->epsilon;
  out.scale = n.inputs[1];
  out.bias = n.inputs[2];
  out.nodes = {i};
  return true;
}

}  // namespace

ir::Graph fuse_layer_norm(const ir::Graph& graph, Logger& logger, bool keep_weights) {
  ir::Graph g = graph;
  std::vector<bool> keep(g.nodes.size(), true);
  int32_t fused = 0;
  {
    match::Uses u(g);
    const size_t count = g.nodes.size();
    for (int32_t i = 0; i < static_cast<int32_t>(count); ++i) {
      Norm norm;
      if (!keep[i] || !(match_normalization(g, i, norm) || match_decomposed(g, u, i, keep, norm)))
        continue;
      const ir::Tensor& x = g.tensors[norm.x];
      const int64_t h = x.dims.d[x.dims.nb_dims - 1];
      const DataType type = x.type;
      if (h <= 0) continue;
      int32_t last = norm.nodes.back();
      std::string name = match::joined_names(g, norm.nodes);
      int32_t scale = norm.scale >= 0 ? as_vector(g, norm.scale, h, type, keep_weights)
                                      : match::add_float_weights(g, name + ".ones", Dims{h},
                                                                 std::vector<float>(h, 1.0f), type);
      int32_t bias = norm.bias >= 0 ? as_vector(g, norm.bias, h, type, keep_weights) : -1;
      if (scale < 0 || (norm.bias >= 0 && bias < 0)) continue;
      ir::Node& n = g.nodes[last];
      LayerNormAttrs attrs;
      attrs.epsilon = norm.epsilon;
      attrs.rms = norm.rms;
      n.name = name;
      n.attrs = attrs;
      n.inputs = {norm.x, -1, scale, bias};
      for (int32_t p : norm.nodes) {
        if (p != last) keep[p] = false;
      }
      ++fused;
    }
  }
  // Fold a residual add in front: s = a + b, same shapes, read by the layer_norm (and maybe
  // others, then s becomes the second output).
  match::Uses u(g);
  int32_t skips = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(g.nodes.size()); ++i) {
    if (!keep[i] || g.nodes[i].kind() != ir::op::kLAYER_NORM || g.nodes[i].inputs[1] >= 0) continue;
    int32_t s = g.nodes[i].inputs[0];
    int32_t add = producer<ElementWiseAttrs>(g, s, keep);
    if (add < 0 || !is_binary(g.nodes[add], ElementWiseOperation::kSUM)) continue;
    int32_t a = g.nodes[add].inputs[0], b = g.nodes[add].inputs[1];
    const ir::Tensor& ts = g.tensors[s];
    if (!(g.tensors[a].dims == ts.dims) || !(g.tensors[b].dims == ts.dims) ||
        g.tensors[a].type != ts.type || g.tensors[b].type != ts.type)
      continue;
    ir::Node& n = g.nodes[i];
    n.inputs[0] = a;
    n.inputs[1] = b;
    n.name = g.nodes[add].name + " + " + n.name;
    int32_t readers = 0;  // layers still in the graph that read the sum
    for (int32_t c : u.consumers[s]) readers += keep[c] ? 1 : 0;
    if (readers > 1 || u.is_output[s]) {
      n.get<LayerNormAttrs>().num_outputs = 2;
      n.outputs.push_back(s);
      g.tensors[s].producer = i;
    }
    keep[add] = false;
    ++skips;
  }
  if (fused + skips > 0) {
    logger.report(Logger::Severity::kVERBOSE,
                  str_cat("fuse_layer_norm: ", fused, " norms, ", skips, " residual adds folded"));
  }
  return remove_nodes(g, keep);
}

}  // namespace kiln::builder
