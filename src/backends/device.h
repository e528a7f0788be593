// What the builder needs from the GPU side: the device it builds for, and a tactic per node.
// Defined in backends/cuda/, or in backends/no_cuda.cpp when kiln is built without CUDA.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/builder.h"
#include "runtime/engine_data.h"

namespace kiln {

struct DeviceInfo {
  bool available = false;          // a CUDA backend is built in and a device answered
  std::string name;                // "NVIDIA H100 80GB HBM3"
  int32_t compute_capability = 0;  // major * 10 + minor
  int32_t sm_count = 0;
  std::string reason;  // why not available
};

// The current CUDA device; {available = false, reason} without one.
DeviceInfo query_cuda_device();

// One step per node of `graph` (execution order) with the CUDA tactic chosen for it, from the
// sources the config allows. Throws Error naming a layer no allowed tactic supports.
std::vector<runtime::StepData> select_cuda_tactics(const ir::Graph& graph,
                                                   const BuilderConfig& config);

}  // namespace kiln
