// Inference of the internal op kinds (ir/internal_ops.def): fused pointwise regions,
// LayerNorm/RMSNorm, views and attention. Only the builder creates these nodes, but a plan can carry them, so inference
// validates them as fully as a user's layer.
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

void infer_attention(const Node& node, std::span<const TensorDesc> inputs,
                     std::span<TensorDesc> outputs) {
  const auto& attrs = node.get<AttentionAttrs>();
  if (inputs.size() != 4)
    fail_at(node, "expects 4 inputs (q, k, v, mask or -), got ", inputs.size());
  const TensorDesc& q = inputs[0];
  const TensorDesc& k = inputs[1];
  const TensorDesc& v = inputs[2];
  const TensorDesc& mask = inputs[3];
  const char* names[] = {"q", "k", "v"};
  for (int i = 0; i < 3; ++i) {
    if (inputs[i].dims.nb_dims < 0) fail_at(node, "input ", names[i], " is required");
    if (inputs[i].type != q.type)
      fail_at(node, names[i], " has type ", inputs[i].type, ", q has ", q.type);
  }
  check_float(node, "q", q.type);
  const int32_t rank = q.dims.nb_dims;
  if (rank < 3 || rank > 4) fail_at(node, "q must have rank 3 or 4, got ", q.dims);
  if (k.dims.nb_dims != rank || v.dims.nb_dims != rank)
    fail_at(node, "q ", q.dims, ", k ", k.dims, " and v ", v.dims, " must have the same rank");
  auto known_differ = [](int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; };
  if (known_differ(q.dims.d[rank - 1], k.dims.d[rank - 1]))
    fail_at(node, "q ", q.dims, " and k ", k.dims, " must have the same head size (last dim)");
  if (known_differ(k.dims.d[rank - 2], v.dims.d[rank - 2]))
    fail_at(node, "k ", k.dims, " and v ", v.dims, " must have the same sequence length");
  Dims qb = q.dims, kb = k.dims, vb = v.dims;
  qb.nb_dims = kb.nb_dims = vb.nb_dims = rank - 2;
  Dims batch = broadcast(node, broadcast(node, qb, kb), vb);
  Dims out = batch;
  out.nb_dims = rank;
  out.d[rank - 2] = q.dims.d[rank - 2];
  out.d[rank - 1] = v.dims.d[rank - 1];
  if (mask.dims.nb_dims >= 0) {
    if (mask.type != q.type)
      fail_at(node, "mask has type ", mask.type, "; an additive mask must have q's type ", q.type);
    if (mask.dims.nb_dims > rank)
      fail_at(node, "mask ", mask.dims, " has a higher rank than the scores (", rank, ")");
    Dims scores = out;
    scores.d[rank - 1] = k.dims.d[rank - 2];
    // The mask broadcasts to the scores; it never widens them.
    Dims b = broadcast(node, scores, mask.dims);
    for (int32_t i = 0; i < rank; ++i) {
      if (known_differ(b.d[i], scores.d[i]))
        fail_at(node, "mask ", mask.dims, " does not broadcast to the scores ", scores);
    }
  }
  if (!std::isfinite(attrs.scale)) fail_at(node, "scale must be finite, got ", attrs.scale);
  outputs[0] = TensorDesc{};
  outputs[0].type = q.type;
  outputs[0].dims = out;
}

}  // namespace kiln::ir
