// Inference of the internal op kinds (ir/internal_ops.def): fused pointwise regions,
// LayerNorm/RMSNorm, views and attention. Only the builder creates these nodes, but a plan can
// carry them, so inference validates them as fully as a user's layer.
#include <cmath>

#include "ir/op.h"
#include "ir/pointwise_program.h"

namespace kiln::ir {

void infer_fused_pointwise(const Node& node, std::span<const TensorDesc> inputs,
                           std::span<TensorDesc> outputs) {
  const auto& attrs = node.get<FusedPointwiseAttrs>();
  PwProgram program;
  try {
    program = parse_pointwise(attrs.program);
  } catch (const Error& e) {
    fail_at(node, e.what());
  }
  if (program.num_inputs() != static_cast<int32_t>(inputs.size())) {
    fail_at(node, "the program reads ", program.num_inputs(), " inputs, the node has ",
            inputs.size());
  }
  if (program.outputs.size() != outputs.size()) {
    fail_at(node, "the program writes ", program.outputs.size(), " outputs, the node has ",
            outputs.size());
  }
  Dims shape;
  shape.nb_dims = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dims.nb_dims < 0) fail_at(node, "input ", i, " is missing");
    if (!is_pointwise_type(inputs[i].type)) {
      fail_at(node, "input ", i, " has type ", inputs[i].type,
              "; fused pointwise ops take float32, float16, bfloat16 and bool");
    }
    shape = broadcast(node, shape, inputs[i].dims);
  }
  for (size_t o = 0; o < outputs.size(); ++o) {
    outputs[o] = TensorDesc{};
    outputs[o].type = program.outputs[o].type;
    outputs[o].dims = shape;
  }
}

void infer_layer_norm(const Node& node, std::span<const TensorDesc> inputs,
                      std::span<TensorDesc> outputs) {
  const auto& attrs = node.get<LayerNormAttrs>();
  if (inputs.size() != 4)
    fail_at(node, "expects 4 inputs (x, residual or -, scale, bias or -), got ", inputs.size());
  const TensorDesc& x = inputs[0];
  const TensorDesc& residual = inputs[1];
  const TensorDesc& scale = inputs[2];
  const TensorDesc& bias = inputs[3];
  if (x.dims.nb_dims < 0 || scale.dims.nb_dims < 0)
    fail_at(node, "inputs x (0) and scale (2) are required");
  if (!is_floating(x.type)) fail_at(node, "x has type ", x.type, "; expected a float type");
  if (x.dims.nb_dims < 1) fail_at(node, "x must have at least one dimension, got ", x.dims);
  int64_t h = x.dims.d[x.dims.nb_dims - 1];
  auto check_param = [&](const TensorDesc& p, const char* what) {
    if (p.type != x.type) fail_at(node, what, " has type ", p.type, ", x has ", x.type);
    if (p.dims.nb_dims != 1 || (h >= 0 && p.dims.d[0] >= 0 && p.dims.d[0] != h))
      fail_at(node, what, " must be [", h, "] (x's last dimension), got ", p.dims);
  };
  check_param(scale, "scale");
  if (bias.dims.nb_dims >= 0) check_param(bias, "bias");
  if (residual.dims.nb_dims >= 0) {
    if (residual.type != x.type)
      fail_at(node, "residual has type ", residual.type, ", x has ", x.type);
    if (residual.dims.nb_dims != x.dims.nb_dims)
      fail_at(node, "residual ", residual.dims, " must have x's shape ", x.dims);
    for (int32_t i = 0; i < x.dims.nb_dims; ++i) {
      int64_t a = x.dims.d[i], b = residual.dims.d[i];
      if (a >= 0 && b >= 0 && a != b)
        fail_at(node, "residual ", residual.dims, " must have x's shape ", x.dims);
    }
  }
  if (!(attrs.epsilon >= 0.0f)) fail_at(node, "epsilon must be >= 0, got ", attrs.epsilon);
  if (attrs.num_outputs < 1 || attrs.num_outputs > 2)
    fail_at(node, "num_outputs must be 1 or 2, got ", attrs.num_outputs);
  if (attrs.num_outputs == 2 && residual.dims.nb_dims < 0)
    fail_at(node, "a second output (x + residual) needs a residual input");
  for (TensorDesc& out : outputs) {
    out = TensorDesc{};
    out.type = x.type;
    out.dims = x.dims;
  }
}

void infer_view(const Node& node, std::span<const TensorDesc> inputs,
                std::span<TensorDesc> outputs) {
  const auto& attrs = node.get<ViewAttrs>();
  Node as_shuffle;
  as_shuffle.name = node.name;
  ShuffleAttrs s;
  s.has_reshape = attrs.has_reshape;
  s.reshape_dims = attrs.reshape_dims;
  s.zero_is_placeholder = attrs.zero_is_placeholder;
  as_shuffle.attrs = s;
  infer_shuffle(as_shuffle, inputs, outputs);
}

