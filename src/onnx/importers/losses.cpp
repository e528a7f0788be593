// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (log-softmax over the class axis, then
// the NLL loss): GatherElements picks each target's score, weights and ignore_index mask it,
// and the reduction sums or averages.
#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

// input [N, C, d...] of log-probabilities, target [N, d...] of class indices.
Tensor& nll(ImportContext& ctx, Tensor& input, Tensor& target, Tensor* weight) {
  Dims id = input.dimensions(), td = target.dimensions();
  if (id.is_dynamic() || td.is_dynamic()) ctx.unsupported("losses with dynamic dims");
  if (id.nb_dims < 2 || td.nb_dims != id.nb_dims - 1) {
    ctx.invalid(str_cat("input ", id, " and target ", td, " do not fit [N, C, ...] and [N, ...]"));
  }
  std::string reduction = ctx.attr_string("reduction", "mean");
  bool has_ignore = ctx.has_attr("ignore_index");
  Tensor* t = &target;
  Tensor* mask = nullptr;
  if (has_ignore) {
    Tensor& ii = ctx.scalar(target.type(), static_cast<double>(ctx.attr_int("ignore_index", 0)),
                            td.nb_dims, "ignore_index");
    Tensor& is_ignored = elementwise(ctx, target, ii, ElementWiseOperation::kEQUAL, "ignored");
    mask = &unary(ctx, is_ignored, UnaryOperation::kNOT, "kept");
    t = ctx.named(ctx.network().add_select(
                      is_ignored, ctx.scalar(target.type(), 0, td.nb_dims, "zero_index"), target),
                  "safe_target")
            .get_output(0);
  }
  // Gather on [N, C, D] by [N, 1, D]: flattening the extra dims keeps the gather's rank low.
  int64_t rest = 1;
  for (int32_t i = 2; i < id.nb_dims; ++i) rest *= id.d[i];
  Tensor& in3 = reshape(ctx, input, Dims{id.d[0], id.d[1], rest}, "input_3d");
  Tensor& t1 = reshape(ctx, *t, Dims{id.d[0], 1, rest}, "target_3d");
  GatherLayer& g = ctx.named(ctx.network().add_gather(in3, t1, 1), "pick");
  g.set_mode(GatherMode::kELEMENT);
  Tensor& picked = reshape(ctx, *g.get_output(0), td, "picked");
  Tensor* w = nullptr;
  if (weight) w = ctx.named(ctx.network().add_gather(*weight, *t, 0), "weight").get_output(0);
  if (mask) {
    Tensor& m = cast(ctx, *mask, input.type(), "mask");
    w = w ? &elementwise(ctx, *w, m, ElementWiseOperation::kPROD, "weight_masked") : &m;
  }
  Tensor* loss = &unary(ctx, picked, UnaryOperation::kNEG, "neg");
  if (w) loss = &elementwise(ctx, *loss, *w, ElementWiseOperation::kPROD, "weighted");
  if (reduction == "none") return *loss;
  uint32_t all = (1u << td.nb_dims) - 1;
  Tensor& sum =
      *ctx.named(ctx.network().add_reduce(*loss, ReduceOperation::kSUM, all, false), "sum")
           .get_output(0);
  if (reduction == "sum") return sum;
  if (reduction != "mean") ctx.invalid(str_cat("unknown reduction '", reduction, "'"));
  if (!w) {
    return elementwise(ctx, sum,
                       ctx.scalar(input.type(), static_cast<double>(volume(td)), 0, "count"),
                       ElementWiseOperation::kDIV, "mean");
  }
  Tensor& den =
      *ctx.named(ctx.network().add_reduce(*w, ReduceOperation::kSUM, all, false), "weight_sum")
           .get_output(0);
  return elementwise(ctx, sum, den, ElementWiseOperation::kDIV, "mean");
}

void nll_loss(ImportContext& ctx) {
  Tensor* weight = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  ctx.set_output(0, nll(ctx, ctx.input(0), ctx.input(1), weight));
}

void softmax_cross_entropy(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  uint32_t mask = 1u << 1;
  Tensor& m = *ctx.named(ctx.network().add_reduce(x, ReduceOperation::kMAX, mask, true), "max")
                   .get_output(0);
  Tensor& s = elementwise(ctx, x, m, ElementWiseOperation::kSUB, "shifted");
  Tensor& e = unary(ctx, s, UnaryOperation::kEXP, "exp");
  Tensor& sum = *ctx.named(ctx.network().add_reduce(e, ReduceOperation::kSUM, mask, true), "sum")
                     .get_output(0);
  Tensor& logp = elementwise(ctx, s, unary(ctx, sum, UnaryOperation::kLOG, "log"),
                             ElementWiseOperation::kSUB, "log_prob");
  Tensor* weight = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  ctx.set_output(0, nll(ctx, logp, ctx.input(1), weight));
  ctx.set_output(1, logp);
}

}  // namespace

void register_losses(ImporterMap& m) {
  m["NegativeLogLikelihoodLoss"] = nll_loss;
  m["SoftmaxCrossEntropyLoss"] = softmax_cross_entropy;
}

}  // namespace kiln::onnx
