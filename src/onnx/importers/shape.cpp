// Shape and data movement: Reshape, Transpose, Flatten, Squeeze, Unsqueeze, Concat, Split, Slice,
// Gather, Expand, Tile, DepthToSpace, SpaceToDepth (shuffle, slice, gather and concatenation
// layers) and the ops that make shapes: Constant, Shape, Size, ConstantOfShape, Range.
//
// Shape arithmetic is folded into constants when the shapes are static. When they are not, Shape
// becomes a shape layer and the arithmetic becomes layers whose values kiln evaluates from the
// shapes wherever they are known (ir::TensorDesc::value): Reshape takes its dimensions, Slice,
// Expand, Tile and ConstantOfShape their sizes, and Range its length from such shape tensors.
#include "onnx/importers/families.h"

#include "ir/graph.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace kiln::onnx {

namespace {

Dims static_dims(ImportContext& ctx, Tensor& t, const char* why) {
  Dims d = t.dimensions();
  if (d.is_dynamic()) {
    ctx.unsupported(str_cat(why, " needs static input dims, got ", d,
                            " (run-time shapes are not supported yet)"));
  }
  return d;
}

// Axes from an attribute (before `input_opset`) or from input `index`; empty when absent.
std::vector<int64_t> axes_of(ImportContext& ctx, int64_t input_opset, int32_t index,
                             const char* attr = "axes") {
  if (ctx.opset() < input_opset) return ctx.attr_ints(attr);
  if (!ctx.has_input(index)) return {};
  return to_int64s(ctx.require_constant(index, attr));
}

std::vector<int64_t> normalized(ImportContext& ctx, std::vector<int64_t> axes, int32_t rank) {
  for (int64_t& a : axes) a = normalize_axis(ctx, a, rank);
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) ctx.invalid("repeated axes");
  return axes;
}

void constant(ImportContext& ctx) {
  if (const TensorProto* t = ctx.attr_tensor("value")) {
    ctx.set_constant_output(0, tensor_value(*t, ctx.model_dir));
  } else if (ctx.has_attr("value_float")) {
    ctx.set_constant_output(0,
                            make_value(DataType::kFLOAT, {}, {ctx.attr_float("value_float", 0)}));
  } else if (ctx.has_attr("value_floats")) {
    std::vector<float> f = ctx.attr_floats("value_floats");
    ctx.set_constant_output(0, make_value(DataType::kFLOAT, {static_cast<int64_t>(f.size())},
                                          std::vector<double>(f.begin(), f.end())));
  } else if (ctx.has_attr("value_int")) {
    ctx.set_constant_output(
        0, make_value(DataType::kINT64, {}, {static_cast<double>(ctx.attr_int("value_int", 0))}));
  } else if (ctx.has_attr("value_ints")) {
    std::vector<int64_t> v = ctx.attr_ints("value_ints");
    TensorValue tv;
    tv.type = DataType::kINT64;
    tv.dims = {static_cast<int64_t>(v.size())};
    tv.bytes.resize(v.size() * 8);
    if (!v.empty()) std::memcpy(tv.bytes.data(), v.data(), v.size() * 8);
    ctx.set_constant_output(0, std::move(tv));
  } else {
    ctx.unsupported(
        "Constant without a value, value_float(s) or value_int(s) attribute "
        "(sparse and string constants are not supported)");
  }
}

TensorValue int64_vector(const std::vector<int64_t>& v) {
  TensorValue tv;
  tv.type = DataType::kINT64;
  tv.dims = {static_cast<int64_t>(v.size())};
  tv.bytes.resize(v.size() * 8);
  if (!v.empty()) std::memcpy(tv.bytes.data(), v.data(), v.size() * 8);
  return tv;
}

// --- run-time shape tensors

Tensor& int64_constant(ImportContext& ctx, const std::vector<int64_t>& v,
                       const std::string& suffix) {
  return ctx.constant_tensor(int64_vector(v), suffix);
}

Tensor& int_op(ImportContext& ctx, Tensor& a, Tensor& b, ElementWiseOperation op,
               const std::string& suffix) {
  return *ctx.named(ctx.network().add_elementwise(a, b, op), suffix).get_output(0);
}

// The input's dims as an int64 shape tensor (a shape layer).
Tensor& shape_tensor(ImportContext& ctx, Tensor& x, const std::string& suffix) {
  return *ctx.named(ctx.network().add_shape(x), suffix).get_output(0);
}

// Elements [start, start + count) of a 1-D tensor.
Tensor& vector_part(ImportContext& ctx, Tensor& v, int64_t start, int64_t count,
                    const std::string& suffix) {
  return *ctx.named(ctx.network().add_slice(v, Dims{start}, Dims{count}, Dims{1}), suffix)
              .get_output(0);
}

