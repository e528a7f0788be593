// CPU kernel of the concatenation layer: for each index before the axis, each input's contiguous
// block is copied in turn; bytes only, so one code path serves every element size.
#include <cstring>

#include "backends/cpu/common.h"

namespace kiln::cpu {

void run_concatenation(const ir::Node& node, std::span<const TensorView> inputs,
                       std::span<const TensorView> outputs) {
  const TensorView& out = outputs[0];
  if (numel(out) == 0) return;
  int32_t rank = out.dims.nb_dims;
  int32_t axis = node.get<ConcatenationAttrs>().axis;
  if (axis < 0) axis += rank;
  int64_t esize = element_size(out.type);
  int64_t outer = 1, inner = esize;  // inner: bytes per step along the axis
  for (int32_t i = 0; i < axis; ++i) outer *= out.dims.d[i];
  for (int32_t i = axis + 1; i < rank; ++i) inner *= out.dims.d[i];

  auto* dst = static_cast<uint8_t*>(out.data);
  for (int64_t o = 0; o < outer; ++o) {
    for (const TensorView& in : inputs) {
      int64_t block = in.dims.d[axis] * inner;
      if (block == 0) continue;
      std::memcpy(dst, static_cast<const uint8_t*>(in.data) + o * block,
                  static_cast<size_t>(block));
      dst += block;
    }
  }
}

}  // namespace kiln::cpu
