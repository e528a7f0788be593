// Reductions (Reduce*; L1, L2, LogSum, LogSumExp and SumSquare composed), ArgMax/ArgMin (TopK
// with k = 1), TopK, Softmax and LogSoftmax (opset < 13: over all axes from `axis` on, ONNX's
// flatten-to-2-D semantics).
#include "onnx/importers/families.h"

#include <algorithm>

namespace kiln::onnx {

namespace {

enum class Kind { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

Tensor& reduce_layer(ImportContext& ctx, Tensor& x, ReduceOperation op, uint32_t mask, bool keep,
                     const std::string& suffix) {
  return *ctx.named(ctx.network().add_reduce(x, op, mask, keep), suffix).get_output(0);
}

void reduce(ImportContext& ctx, Kind kind) {
  Tensor& x = ctx.input(0);
  int32_t rank = x.dimensions().nb_dims;
  bool keep = ctx.attr_int("keepdims", 1) != 0;
  // Axes became an input at opset 13 for ReduceSum and at 18 for the others.
  int64_t input_opset = kind == Kind::kSum ? 13 : 18;
  std::vector<int64_t> axes;
  if (ctx.opset() < input_opset) {
    axes = ctx.attr_ints("axes");
  } else if (ctx.has_input(1)) {
    axes = to_int64s(ctx.require_constant(1, "axes"));
  }
  if (axes.empty()) {
    if (ctx.attr_int("noop_with_empty_axes", 0) != 0) {
      ctx.set_output(0, *ctx.named(ctx.network().add_identity(x)).get_output(0));
      return;
    }
    for (int32_t i = 0; i < rank; ++i) axes.push_back(i);
  }
  for (int64_t& a : axes) a = normalize_axis(ctx, a, rank);
  uint32_t mask = axes_mask(axes);
  if (rank == 0) ctx.unsupported("reducing a 0-d tensor");
  Tensor* y = nullptr;
  switch (kind) {
    case Kind::kSum:
      y = &reduce_layer(ctx, x, ReduceOperation::kSUM, mask, keep, "");
      break;
    case Kind::kMean:
      y = &reduce_layer(ctx, x, ReduceOperation::kAVG, mask, keep, "");
      break;
    case Kind::kMax:
    case Kind::kMin: {
      // Bool inputs (any / all) reduce as int32 and cast back.
      ReduceOperation op = kind == Kind::kMax ? ReduceOperation::kMAX : ReduceOperation::kMIN;
      if (x.type() == DataType::kBOOL) {
        Tensor& r = reduce_layer(ctx, cast(ctx, x, DataType::kINT32, "int"), op, mask, keep, "int");
        y = &cast(ctx, r, DataType::kBOOL, "");
      } else {
        y = &reduce_layer(ctx, x, op, mask, keep, "");
      }
      break;
    }
    case Kind::kProd:
      y = &reduce_layer(ctx, x, ReduceOperation::kPROD, mask, keep, "");
      break;
    case Kind::kL1:
      y = &reduce_layer(ctx, unary(ctx, x, UnaryOperation::kABS, "abs"), ReduceOperation::kSUM,
                        mask, keep, "");
      break;
    case Kind::kL2: {
      Tensor& sq = elementwise(ctx, x, x, ElementWiseOperation::kPROD, "square");
      Tensor& s = reduce_layer(ctx, sq, ReduceOperation::kSUM, mask, keep, "sum");
      y = &unary(ctx, s, UnaryOperation::kSQRT, "");
      break;
    }
    case Kind::kSumSquare: {
      Tensor& sq = elementwise(ctx, x, x, ElementWiseOperation::kPROD, "square");
      y = &reduce_layer(ctx, sq, ReduceOperation::kSUM, mask, keep, "");
      break;
    }
    case Kind::kLogSum: {
      Tensor& s = reduce_layer(ctx, x, ReduceOperation::kSUM, mask, keep, "sum");
      y = &unary(ctx, s, UnaryOperation::kLOG, "");
      break;
    }
    case Kind::kLogSumExp: {
      // log(sum(exp(x - m))) + m with m the maximum, so large inputs do not overflow.
      Tensor& m = reduce_layer(ctx, x, ReduceOperation::kMAX, mask, true, "max");
      Tensor& e = unary(ctx, elementwise(ctx, x, m, ElementWiseOperation::kSUB, "shifted"),
                        UnaryOperation::kEXP, "exp");
      Tensor& l = unary(ctx, reduce_layer(ctx, e, ReduceOperation::kSUM, mask, true, "sum"),
                        UnaryOperation::kLOG, "log");
      Tensor& r = elementwise(ctx, l, m, ElementWiseOperation::kSUM, keep ? "" : "keep");
      if (keep) {
        y = &r;
      } else {
        // Drop the reduced axes.
        y = &reduce_layer(ctx, r, ReduceOperation::kMAX, mask, false, "");
      }
      break;
    }
  }
  ctx.set_output(0, *y);
}

void arg(ImportContext& ctx, TopKOperation op) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  int32_t axis = normalize_axis(ctx, ctx.attr_int("axis", 0), d.nb_dims);
  bool last = ctx.attr_int("select_last_index", 0) != 0;
  bool keep = ctx.attr_int("keepdims", 1) != 0;
  Tensor* src = &x;
  int64_t n = d.d[axis];
  if (last) {
    // The first extreme of the reversed axis is the last one of the original.
    if (n < 0) ctx.unsupported("select_last_index along a dynamic axis");
    Dims start = Dims::filled(d.nb_dims, 0), stride = Dims::filled(d.nb_dims, 1);
    start.d[axis] = n - 1;
    stride.d[axis] = -1;
    src = ctx.named(ctx.network().add_slice(x, start, d, stride), "reverse").get_output(0);
  }
  TopKLayer& t = ctx.named(ctx.network().add_topk(*src, op, 1, 1u << axis), "topk");
  Tensor* idx = &cast(ctx, *t.get_output(1), DataType::kINT64, "cast");
  if (last) {
    Tensor& nm1 = ctx.scalar(DataType::kINT64, static_cast<double>(n - 1), d.nb_dims, "last");
    idx = &elementwise(ctx, nm1, *idx, ElementWiseOperation::kSUB, "from_end");
  }
  if (!keep) {
    Dims out;
    out.nb_dims = d.nb_dims - 1;
    for (int32_t i = 0, k = 0; i < d.nb_dims; ++i) {
      if (i != axis) out.d[k++] = 0;
    }
    // Move the reduced axis (size 1) last, then keep the others.
    Permutation p;
    int32_t k = 0;
    for (int32_t i = 0; i < d.nb_dims; ++i) {
      if (i != axis) p.order[k++] = i;
    }
    p.order[k] = axis;
    ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(*idx), "squeeze");
    s.set_first_transpose(p);
    s.set_reshape_dimensions(out);
    idx = s.get_output(0);
  }
  ctx.set_output(0, *idx);
}

void topk(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  int32_t axis = normalize_axis(ctx, ctx.attr_int("axis", -1), d.nb_dims);
  int64_t k =
      ctx.opset() < 10 ? ctx.attr_int("k", 0) : to_int64s(ctx.require_constant(1, "K")).at(0);
  if (ctx.attr_int("sorted", 1) == 0) {
    // Unsorted output may be in any order; sorted order is one of them.
  }
  TopKOperation op = ctx.attr_int("largest", 1) ? TopKOperation::kMAX : TopKOperation::kMIN;
  TopKLayer& t = ctx.named(ctx.network().add_topk(x, op, static_cast<int32_t>(k), 1u << axis));
  ctx.set_output(0, *t.get_output(0));
  ctx.set_output(1, cast(ctx, *t.get_output(1), DataType::kINT64, "indices"));
}

uint32_t softmax_axes(ImportContext& ctx, int32_t rank) {
  if (ctx.opset() < 13) {
    int32_t axis = normalize_axis(ctx, ctx.attr_int("axis", 1), std::max(rank, 1));
    uint32_t mask = 0;
    for (int32_t i = axis; i < rank; ++i) mask |= 1u << i;
    return mask;
  }
  return 1u << normalize_axis(ctx, ctx.attr_int("axis", -1), rank);
}

void softmax(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  SoftMaxLayer& s = ctx.named(ctx.network().add_softmax(x));
  s.set_axes(softmax_axes(ctx, x.dimensions().nb_dims));
  ctx.set_output(0, s);
}

// x - m - log(sum(exp(x - m))), m the maximum over the axes.
void log_softmax(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  uint32_t mask = softmax_axes(ctx, x.dimensions().nb_dims);
  Tensor& m = reduce_layer(ctx, x, ReduceOperation::kMAX, mask, true, "max");
  Tensor& s = elementwise(ctx, x, m, ElementWiseOperation::kSUB, "shifted");
  Tensor& e = unary(ctx, s, UnaryOperation::kEXP, "exp");
  Tensor& l = unary(ctx, reduce_layer(ctx, e, ReduceOperation::kSUM, mask, true, "sum"),
                    UnaryOperation::kLOG, "log");
  ctx.set_output(0, elementwise(ctx, s, l, ElementWiseOperation::kSUB, ""));
}

// Hardmax: 1 at the first maximum along the axis (opset < 13: of the flattened trailing axes),
// 0 elsewhere; topk's index compared with an iota.
void hardmax(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  if (d.is_dynamic()) ctx.unsupported("Hardmax with dynamic dims");
  Tensor* src = &x;
  int32_t axis;
  if (ctx.opset() < 13) {
    int32_t a = normalize_axis(ctx, ctx.attr_int("axis", 1), d.nb_dims);
    int64_t outer = 1, inner = 1;
    for (int32_t i = 0; i < d.nb_dims; ++i) (i < a ? outer : inner) *= d.d[i];
    src = &reshape(ctx, x, Dims{outer, inner}, "flat");
    axis = 1;
  } else {
    axis = normalize_axis(ctx, ctx.attr_int("axis", -1), d.nb_dims);
  }
  Dims sd = src->dimensions();
  TopKLayer& t =
      ctx.named(ctx.network().add_topk(*src, TopKOperation::kMAX, 1, 1u << axis), "topk");
  std::vector<int64_t> shape(static_cast<size_t>(sd.nb_dims), 1);
  shape[axis] = sd.d[axis];
  std::vector<double> iota(static_cast<size_t>(sd.d[axis]));
  for (size_t i = 0; i < iota.size(); ++i) iota[i] = static_cast<double>(i);
  Tensor& io = ctx.constant_tensor(make_value(DataType::kINT32, shape, iota), "iota");
  Tensor& hit = elementwise(ctx, *t.get_output(1), io, ElementWiseOperation::kEQUAL, "hit");
  Tensor& y = cast(ctx, hit, x.type(), "cast");
  ctx.set_output(0, ctx.opset() < 13 ? reshape(ctx, y, d, "") : y);
}

}  // namespace