// A shape tensor input of the node as int64, whatever its integer type; `what` names it.
Tensor& shape_input(ImportContext& ctx, int32_t i, const char* what) {
  Tensor& t = ctx.input(i);
  DataType type = t.type();
  if (type != DataType::kINT64 && type != DataType::kINT32) {
    ctx.invalid(str_cat(what, " must be int64 or int32, got ", type));
  }
  Dims d = t.dimensions();
  if (d.nb_dims != 1 || d.d[0] < 0) {
    ctx.unsupported(str_cat(what, " must be a vector of known length, got shape ", d));
  }
  const ir::Graph& graph = ctx.network().graph();  // values are current after dimensions()
  int32_t index = graph.find_tensor(t.name());
  if (index < 0 || !graph.tensors[index].has_value) {
    ctx.unsupported(str_cat(what, " ('", t.name(),
                            "') is not a shape tensor: its values are computed from data, not "
                            "only from input shapes and constants; data-dependent shapes are not "
                            "supported"));
  }
  return cast(ctx, t, DataType::kINT64, str_cat(what, "_int64"));
}

// A slice of `x` whose size is the shape tensor `size` (int64 [rank]).
Tensor& sized_slice(ImportContext& ctx, Tensor& x, Tensor& size, const Dims& start,
                    const Dims& stride, SampleMode mode, const std::string& suffix) {
  int32_t rank = start.nb_dims;
  SliceLayer& s =
      ctx.named(ctx.network().add_slice(x, start, Dims::filled(rank, 0), stride), suffix);
  s.set_mode(mode);
  s.set_input(2, size);
  (void)s.get_output(0)->dimensions();  // a size that is not a shape tensor fails here, at the node
  return *s.get_output(0);
}

void shape(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  int64_t rank = d.nb_dims;
  int64_t start = ctx.attr_int("start", 0), end = ctx.attr_int("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  bool dynamic = false;
  for (int64_t i = start; i < end; ++i) dynamic |= d.d[i] < 0;
  if (dynamic) {  // else the part asked for is static, a constant below
    Tensor* y = &shape_tensor(ctx, x, "");
    if (start != 0 || end != rank) y = &vector_part(ctx, *y, start, end - start, "part");
    ctx.set_output(0, *y);
    return;
  }
  std::vector<int64_t> v;
  for (int64_t i = start; i < end; ++i) v.push_back(d.d[i]);
  ctx.set_constant_output(0, int64_vector(v));
}

void size(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  if (d.is_dynamic()) {  // the product of the shape, a rank-0 shape tensor
    ReduceLayer& r = ctx.named(
        ctx.network().add_reduce(shape_tensor(ctx, x, "shape"), ReduceOperation::kPROD, 1u, false));
    ctx.set_output(0, r);
    return;
  }
  ctx.set_constant_output(0, make_value(DataType::kINT64, {}, {static_cast<double>(volume(d))}));
}

void reshape_op(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  bool allow_zero = ctx.attr_int("allowzero", 0) != 0;
  if (ctx.opset() >= 5 && !ctx.constant(1)) {  // a run-time shape tensor
    Tensor& spec = shape_input(ctx, 1, "shape");
    ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(x));
    s.set_zero_is_placeholder(!allow_zero);
    s.set_input(1, spec);
    (void)s.get_output(0)->dimensions();  // data-dependent dims fail here, naming the node
    ctx.set_output(0, s);
    return;
  }
  std::vector<int64_t> spec;
  if (ctx.opset() < 5)
    spec = ctx.attr_ints("shape");
  else
    spec = to_int64s(ctx.require_constant(1, "shape"));
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(x));
  s.set_zero_is_placeholder(!allow_zero);
  s.set_reshape_dimensions(to_dims(ctx, spec));
  ctx.set_output(0, s);
}

void transpose(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  int32_t rank = x.dimensions().nb_dims;
  std::vector<int64_t> perm = ctx.attr_ints("perm");
  if (perm.empty()) {
    for (int32_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  }
  if (static_cast<int32_t>(perm.size()) != rank) {
    ctx.invalid(str_cat("perm has ", perm.size(), " values for an input of rank ", rank));
  }
  Permutation p;
  for (int32_t i = 0; i < rank; ++i) p.order[i] = normalize_axis(ctx, perm[i], rank);
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(x));
  s.set_first_transpose(p);
  ctx.set_output(0, s);
}