namespace {

// `x` read through `p` (dim i is x's dim p[i]); throws unless p permutes [0, rank) and keeps the
// last dim last.
Dims permuted(const Node& node, const char* what, const Dims& x, const Permutation& p) {
  const int32_t rank = x.nb_dims;
  bool seen[Dims::kMaxDims] = {};
  for (int32_t i = 0; i < Dims::kMaxDims; ++i) {
    const int32_t o = p.order[i];
    const bool ok = i < rank ? o >= 0 && o < rank && !seen[o] : o == i;
    if (!ok) fail_at(node, what, " is no permutation of ", rank, " dims");
    if (i < rank) seen[o] = true;
  }
  if (p.order[rank - 1] != rank - 1) fail_at(node, what, " must keep the last dim last");
  Dims out = x;
  for (int32_t i = 0; i < rank; ++i) out.d[i] = x.d[p.order[i]];
  return out;
}

}  // namespace

void infer_attention(const Node& node, std::span<const TensorDesc> inputs,
                     std::span<TensorDesc> outputs) {
  const auto& attrs = node.get<AttentionAttrs>();
  if (inputs.size() != 4)
    fail_at(node, "expects 4 inputs (q, k, v, mask or -), got ", inputs.size());
  const TensorDesc& mask = inputs[3];
  const char* names[] = {"q", "k", "v"};
  for (int i = 0; i < 3; ++i) {
    if (inputs[i].dims.nb_dims < 0) fail_at(node, "input ", names[i], " is required");
    if (inputs[i].type != inputs[0].type)
      fail_at(node, names[i], " has type ", inputs[i].type, ", q has ", inputs[0].type);
  }
  const DataType type = inputs[0].type;
  check_float(node, "q", type);
  const int32_t rank = inputs[0].dims.nb_dims;
  if (rank < 3 || rank > 4) fail_at(node, "q must have rank 3 or 4, got ", inputs[0].dims);
  if (inputs[1].dims.nb_dims != rank || inputs[2].dims.nb_dims != rank)
    fail_at(node, "q ", inputs[0].dims, ", k ", inputs[1].dims, " and v ", inputs[2].dims,
            " must have the same rank");
  const Dims q = permuted(node, "q_perm", inputs[0].dims, attrs.q_perm);
  const Dims k = permuted(node, "k_perm", inputs[1].dims, attrs.k_perm);
  const Dims v = permuted(node, "v_perm", inputs[2].dims, attrs.v_perm);
  auto known_differ = [](int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; };
  if (known_differ(q.d[rank - 1], k.d[rank - 1]))
    fail_at(node, "q ", q, " and k ", k, " must have the same head size (last dim)");
  if (known_differ(k.d[rank - 2], v.d[rank - 2]))
    fail_at(node, "k ", k, " and v ", v, " must have the same sequence length");
  if (attrs.kv_group < 1) fail_at(node, "kv_group must be >= 1, got ", attrs.kv_group);
  Dims qb = q, kb = k, vb = v;
  qb.nb_dims = kb.nb_dims = vb.nb_dims = rank - 2;
  if (attrs.kv_group > 1) {
    // k and v hold 1/kv_group of q's heads (their last batch dim); q's head count is a multiple.
    const int64_t hq = q.d[rank - 3];
    for (Dims* x : {&kb, &vb}) {
      const int64_t h = x->d[rank - 3];
      if (hq >= 0 && h >= 0 && hq != h * attrs.kv_group)
        fail_at(node, "q has ", hq, " heads, k and v must have ", hq, " / kv_group (",
                attrs.kv_group, "); got ", h);
      x->d[rank - 3] = h < 0 ? -1 : h * attrs.kv_group;
    }
  }
  Dims out = broadcast(node, broadcast(node, qb, kb), vb);
  out.nb_dims = rank;
  out.d[rank - 2] = q.d[rank - 2];
  out.d[rank - 1] = v.d[rank - 1];
  if (mask.dims.nb_dims >= 0) {
    if (mask.type != type)
      fail_at(node, "mask has type ", mask.type, "; an additive mask must have q's type ", type);
    if (mask.dims.nb_dims > rank)
      fail_at(node, "mask ", mask.dims, " has a higher rank than the scores (", rank, ")");
    Dims scores = out;
    scores.d[rank - 1] = k.d[rank - 2];
    // The mask broadcasts to the scores; it never widens them.
    for (int32_t i = 0; i < mask.dims.nb_dims; ++i) {
      const int64_t m = mask.dims.d[i], sd = scores.d[rank - mask.dims.nb_dims + i];
      if (m != 1 && known_differ(m, sd))
        fail_at(node, "mask ", mask.dims, " does not broadcast to the scores ", scores);
    }
  }
  if (!std::isfinite(attrs.scale)) fail_at(node, "scale must be finite, got ", attrs.scale);
  outputs[0] = TensorDesc{};
  outputs[0].type = type;
  outputs[0].dims = permuted(node, "out_perm", out, attrs.out_perm);
}

}  // namespace kiln::ir
