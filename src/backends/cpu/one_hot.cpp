// CPU kernel of the one-hot layer: values[1] where the position along the depth axis equals the
// index (negative indices count from depth back), values[0] elsewhere, for any value type.
#include <cstring>

#include "backends/cpu/common.h"

namespace kiln::cpu {

void run_one_hot(const ir::Node& node, std::span<const TensorView> inputs,
                 std::span<const TensorView> outputs) {
  const OneHotAttrs& a = node.get<OneHotAttrs>();
  const TensorView& indices = inputs[0];
  const TensorView& y = outputs[0];
  int32_t rank = y.dims.nb_dims;
  int32_t axis = a.axis < 0 ? a.axis + rank : a.axis;
  int64_t outer = 1, inner = 1;
  for (int32_t i = 0; i < axis; ++i) outer *= y.dims.d[i];
  for (int32_t i = axis + 1; i < rank; ++i) inner *= y.dims.d[i];
  int64_t esize = element_size(y.type);
  const auto* values = static_cast<const uint8_t*>(inputs[1].data);
  auto* dst = static_cast<uint8_t*>(y.data);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < a.depth; ++j) {
      for (int64_t e = 0; e < inner; ++e) {
        int64_t at = o * inner + e;
        int64_t v = indices.type == DataType::kINT64
                        ? static_cast<const int64_t*>(indices.data)[at]
                        : static_cast<const int32_t*>(indices.data)[at];
        if (v < 0) v += a.depth;
        std::memcpy(dst, values + (v == j ? esize : 0), static_cast<size_t>(esize));
        dst += esize;
      }
    }
  }
}

}  // namespace kiln::cpu