void flatten(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  int64_t axis = ctx.attr_int("axis", 1);
  if (axis < 0) axis += d.nb_dims;
  if (axis < 0 || axis > d.nb_dims) ctx.invalid(str_cat("axis out of range for ", d));
  int64_t outer = 1, inner = 1;
  bool outer_dyn = false, inner_dyn = false;
  for (int32_t i = 0; i < d.nb_dims; ++i) {
    bool dyn = d.d[i] < 0;
    if (i < axis) {
      outer_dyn |= dyn;
      outer *= dyn ? 1 : d.d[i];
    } else {
      inner_dyn |= dyn;
      inner *= dyn ? 1 : d.d[i];
    }
  }
  if (outer_dyn && inner_dyn) ctx.unsupported(str_cat("Flatten of ", d, " at axis ", axis));
  Dims out{outer_dyn ? -1 : outer, inner_dyn ? -1 : inner};
  ctx.set_output(0, reshape(ctx, x, out, ""));
}

// Squeeze: move the squeezed axes last, then keep the leading dims (0 copies them).
void squeeze(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  std::vector<int64_t> axes = axes_of(ctx, 13, 1);
  if (axes.empty()) {
    for (int32_t i = 0; i < d.nb_dims; ++i) {
      if (d.d[i] < 0) ctx.unsupported("Squeeze without axes on an input with dynamic dims");
      if (d.d[i] == 1) axes.push_back(i);
    }
  }
  axes = normalized(ctx, axes, d.nb_dims);
  Permutation p;
  int32_t k = 0;
  for (int32_t i = 0; i < d.nb_dims; ++i) {
    if (!std::binary_search(axes.begin(), axes.end(), i)) p.order[k++] = i;
  }
  for (int64_t a : axes) {
    if (d.d[a] > 1) ctx.invalid(str_cat("cannot squeeze axis ", a, " of size ", d.d[a]));
    p.order[k++] = static_cast<int32_t>(a);
  }
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(x));
  s.set_first_transpose(p);
  s.set_reshape_dimensions(Dims::filled(d.nb_dims - static_cast<int32_t>(axes.size()), 0));
  ctx.set_output(0, s);
}

// Unsqueeze: append the new 1s, then move them into place with the second transpose.
void unsqueeze(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  std::vector<int64_t> axes = axes_of(ctx, 13, 1);
  if (axes.empty()) ctx.invalid("axes are missing");
  int32_t out_rank = d.nb_dims + static_cast<int32_t>(axes.size());
  if (out_rank > Dims::kMaxDims) ctx.unsupported(str_cat("output rank ", out_rank, " above 8"));
  axes = normalized(ctx, axes, out_rank);
  Dims spec = Dims::filled(out_rank, 1);
  for (int32_t i = 0; i < d.nb_dims; ++i) spec.d[i] = 0;
  Permutation p;
  int32_t kept = 0, added = 0;
  for (int32_t j = 0; j < out_rank; ++j) {
    if (std::binary_search(axes.begin(), axes.end(), j))
      p.order[j] = d.nb_dims + added++;
    else
      p.order[j] = kept++;
  }
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(x));
  s.set_reshape_dimensions(spec);
  s.set_second_transpose(p);
  ctx.set_output(0, s);
}

void concat(ImportContext& ctx) {
  std::vector<Tensor*> inputs;
  int32_t rank = -1;
  for (int32_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    Tensor& t = ctx.input(i);
    rank = t.dimensions().nb_dims;
    inputs.push_back(&t);
  }
  if (inputs.empty()) ctx.invalid("needs at least one input");
  if (!ctx.has_attr("axis")) ctx.invalid("attribute 'axis' is missing");
  int32_t axis = normalize_axis(ctx, ctx.attr_int("axis", 0), rank);
  // Empty inputs add nothing; kiln's concatenation wants non-empty ones.
  std::vector<Tensor*> kept;
  for (Tensor* t : inputs) {
    Dims d = t->dimensions();
    if (d.nb_dims > axis && d.d[axis] == 0) continue;
    kept.push_back(t);
  }
  if (kept.empty()) kept.push_back(inputs[0]);
  ConcatenationLayer& c =
      ctx.named(ctx.network().add_concatenation(kept.data(), static_cast<int32_t>(kept.size())));
  c.set_axis(axis);
  ctx.set_output(0, c);
}

// A slice of `x` along one axis, the other dims whole.
Tensor& slice_axis(ImportContext& ctx, Tensor& x, const Dims& d, int32_t axis, int64_t start,
                   int64_t size, int64_t step, const std::string& suffix) {
  Dims st = Dims::filled(d.nb_dims, 0), sz = d, sd = Dims::filled(d.nb_dims, 1);
  st.d[axis] = start;
  sz.d[axis] = size;
  sd.d[axis] = step;
  return *ctx.named(ctx.network().add_slice(x, st, sz, sd), suffix).get_output(0);
}

