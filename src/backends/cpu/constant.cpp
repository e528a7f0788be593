// Constant: the builder binds a constant's output to its weights, so no step ever runs one.
#include "backends/cpu/common.h"

namespace kiln::cpu {

void run_constant(const ir::Node& node, std::span<const TensorView>, std::span<const TensorView>) {
  fail("[constant '", node.name, "'] constants are bound to their weights and never run");
}

}  // namespace kiln::cpu
