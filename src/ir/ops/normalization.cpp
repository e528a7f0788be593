// Normalization shape inference (layer, instance and group norm): inputs x, scale, bias of one
// float type; the output has x's type and shape. Validates the axes, the groups and the broadcast.
#include "ir/op.h"

namespace kiln::ir {
namespace {

// scale and bias broadcast against x without changing its shape: rank <= x's, and each dim is 1,
// x's dim, or unknown on either side.
void check_affine(const Node& node, const char* which, const Dims& p, const Dims& x) {
  bool ok = p.nb_dims <= x.nb_dims;
  for (int32_t i = 1; ok && i <= p.nb_dims; ++i) {
    int64_t dp = p.d[p.nb_dims - i], dx = x.d[x.nb_dims - i];
    ok = dp == 1 || dp == dx || dp < 0 || dx < 0;
  }
  if (!ok) {
    fail_at(node, which, " ", p, " must broadcast to x ", x,
            " without changing its shape (each dim 1 or x's dim, rank at most x's)");
  }
}

}  // namespace

void infer_normalization(const Node& node, std::span<const TensorDesc> inputs,
                         std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 3, 3);
  const auto& attrs = node.get<NormalizationAttrs>();
  const TensorDesc& x = inputs[0];
  const TensorDesc& scale = inputs[1];
  const TensorDesc& bias = inputs[2];
  if (!is_floating(x.type) || scale.type != x.type || bias.type != x.type) {
    fail_at(node, "x, scale and bias must have the same float type, got ", x.type, ", ", scale.type,
            " and ", bias.type);
  }
  int32_t rank = x.dims.nb_dims;
  check_axes(node, attrs.axes, rank);
  if (attrs.num_groups < 1) fail_at(node, "num_groups must be at least 1, got ", attrs.num_groups);
  if (attrs.axes == 0 && attrs.num_groups == 1) {
    fail_at(node, "axes bitmask is 0 and num_groups is 1: nothing to normalize over");
  }
  if (attrs.num_groups > 1) {
    if (rank < 2) fail_at(node, "num_groups > 1 needs channels (dim 1), but x is ", x.dims);
    if (attrs.axes & 2u) {
      fail_at(node, "with num_groups ", attrs.num_groups,
              " the channels (dim 1) are grouped and must not be in axes (0x", std::hex, attrs.axes,
              ")");
    }
    int64_t channels = x.dims.d[1];
    if (channels >= 0 && channels % attrs.num_groups != 0) {
      fail_at(node, "channels (dim 1 of x ", x.dims, ") = ", channels,
              " is not divisible by num_groups ", attrs.num_groups);
    }
  }
  check_affine(node, "scale", scale.dims, x.dims);
  check_affine(node, "bias", bias.dims, x.dims);
  if (!(attrs.epsilon >= 0.0f)) fail_at(node, "epsilon must be >= 0, got ", attrs.epsilon);
  outputs[0] = x;
}

}  // namespace kiln::ir