void split(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = static_dims(ctx, x, "Split");
  int32_t axis = normalize_axis(ctx, ctx.attr_int("axis", 0), d.nb_dims);
  std::vector<int64_t> sizes;
  if (ctx.opset() < 13)
    sizes = ctx.attr_ints("split");
  else if (ctx.has_input(1))
    sizes = to_int64s(ctx.require_constant(1, "split"));
  int64_t n = ctx.num_outputs();
  if (sizes.empty()) {
    if (ctx.has_attr("num_outputs")) n = ctx.attr_int("num_outputs", n);
    int64_t len = d.d[axis];
    int64_t chunk = (len + n - 1) / n;
    for (int64_t i = 0; i < n; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, len - i * chunk)));
  }
  if (static_cast<int64_t>(sizes.size()) != ctx.num_outputs()) {
    ctx.invalid(
        str_cat("split gives ", sizes.size(), " sizes for ", ctx.num_outputs(), " outputs"));
  }
  int64_t start = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    Tensor& y = slice_axis(ctx, x, d, axis, start, sizes[i], 1, str_cat("out", i));
    ctx.set_output(static_cast<int32_t>(i), y);
    start += sizes[i];
  }
  if (start != d.d[axis]) {
    ctx.invalid(str_cat("split sizes add up to ", start, " but axis ", axis, " has ", d.d[axis]));
  }
}

// ONNX Slice along an axis of static length `len`: the first element read and the count.
void static_range(int64_t s, int64_t e, int64_t step, int64_t len, int64_t& start, int64_t& count) {
  if (s < 0) s += len;
  if (e < 0) e += len;
  if (step > 0) {
    s = std::clamp<int64_t>(s, 0, len);
    e = std::clamp<int64_t>(e, 0, len);
    count = e > s ? (e - s + step - 1) / step : 0;
  } else {
    s = std::clamp<int64_t>(s, -1, len - 1);
    e = std::clamp<int64_t>(e, -1, len - 1);
    count = s > e ? (s - e + (-step) - 1) / (-step) : 0;
  }
  start = count == 0 ? 0 : s;
}

// Slice at run time: the ends (or the dims of the sliced input) are known only then, so the size
// becomes a shape tensor: per sliced axis max(min(end (+ len when negative), len) - start, 0)
// divided by the step, rounded up. Starts, axes and steps stay build-time constants.
void dynamic_slice(ImportContext& ctx, Tensor& x, const std::vector<int64_t>& starts,
                   Tensor* ends_tensor, const std::vector<int64_t>& ends,
                   const std::vector<int64_t>& axes, const std::vector<int64_t>& steps) {
  Dims d = x.dimensions();
  int32_t rank = d.nb_dims;
  Tensor* shape = nullptr;
  auto dim = [&](int32_t a) -> Tensor& {
    if (d.d[a] >= 0) return int64_constant(ctx, {d.d[a]}, str_cat("dim", a));
    if (!shape) shape = &shape_tensor(ctx, x, "shape");
    return vector_part(ctx, *shape, a, 1, str_cat("dim", a));
  };
  Dims st = Dims::filled(rank, 0), sd = Dims::filled(rank, 1);
  std::vector<Tensor*> size(static_cast<size_t>(rank), nullptr);
  for (size_t i = 0; i < starts.size(); ++i) {
    int32_t a = normalize_axis(ctx, axes[i], rank);
    if (size[a]) ctx.invalid("repeated axes");
    int64_t len = d.d[a], step = steps[i], s = starts[i];
    if (step == 0) ctx.invalid("a step is 0");
    if (!ends_tensor && len >= 0) {  // this axis is static
      int64_t count = 0;
      static_range(s, ends[i], step, len, st.d[a], count);
      sd.d[a] = step;
      size[a] = &int64_constant(ctx, {count}, str_cat("axis", a, "_count"));
      continue;
    }
    if (step < 0) {
      ctx.unsupported(str_cat("Slice with step ", step, " when the ends or dims of ", d,
                              " are known only at run time (steps must be positive)"));
    }
    if (s < 0) {
      if (len < 0) {
        ctx.unsupported(str_cat("Slice with a negative start ", s, " along dynamic axis ", a,
                                " of ", d, " (starts must be >= 0 there)"));
      }
      s = std::max<int64_t>(s + len, 0);
    }
    if (len >= 0) s = std::min(s, len);
    st.d[a] = s;
    sd.d[a] = step;
    std::string part = str_cat("axis", a);
    Tensor& n = dim(a);
    Tensor* e;
    if (ends_tensor) {
      e = &vector_part(ctx, *ends_tensor, static_cast<int64_t>(i), 1, part + "_end");
      Tensor& zero = int64_constant(ctx, {0}, part + "_zero");
      Tensor& negative = int_op(ctx, *e, zero, ElementWiseOperation::kLESS, part + "_negative");
      Tensor& wrapped = int_op(ctx, *e, n, ElementWiseOperation::kSUM, part + "_wrapped");
      e = ctx.named(ctx.network().add_select(negative, wrapped, *e), part + "_from_back")
              .get_output(0);
      e = &int_op(ctx, *e, zero, ElementWiseOperation::kMAX, part + "_low");
    } else if (ends[i] < 0) {
      e = &int_op(ctx, int64_constant(ctx, {ends[i]}, part + "_end"), n, ElementWiseOperation::kSUM,
                  part + "_wrapped");
      e = &int_op(ctx, *e, int64_constant(ctx, {0}, part + "_zero"), ElementWiseOperation::kMAX,
                  part + "_low");
    } else {
      e = &int64_constant(ctx, {ends[i]}, part + "_end");
    }
    e = &int_op(ctx, *e, n, ElementWiseOperation::kMIN, part + "_high");
    Tensor* count = &int_op(ctx, *e, int64_constant(ctx, {s}, part + "_start"),
                            ElementWiseOperation::kSUB, part + "_length");
    count = &int_op(ctx, *count, int64_constant(ctx, {0}, part + "_none"),
                    ElementWiseOperation::kMAX, part + "_clamped");
    if (step > 1) {
      count = &int_op(ctx, *count, int64_constant(ctx, {step - 1}, part + "_round"),
                      ElementWiseOperation::kSUM, part + "_rounded");
      count = &int_op(ctx, *count, int64_constant(ctx, {step}, part + "_step"),
                      ElementWiseOperation::kFLOOR_DIV, part + "_count");
    }
    size[a] = count;
  }
  for (int32_t a = 0; a < rank; ++a) {
    if (!size[a]) size[a] = &dim(a);
  }
  Tensor& sizes =
      *ctx.named(ctx.network().add_concatenation(size.data(), rank), "size").get_output(0);
  ctx.set_output(0, sized_slice(ctx, x, sizes, st, sd, SampleMode::kSTRICT_BOUNDS, ""));
}

