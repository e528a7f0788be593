// Device discovery for the CUDA backend.
#include <cublasLt.h>
#include <cuda_runtime_api.h>
#if KILN_HAVE_CUDNN
#include <cudnn.h>
#endif

#include "backends/device.h"
#include "core/error.h"

namespace kiln {

namespace cuda {
cudaError_t probe_kernel_image();  // kernels/probe.cu
}

std::string cuda_architectures() {
  return KILN_CUDA_ARCHITECTURES;
}

std::string cuda_kernels_refusal(const DeviceInfo& device) {
  cudaError_t err = cuda::probe_kernel_image();
  if (err == cudaSuccess) return {};
  cudaGetLastError();  // not sticky, but leave no error behind
  return str_cat("kiln's own CUDA kernels were compiled for CUDA architectures \"",
                 cuda_architectures(), "\" and cannot run on this GPU (", device.name,
                 ", compute capability ", device.compute_capability / 10, ".",
                 device.compute_capability % 10, "): ", cudaGetErrorString(err),
                 "; rebuild kiln with -DCMAKE_CUDA_ARCHITECTURES including ",
                 device.compute_capability);
}

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
