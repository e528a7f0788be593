// What the builder needs to know about the GPU it builds for.
#pragma once

#include <cstdint>
#include <string>

namespace kiln {

struct DeviceInfo {
  bool available = false;       // a CUDA backend is built in and a device answered
  std::string name;             // "NVIDIA H100 80GB HBM3"
  int32_t compute_capability = 0;  // major * 10 + minor
  int32_t sm_count = 0;
  std::string reason;           // why not available
};

// The current CUDA device; {available = false, reason} without one.
DeviceInfo query_cuda_device();

}  // namespace kiln