void slice(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  std::vector<int64_t> starts, ends, axes, steps;
  Tensor* ends_tensor = nullptr;
  if (ctx.opset() < 10) {
    starts = ctx.attr_ints("starts");
    ends = ctx.attr_ints("ends");
    axes = ctx.attr_ints("axes");
  } else {
    starts = to_int64s(ctx.require_constant(1, "starts"));
    if (ctx.constant(2)) {
      ends = to_int64s(*ctx.constant(2));
    } else {
      ends_tensor = &shape_input(ctx, 2, "ends");
      ends.assign(static_cast<size_t>(ends_tensor->dimensions().d[0]), 0);
    }
    if (ctx.has_input(3)) axes = to_int64s(ctx.require_constant(3, "axes"));
    if (ctx.has_input(4)) steps = to_int64s(ctx.require_constant(4, "steps"));
  }
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    ctx.invalid("starts, ends, axes and steps must have the same length");
  }
  if (ends_tensor || d.is_dynamic()) {
    dynamic_slice(ctx, x, starts, ends_tensor, ends, axes, steps);
    return;
  }
  Dims st = Dims::filled(d.nb_dims, 0), sz = d, sd = Dims::filled(d.nb_dims, 1);
  for (size_t i = 0; i < starts.size(); ++i) {
    int32_t a = normalize_axis(ctx, axes[i], d.nb_dims);
    int64_t len = d.d[a];
    int64_t step = steps[i];
    if (step == 0) ctx.invalid("a step is 0");
    static_range(starts[i], ends[i], step, len, st.d[a], sz.d[a]);
    sd.d[a] = step;
  }
  ctx.set_output(0, *ctx.named(ctx.network().add_slice(x, st, sz, sd)).get_output(0));
}

void gather(ImportContext& ctx) {
  Tensor& data = ctx.input(0);
  int32_t axis = normalize_axis(ctx, ctx.attr_int("axis", 0), data.dimensions().nb_dims);
  ctx.set_output(0, *ctx.named(ctx.network().add_gather(data, ctx.input(1), axis)).get_output(0));
}

// Repeats along each axis by gathering with constant indices.
Tensor& gather_indices(ImportContext& ctx, Tensor& x, int32_t axis, const std::vector<int64_t>& idx,
                       const std::string& suffix) {
  std::vector<double> v(idx.begin(), idx.end());
  Tensor& i = ctx.constant_tensor(
      make_value(DataType::kINT32, {static_cast<int64_t>(idx.size())}, v), suffix + "_indices");
  return *ctx.named(ctx.network().add_gather(x, i, axis), suffix).get_output(0);
}

// `x` with leading 1s up to `rank` (unsqueeze: 1s appended, then moved to the front).
Tensor& leading_ones(ImportContext& ctx, Tensor& x, int32_t rank, const std::string& suffix) {
  Dims d = x.dimensions();
  if (d.nb_dims >= rank) return x;
  int32_t pad = rank - d.nb_dims;
  Dims spec = Dims::filled(rank, 1);
  for (int32_t i = 0; i < d.nb_dims; ++i) spec.d[i] = 0;
  Permutation p;
  for (int32_t i = 0; i < rank; ++i) p.order[i] = i < pad ? d.nb_dims + i : i - pad;
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(x), suffix);
  s.set_reshape_dimensions(spec);
  s.set_second_transpose(p);
  return *s.get_output(0);
}

