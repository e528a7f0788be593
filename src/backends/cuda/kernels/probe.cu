// A kernel that does nothing: asking the CUDA runtime for its attributes tells whether this
// library carries code (machine code or PTX) the current device can run.
#include <cuda_runtime_api.h>

namespace kiln::cuda {

namespace {
__global__ void probe_kernel() {}
}  // namespace

cudaError_t probe_kernel_image() {
  cudaFuncAttributes attributes{};
  return cudaFuncGetAttributes(&attributes, probe_kernel);
}

}  // namespace kiln::cuda
