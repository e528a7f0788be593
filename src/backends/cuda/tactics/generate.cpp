// kiln's CUDA tactics of the shape, fill (linspace), cumulative and LRN layers: small kernels
// from kernels/generate.cu. A shape or fill layer usually folds at build time; these run the
// rest (a shape of a dynamic input).
#include "backends/cuda/kernels/generate.h"
#include "backends/cuda/tactics/util.h"

namespace kiln::cuda {
namespace {

bool is_float(DataType t) {
  return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16;
}

class ShapeTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.shape"; }
  LayerType layer() const override { return LayerType::kSHAPE; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override { return true; }
  void enqueue(const LaunchArgs& args) const override {
    const Dims& dims = args.inputs[0].dims;
    write_dims(static_cast<int64_t*>(args.outputs[0].data), dims.d, dims.nb_dims, args.stream);
  }
};

class FillTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.fill"; }
  LayerType layer() const override { return LayerType::kFILL; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    DataType t = q.outputs[0].type;
    return q.node.get<FillAttrs>().op == FillOperation::kLINSPACE &&
           (is_float(t) || t == DataType::kINT32 || t == DataType::kINT64);
  }
  void enqueue(const LaunchArgs& args) const override {
    const FillAttrs& a = args.node.get<FillAttrs>();
    const DeviceTensor& y = args.outputs[0];
    linspace(y.data, static_cast<int32_t>(y.type), volume(y.dims), a.alpha, a.beta, args.stream);
  }
};

class CumulativeTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.cumulative"; }
  LayerType layer() const override { return LayerType::kCUMULATIVE; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    DataType t = q.inputs[0].type;
    return is_float(t) || t == DataType::kINT32 || t == DataType::kINT64;
  }
  void enqueue(const LaunchArgs& args) const override {
    const CumulativeAttrs& a = args.node.get<CumulativeAttrs>();
    const DeviceTensor& x = args.inputs[0];
    int32_t rank = x.dims.nb_dims;
    int32_t axis = a.axis < 0 ? a.axis + rank : a.axis;
    int64_t outer = 1, inner = 1;
    for (int32_t i = 0; i < axis; ++i) outer *= x.dims.d[i];
    for (int32_t i = axis + 1; i < rank; ++i) inner *= x.dims.d[i];
    cumulative_sum(args.outputs[0].data, x.data, static_cast<int32_t>(x.type), outer,
                   x.dims.d[axis], inner, a.exclusive, a.reverse, args.stream);
  }
};

class LRNTactic final : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.lrn"; }
  LayerType layer() const override { return LayerType::kLRN; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override { return is_float(q.inputs[0].type); }
  void enqueue(const LaunchArgs& args) const override {
    const LRNAttrs& a = args.node.get<LRNAttrs>();
    const DeviceTensor& x = args.inputs[0];
    int64_t spatial = 1;
    for (int32_t i = 2; i < x.dims.nb_dims; ++i) spatial *= x.dims.d[i];
    lrn(args.outputs[0].data, x.data, static_cast<int32_t>(x.type), x.dims.d[0], x.dims.d[1],
        spatial, a.window, a.alpha, a.beta, a.k, args.stream);
  }
};

}  // namespace

KILN_REGISTER_TACTIC(ShapeTactic);
KILN_REGISTER_TACTIC(FillTactic);
KILN_REGISTER_TACTIC(CumulativeTactic);
KILN_REGISTER_TACTIC(LRNTactic);

}  // namespace kiln::cuda