// Expand when the target shape or the input's dims are known only at run time: a slice whose size
// is max(input dims, target) and whose stride is 0 along the input's 1s. A dimension known only at
// run time is taken as not broadcast (stride 1); the slice reports an error when it runs if it is.
void dynamic_expand(ImportContext& ctx, Tensor& x) {
  Tensor& target = ctx.constant(1) ? int64_constant(ctx, to_int64s(*ctx.constant(1)), "target")
                                   : shape_input(ctx, 1, "shape");
  int32_t target_rank = static_cast<int32_t>(target.dimensions().d[0]);
  int32_t rank = std::max(x.dimensions().nb_dims, target_rank);
  if (rank > Dims::kMaxDims) ctx.unsupported("rank above 8");
  Tensor& y = leading_ones(ctx, x, rank, "rank");
  Tensor* full = &target;
  if (target_rank < rank) {
    Tensor* parts[2] = {&int64_constant(ctx, std::vector<int64_t>(rank - target_rank, 1), "ones"),
                        &target};
    full = ctx.named(ctx.network().add_concatenation(parts, 2), "target_rank").get_output(0);
  }
  Dims d = y.dimensions();
  Tensor& dims = d.is_dynamic()
                     ? shape_tensor(ctx, y, "shape")
                     : int64_constant(ctx, std::vector<int64_t>(d.d, d.d + rank), "dims");
  Tensor& size = int_op(ctx, dims, *full, ElementWiseOperation::kMAX, "size");
  Dims stride = Dims::filled(rank, 1);
  for (int32_t i = 0; i < rank; ++i) stride.d[i] = d.d[i] == 1 ? 0 : 1;
  ctx.set_output(
      0, sized_slice(ctx, y, size, Dims::filled(rank, 0), stride, SampleMode::kSTRICT_BOUNDS, ""));
}

void expand(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  if (!ctx.constant(1) || x.dimensions().is_dynamic()) {
    dynamic_expand(ctx, x);
    return;
  }
  std::vector<int64_t> shape = to_int64s(ctx.require_constant(1, "shape"));
  Dims d = x.dimensions();
  int32_t rank = std::max<int32_t>(d.nb_dims, static_cast<int32_t>(shape.size()));
  if (rank > Dims::kMaxDims) ctx.unsupported("rank above 8");
  Tensor* y = &x;
  if (d.nb_dims < rank) {
    Dims nd = Dims::filled(rank, 1);
    for (int32_t i = 0; i < d.nb_dims; ++i) nd.d[rank - d.nb_dims + i] = d.d[i];
    if (d.is_dynamic()) ctx.unsupported("Expand of an input with dynamic dims to a higher rank");
    y = &reshape(ctx, x, nd, "rank");
    d = nd;
  }
  for (int32_t i = 0; i < rank; ++i) {
    int32_t si = i - (rank - static_cast<int32_t>(shape.size()));
    int64_t target = si >= 0 ? shape[si] : 1;
    if (d.d[i] == 1 && target != 1) {
      if (target < 0 || target > (int64_t{1} << 28)) ctx.invalid("shape out of range");
      y = &gather_indices(ctx, *y, i, std::vector<int64_t>(target, 0), str_cat("axis", i));
    } else if (target != 1 && d.d[i] != target) {
      if (d.d[i] < 0) ctx.unsupported("Expand along a dynamic dimension");
      ctx.invalid(str_cat("cannot expand ", x.dimensions(), " to ", to_dims(ctx, shape)));
    }
  }
  if (y == &x) y = ctx.named(ctx.network().add_identity(x)).get_output(0);
  ctx.set_output(0, *y);
}

