// Device discovery for the CUDA backend.
#include <cublasLt.h>
#include <cuda_runtime_api.h>
#if KILN_HAVE_CUDNN
#include <cudnn.h>
#endif

#include "backends/device.h"
#include "core/error.h"

namespace kiln {

DeviceInfo query_cuda_device() {
  DeviceInfo info;
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess || count == 0) {
    info.reason = err != cudaSuccess
                      ? str_cat("cudaGetDeviceCount failed: ", cudaGetErrorString(err))
                      : std::string("no CUDA device is present");
    cudaGetLastError();  // clear the sticky error left by a failed query
    return info;
  }
  int device = 0;
  cudaDeviceProp prop{};
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
    info.reason = "cudaGetDeviceProperties failed";
    return info;
  }
  info.available = true;
  info.name = prop.name;
  info.compute_capability = prop.major * 10 + prop.minor;
  info.sm_count = prop.multiProcessorCount;
  int runtime = 0;
  cudaRuntimeGetVersion(&runtime);
  info.libraries = str_cat("CUDA ", runtime, ", cuBLASLt ", cublasLtGetVersion());
#if KILN_HAVE_CUDNN
  info.libraries += str_cat(", cuDNN ", cudnnGetVersion());
#endif
  return info;
}

}  // namespace kiln
