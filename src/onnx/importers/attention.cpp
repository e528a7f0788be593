// Attention (opsets 23/24) composed from matrix multiplies, a softmax and elementwise layers,
// following the ONNX reference: 3-D inputs split into heads, past key/value concatenated,
// boolean or additive masks (padded with -inf to the key length), causal masking, grouped-query
// heads (repeated K/V heads), softcap and the qk_matmul output modes. Needs static dims.
#include "onnx/importers/families.h"

#include <cmath>
#include <limits>

namespace kiln::onnx {

namespace {

// [B, S, heads * size] -> [B, heads, S, size]
Tensor& split_heads(ImportContext& ctx, Tensor& t, int64_t heads, const char* name) {
  Dims d = t.dimensions();
  if (heads < 1 || d.d[2] % heads != 0) {
    ctx.invalid(
        str_cat(name, " hidden size ", d.d[2], " is not a multiple of the head count ", heads));
  }
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(t), str_cat(name, "_heads"));
  s.set_zero_is_placeholder(false);
  s.set_reshape_dimensions(Dims{d.d[0], d.d[1], heads, d.d[2] / heads});
  Permutation p;
  p.order[1] = 2;
  p.order[2] = 1;
  s.set_second_transpose(p);
  return *s.get_output(0);
}

void attention(ImportContext& ctx) {
  Tensor* q = &ctx.input(0);
  Tensor* k = &ctx.input(1);
  Tensor* v = &ctx.input(2);
  DataType type = q->type();
  int32_t rank = q->dimensions().nb_dims;
  for (Tensor* t : {q, k, v}) {
    if (t->dimensions().is_dynamic()) ctx.unsupported("Attention with dynamic dims");
    if (t->dimensions().nb_dims != rank) ctx.invalid("Q, K and V must have the same rank");
  }
  if (rank == 3) {
    if (!ctx.has_attr("q_num_heads") || !ctx.has_attr("kv_num_heads")) {
      ctx.invalid("3-D inputs need q_num_heads and kv_num_heads");
    }
    q = &split_heads(ctx, *q, ctx.attr_int("q_num_heads", 1), "q");
    k = &split_heads(ctx, *k, ctx.attr_int("kv_num_heads", 1), "k");
    v = &split_heads(ctx, *v, ctx.attr_int("kv_num_heads", 1), "v");
  } else if (rank != 4) {
    ctx.invalid(str_cat("Q must be 3-D or 4-D, got rank ", rank));
  }
  Dims qd = q->dimensions();
  double scale = ctx.has_attr("scale") ? ctx.attr_float("scale", 1.0f)
                                       : 1.0 / std::sqrt(static_cast<double>(qd.d[3]));
  Tensor& s = ctx.scalar(type, std::sqrt(scale), 4, "sqrt_scale");

  int64_t past = 0;
  if (ctx.has_input(4)) {
    past = ctx.input(4).dimensions().d[2];
    Tensor* kk[2] = {&ctx.input(4), k};
    k = ctx.named(ctx.network().add_concatenation(kk, 2), "present_key").get_output(0);
    static_cast<ConcatenationLayer*>(ctx.network().get_layer(ctx.network().num_layers() - 1))
        ->set_axis(2);
  }
  if (ctx.has_input(5)) {
    Tensor* vv[2] = {&ctx.input(5), v};
    v = ctx.named(ctx.network().add_concatenation(vv, 2), "present_value").get_output(0);
    static_cast<ConcatenationLayer*>(ctx.network().get_layer(ctx.network().num_layers() - 1))
        ->set_axis(2);
  }
  ctx.set_output(1, *k);
  ctx.set_output(2, *v);
  Dims kd = k->dimensions();
  int64_t sq = qd.d[2], total = kd.d[2];
  const double inf = std::numeric_limits<double>::infinity();

  Tensor* bias = nullptr;
  if (ctx.has_input(3)) {
    Tensor* m = &ctx.input(3);
    Dims md = m->dimensions();
    if (md.d[md.nb_dims - 1] < total) {
      Dims start = Dims::filled(md.nb_dims, 0);
      SliceLayer& pad = ctx.named(
          ctx.network().add_slice(*m, start, md, Dims::filled(md.nb_dims, 1)), "mask_pad");
      pad.set_mode(SampleMode::kFILL);
      pad.set_fill_value(m->type() == DataType::kBOOL ? 0.0 : -inf);
      Dims size = md;
      size.d[md.nb_dims - 1] = total;
      pad.set_shape(size);
      m = pad.get_output(0);
    }
    if (m->type() == DataType::kBOOL) {
      m = ctx.named(ctx.network().add_select(*m, ctx.scalar(type, 0, md.nb_dims, "mask_zero"),
                                             ctx.scalar(type, -inf, md.nb_dims, "mask_inf")),
                    "mask_bias")
              .get_output(0);
    }
    bias = m;
  }
  if (ctx.attr_int("is_causal", 0) != 0) {
    std::vector<double> c(static_cast<size_t>(sq * total), 0.0);
    for (int64_t i = 0; i < sq; ++i) {
      for (int64_t j = past; j < total; ++j) {
        if (j - past > i) c[i * total + j] = -inf;
      }
    }
    Tensor& causal = ctx.constant_tensor(make_value(type, {sq, total}, c), "causal");
    bias = bias ? &elementwise(ctx, *bias, causal, ElementWiseOperation::kSUM, "causal_bias")
                : &causal;
  }
  if (ctx.has_input(6)) {
    Tensor& lens = ctx.input(6);
    std::vector<double> io(static_cast<size_t>(total));
    for (int64_t j = 0; j < total; ++j) io[j] = static_cast<double>(j);
    Tensor& iota = ctx.constant_tensor(make_value(lens.type(), {1, 1, 1, total}, io), "kv_iota");
    Tensor& l4 = reshape(ctx, lens, Dims{qd.d[0], 1, 1, 1}, "kv_lens");
    Tensor& keep = elementwise(ctx, iota, l4, ElementWiseOperation::kLESS, "kv_keep");
    Tensor& pm = *ctx.named(ctx.network().add_select(keep, ctx.scalar(type, 0, 4, "pad_zero"),
                                                     ctx.scalar(type, -inf, 4, "pad_inf")),
                            "kv_pad")
                      .get_output(0);
    bias = bias ? &elementwise(ctx, *bias, pm, ElementWiseOperation::kSUM, "pad_bias") : &pm;
  }

  int64_t qh = qd.d[1], kh = kd.d[1];
  if (qh != kh) {
    if (kh < 1 || qh % kh != 0) ctx.invalid("q heads must be a multiple of kv heads");
    std::vector<double> idx(static_cast<size_t>(qh));
    for (int64_t i = 0; i < qh; ++i) idx[i] = static_cast<double>(i / (qh / kh));
    Tensor& ix = ctx.constant_tensor(make_value(DataType::kINT32, {qh}, idx), "gqa_index");
    k = ctx.named(ctx.network().add_gather(*k, ix, 1), "k_repeat").get_output(0);
    v = ctx.named(ctx.network().add_gather(*v, ix, 1), "v_repeat").get_output(0);
  }
  Tensor& qs = elementwise(ctx, *q, s, ElementWiseOperation::kPROD, "q_scaled");
  Tensor& ks = elementwise(ctx, *k, s, ElementWiseOperation::kPROD, "k_scaled");
  Tensor* qk = ctx.named(ctx.network().add_matrix_multiply(qs, MatrixOperation::kNONE, ks,
                                                           MatrixOperation::kTRANSPOSE),
                         "qk")
                   .get_output(0);
  int64_t mode = ctx.attr_int("qk_matmul_output_mode", 0);
  Tensor* qk_out = qk;
  if (bias) qk = &elementwise(ctx, *qk, *bias, ElementWiseOperation::kSUM, "qk_bias");
  if (mode == 1) qk_out = qk;
  float softcap = ctx.attr_float("softcap", 0.0f);
  if (softcap > 0) {
    ActivationLayer& a =
        ctx.named(ctx.network().add_activation(*qk, ActivationType::kSCALED_TANH), "softcap");
    a.set_alpha(softcap);
    a.set_beta(1.0f / softcap);
    qk = a.get_output(0);
    if (mode == 2) qk_out = qk;
  }
  SoftMaxLayer& sm = ctx.named(ctx.network().add_softmax(*qk), "softmax");
  sm.set_axes(1u << 3);
  if (mode == 3) qk_out = sm.get_output(0);
  Tensor* y = ctx.named(ctx.network().add_matrix_multiply(*sm.get_output(0), MatrixOperation::kNONE,
                                                          *v, MatrixOperation::kNONE),
                        "y")
                  .get_output(0);
  if (rank == 3) {
    Dims yd = y->dimensions();
    ShuffleLayer& t = ctx.named(ctx.network().add_shuffle(*y), "merge_heads");
    Permutation p;
    p.order[1] = 2;
    p.order[2] = 1;
    t.set_first_transpose(p);
    t.set_zero_is_placeholder(false);
    t.set_reshape_dimensions(Dims{yd.d[0], yd.d[2], yd.d[1] * yd.d[3]});
    y = t.get_output(0);
  }
  ctx.set_output(0, *y);
  ctx.set_output(3, *qk_out);
}

}  // namespace

void register_attention(ImporterMap& m) {
  m["Attention"] = attention;
}

}  // namespace kiln::onnx