void register_reduce(ImporterMap& m) {
  m["Hardmax"] = hardmax;
  m["ReduceSum"] = [](ImportContext& c) { reduce(c, Kind::kSum); };
  m["ReduceMean"] = [](ImportContext& c) { reduce(c, Kind::kMean); };
  m["ReduceMax"] = [](ImportContext& c) { reduce(c, Kind::kMax); };
  m["ReduceMin"] = [](ImportContext& c) { reduce(c, Kind::kMin); };
  m["ReduceProd"] = [](ImportContext& c) { reduce(c, Kind::kProd); };
  m["ReduceL1"] = [](ImportContext& c) { reduce(c, Kind::kL1); };
  m["ReduceL2"] = [](ImportContext& c) { reduce(c, Kind::kL2); };
  m["ReduceLogSum"] = [](ImportContext& c) { reduce(c, Kind::kLogSum); };
  m["ReduceLogSumExp"] = [](ImportContext& c) { reduce(c, Kind::kLogSumExp); };
  m["ReduceSumSquare"] = [](ImportContext& c) { reduce(c, Kind::kSumSquare); };
  m["ArgMax"] = [](ImportContext& c) { arg(c, TopKOperation::kMAX); };
  m["ArgMin"] = [](ImportContext& c) { arg(c, TopKOperation::kMIN); };
  m["TopK"] = topk;
  m["Softmax"] = softmax;
  m["LogSoftmax"] = log_softmax;
}

}  // namespace kiln::onnx
