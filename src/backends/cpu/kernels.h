// The CPU backend's kernels: one per layer kind, the reference every other backend is tested
// against. backends/cpu/<family>.cpp defines run_<snake> for each layer of its family.
#pragma once

#include <span>

#include "ir/graph.h"

namespace kiln::cpu {

// A dense row-major tensor in host memory.
struct TensorView {
  void* data = nullptr;
  DataType type = DataType::kFLOAT;
  Dims dims;
};

// Runs one node. Inputs and outputs have the shapes that ir inference gives for the inputs' shapes
// (absent optional inputs have data == nullptr). Kernels may allocate scratch memory themselves.
using KernelFn = void (*)(const ir::Node& node, std::span<const TensorView> inputs,
                          std::span<const TensorView> outputs);

#define KILN_LAYER(UPPER, Pascal, snake, num_outputs)                        \
  void run_##snake(const ir::Node& node, std::span<const TensorView> inputs, \
                   std::span<const TensorView> outputs);
#include "ir/all_ops.def"
#undef KILN_LAYER

KernelFn kernel(LayerType type);

}  // namespace kiln::cpu
