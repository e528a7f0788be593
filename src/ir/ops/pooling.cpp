// Pooling: validation and shape inference. x [N, C, in...] -> [N, C, out...] with
// out = floor((in + pre + post - window) / stride) + 1 per spatial dim; max or average.
#include <algorithm>

#include "ir/op.h"

namespace kiln::ir {

void infer_pooling(const Node& node, std::span<const TensorDesc> inputs,
                   std::span<TensorDesc> outputs) {
  const PoolingAttrs& a = node.get<PoolingAttrs>();
  expect_inputs(node, inputs, 1, 1);
  const Dims& window = a.window;
  const int32_t rank = window.nb_dims;
  if (rank < 1 || rank > 3) {
    fail_at(node, "window ", window, " has ", rank, " dims; expected 1, 2 or 3 spatial dims");
  }
  check_spatial_param(node, "window", window, rank, 1, "window");
  check_spatial_param(node, "stride", a.stride, rank, 1, "window");
  check_spatial_param(node, "pre_padding", a.pre_padding, rank, 0, "window");
  check_spatial_param(node, "post_padding", a.post_padding, rank, 0, "window");
  // A window made only of padding would have no maximum and no elements to average.
  for (int32_t i = 0; i < rank; ++i) {
    int64_t pad = std::max(a.pre_padding.d[i], a.post_padding.d[i]);
    if (pad >= window.d[i]) {
      fail_at(node, "padding ", pad, " in spatial dim ", i, " is not smaller than the window ",
              window.d[i], " (pre_padding ", a.pre_padding, ", post_padding ", a.post_padding,
              "): a window could cover only padding");
    }
  }

  const TensorDesc& x = inputs[0];
  check_float(node, "input", x.type);
  if (x.dims.nb_dims != rank + 2) {
    fail_at(node, "input ", x.dims, " has ", x.dims.nb_dims, " dims but a window of shape ", window,
            " needs ", rank + 2, " ([N, C, ", rank, " spatial dims])");
  }

  Dims out = x.dims;
  for (int32_t i = 0; i < rank; ++i) {
    int64_t in = x.dims.d[2 + i];
    if (in < 0) continue;  // stays -1
    int64_t padded = 0;
    if (__builtin_add_overflow(in, a.pre_padding.d[i], &padded) ||
        __builtin_add_overflow(padded, a.post_padding.d[i], &padded)) {  // sizes from plans
      fail_at(node, "spatial dim ", i, ": input ", in, " and padding ", a.pre_padding.d[i], "+",
              a.post_padding.d[i], " pass the range of 64-bit sizes");
    }
    if (padded < window.d[i]) {
      fail_empty_output(node, "spatial dim ", i, ": the input is ", in, " (", padded,
                        " with padding) but the window is ", window.d[i],
                        "; the output would be empty");
    }
    out.d[2 + i] = (padded - window.d[i]) / a.stride.d[i] + 1;
  }
  outputs[0] = {x.type, out};
}

}  // namespace kiln::ir
