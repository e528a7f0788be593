#include "backends/cpu/kernels.h"

namespace kiln::cpu {

KernelFn kernel(LayerType type) {
  switch (static_cast<int32_t>(type)) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  case ir::kind_value<Pascal##Attrs>:                 \
    return &run_##snake;
#include "ir/all_ops.def"
#undef KILN_LAYER
  }
  fail("unknown layer type ", static_cast<int>(type));
}

}  // namespace kiln::cpu
