// Deconvolution (transposed convolution): validation and shape inference. x [N, C, in...] with
// kernel [C, K/groups, k...] (+ bias [K]) -> [N, K, out...], out = (in - 1) * stride +
// dilation * (k - 1) + 1 - pre - post; post may be negative (ONNX output_padding).
#include <algorithm>

#include "ir/op.h"

namespace kiln::ir {

void infer_deconvolution(const Node& node, std::span<const TensorDesc> inputs,
                         std::span<TensorDesc> outputs) {
  const DeconvolutionAttrs& a = node.get<DeconvolutionAttrs>();
  expect_inputs(node, inputs, 2, 3);
  const Dims& ks = a.kernel_shape;
  const int32_t rank = ks.nb_dims;
  if (rank < 1 || rank > 3) {
    fail_at(node, "kernel_shape ", ks, " has ", rank, " dims; expected 1, 2 or 3 spatial dims");
  }
  check_spatial_param(node, "kernel_shape", ks, rank, 1);
  check_spatial_param(node, "stride", a.stride, rank, 1);
  check_spatial_param(node, "pre_padding", a.pre_padding, rank, 0);
  check_spatial_param(node, "post_padding", a.post_padding, rank, INT64_MIN);
  check_spatial_param(node, "dilation", a.dilation, rank, 1);
  for (int32_t i = 0; i < rank; ++i) {
    int64_t limit = std::max(a.stride.d[i], a.dilation.d[i]) - 1;
    if (a.post_padding.d[i] < -limit) {
      fail_at(node, "post_padding ", a.post_padding,
              " is below -(max(stride, dilation) - 1) = ", -limit, " in spatial dim ", i,
              " (ONNX: output_padding must be below the stride)");
    }
  }
  const int64_t k_out = a.num_output_maps;
  const int64_t groups = a.num_groups;
  if (k_out < 1) fail_at(node, "num_output_maps must be >= 1, got ", k_out);
  if (groups < 1) fail_at(node, "num_groups must be >= 1, got ", groups);
  if (k_out % groups != 0) {
    fail_at(node, "num_output_maps ", k_out, " is not divisible by num_groups ", groups);
  }

  const TensorDesc& x = inputs[0];
  const TensorDesc& w = inputs[1];
  check_float(node, "input", x.type);
  check_float(node, "kernel", w.type);
  if (x.dims.nb_dims != rank + 2) {
    fail_at(node, "input ", x.dims, " has ", x.dims.nb_dims, " dims but a kernel of shape ", ks,
            " needs ", rank + 2, " ([N, C, ", rank, " spatial dims])");
  }
  if (w.dims.nb_dims != rank + 2) {
    fail_at(node, "kernel tensor ", w.dims, " has ", w.dims.nb_dims, " dims; expected ", rank + 2,
            " ([C, K/groups, ", ks, "])");
  }
  if (w.dims.d[1] >= 0 && w.dims.d[1] * groups != k_out) {
    fail_at(node, "kernel tensor ", w.dims, " has ", w.dims.d[1], " output maps per group x ",
            groups, " groups but num_output_maps is ", k_out);
  }
  for (int32_t i = 0; i < rank; ++i) {
    int64_t got = w.dims.d[2 + i];
    if (got >= 0 && got != ks.d[i]) {
      fail_at(node, "kernel tensor ", w.dims, " does not match kernel_shape ", ks,
              " in spatial dim ", i, ": ", got, " vs ", ks.d[i]);
    }
  }
  const int64_t channels = x.dims.d[1];
  if (channels >= 0) {
    if (channels % groups != 0) {
      fail_at(node, "input ", x.dims, " has ", channels, " channels, not divisible by num_groups ",
              groups);
    }
    if (w.dims.d[0] >= 0 && w.dims.d[0] != channels) {
      fail_at(node, "input ", x.dims, " has ", channels, " channels but the kernel ", w.dims,
              " has ", w.dims.d[0], " ([C, K/groups, k...])");
    }
  }
  if (inputs.size() == 3 && inputs[2].dims.nb_dims >= 0) {
    const TensorDesc& b = inputs[2];
    check_float(node, "bias", b.type);
    if (b.dims.nb_dims != 1 || (b.dims.d[0] >= 0 && b.dims.d[0] != k_out)) {
      fail_at(node, "bias ", b.dims, " must have shape [", k_out, "] (num_output_maps)");
    }
  }

  Dims out;
  out.nb_dims = rank + 2;
  out.d[0] = x.dims.d[0];
  out.d[1] = k_out;
  for (int32_t i = 0; i < rank; ++i) {
    int64_t in = x.dims.d[2 + i];
    if (in < 0) {
      out.d[2 + i] = -1;
      continue;
    }
    int64_t grown = 0, spread = 0, size = 0;  // sizes from plans may be anything (fuzz_plan)
    if (__builtin_mul_overflow(in - 1, a.stride.d[i], &grown) ||
        __builtin_mul_overflow(a.dilation.d[i], ks.d[i] - 1, &spread) ||
        __builtin_add_overflow(grown, spread, &size) || __builtin_add_overflow(size, 1, &size) ||
        __builtin_sub_overflow(size, a.pre_padding.d[i], &size) ||
        __builtin_sub_overflow(size, a.post_padding.d[i], &size)) {
      fail_at(node, "spatial dim ", i, ": input ", in, ", stride ", a.stride.d[i], ", kernel ",
              ks.d[i], ", dilation ", a.dilation.d[i], " and padding ", a.pre_padding.d[i], "+",
              a.post_padding.d[i], " pass the range of 64-bit sizes");
    }
    if (in < 1 || size < 1) {
      fail_at(node, "spatial dim ", i, ": an input of ", in, " gives an output of ", size,
              " (stride ", a.stride.d[i], ", kernel ", ks.d[i], ", dilation ", a.dilation.d[i],
              ", padding ", a.pre_padding.d[i], "+", a.post_padding.d[i], "); expected at least 1");
    }
    out.d[2 + i] = size;
  }
  outputs[0] = {x.type, out};
}

}  // namespace kiln::ir
