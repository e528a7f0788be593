// kiln's own CUDA tactics for the pointwise layers: activation, unary, elementwise, select, cast
// and identity. Each applies to every type combination the CPU reference accepts, at any shape.
//
// enqueue() unpacks the node's attributes and tensors and calls one launcher of
// kernels/pointwise.h: no allocation, no synchronisation, nothing launched for empty tensors.
#include "backends/cuda/kernels/pointwise.h"
#include "backends/cuda/tactics/util.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

bool is_signed_integer(DataType t) {
  return t == DataType::kINT8 || t == DataType::kINT32 || t == DataType::kINT64;
}

bool is_data_type(DataType t) {
  return static_cast<int32_t>(t) >= static_cast<int32_t>(DataType::kFLOAT) &&
         static_cast<int32_t>(t) <= static_cast<int32_t>(DataType::kBOOL);
}

// The query has the expected numbers of inputs and outputs, none of them absent.
bool arity(const TacticQuery& q, size_t inputs) {
  if (q.inputs.size() != inputs || q.outputs.size() != 1) return false;
  for (const ir::TensorDesc& t : q.inputs) {
    if (t.dims.nb_dims < 0) return false;
  }
  return true;
}

// Elements of a tensor at concrete dims (1 for 0-d).
int64_t elements(const DeviceTensor& t) {
  return volume(t.dims);
}

class ActivationTactic : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.activation"; }
  LayerType layer() const override { return LayerType::kACTIVATION; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    if (!arity(q, 1)) return false;
    auto type = q.node.get<ActivationAttrs>().type;
    return static_cast<int32_t>(type) >= 0 &&
           static_cast<int32_t>(type) <= static_cast<int32_t>(ActivationType::kMISH) &&
           ir::is_floating(q.inputs[0].type) && q.outputs[0].type == q.inputs[0].type;
  }
  void enqueue(const LaunchArgs& args) const override {
    const ActivationAttrs& a = args.node.get<ActivationAttrs>();
    const DeviceTensor& x = args.inputs[0];
    const DeviceTensor& y = args.outputs[0];
    launch_activation(a.type, a.alpha, a.beta, x.type, x.data, y.data, elements(y), args.stream);
  }
};

class UnaryTactic : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.unary"; }
  LayerType layer() const override { return LayerType::kUNARY; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    if (!arity(q, 1)) return false;
    DataType t = q.inputs[0].type;
    if (q.outputs[0].type != t) return false;
    switch (q.node.get<UnaryAttrs>().op) {
      case UnaryOperation::kNOT:
        return t == DataType::kBOOL;
      case UnaryOperation::kABS:
      case UnaryOperation::kNEG:
      case UnaryOperation::kSIGN:
        return ir::is_floating(t) || is_signed_integer(t);
      case UnaryOperation::kEXP:
      case UnaryOperation::kLOG:
      case UnaryOperation::kSQRT:
      case UnaryOperation::kRECIP:
      case UnaryOperation::kSIN:
      case UnaryOperation::kCOS:
      case UnaryOperation::kTAN:
      case UnaryOperation::kERF:
      case UnaryOperation::kSINH:
      case UnaryOperation::kCOSH:
      case UnaryOperation::kASIN:
      case UnaryOperation::kACOS:
      case UnaryOperation::kATAN:
      case UnaryOperation::kASINH:
      case UnaryOperation::kACOSH:
      case UnaryOperation::kATANH:
      case UnaryOperation::kFLOOR:
      case UnaryOperation::kCEIL:
      case UnaryOperation::kROUND:
        return ir::is_floating(t);
    }
    return false;
  }
  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& x = args.inputs[0];
    const DeviceTensor& y = args.outputs[0];
    launch_unary(args.node.get<UnaryAttrs>().op, x.type, x.data, y.data, elements(y), args.stream);
  }
};

class ElementWiseTactic : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.elementwise"; }
  LayerType layer() const override { return LayerType::kELEMENTWISE; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    using Op = ElementWiseOperation;
    if (!arity(q, 2)) return false;
    DataType t = q.inputs[0].type;
    if (q.inputs[1].type != t) return false;
    DataType out = t;
    switch (q.node.get<ElementWiseAttrs>().op) {
      case Op::kAND:
      case Op::kOR:
      case Op::kXOR:
        if (t != DataType::kBOOL) return false;
        break;
      case Op::kEQUAL:
        if (!is_data_type(t)) return false;
        out = DataType::kBOOL;
        break;
      case Op::kGREATER:
      case Op::kLESS:
        if (!is_data_type(t) || t == DataType::kBOOL) return false;
        out = DataType::kBOOL;
        break;
      case Op::kSUM:
      case Op::kPROD:
      case Op::kMAX:
      case Op::kMIN:
      case Op::kSUB:
      case Op::kDIV:
      case Op::kPOW:
      case Op::kFLOOR_DIV:
        if (!ir::is_floating(t) && !is_signed_integer(t)) return false;
        break;
      default:
        return false;
    }
    return q.outputs[0].type == out;
  }
  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& a = args.inputs[0];
    const DeviceTensor& b = args.inputs[1];
    const DeviceTensor& y = args.outputs[0];
    launch_elementwise(args.node.get<ElementWiseAttrs>().op, a.type, a.data,
                       broadcast_to(a.dims, y.dims), b.data, broadcast_to(b.dims, y.dims), y.data,
                       args.stream);
  }
};

class SelectTactic : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.select"; }
  LayerType layer() const override { return LayerType::kSELECT; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    if (!arity(q, 3)) return false;
    DataType t = q.inputs[1].type;
    return q.inputs[0].type == DataType::kBOOL && is_data_type(t) && q.inputs[2].type == t &&
           q.outputs[0].type == t;
  }
  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& c = args.inputs[0];
    const DeviceTensor& t = args.inputs[1];
    const DeviceTensor& e = args.inputs[2];
    const DeviceTensor& y = args.outputs[0];
    launch_select(y.type, c.data, broadcast_to(c.dims, y.dims), t.data,
                  broadcast_to(t.dims, y.dims), e.data, broadcast_to(e.dims, y.dims), y.data,
                  args.stream);
  }
};

// Cast and identity are the same conversion, any type to any type; they differ only in the
// attribute that names the output type.
bool supports_convert(const TacticQuery& q, DataType to) {
  return arity(q, 1) && is_data_type(q.inputs[0].type) && is_data_type(to) &&
         q.outputs[0].type == to;
}

void enqueue_convert(const LaunchArgs& args) {
  const DeviceTensor& x = args.inputs[0];
  const DeviceTensor& y = args.outputs[0];
  launch_convert(x.type, y.type, x.data, y.data, elements(y), args.stream);
}

class CastTactic : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.cast"; }
  LayerType layer() const override { return LayerType::kCAST; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    return supports_convert(q, q.node.get<CastAttrs>().to_type);
  }
  void enqueue(const LaunchArgs& args) const override { enqueue_convert(args); }
};

class IdentityTactic : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.identity"; }
  LayerType layer() const override { return LayerType::kIDENTITY; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    return supports_convert(q, q.node.get<IdentityAttrs>().output_type);
  }
  void enqueue(const LaunchArgs& args) const override { enqueue_convert(args); }
};

KILN_REGISTER_TACTIC(ActivationTactic);
KILN_REGISTER_TACTIC(UnaryTactic);
KILN_REGISTER_TACTIC(ElementWiseTactic);
KILN_REGISTER_TACTIC(SelectTactic);
KILN_REGISTER_TACTIC(CastTactic);
KILN_REGISTER_TACTIC(IdentityTactic);

}  // namespace

}  // namespace kiln::cuda
