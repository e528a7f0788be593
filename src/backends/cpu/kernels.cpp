#include "backends/cpu/kernels.h"

namespace kiln::cpu {

KernelFn kernel(LayerType type) {
  switch (type) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  case ir::kind_of<Pascal##Attrs>:                    \
    return &run_##snake;
#include "ir/all_ops.def"
#undef KILN_LAYER
  }
  fail("unknown layer type ", static_cast<int>(type));
}

}  // namespace kiln::cpu
