// GatherElements, GatherND, ScatterElements, ScatterND (and opset-9 Scatter), OneHot, CumSum,
// Trilu and EyeLike.
#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

void gather_mode(ImportContext& ctx, GatherMode mode) {
  Tensor& data = ctx.input(0);
  int32_t axis = mode == GatherMode::kELEMENT
                     ? normalize_axis(ctx, ctx.attr_int("axis", 0), data.dimensions().nb_dims)
                     : 0;
  GatherLayer& g = ctx.named(ctx.network().add_gather(data, ctx.input(1), axis));
  g.set_mode(mode);
  if (mode == GatherMode::kND)
    g.set_num_elementwise_dims(static_cast<int32_t>(ctx.attr_int("batch_dims", 0)));
  ctx.set_output(0, g);
}

void scatter(ImportContext& ctx, ScatterMode mode) {
  Tensor& data = ctx.input(0);
  ScatterLayer& s = ctx.named(ctx.network().add_scatter(data, ctx.input(1), ctx.input(2), mode));
  if (mode == ScatterMode::kELEMENT) {
    s.set_axis(normalize_axis(ctx, ctx.attr_int("axis", 0), data.dimensions().nb_dims));
  }
  std::string red = ctx.attr_string("reduction", "none");
  if (red == "none")
    s.set_reduction(ScatterReduction::kNONE);
  else if (red == "add")
    s.set_reduction(ScatterReduction::kADD);
  else if (red == "mul")
    s.set_reduction(ScatterReduction::kMUL);
  else if (red == "max")
    s.set_reduction(ScatterReduction::kMAX);
  else if (red == "min")
    s.set_reduction(ScatterReduction::kMIN);
  else
    ctx.invalid(str_cat("unknown reduction '", red, "'"));
  ctx.set_output(0, s);
}

void one_hot(ImportContext& ctx) {
  Tensor* in = &ctx.input(0);
  // ONNX allows indices of any numeric type; float indices are truncated to integers.
  DataType it = in->type();
  if (it != DataType::kINT32 && it != DataType::kINT64)
    in = &cast(ctx, *in, DataType::kINT64, "indices_int");
  Tensor& indices = *in;
  int64_t depth = static_cast<int64_t>(to_doubles(ctx.require_constant(1, "depth")).at(0));
  Tensor& values = ctx.input(2);
  int32_t rank = indices.dimensions().nb_dims + 1;
  int32_t axis = normalize_axis(ctx, ctx.attr_int("axis", -1), rank);
  OneHotLayer& o = ctx.named(ctx.network().add_one_hot(indices, values, depth, axis));
  ctx.set_output(0, o);
}

void cumsum(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  int64_t axis = to_int64s(ctx.require_constant(1, "axis")).at(0);
  int32_t a = normalize_axis(ctx, axis, x.dimensions().nb_dims);
  CumulativeLayer& c = ctx.named(ctx.network().add_cumulative(x, a, CumulativeOperation::kSUM,
                                                              ctx.attr_int("exclusive", 0) != 0,
                                                              ctx.attr_int("reverse", 0) != 0));
  ctx.set_output(0, c);
}

// Trilu: keep the upper (or lower) triangle of the last two dims, as a select with a constant
// mask.
void trilu(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  if (d.nb_dims < 2) ctx.invalid("input must have rank 2 or more");
  int64_t rows = d.d[d.nb_dims - 2], cols = d.d[d.nb_dims - 1];
  if (rows < 0 || cols < 0) ctx.unsupported("Trilu with dynamic matrix dims");
  int64_t k = ctx.has_input(1) ? to_int64s(ctx.require_constant(1, "k")).at(0) : 0;
  bool upper = ctx.attr_int("upper", 1) != 0;
  if (rows == 0 || cols == 0) {
    ctx.set_output(0, *ctx.named(ctx.network().add_identity(x)).get_output(0));
    return;
  }
  std::vector<double> mask(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) mask[i * cols + j] = upper ? (j - i >= k) : (j - i <= k);
  }
  Tensor& m = ctx.constant_tensor(make_value(DataType::kBOOL, {rows, cols}, mask), "mask");
  std::vector<int64_t> one(static_cast<size_t>(d.nb_dims), 1);
  Tensor& zero = ctx.constant_tensor(make_value(x.type(), one, {0.0}), "zero");
  ctx.set_output(0, *ctx.named(ctx.network().add_select(m, x, zero)).get_output(0));
}

void eye_like(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  if (d.nb_dims != 2 || d.is_dynamic()) ctx.unsupported("EyeLike needs a static 2-D input");
  int64_t k = ctx.attr_int("k", 0);
  DataType type = x.type();
  if (ctx.has_attr("dtype") &&
      !to_kiln_type(static_cast<int32_t>(ctx.attr_int("dtype", 1)), type)) {
    ctx.unsupported("dtype kiln does not have");
  }
  std::vector<double> v(static_cast<size_t>(d.d[0] * d.d[1]));
  for (int64_t i = 0; i < d.d[0]; ++i) {
    for (int64_t j = 0; j < d.d[1]; ++j) v[i * d.d[1] + j] = j - i == k;
  }
  ctx.set_constant_output(0, make_value(type, {d.d[0], d.d[1]}, v));
}

}  // namespace

void register_indexing(ImporterMap& m) {
  m["GatherElements"] = [](ImportContext& c) { gather_mode(c, GatherMode::kELEMENT); };
  m["GatherND"] = [](ImportContext& c) { gather_mode(c, GatherMode::kND); };
  m["ScatterElements"] = [](ImportContext& c) { scatter(c, ScatterMode::kELEMENT); };
  m["Scatter"] = [](ImportContext& c) { scatter(c, ScatterMode::kELEMENT); };
  m["ScatterND"] = [](ImportContext& c) { scatter(c, ScatterMode::kND); };
  m["OneHot"] = one_hot;
  m["CumSum"] = cumsum;
  m["Trilu"] = trilu;
  m["EyeLike"] = eye_like;
}

}  // namespace kiln::onnx
