// kiln's CUDA tactics of the indexing layers the ONNX importer needs: slice in a sample mode
// (wrap, clamp, fill, reflect), gather by element / by n-tuple, scatter by element / by n-tuple
// (no reduction), one-hot. Applies to every element type.
//
// Like cuda.kiln.gather, these differ from the CPU reference on out-of-range indices: enqueue()
// may not read device data on the host, so gathers write zeros and scatters skip such updates.
// With repeated scatter indices the winning update is unspecified (ONNX allows that).
#include <cstring>

#include "backends/cuda/check.h"
#include "backends/cuda/kernels/indexing.h"
#include "backends/cuda/tactics/util.h"
#include "core/half.h"

namespace kiln::cuda {
namespace {

bool is_index_type(DataType t) {
  return t == DataType::kINT32 || t == DataType::kINT64;
}

int32_t normalized(int32_t axis, int32_t rank) {
  return axis < 0 ? axis + rank : axis;
}

// The fill value as the bytes of one element of `type`, in the low bytes of a uint64_t.
uint64_t fill_bits(DataType type, double value) {
  uint64_t bits = 0;
  auto put = [&](auto v) { std::memcpy(&bits, &v, sizeof(v)); };
  switch (type) {
    case DataType::kFLOAT:
      put(static_cast<float>(value));
      break;
    case DataType::kHALF:
      put(to_half(static_cast<float>(value)));
      break;
    case DataType::kBF16:
      put(to_bfloat16(static_cast<float>(value)));
      break;
    case DataType::kINT8:
      put(static_cast<int8_t>(value));
      break;
    case DataType::kUINT8:
      put(static_cast<uint8_t>(value));
      break;
    case DataType::kINT32:
      put(static_cast<int32_t>(value));
      break;
    case DataType::kINT64:
      put(static_cast<int64_t>(value));
      break;
    case DataType::kBOOL:
      put(static_cast<uint8_t>(value != 0.0));
      break;
  }
  return bits;
}

class SliceSampledTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.slice_sampled"; }
  LayerType layer() const override { return LayerType::kSLICE; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    return q.node.get<SliceAttrs>().mode != SampleMode::kSTRICT_BOUNDS;
  }
  void enqueue(const LaunchArgs& args) const override {
    const SliceAttrs& a = args.node.get<SliceAttrs>();
    const DeviceTensor& in = args.inputs[0];
    const DeviceTensor& out = args.outputs[0];
    StridedShape dense = contiguous(in.dims);
    SliceSampling s;
    s.rank = out.dims.nb_dims;
    s.mode = static_cast<int32_t>(a.mode);
    for (int32_t i = 0; i < s.rank; ++i) {
      s.out_dims[i] = out.dims.d[i];
      s.start[i] = a.start.d[i];
      s.step[i] = a.stride.d[i];
      s.in_dims[i] = in.dims.d[i];
      s.in_strides[i] = dense.strides[i];
    }
    slice_sampled(out.data, in.data, element_size(in.type), s, fill_bits(in.type, a.fill_value),
                  args.stream);
  }
};

ElementIndexing element_indexing(const Dims& data, const Dims& indices, int32_t axis) {
  ElementIndexing e;
  StridedShape dense = contiguous(data);
  e.rank = data.nb_dims;
  e.axis = normalized(axis, e.rank);
  e.axis_size = data.d[e.axis];
  for (int32_t i = 0; i < e.rank; ++i) {
    e.index_dims[i] = indices.d[i];
    e.data_strides[i] = dense.strides[i];
  }
  return e;
}

// k-tuples of `indices` addressing data's dims batch..batch+k-1.
TupleIndexing tuple_indexing(const Dims& data, const Dims& indices, int32_t batch) {
  TupleIndexing t;
  StridedShape dense = contiguous(data);
  int32_t q = indices.nb_dims;
  t.k = static_cast<int32_t>(indices.d[q - 1]);
  t.tuples = 1;
  for (int32_t i = 0; i < batch; ++i) t.batches *= data.d[i];
  for (int32_t i = batch; i < q - 1; ++i) t.tuples *= indices.d[i];
  for (int32_t i = batch + t.k; i < data.nb_dims; ++i) t.block *= data.d[i];
  t.batch_stride = batch > 0 ? dense.strides[batch - 1] : 0;
  for (int32_t j = 0; j < t.k; ++j) {
    t.sizes[j] = data.d[batch + j];
    t.strides[j] = dense.strides[batch + j];
  }
  return t;
}

class GatherElementsTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.gather_elements"; }
  LayerType layer() const override { return LayerType::kGATHER; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    return is_index_type(q.inputs[1].type) &&
           q.node.get<GatherAttrs>().mode == GatherMode::kELEMENT;
  }
  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& data = args.inputs[0];
    const DeviceTensor& indices = args.inputs[1];
    gather_elements(args.outputs[0].data, data.data, indices.data, indices.type == DataType::kINT64,
                    element_indexing(data.dims, indices.dims, args.node.get<GatherAttrs>().axis),
                    element_size(data.type), args.stream);
  }
};

class GatherNDTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.gather_nd"; }
  LayerType layer() const override { return LayerType::kGATHER; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    return is_index_type(q.inputs[1].type) && q.node.get<GatherAttrs>().mode == GatherMode::kND;
  }
  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& data = args.inputs[0];
    const DeviceTensor& indices = args.inputs[1];
    gather_nd(
        args.outputs[0].data, data.data, indices.data, indices.type == DataType::kINT64,
        tuple_indexing(data.dims, indices.dims, args.node.get<GatherAttrs>().num_elementwise_dims),
        element_size(data.type), args.stream);
  }
};

class ScatterTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.scatter"; }
  LayerType layer() const override { return LayerType::kSCATTER; }
  TacticSource source() const override { return TacticSource::kKILN; }
  // Reductions (a kiln extension) have only the CPU kernel so far.
  bool supports(const TacticQuery& q) const override {
    return is_index_type(q.inputs[1].type) &&
           q.node.get<ScatterAttrs>().reduction == ScatterReduction::kNONE;
  }
  void enqueue(const LaunchArgs& args) const override {
    const ScatterAttrs& a = args.node.get<ScatterAttrs>();
    const DeviceTensor& data = args.inputs[0];
    const DeviceTensor& indices = args.inputs[1];
    const DeviceTensor& updates = args.inputs[2];
    const DeviceTensor& out = args.outputs[0];
    int64_t esize = element_size(data.type);
    int64_t bytes = volume(data.dims) * esize;
    if (bytes == 0) return;
    if (out.data != data.data) {
      KILN_CUDA_CHECK(cudaMemcpyAsync(out.data, data.data, static_cast<size_t>(bytes),
                                      cudaMemcpyDeviceToDevice, args.stream));
    }
    bool int64 = indices.type == DataType::kINT64;
    if (a.mode == ScatterMode::kELEMENT) {
      scatter_elements(out.data, updates.data, indices.data, int64,
                       element_indexing(data.dims, indices.dims, a.axis), esize, args.stream);
    } else {
      scatter_nd(out.data, updates.data, indices.data, int64,
                 tuple_indexing(data.dims, indices.dims, 0), esize, args.stream);
    }
  }
};

class OneHotTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.one_hot"; }
  LayerType layer() const override { return LayerType::kONE_HOT; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override { return is_index_type(q.inputs[0].type); }
  void enqueue(const LaunchArgs& args) const override {
    const OneHotAttrs& a = args.node.get<OneHotAttrs>();
    const DeviceTensor& indices = args.inputs[0];
    const DeviceTensor& out = args.outputs[0];
    int32_t rank = out.dims.nb_dims;
    int32_t axis = normalized(a.axis, rank);
    int64_t outer = 1, inner = 1;
    for (int32_t i = 0; i < axis; ++i) outer *= out.dims.d[i];
    for (int32_t i = axis + 1; i < rank; ++i) inner *= out.dims.d[i];
    one_hot(out.data, indices.data, indices.type == DataType::kINT64, args.inputs[1].data, outer,
            a.depth, inner, element_size(out.type), args.stream);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(SliceSampledTactic);
KILN_REGISTER_TACTIC(GatherElementsTactic);
KILN_REGISTER_TACTIC(GatherNDTactic);
KILN_REGISTER_TACTIC(ScatterTactic);
KILN_REGISTER_TACTIC(OneHotTactic);

}  // namespace kiln::cuda
