// kiln's CUDA tactics of the data-movement layers (shuffle, concatenation, slice, gather), for
// every data type: each turns its attributes into a strided view, row blocks or a gather and moves
// bytes.
//
// Gather differs from the CPU reference on out-of-range indices: the CPU backend throws, but
// enqueue() may not read device data on the host, so the kernel writes zeros for the output
// elements of an index outside [-size, size) and never reads out of bounds.
#include "backends/cuda/kernels/movement.h"
#include "backends/cuda/tactics/util.h"
#include "core/error.h"

namespace kiln::cuda {

namespace {

int32_t normalized(int32_t axis, int32_t rank) {
  return axis < 0 ? axis + rank : axis;
}

int64_t product(const Dims& dims, int32_t begin, int32_t end) {
  int64_t n = 1;
  for (int32_t i = begin; i < end; ++i) n *= dims.d[i];
  return n;
}

// view[i] = from[perm[i]]: the same elements read in a permuted order.
StridedShape permuted(const StridedShape& from, const Permutation& perm) {
  StridedShape s;
  s.rank = from.rank;
  for (int32_t i = 0; i < from.rank; ++i) {
    s.dims[i] = from.dims[perm.order[i]];
    s.strides[i] = from.strides[perm.order[i]];
  }
  return s;
}

// Strides that read the elements of `from` (in its row-major order) as `shape`, without moving
// them; false when `shape` splits or merges dims that `from` does not step through evenly
// (PyTorch's computeStride: walk both shapes from the back, chunk by chunk of evenly strided dims).
bool reshaped_view(const StridedShape& from, const Dims& shape, StridedShape& to) {
  to.rank = shape.nb_dims;
  int64_t count = 1;
  for (int32_t i = 0; i < shape.nb_dims; ++i) {
    to.dims[i] = shape.d[i];
    to.strides[i] = 0;
    count *= shape.d[i];
  }
  if (count <= 1) return true;  // nothing or one element: any strides read it
  int32_t view_d = shape.nb_dims - 1;
  int64_t chunk_stride = from.strides[from.rank - 1];
  int64_t tensor_count = 1, view_count = 1;
  for (int32_t d = from.rank - 1; d >= 0; --d) {
    tensor_count *= from.dims[d];
    bool chunk_ends =
        d == 0 || (from.dims[d - 1] != 1 && from.strides[d - 1] != tensor_count * chunk_stride);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_count < tensor_count || shape.d[view_d] == 1)) {
      to.strides[view_d] = view_count * chunk_stride;
      view_count *= shape.d[view_d];
      --view_d;
    }
    if (view_count != tensor_count) return false;
    if (d > 0) {
      chunk_stride = from.strides[d - 1];
      tensor_count = 1;
      view_count = 1;
    }
  }
  return view_d == -1;
}

bool is_identity(const Permutation& perm, int32_t rank) {
  for (int32_t i = 0; i < rank; ++i) {
    if (perm.order[i] != i) return false;
  }
  return true;
}

// How a shuffle runs: one strided copy of the input when the reshape can be expressed as a view
// of the first transpose, else the first transpose into the workspace and a second copy out.
struct ShufflePlan {
  StridedShape first;  // read from the input
  bool two_pass = false;
  StridedShape second;  // two_pass: read from the workspace (the dense first transpose)
};

ShufflePlan plan_shuffle(const ShuffleAttrs& attrs, const Dims& in, const Dims& out) {
  // The dims between the reshape and the second transpose: out[i] = reshaped[second[i]].
  Dims reshaped;
  reshaped.nb_dims = out.nb_dims;
  for (int32_t i = 0; i < out.nb_dims; ++i) reshaped.d[attrs.second_transpose.order[i]] = out.d[i];
  StridedShape transposed = permuted(contiguous(in), attrs.first_transpose);

  ShufflePlan plan;
  StridedShape view;
  if (reshaped_view(transposed, reshaped, view)) {
    plan.first = permuted(view, attrs.second_transpose);
  } else if (is_identity(attrs.second_transpose, out.nb_dims)) {
    plan.first = transposed;  // the dense first transpose is already the output
  } else {
    plan.first = transposed;
    plan.two_pass = true;
    plan.second = permuted(contiguous(reshaped), attrs.second_transpose);
  }
  return plan;
}

class ShuffleTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.shuffle"; }
  LayerType layer() const override { return LayerType::kSHUFFLE; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override { return true; }

  size_t workspace_size(const TacticQuery& q) const override {
    const Dims& in = q.inputs[0].dims;
    int64_t count = volume(in);
    if (count <= 0) return 0;
    ShufflePlan plan = plan_shuffle(q.node.get<ShuffleAttrs>(), in, q.outputs[0].dims);
    return plan.two_pass ? static_cast<size_t>(count * element_size(q.inputs[0].type)) : 0;
  }

  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& in = args.inputs[0];
    const DeviceTensor& out = args.outputs[0];
    int64_t count = volume(in.dims);
    if (count == 0) return;
    int64_t esize = element_size(in.type);
    ShufflePlan plan = plan_shuffle(args.node.get<ShuffleAttrs>(), in.dims, out.dims);
    if (!plan.two_pass) {
      strided_copy(out.data, in.data, esize, plan.first, args.stream);
      return;
    }
    KILN_CHECK(
        args.workspace != nullptr && args.workspace_size >= static_cast<size_t>(count * esize),
        "[shuffle '", args.node.name, "'] needs ", count * esize, " bytes of workspace, got ",
        args.workspace_size);
    strided_copy(args.workspace, in.data, esize, plan.first, args.stream);
    strided_copy(out.data, args.workspace, esize, plan.second, args.stream);
  }
};

class ConcatenationTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.concatenation"; }
  LayerType layer() const override { return LayerType::kCONCATENATION; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override { return true; }

  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& out = args.outputs[0];
    if (volume(out.dims) == 0) return;
    int32_t rank = out.dims.nb_dims;
    int32_t axis = normalized(args.node.get<ConcatenationAttrs>().axis, rank);
    int64_t esize = element_size(out.type);
    int64_t outer = product(out.dims, 0, axis);
    int64_t inner = product(out.dims, axis + 1, rank);
    int64_t row = out.dims.d[axis] * inner;

    // Inputs go kMaxConcatInputs at a time, each batch at the columns after the previous one.
    ConcatInput batch[kMaxConcatInputs];
    int32_t count = 0;
    int64_t offset = 0, width = 0;
    for (const DeviceTensor& in : args.inputs) {
      int64_t w = in.dims.d[axis] * inner;
      if (w == 0) continue;
      batch[count++] = {in.data, w};
      width += w;
      if (count == kMaxConcatInputs) {
        concat_rows(out.data, row, offset, batch, count, outer, esize, args.stream);
        offset += width;
        width = 0;
        count = 0;
      }
    }
    if (count > 0) concat_rows(out.data, row, offset, batch, count, outer, esize, args.stream);
  }
};

class SliceTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.slice"; }
  LayerType layer() const override { return LayerType::kSLICE; }
  TacticSource source() const override { return TacticSource::kKILN; }
  // The other sample modes read outside the input: cuda.kiln.slice_sampled (sampling.cpp).
  bool supports(const TacticQuery& q) const override {
    return q.node.get<SliceAttrs>().mode == SampleMode::kSTRICT_BOUNDS;
  }

  void enqueue(const LaunchArgs& args) const override {
    const SliceAttrs& attrs = args.node.get<SliceAttrs>();
    const DeviceTensor& in = args.inputs[0];
    const DeviceTensor& out = args.outputs[0];
    if (volume(out.dims) == 0) return;
    int64_t esize = element_size(in.type);
    StridedShape dense = contiguous(in.dims);
    StridedShape view;
    view.rank = out.dims.nb_dims;
    int64_t base = 0;  // element offset of the first element read
    for (int32_t i = 0; i < view.rank; ++i) {
      base += attrs.start.d[i] * dense.strides[i];
      view.dims[i] = out.dims.d[i];
      view.strides[i] = attrs.stride.d[i] * dense.strides[i];
    }
    strided_copy(out.data, static_cast<const uint8_t*>(in.data) + base * esize, esize, view,
                 args.stream);
  }
};

class GatherTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.gather"; }
  LayerType layer() const override { return LayerType::kGATHER; }
  TacticSource source() const override { return TacticSource::kKILN; }
  // kELEMENT and kND: cuda.kiln.gather_elements / gather_nd (sampling.cpp).
  bool supports(const TacticQuery& q) const override {
    DataType t = q.inputs[1].type;
    return (t == DataType::kINT32 || t == DataType::kINT64) &&
           q.node.get<GatherAttrs>().mode == GatherMode::kDEFAULT;
  }

  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& data = args.inputs[0];
    const DeviceTensor& indices = args.inputs[1];
    const DeviceTensor& out = args.outputs[0];
    if (volume(out.dims) == 0) return;
    int32_t rank = data.dims.nb_dims;
    int32_t axis = normalized(args.node.get<GatherAttrs>().axis, rank);
    gather(out.data, data.data, indices.data, indices.type == DataType::kINT64,
           product(data.dims, 0, axis), data.dims.d[axis], volume(indices.dims),
           product(data.dims, axis + 1, rank), element_size(data.type), args.stream);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(ShuffleTactic);
KILN_REGISTER_TACTIC(ConcatenationTactic);
KILN_REGISTER_TACTIC(SliceTactic);
KILN_REGISTER_TACTIC(GatherTactic);

}  // namespace kiln::cuda
