// CPU kernel of the shape layer: writes the input's dimensions as int64.
#include "backends/cpu/common.h"

namespace kiln::cpu {

void run_shape(const ir::Node& node, std::span<const TensorView> inputs,
               std::span<const TensorView> outputs) {
  auto* y = static_cast<int64_t*>(outputs[0].data);
  for (int32_t i = 0; i < inputs[0].dims.nb_dims; ++i) y[i] = inputs[0].dims.d[i];
}

}  // namespace kiln::cpu
