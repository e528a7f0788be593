// Shape inference of the fill layer: the output has the layer's dims (or those of the shape
// tensor in input 0) and type. kiln runs kLINSPACE over a 1-D output only.
#include "ir/op.h"

namespace kiln::ir {

void infer_fill(const Node& node, std::span<const TensorDesc> inputs,
                std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 0, 1);
  const FillAttrs& a = node.get<FillAttrs>();
  // Input 0 (optional, TensorRT's IFillLayer::setInput(0)): the dims as a shape tensor.
  Dims dims = a.dims;
  bool from_tensor = inputs.size() == 1 && inputs[0].dims.nb_dims >= 0;
  if (from_tensor) {
    dims = shape_input(node, inputs[0], "input 0 (dimensions)");
    for (int32_t i = 0; i < dims.nb_dims; ++i) {
      if (dims.d[i] == kUnknownValue)
        dims.d[i] = -1;
      else if (dims.d[i] < 0)
        fail_at(node, "dimensions ", dims, " from input 0 hold a negative value");
    }
  }
  if (a.op != FillOperation::kLINSPACE) {
    fail_at(node, "fill operation ", static_cast<int>(a.op),
            " (random) is not supported; kiln runs kLINSPACE only");
  }
  if (dims.nb_dims != 1) {
    fail_at(node, "kLINSPACE needs a 1-D output, got dimensions ", dims);
  }
  if (dims.d[0] < 0 && !from_tensor) {  // a shape tensor's value may be known only at run time
    fail_at(node, "dimensions ", dims, " must be known and >= 0");
  }
  if (a.output_type == DataType::kBOOL || a.output_type == DataType::kINT8 ||
      a.output_type == DataType::kUINT8) {
    fail_at(node, "kLINSPACE output type ", a.output_type,
            " is not supported; expected a float type, int32 or int64");
  }
  outputs[0] = {a.output_type, dims};
}

}  // namespace kiln::ir
