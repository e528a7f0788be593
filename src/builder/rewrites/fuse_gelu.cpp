// fuse_gelu: the GELU decompositions exporters emit become one activation layer.
//
//   erf form (PyTorch, ViT/BERT):  0.5 * x * (1 + erf(x / sqrt(2)))     -> activation GELU_ERF
//                                  (x * 0.70710678 for the division)
//   tanh form (GPT-2, "gelu_new"): 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
//                                  (x^3 as Pow(x, 3) or x * x * x)     -> activation GELU_TANH
//
// The tail "(1 + inner) then times x and 0.5" is matched in each association exporters produce:
// (x * a) * 0.5, (x * 0.5) * a, x * (a * 0.5), with either operand order. Constants are
// one-element weights (after constant folding), compared within 1e-4 relative; every
// intermediate tensor must be read by the pattern alone, and the result must keep x's shape.
#include "builder/rewrites/match.h"
#include "builder/rewrites/rewrites.h"
#include "ir/op.h"

namespace kiln::builder {

namespace {

using match::is_binary;
using match::is_scalar;
using match::other_input;
using match::producer;

struct Gelu {
  int32_t x = -1;
  ActivationType type = ActivationType::kGELU_ERF;
  std::vector<int32_t> nodes;  // every node of the pattern, the inner one first, the last last
};

// The "x * c" or "x / (1/c)" node producing `t` (c ~ `scale`): returns x, or -1.
int32_t scaled_input(const ir::Graph& g, int32_t t, float scale, const std::vector<bool>& keep,
                     std::vector<int32_t>& nodes) {
  int32_t p = producer<ElementWiseAttrs>(g, t, keep);
  if (p < 0) return -1;
  const ir::Node& n = g.nodes[p];
  if (is_binary(n, ElementWiseOperation::kDIV) && is_scalar(g, n.inputs[1], 1.0f / scale)) {
    nodes.push_back(p);
    return n.inputs[0];
  }
  if (is_binary(n, ElementWiseOperation::kPROD)) {
    for (int k = 0; k < 2; ++k) {
      if (is_scalar(g, n.inputs[k], scale)) {
        nodes.push_back(p);
        return n.inputs[1 - k];
      }
    }
  }
  return -1;
}

// x * x * x or Pow(x, 3) producing `t`: returns x, or -1.
int32_t cube_of(const ir::Graph& g, int32_t t, const std::vector<bool>& keep,
                std::vector<int32_t>& nodes) {
  int32_t p = producer<ElementWiseAttrs>(g, t, keep);
  if (p < 0) return -1;
  const ir::Node& n = g.nodes[p];
  if (is_binary(n, ElementWiseOperation::kPOW) && is_scalar(g, n.inputs[1], 3.0f)) {
    nodes.push_back(p);
    return n.inputs[0];
  }
  if (is_binary(n, ElementWiseOperation::kPROD)) {
    for (int k = 0; k < 2; ++k) {
      int32_t sq = producer<ElementWiseAttrs>(g, n.inputs[k], keep);
      if (sq < 0 || !is_binary(g.nodes[sq], ElementWiseOperation::kPROD)) continue;
      int32_t x = n.inputs[1 - k];
      if (g.nodes[sq].inputs[0] == x && g.nodes[sq].inputs[1] == x) {
        nodes.push_back(sq);
        nodes.push_back(p);
        return x;
      }
    }
  }
  return -1;
}

// From the tensor `inner` (erf(...) or tanh(...)), the tail 0.5 * x * (1 + inner). Appends the
// tail's nodes; returns the node computing the result, or -1.
int32_t match_tail(const ir::Graph& g, const match::Uses& u, int32_t inner, int32_t x,
                   std::vector<int32_t>& nodes) {
  int32_t add = u.sole_consumer(inner);
  if (add < 0 || !is_binary(g.nodes[add], ElementWiseOperation::kSUM) ||
      !is_scalar(g, other_input(g.nodes[add], inner), 1.0f))
    return -1;
  nodes.push_back(add);
  int32_t a = g.nodes[add].outputs[0];
  int32_t m1 = u.sole_consumer(a);
  if (m1 < 0 || !is_binary(g.nodes[m1], ElementWiseOperation::kPROD)) return -1;
  int32_t o1 = other_input(g.nodes[m1], a);
  int32_t r1 = g.nodes[m1].outputs[0];
  if (o1 == x) {  // (x * a) * 0.5
    int32_t m2 = u.sole_consumer(r1);
    if (m2 < 0 || !is_binary(g.nodes[m2], ElementWiseOperation::kPROD) ||
        !is_scalar(g, other_input(g.nodes[m2], r1), 0.5f))
      return -1;
    nodes.push_back(m1);
    nodes.push_back(m2);
    return m2;
  }
  if (is_scalar(g, o1, 0.5f)) {  // (a * 0.5) * x
    int32_t m2 = u.sole_consumer(r1);
    if (m2 < 0 || !is_binary(g.nodes[m2], ElementWiseOperation::kPROD) ||
        other_input(g.nodes[m2], r1) != x)
      return -1;
    nodes.push_back(m1);
    nodes.push_back(m2);
    return m2;
  }
  // (x * 0.5) * a: o1 is x * 0.5, read by m1 alone.
  int32_t h = o1 >= 0 ? g.tensors[o1].producer : -1;
  if (h < 0 || u.sole_consumer(o1) != m1 || !is_binary(g.nodes[h], ElementWiseOperation::kPROD) ||
      other_input(g.nodes[h], x) < 0 || !is_scalar(g, other_input(g.nodes[h], x), 0.5f))
    return -1;
  nodes.push_back(h);
  nodes.push_back(m1);
  return m1;
}

// The GELU whose erf or tanh node is `anchor`.
bool match_gelu(const ir::Graph& g, const match::Uses& u, int32_t anchor,
                const std::vector<bool>& keep, Gelu& out) {
  const ir::Node& n = g.nodes[anchor];
  std::vector<int32_t> nodes;
  int32_t x = -1;
  if (const auto* un = std::get_if<UnaryAttrs>(&n.attrs); un && un->op == UnaryOperation::kERF) {
    x = scaled_input(g, n.inputs[0], 0.70710678f, keep, nodes);
    out.type = ActivationType::kGELU_ERF;
  } else if (const auto* act = std::get_if<ActivationAttrs>(&n.attrs);
             act && act->type == ActivationType::kTANH) {
    // sqrt(2/pi) * (x + 0.044715 * x^3)
    int32_t sum = scaled_input(g, n.inputs[0], 0.7978845608f, keep, nodes);
    int32_t s = producer<ElementWiseAttrs>(g, sum, keep);
    if (s < 0 || !is_binary(g.nodes[s], ElementWiseOperation::kSUM)) return false;
    nodes.push_back(s);
    for (int k = 0; k < 2 && x < 0; ++k) {
      std::vector<int32_t> more;
      int32_t cube = scaled_input(g, g.nodes[s].inputs[k], 0.044715f, keep, more);
      if (cube < 0) continue;
      int32_t base = cube_of(g, cube, keep, more);
      if (base >= 0 && base == g.nodes[s].inputs[1 - k]) {
        x = base;
        nodes.insert(nodes.begin(), more.begin(), more.end());
      }
    }
    out.type = ActivationType::kGELU_TANH;
  }
  if (x < 0 || !ir::is_floating(g.tensors[x].type)) return false;
  nodes.push_back(anchor);
  int32_t last = match_tail(g, u, n.outputs[0], x, nodes);
  if (last < 0) return false;
  // Intermediates are read by the pattern alone; constants keep x's shape.
  for (int32_t p : nodes) {
    if (!keep[p]) return false;
    if (p != last && !u.only_read_by(g.nodes[p].outputs[0], nodes)) return false;
    for (int32_t in : g.nodes[p].inputs) {
      if (in >= 0 && g.tensors[in].weights >= 0 &&
          !match::rank_at_most(g, in, g.tensors[x].dims.nb_dims))
        return false;
    }
  }
  const ir::Tensor& result = g.tensors[g.nodes[last].outputs[0]];
  if (!(result.dims == g.tensors[x].dims) || result.type != g.tensors[x].type) return false;
  out.x = x;
  out.nodes = nodes;
  return true;
}

}  // namespace

ir::Graph fuse_gelu(const ir::Graph& graph, Logger& logger) {
  ir::Graph g = graph;
  std::vector<bool> keep(g.nodes.size(), true);
  match::Uses u(g);
  int32_t fused = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(g.nodes.size()); ++i) {
    Gelu gelu;
    if (!keep[i] || !match_gelu(g, u, i, keep, gelu)) continue;
    int32_t last = gelu.nodes.back();
    ir::Node& n = g.nodes[last];
    n.name = match::joined_names(g, gelu.nodes);
    ActivationAttrs act;
    act.type = gelu.type;
    n.attrs = act;
    n.inputs = {gelu.x};
    for (int32_t p : gelu.nodes) {
      if (p != last) keep[p] = false;
    }
    ++fused;
  }
  if (fused > 0) logger.report(Logger::Severity::kVERBOSE, str_cat("fuse_gelu: ", fused, " GELUs"));
  return remove_nodes(g, keep);
}

}  // namespace kiln::builder
