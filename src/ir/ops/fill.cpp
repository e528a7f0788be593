// Shape inference of the fill layer: no inputs; the output has the layer's dims and type. kiln
// runs kLINSPACE over a 1-D output only.
#include "ir/op.h"

namespace kiln::ir {

void infer_fill(const Node& node, std::span<const TensorDesc> inputs,
                std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 0, 0);
  const FillAttrs& a = node.get<FillAttrs>();
  if (a.op != FillOperation::kLINSPACE) {
    fail_at(node, "fill operation ", static_cast<int>(a.op),
            " (random) is not supported; kiln runs kLINSPACE only");
  }
  if (a.dims.nb_dims != 1) {
    fail_at(node, "kLINSPACE needs a 1-D output, got dimensions ", a.dims);
  }
  if (a.dims.d[0] < 0) fail_at(node, "dimensions ", a.dims, " must be known and >= 0");
  if (a.output_type == DataType::kBOOL || a.output_type == DataType::kINT8 ||
      a.output_type == DataType::kUINT8) {
    fail_at(node, "kLINSPACE output type ", a.output_type,
            " is not supported; expected a float type, int32 or int64");
  }
  outputs[0] = {a.output_type, a.dims};
}

}  // namespace kiln::ir
