// Shape inference of the resize layer: the output dims are given, or floor(in * scale) per
// dimension (ONNX Resize). Linear and cubic interpolation need a floating input.
#include <cmath>

#include "ir/op.h"

namespace kiln::ir {

void infer_resize(const Node& node, std::span<const TensorDesc> inputs,
                  std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  const ResizeAttrs& a = node.get<ResizeAttrs>();
  const TensorDesc& x = inputs[0];
  int32_t rank = x.dims.nb_dims;
  if (rank < 1) fail_at(node, "input is 0-d; expected rank 1 or more");
  if (a.mode != InterpolationMode::kNEAREST && !is_floating(x.type)) {
    fail_at(node, a.mode == InterpolationMode::kLINEAR ? "linear" : "cubic",
            " interpolation needs a float32, float16 or bfloat16 input, got ", x.type,
            " (nearest takes any type)");
  }
  Dims out;
  out.nb_dims = rank;
  if (a.use_scales) {
    if (a.num_scales != rank) {
      fail_at(node, a.num_scales, " scales given for an input of rank ", rank, " (", x.dims,
              "); expected one per dimension");
    }
    for (int32_t i = 0; i < rank; ++i) {
      if (!(a.scales[i] > 0.0f)) fail_at(node, "scale ", i, " is ", a.scales[i], "; expected > 0");
      int64_t in = x.dims.d[i];
      out.d[i] = in < 0 ? -1
                        : static_cast<int64_t>(std::floor(static_cast<double>(in) *
                                                          static_cast<double>(a.scales[i])));
    }
  } else {
    if (a.output_dims.nb_dims != rank) {
      fail_at(node, "output dimensions ", a.output_dims, " have rank ", a.output_dims.nb_dims,
              " but the input ", x.dims, " has rank ", rank);
    }
    out = a.output_dims;
  }
  for (int32_t i = 0; i < rank; ++i) {
    if (out.d[i] < 0 && out.d[i] != -1) fail_at(node, "output dimension ", i, " is ", out.d[i]);
    if (x.dims.d[i] == 0 && out.d[i] > 0) {
      fail_at(node, "dimension ", i, " of the input ", x.dims, " is empty but the output ", out,
              " is not; there is nothing to resize from");
    }
  }
  outputs[0] = {x.type, out};
}

}  // namespace kiln::ir
