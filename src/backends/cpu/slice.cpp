// CPU kernel of the slice layer: one strided copy (strides may be negative) for any element size;
// the bounds were checked by shape inference on the actual input shape.
#include <cstring>

#include "backends/cpu/common.h"
#include "backends/cpu/strided_copy.h"

namespace kiln::cpu {

void run_slice(const ir::Node& node, std::span<const TensorView> inputs,
               std::span<const TensorView> outputs) {
  const SliceAttrs& attrs = node.get<SliceAttrs>();
  const TensorView& in = inputs[0];
  const TensorView& out = outputs[0];
  if (numel(out) == 0) return;
  int64_t esize = element_size(in.type);
  Dims in_strides = strides_of(in.dims);
  Dims strides;
  strides.nb_dims = in.dims.nb_dims;
  int64_t base = 0;  // element offset of the first element read
  for (int32_t i = 0; i < in.dims.nb_dims; ++i) {
    base += attrs.start.d[i] * in_strides.d[i];
    strides.d[i] = attrs.stride.d[i] * in_strides.d[i];
  }
  copy_strided(static_cast<uint8_t*>(out.data), static_cast<const uint8_t*>(in.data) + base * esize,
               out.dims, strides, esize);
}

}  // namespace kiln::cpu
