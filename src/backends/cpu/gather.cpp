// CPU kernel of the gather layer: copies the data block at each index along the axis, for any
// element size; every index is checked (negative ones count from the back) before anything is read.
#include <cstring>
#include <vector>

#include "backends/cpu/common.h"

namespace kiln::cpu {

void run_gather(const ir::Node& node, std::span<const TensorView> inputs,
                std::span<const TensorView> outputs) {
  const TensorView& data = inputs[0];
  const TensorView& indices = inputs[1];
  const TensorView& out = outputs[0];
  int32_t rank = data.dims.nb_dims;
  int32_t axis = node.get<GatherAttrs>().axis;
  if (axis < 0) axis += rank;
  int64_t n = data.dims.d[axis];

  int64_t count = numel(indices);
  std::vector<int64_t> positions(static_cast<size_t>(count));
  for (int64_t j = 0; j < count; ++j) {
    int64_t v = indices.type == DataType::kINT64 ? static_cast<const int64_t*>(indices.data)[j]
                                                 : static_cast<const int32_t*>(indices.data)[j];
    if (v < -n || v >= n) {
      fail("[gather '", node.name, "'] index ", v, " is out of range for axis ", axis, " of size ",
           n);
    }
    positions[j] = v < 0 ? v + n : v;
  }
  if (numel(out) == 0) return;

  int64_t outer = 1, block = element_size(data.type);  // block: bytes of one step along the axis
  for (int32_t i = 0; i < axis; ++i) outer *= data.dims.d[i];
  for (int32_t i = axis + 1; i < rank; ++i) block *= data.dims.d[i];
  const auto* src = static_cast<const uint8_t*>(data.data);
  auto* dst = static_cast<uint8_t*>(out.data);
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* slab = src + o * n * block;
    for (int64_t p : positions) {
      std::memcpy(dst, slab + p * block, static_cast<size_t>(block));
      dst += block;
    }
  }
}

}  // namespace kiln::cpu
