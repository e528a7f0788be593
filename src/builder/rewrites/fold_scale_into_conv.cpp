// fold_scale_into_conv: a per-output-channel scale and shift after a convolution
// (BatchNormalization in inference form, which the ONNX importer turns into x * s + t with [1, K,
// 1, ...] constants; or a Mul / Add by such constants written out) is folded into the convolution's
// weights and bias:
//
//   y = conv(x, W, b) * s + t   ->   y = conv(x, W * s[k], b * s + t)
//
// Either step may be missing (only * s, or only + t). The constants must be float32 weights with
// one value per output channel, shaped [K], [K, 1, ...] or [1, K, 1, ...] against the [N, K, ...]
// output; the convolution's kernel (and bias, if any) float32 weights read by it alone. Not with
// keep_weights (REFIT builds: a refit replaces W and b, which the folded copies would not follow).
#include <cstring>

#include "builder/rewrites/match.h"
#include "builder/rewrites/rewrites.h"

namespace kiln::builder {

namespace {

using match::is_binary;
using match::other_input;

// The values of float32 weights `t` holding one value per channel of a [N, K, ...] tensor, else
// empty.
std::vector<float> per_channel(const ir::Graph& g, int32_t t, int32_t out_rank, int64_t k) {
  if (t < 0 || g.tensors[t].weights < 0 || g.tensors[t].type != DataType::kFLOAT) return {};
  const ir::WeightsData& w = g.weights[g.tensors[t].weights];
  const Dims& d = w.dims;
  if (volume(d) != k || !w.bytes || w.bytes->size() != static_cast<size_t>(k) * 4) return {};
  // Aligned at the back against [N, K, s1, ...]: the K must sit at out dim 1.
  if (d.nb_dims > out_rank) return {};
  int32_t pos = out_rank - d.nb_dims;  // out dim of d's first dim
  for (int32_t i = 0; i < d.nb_dims; ++i) {
    int32_t out_dim = pos + i;
    if (out_dim == 1) {
      if (d.d[i] != k) return {};
    } else if (d.d[i] != 1) {
      return {};
    }
  }
  if (pos > 1) return {};  // K not covered (only spatial dims)
  std::vector<float> v(k);
  std::memcpy(v.data(), w.bytes->data(), k * 4);
  return v;
}

std::vector<float> floats_of(const ir::Graph& g, int32_t t) {
  const ir::WeightsData& w = g.weights[g.tensors[t].weights];
  std::vector<float> v(w.bytes->size() / 4);
  std::memcpy(v.data(), w.bytes->data(), v.size() * 4);
  return v;
}

}  // namespace

ir::Graph fold_scale_into_conv(const ir::Graph& graph, Logger& logger, bool keep_weights) {
  if (keep_weights) return graph;
  ir::Graph g = graph;
  std::vector<bool> keep(g.nodes.size(), true);
  std::vector<bool> rewritten(g.nodes.size(), false);  // their weights are new tensors
  match::Uses u(g);
  int32_t folded = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(g.nodes.size()); ++i) {
    if (!keep[i] || rewritten[i] || g.nodes[i].kind() != LayerType::kCONVOLUTION) continue;
    const ir::Node& conv = g.nodes[i];
    if (conv.inputs.size() < 2 || conv.get<ConvolutionAttrs>().epilogue.enabled) continue;
    const int32_t out = conv.outputs[0];
    const int32_t rank = g.tensors[out].dims.nb_dims;
    const int64_t k = conv.get<ConvolutionAttrs>().num_output_maps;
    const int32_t kernel = conv.inputs[1];
    const int32_t bias = conv.inputs.size() > 2 ? conv.inputs[2] : -1;
    if (g.tensors[out].type != DataType::kFLOAT || g.tensors[kernel].weights < 0 ||
        g.tensors[kernel].type != DataType::kFLOAT || u.consumers[kernel].size() != 1 ||
        u.is_output[kernel])
      continue;
    if (bias >= 0 &&
        (g.tensors[bias].weights < 0 || g.tensors[bias].type != DataType::kFLOAT ||
         volume(g.tensors[bias].dims) != k || u.consumers[bias].size() != 1 || u.is_output[bias]))
      continue;
    std::vector<int32_t> nodes = {i};
    std::vector<float> s(k, 1.0f), t(k, 0.0f);
    int32_t cur = out;
    bool any = false;
    int32_t m = u.sole_consumer(cur);
    if (m >= 0 && keep[m] && is_binary(g.nodes[m], ElementWiseOperation::kPROD)) {
      std::vector<float> v = per_channel(g, other_input(g.nodes[m], cur), rank, k);
      if (!v.empty() && g.tensors[g.nodes[m].outputs[0]].dims == g.tensors[out].dims) {
        s = v;
        nodes.push_back(m);
        cur = g.nodes[m].outputs[0];
        any = true;
      }
    }
    int32_t a = u.sole_consumer(cur);
    if (a >= 0 && keep[a] && is_binary(g.nodes[a], ElementWiseOperation::kSUM)) {
      std::vector<float> v = per_channel(g, other_input(g.nodes[a], cur), rank, k);
      if (!v.empty() && g.tensors[g.nodes[a].outputs[0]].dims == g.tensors[out].dims) {
        t = v;
        nodes.push_back(a);
        cur = g.nodes[a].outputs[0];
        any = true;
      }
    }
    if (!any) continue;
    std::vector<float> w = floats_of(g, kernel);
    const int64_t per = static_cast<int64_t>(w.size()) / k;
    for (int64_t c = 0; c < k; ++c) {
      for (int64_t j = 0; j < per; ++j) w[c * per + j] *= s[c];
    }
    std::vector<float> b = bias >= 0 ? floats_of(g, bias) : std::vector<float>(k, 0.0f);
    for (int64_t c = 0; c < k; ++c) b[c] = b[c] * s[c] + t[c];
    const int32_t last = nodes.back();
    ir::Node n = g.nodes[i];
    n.name = match::joined_names(g, nodes);
    int32_t new_kernel = match::add_float_weights(g, g.tensors[kernel].name + ".folded_scale",
                                                  g.tensors[kernel].dims, w);
    int32_t new_bias = match::add_float_weights(g, n.name + ".folded_bias", Dims{k}, b);
    n.inputs = {conv.inputs[0], new_kernel, new_bias};
    n.outputs = {cur};
    g.nodes[last] = n;
    rewritten[last] = true;
    for (int32_t p : nodes) {
      if (p != last) keep[p] = false;
    }
    ++folded;
  }
  if (folded > 0) {
    logger.report(Logger::Severity::kVERBOSE,
                  str_cat("fold_scale_into_conv: ", folded, " scales folded into convolutions"));
  }
  return remove_nodes(g, keep);
}

}  // namespace kiln::builder
