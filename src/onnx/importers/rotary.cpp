// RotaryEmbedding (opset 23) composed as its ONNX function body does: the rotated part of each
// head split into halves (or even/odd entries when interleaved), rotated by the cos/sin caches
// (gathered by position_ids when given), and joined back with the part that is not rotated.
#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

Tensor& permute(ImportContext& ctx, Tensor& t, const std::vector<int32_t>& perm,
                const std::string& suffix) {
  Permutation p;
  for (size_t i = 0; i < perm.size(); ++i) p.order[i] = perm[i];
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(t), suffix);
  s.set_first_transpose(p);
  return *s.get_output(0);
}

Tensor& last_slice(ImportContext& ctx, Tensor& t, int64_t start, int64_t size, int64_t step,
                   const std::string& suffix) {
  Dims d = t.dimensions();
  Dims st = Dims::filled(d.nb_dims, 0), sz = d, stride = Dims::filled(d.nb_dims, 1);
  st.d[d.nb_dims - 1] = start;
  sz.d[d.nb_dims - 1] = size;
  stride.d[d.nb_dims - 1] = step;
  return *ctx.named(ctx.network().add_slice(t, st, sz, stride), suffix).get_output(0);
}

Tensor& concat_last(ImportContext& ctx, Tensor& a, Tensor& b, const std::string& suffix) {
  Tensor* parts[2] = {&a, &b};
  ConcatenationLayer& c = ctx.named(ctx.network().add_concatenation(parts, 2), suffix);
  c.set_axis(a.dimensions().nb_dims - 1);
  return *c.get_output(0);
}

void rotary_embedding(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims xd = x.dimensions();
  if (xd.nb_dims != 3 && xd.nb_dims != 4)
    ctx.invalid(str_cat("input must have rank 3 or 4, got ", xd));
  if (xd.is_dynamic()) ctx.unsupported(str_cat("an input with dynamic dims ", xd));
  int64_t batch = xd.d[0];
  Tensor* h = &x;  // [B, S, heads, head]
  if (xd.nb_dims == 4) {
    h = &permute(ctx, x, {0, 2, 1, 3}, "seq_major");
  } else {
    int64_t heads = ctx.attr_int("num_heads", 0);
    if (heads <= 0 || xd.d[2] % heads != 0)
      ctx.invalid(str_cat("a 3-D input needs num_heads dividing its hidden size ", xd.d[2]));
    h = &reshape(ctx, x, Dims{batch, xd.d[1], heads, xd.d[2] / heads}, "heads");
  }
  Dims hd = h->dimensions();
  int64_t head = hd.d[3];
  int64_t rd = ctx.attr_int("rotary_embedding_dim", 0);
  if (rd == 0) rd = head;
  if (rd < 0 || rd > head || rd % 2 != 0)
    ctx.invalid(
        str_cat("rotary_embedding_dim ", rd, " must be even and at most the head size ", head));
  int64_t half = rd / 2;
  bool interleaved = ctx.attr_int("interleaved", 0) != 0;

  auto cache = [&](int32_t input, const char* name) -> Tensor& {
    Tensor* c = &ctx.input(input);
    if (ctx.has_input(3)) {
      c = ctx.named(ctx.network().add_gather(*c, ctx.input(3), 0), str_cat(name, "_gathered"))
              .get_output(0);
    }
    Dims cd = c->dimensions();
    if (cd.nb_dims != 3 || cd.d[0] != batch || cd.d[1] != hd.d[1] || cd.d[2] != half) {
      ctx.invalid(str_cat(name, " (after position_ids) must be [", batch, ", ", hd.d[1], ", ", half,
                          "], got ", cd));
    }
    return reshape(ctx, cast(ctx, *c, x.type(), str_cat(name, "_cast")),
                   Dims{batch, hd.d[1], 1, half}, str_cat(name, "_heads"));
  };
  Tensor& cos = cache(1, "cos");
  Tensor& sin = cache(2, "sin");
  Tensor& rot = rd == head ? *h : last_slice(ctx, *h, 0, rd, 1, "rotated");
  Tensor& x1 =
      interleaved ? last_slice(ctx, rot, 0, half, 2, "x1") : last_slice(ctx, rot, 0, half, 1, "x1");
  Tensor& x2 = interleaved ? last_slice(ctx, rot, 1, half, 2, "x2")
                           : last_slice(ctx, rot, half, half, 1, "x2");
  auto mul = [&](Tensor& a, Tensor& b, const char* s) -> Tensor& {
    return elementwise(ctx, a, b, ElementWiseOperation::kPROD, s);
  };
  Tensor& real = elementwise(ctx, mul(cos, x1, "cos_x1"), mul(sin, x2, "sin_x2"),
                             ElementWiseOperation::kSUB, "real");
  Tensor& imag = elementwise(ctx, mul(sin, x1, "sin_x1"), mul(cos, x2, "cos_x2"),
                             ElementWiseOperation::kSUM, "imag");
  Tensor* y = nullptr;
  if (interleaved) {
    Dims pair{hd.d[0], hd.d[1], hd.d[2], half, 1};
    Tensor& joined = concat_last(ctx, reshape(ctx, real, pair, "real_pairs"),
                                 reshape(ctx, imag, pair, "imag_pairs"), "interleave");
    y = &reshape(ctx, joined, Dims{hd.d[0], hd.d[1], hd.d[2], rd}, "rotated_out");
  } else {
    y = &concat_last(ctx, real, imag, "rotated_out");
  }
  if (rd < head) y = &concat_last(ctx, *y, last_slice(ctx, *h, rd, head - rd, 1, "pass"), "joined");
  ctx.set_output(0,
                 xd.nb_dims == 4 ? permute(ctx, *y, {0, 2, 1, 3}, "") : reshape(ctx, *y, xd, ""));
}

}  // namespace

void register_rotary(ImporterMap& m) {
  m["RotaryEmbedding"] = rotary_embedding;
}

}  // namespace kiln::onnx