void tile(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  if (!ctx.constant(1) || x.dimensions().is_dynamic()) {
    // A wrapping slice of size dims * repeats.
    Dims d = x.dimensions();
    Tensor& repeats = ctx.constant(1) ? int64_constant(ctx, to_int64s(*ctx.constant(1)), "repeats")
                                      : shape_input(ctx, 1, "repeats");
    if (repeats.dimensions().d[0] != d.nb_dims) {
      ctx.invalid(str_cat("repeats has ", repeats.dimensions().d[0],
                          " values for an input of rank ", d.nb_dims));
    }
    Tensor& dims = shape_tensor(ctx, x, "shape");
    Tensor& size = int_op(ctx, dims, repeats, ElementWiseOperation::kPROD, "size");
    ctx.set_output(0, sized_slice(ctx, x, size, Dims::filled(d.nb_dims, 0),
                                  Dims::filled(d.nb_dims, 1), SampleMode::kWRAP, ""));
    return;
  }
  std::vector<int64_t> repeats = to_int64s(ctx.require_constant(1, "repeats"));
  Dims d = x.dimensions();
  if (static_cast<int32_t>(repeats.size()) != d.nb_dims) {
    ctx.invalid(
        str_cat("repeats has ", repeats.size(), " values for an input of rank ", d.nb_dims));
  }
  Tensor* y = &x;
  for (int32_t i = 0; i < d.nb_dims; ++i) {
    if (repeats[i] == 1) continue;
    if (d.d[i] < 0) ctx.unsupported("Tile along a dynamic dimension");
    if (repeats[i] < 0 || repeats[i] * d.d[i] > (int64_t{1} << 28))
      ctx.invalid("repeats out of range");
    std::vector<int64_t> idx;
    for (int64_t r = 0; r < repeats[i]; ++r) {
      for (int64_t k = 0; k < d.d[i]; ++k) idx.push_back(k);
    }
    if (idx.empty()) ctx.unsupported("Tile to an empty tensor");
    y = &gather_indices(ctx, *y, i, idx, str_cat("axis", i));
  }
  if (y == &x) y = ctx.named(ctx.network().add_identity(x)).get_output(0);
  ctx.set_output(0, *y);
}

void constant_of_shape(ImportContext& ctx) {
  if (!ctx.constant(0)) {
    // The value with `rank` 1s, repeated by a slice of stride 0 to the run-time shape.
    Tensor& shape = shape_input(ctx, 0, "shape");
    int32_t rank = static_cast<int32_t>(shape.dimensions().d[0]);
    if (rank > Dims::kMaxDims) ctx.unsupported("rank above 8");
    TensorValue one = make_value(DataType::kFLOAT, {}, {0.0});
    if (const TensorProto* t = ctx.attr_tensor("value")) one = tensor_value(*t, ctx.model_dir);
    if (one.count() != 1) ctx.invalid("value must hold one element");
    one.dims.assign(static_cast<size_t>(rank), 1);
    Tensor& value = ctx.constant_tensor(one, "value");
    ctx.set_output(0, sized_slice(ctx, value, shape, Dims::filled(rank, 0), Dims::filled(rank, 0),
                                  SampleMode::kSTRICT_BOUNDS, ""));
    return;
  }
  std::vector<int64_t> shape = to_int64s(ctx.require_constant(0, "shape"));
  TensorValue v;
  if (const TensorProto* t = ctx.attr_tensor("value")) {
    TensorValue one = tensor_value(*t, ctx.model_dir);
    if (one.count() != 1) ctx.invalid("value must hold one element");
    v = make_value(one.type, shape, {0.0});  // checks the size
    int64_t n = v.count(), e = element_size(v.type);
    v.bytes.resize(static_cast<size_t>(n * e));
    for (int64_t i = 0; i < n; ++i) std::memcpy(v.bytes.data() + i * e, one.bytes.data(), e);
  } else {
    v = make_value(DataType::kFLOAT, shape, {0.0});
  }
  ctx.set_constant_output(0, std::move(v));
}

// Range with a limit known only at run time: a kLINSPACE fill of ceil((limit - start) / delta)
// elements (at least 0), computed as floor((limit - start + delta - sign(delta)) / delta).
void dynamic_range(ImportContext& ctx) {
  const TensorValue& s = ctx.require_constant(0, "start");
  const TensorValue& dv = ctx.require_constant(2, "delta");
  Tensor& limit = ctx.input(1);
  DataType type = limit.type();
  if (type != DataType::kINT32 && type != DataType::kINT64) {
    ctx.unsupported(str_cat("Range with a ", type,
                            " limit known only at run time (only int32 and int64 limits are)"));
  }
  if (limit.dimensions().nb_dims != 0 || s.count() != 1 || dv.count() != 1) {
    ctx.invalid("start, limit and delta must be scalars");
  }
  int64_t start = to_int64s(s).at(0), delta = to_int64s(dv).at(0);
  if (delta == 0) ctx.invalid("delta is 0");
  Tensor& length = int_op(ctx, limit, ctx.scalar(type, static_cast<double>(start), 0, "start"),
                          ElementWiseOperation::kSUB, "length");
  int64_t round = delta > 0 ? delta - 1 : delta + 1;
  Tensor& rounded = int_op(ctx, length, ctx.scalar(type, static_cast<double>(round), 0, "round"),
                           ElementWiseOperation::kSUM, "rounded");
  Tensor& steps = int_op(ctx, rounded, ctx.scalar(type, static_cast<double>(delta), 0, "delta"),
                         ElementWiseOperation::kFLOOR_DIV, "steps");
  Tensor& count =
      int_op(ctx, steps, ctx.scalar(type, 0.0, 0, "zero"), ElementWiseOperation::kMAX, "count");
  Tensor& dims = reshape(ctx, count, Dims{1}, "dims");
  FillLayer& fill = ctx.named(ctx.network().add_fill(Dims{0}, FillOperation::kLINSPACE, type));
  fill.set_alpha(static_cast<double>(start));
  fill.set_beta(static_cast<double>(delta));
  fill.set_input(0, dims);
  (void)fill.get_output(0)->dimensions();
  ctx.set_output(0, fill);
}

