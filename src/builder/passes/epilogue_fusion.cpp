// fuse_epilogues: a matrix multiply followed by the addition of a constant bias along its last
// dimension, and a matrix multiply or convolution followed by an activation, become one node
// whose tactic runs the epilogue with the product (cuBLASLt's bias/ReLU/GELU epilogues, a
// fused cuDNN graph) or right after it. The fused node is named after its parts ("fc1 + bias1 +
// relu1") and takes the last part's output tensor, so nothing downstream changes.
#include "builder/passes.h"
#include "builder/rewrites/match.h"
#include "core/error.h"

namespace kiln::builder {

namespace {

struct Uses {
  std::vector<int32_t> count;     // consumers per tensor
  std::vector<int32_t> consumer;  // the last consumer seen
  std::vector<bool> is_output;
};

Uses uses_of(const ir::Graph& g) {
  Uses u{std::vector<int32_t>(g.tensors.size(), 0), std::vector<int32_t>(g.tensors.size(), -1),
         std::vector<bool>(g.tensors.size(), false)};
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int32_t t : g.nodes[i].inputs) {
      if (t < 0) continue;
      ++u.count[t];
      u.consumer[t] = static_cast<int32_t>(i);
    }
  }
  for (int32_t t : g.outputs) u.is_output[t] = true;
  return u;
}

// The node that alone reads `t`, when `t` is nothing else (not a network output); else -1.
int32_t sole_consumer(const Uses& u, int32_t t) {
  if (u.is_output[t] || u.count[t] != 1) return -1;
  return u.consumer[t];
}

// The length N when `t` is constant weights shaped [1, ..., 1, N] with N > 0, else -1.
int64_t bias_length(const ir::Graph& g, int32_t t) {
  const ir::Tensor& c = g.tensors[t];
  if (c.weights < 0 || c.dims.nb_dims < 1) return -1;
  for (int32_t i = 0; i + 1 < c.dims.nb_dims; ++i) {
    if (c.dims.d[i] != 1) return -1;
  }
  int64_t n = c.dims.d[c.dims.nb_dims - 1];
  return n > 0 ? n : -1;
}

// Moves node j's outputs to node i (j's work is now i's) and marks j removed.
void absorb(ir::Graph& g, int32_t i, int32_t j, std::vector<bool>& keep) {
  ir::Node& n = g.nodes[i];
  for (int32_t t : n.outputs) g.tensors[t].producer = -1;  // now an unwritten intermediate
  n.outputs = g.nodes[j].outputs;
  for (int32_t t : n.outputs) g.tensors[t].producer = i;
  n.name += " + " + g.nodes[j].name;
  keep[j] = false;
}

}  // namespace

ir::Graph fuse_epilogues(const ir::Graph& graph, Logger& logger) {
  ir::Graph g = graph;
  std::vector<bool> keep(g.nodes.size(), true);
  Uses u = uses_of(g);
  int32_t fused = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(g.nodes.size()); ++i) {
    if (!keep[i]) continue;
    LayerType kind = g.nodes[i].kind();
    if (kind != LayerType::kMATRIX_MULTIPLY && kind != LayerType::kCONVOLUTION) continue;
    if (g.nodes[i].outputs.size() != 1) continue;
    int32_t t = g.nodes[i].outputs[0];
    const DataType type = g.tensors[t].type;
    const std::string before = g.nodes[i].name;

    // matrix multiply + constant bias [.., N] along the last output dim.
    if (kind == LayerType::kMATRIX_MULTIPLY && g.nodes[i].inputs.size() == 2) {
      int32_t j = sole_consumer(u, t);
      if (j >= 0 && keep[j] && g.nodes[j].kind() == LayerType::kELEMENTWISE &&
          g.nodes[j].get<ElementWiseAttrs>().op == ElementWiseOperation::kSUM &&
          g.nodes[j].inputs.size() == 2) {
        const ir::Node& add = g.nodes[j];
        int32_t other = add.inputs[0] == t ? add.inputs[1] : add.inputs[0];
        const Dims& out = g.tensors[t].dims;
        int64_t n = bias_length(g, other);
        if (other != t && n > 0 && out.nb_dims >= 1 && out.d[out.nb_dims - 1] == n &&
            g.tensors[other].dims.nb_dims <= out.nb_dims && g.tensors[other].type == type &&
            g.tensors[add.outputs[0]].dims == out) {
          // The same bytes as a [N] vector, under its own weights entry.
          g.nodes[i].inputs.push_back(match::weights_view(g, other, Dims{n}));
          absorb(g, i, j, keep);
          t = g.nodes[i].outputs[0];
          // The uses change by the new bias tensor only (removed nodes keep counting, as in
          // uses_of): no recount of the whole graph.
          u.count.push_back(1);
          u.consumer.push_back(i);
          u.is_output.push_back(false);
        }
      }
    }

    // + activation.
    int32_t j = sole_consumer(u, t);
    if (j >= 0 && keep[j] && g.nodes[j].kind() == LayerType::kACTIVATION &&
        g.tensors[g.nodes[j].outputs[0]].type == type &&
        static_cast<int32_t>(g.nodes[j].get<ActivationAttrs>().type) <=
            static_cast<int32_t>(ActivationType::kMISH)) {  // what run_epilogue can apply
      const ActivationAttrs& act = g.nodes[j].get<ActivationAttrs>();
      FusedActivation e{true, act.type, act.alpha, act.beta};
      if (kind == LayerType::kMATRIX_MULTIPLY) {
        std::get<MatrixMultiplyAttrs>(g.nodes[i].attrs).epilogue = e;
      } else {
        std::get<ConvolutionAttrs>(g.nodes[i].attrs).epilogue = e;
      }
      absorb(g, i, j, keep);  // moves outputs only: the uses stay as they are
    }
    if (g.nodes[i].name != before) {
      ++fused;
      logger.report(Logger::Severity::kVERBOSE, str_cat("fused '", g.nodes[i].name, "'"));
    }
  }
  if (fused > 0) {
    logger.report(Logger::Severity::kVERBOSE, str_cat("epilogue fusion: ", fused, " layers"));
  }
  return remove_nodes(g, keep);
}

}  // namespace kiln::builder
