#include "backends/cpu/kernels.h"

namespace kiln::cpu {

KernelFn kernel(LayerType type) {
  switch (type) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  case LayerType::k##UPPER:                           \
    return &run_##snake;
#include "kiln/layer_list.def"
#undef KILN_LAYER
  }
  fail("unknown layer type ", static_cast<int>(type));
}

}  // namespace kiln::cpu
