// kiln's own CUDA tactics of the reduction layers: softmax, reduce, normalization and top-k, for
// every type combination the CPU reference accepts, at any shape (grouped normalization: < 8 dims).
//
// enqueue() unpacks the node's attributes and dims and calls one launcher of kernels/reduction.h
// or kernels/topk.h: no allocation, no synchronisation, nothing launched for empty outputs.
#include <bit>

#include "backends/cuda/kernels/reduction.h"
#include "backends/cuda/kernels/topk.h"
#include "backends/cuda/tactic.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

// The expected numbers of inputs and outputs, no input absent.
bool arity(const TacticQuery& q, size_t inputs, size_t outputs) {
  if (q.inputs.size() != inputs || q.outputs.size() != outputs) return false;
  for (const ir::TensorDesc& t : q.inputs) {
    if (t.dims.nb_dims < 0) return false;
  }
  return true;
}

bool is_int32_or_64(DataType t) {
  return t == DataType::kINT32 || t == DataType::kINT64;
}

class SoftMaxTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.softmax"; }
  LayerType layer() const override { return LayerType::kSOFTMAX; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    return arity(q, 1, 1) && ir::is_floating(q.inputs[0].type) &&
           q.outputs[0].type == q.inputs[0].type && q.node.get<SoftMaxAttrs>().axes != 0;
  }
  size_t workspace_size(const TacticQuery& q) const override {
    return softmax_workspace_size(q.inputs[0].dims, q.node.get<SoftMaxAttrs>().axes);
  }
  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& x = args.inputs[0];
    launch_softmax(x.type, x.data, args.outputs[0].data, x.dims, args.node.get<SoftMaxAttrs>().axes,
                   args.workspace, args.workspace_size, args.stream);
  }
};

class ReduceTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.reduce"; }
  LayerType layer() const override { return LayerType::kREDUCE; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    if (!arity(q, 1, 1)) return false;
    DataType t = q.inputs[0].type;
    bool avg = q.node.get<ReduceAttrs>().op == ReduceOperation::kAVG;
    return (ir::is_floating(t) || (is_int32_or_64(t) && !avg)) && q.outputs[0].type == t;
  }
  size_t workspace_size(const TacticQuery& q) const override {
    return reduce_workspace_size(q.inputs[0].dims, q.node.get<ReduceAttrs>().axes);
  }
  void enqueue(const LaunchArgs& args) const override {
    const ReduceAttrs& a = args.node.get<ReduceAttrs>();
    const DeviceTensor& x = args.inputs[0];
    launch_reduce(a.op, x.type, x.data, args.outputs[0].data, x.dims, a.axes, args.workspace,
                  args.workspace_size, args.stream);
  }
};

class NormalizationTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.normalization"; }
  LayerType layer() const override { return LayerType::kNORMALIZATION; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    if (!arity(q, 3, 1)) return false;
    DataType t = q.inputs[0].type;
    // Grouping splits dim 1 in two; the kernels hold at most 8 dims.
    if (q.node.get<NormalizationAttrs>().num_groups > 1 &&
        q.inputs[0].dims.nb_dims >= Dims::kMaxDims) {
      return false;
    }
    return ir::is_floating(t) && q.inputs[1].type == t && q.inputs[2].type == t &&
           q.outputs[0].type == t;
  }
  size_t workspace_size(const TacticQuery& q) const override {
    const NormalizationAttrs& a = q.node.get<NormalizationAttrs>();
    return normalization_workspace_size(q.inputs[0].dims, a.axes, a.num_groups);
  }
  void enqueue(const LaunchArgs& args) const override {
    const NormalizationAttrs& a = args.node.get<NormalizationAttrs>();
    const DeviceTensor& x = args.inputs[0];
    const DeviceTensor& scale = args.inputs[1];
    const DeviceTensor& bias = args.inputs[2];
    launch_normalization(x.type, x.data, x.dims, scale.data, scale.dims, bias.data, bias.dims,
                         args.outputs[0].data, a.axes, a.num_groups, a.epsilon, args.workspace,
                         args.workspace_size, args.stream);
  }
};

// x seen as [outer, size, inner] around the top-k axis.
struct TopKGeometry {
  int64_t outer = 1, size = 1, inner = 1;
};

TopKGeometry geometry(const Dims& dims, uint32_t axes) {
  int32_t axis = std::countr_zero(axes);
  TopKGeometry g;
  for (int32_t i = 0; i < axis; ++i) g.outer *= dims.d[i];
  g.size = dims.d[axis];
  for (int32_t i = axis + 1; i < dims.nb_dims; ++i) g.inner *= dims.d[i];
  return g;
}

class TopKTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.topk"; }
  LayerType layer() const override { return LayerType::kTOPK; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    if (!arity(q, 1, 2)) return false;
    const TopKAttrs& a = q.node.get<TopKAttrs>();
    DataType t = q.inputs[0].type;
    const Dims& dims = q.inputs[0].dims;
    if (std::popcount(a.axes) != 1 || std::countr_zero(a.axes) >= dims.nb_dims) return false;
    if (dims.d[std::countr_zero(a.axes)] > INT32_MAX) return false;  // indices are int32
    return (ir::is_floating(t) || is_int32_or_64(t)) && q.outputs[0].type == t &&
           q.outputs[1].type == DataType::kINT32;
  }
  size_t workspace_size(const TacticQuery& q) const override {
    const TopKAttrs& a = q.node.get<TopKAttrs>();
    TopKGeometry g = geometry(q.inputs[0].dims, a.axes);
    return topk_workspace_size(q.inputs[0].type, g.outer, g.size, g.inner, a.k);
  }
  void enqueue(const LaunchArgs& args) const override {
    const TopKAttrs& a = args.node.get<TopKAttrs>();
    const DeviceTensor& x = args.inputs[0];
    TopKGeometry g = geometry(x.dims, a.axes);
    int64_t k = args.outputs[0].dims.d[std::countr_zero(a.axes)];
    launch_topk(x.type, a.op == TopKOperation::kMAX, x.data, args.outputs[0].data,
                static_cast<int32_t*>(args.outputs[1].data), g.outer, g.size, g.inner, k,
                args.workspace, args.workspace_size, args.stream);
  }
};

KILN_REGISTER_TACTIC(SoftMaxTactic);
KILN_REGISTER_TACTIC(ReduceTactic);
KILN_REGISTER_TACTIC(NormalizationTactic);
KILN_REGISTER_TACTIC(TopKTactic);

}  // namespace

}  // namespace kiln::cuda
