// Linked instead of backends/cuda/ when kiln is built with KILN_CUDA=OFF.
#include "backends/device.h"

namespace kiln {

DeviceInfo query_cuda_device() {
  DeviceInfo info;
  info.reason = "kiln was built without its CUDA backend (KILN_CUDA=OFF)";
  return info;
}

}  // namespace kiln