void range(ImportContext& ctx) {
  if (ctx.constant(0) && ctx.constant(2) && !ctx.constant(1)) {
    dynamic_range(ctx);
    return;
  }
  const TensorValue& s = ctx.require_constant(0, "start");
  double start = to_doubles(s).at(0);
  double limit = to_doubles(ctx.require_constant(1, "limit")).at(0);
  double delta = to_doubles(ctx.require_constant(2, "delta")).at(0);
  if (delta == 0) ctx.invalid("delta is 0");
  double steps = std::ceil((limit - start) / delta);
  if (!(steps < double(int64_t{1} << 28))) ctx.unsupported("Range of more than 2^28 elements");
  int64_t n = std::max<int64_t>(0, static_cast<int64_t>(steps));
  std::vector<double> v(static_cast<size_t>(n));
  bool is_float =
      s.type == DataType::kFLOAT || s.type == DataType::kHALF || s.type == DataType::kBF16;
  for (int64_t i = 0; i < n; ++i) {
    // Accumulate in the tensor's type like the reference (start + i * delta for integers).
    v[i] = is_float ? static_cast<double>(static_cast<float>(start) +
                                          static_cast<float>(i) * static_cast<float>(delta))
                    : start + static_cast<double>(i) * delta;
  }
  if (n == 0) ctx.unsupported("Range producing an empty tensor");
  ctx.set_constant_output(0, make_value(s.type, {n}, v));
}

void depth_to_space(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = static_dims(ctx, x, "DepthToSpace");
  if (d.nb_dims != 4) ctx.invalid("input must be 4-D");
  int64_t b = ctx.attr_int("blocksize", 0);
  if (b < 1 || d.d[1] % (b * b) != 0) ctx.invalid("channels must be a multiple of blocksize^2");
  int64_t n = d.d[0], c = d.d[1] / (b * b), h = d.d[2], w = d.d[3];
  bool crd = ctx.attr_string("mode", "DCR") == "CRD";
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(x), "split");
  s.set_zero_is_placeholder(false);
  Permutation p;
  if (crd) {
    s.set_reshape_dimensions(Dims{n, c, b, b, h, w});
    int32_t order[6] = {0, 1, 4, 2, 5, 3};
    std::copy(order, order + 6, p.order);
  } else {
    s.set_reshape_dimensions(Dims{n, b, b, c, h, w});
    int32_t order[6] = {0, 3, 4, 1, 5, 2};
    std::copy(order, order + 6, p.order);
  }
  s.set_second_transpose(p);
  ctx.set_output(0, reshape(ctx, *s.get_output(0), Dims{n, c, h * b, w * b}, ""));
}

void space_to_depth(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = static_dims(ctx, x, "SpaceToDepth");
  if (d.nb_dims != 4) ctx.invalid("input must be 4-D");
  int64_t b = ctx.attr_int("blocksize", 0);
  if (b < 1 || d.d[2] % b != 0 || d.d[3] % b != 0)
    ctx.invalid("H and W must be multiples of blocksize");
  int64_t n = d.d[0], c = d.d[1], h = d.d[2] / b, w = d.d[3] / b;
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(x), "split");
  s.set_zero_is_placeholder(false);
  s.set_reshape_dimensions(Dims{n, c, h, b, w, b});
  Permutation p;
  int32_t order[6] = {0, 3, 5, 1, 2, 4};
  std::copy(order, order + 6, p.order);
  s.set_second_transpose(p);
  ctx.set_output(0, reshape(ctx, *s.get_output(0), Dims{n, c * b * b, h, w}, ""));
}

}  // namespace

void register_shape(ImporterMap& m) {
  m["Constant"] = constant;
  m["Shape"] = shape;
  m["Size"] = size;
  m["Reshape"] = reshape_op;
  m["Transpose"] = transpose;
  m["Flatten"] = flatten;
  m["Squeeze"] = squeeze;
  m["Unsqueeze"] = unsqueeze;
  m["Concat"] = concat;
  m["Split"] = split;
  m["Slice"] = slice;
  m["Gather"] = gather;
  m["Expand"] = expand;
  m["Tile"] = tile;
  m["ConstantOfShape"] = constant_of_shape;
  m["Range"] = range;
  m["DepthToSpace"] = depth_to_space;
  m["SpaceToDepth"] = space_to_depth;
}

}  // namespace kiln::onnx
