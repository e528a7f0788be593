// Device memory for IExecutionContext.infer on GPU engines when torch is not available: a buffer
// with a device address, host<->device copies and stream synchronisation. Built with KILN_CUDA.
#include <cuda_runtime_api.h>

#include "device.h"

namespace kiln::python {

namespace {
void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) {
    throw Error(std::string(call) + " failed: " + cudaGetErrorString(status));
  }
}
}  // namespace

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes > 0) check(cudaMalloc(&ptr_, bytes), "cudaMalloc");
}
DeviceBuffer::~DeviceBuffer() {
  if (ptr_ != nullptr) cudaFree(ptr_);
}

void copy_to_device(uintptr_t dst, const void* src, size_t bytes) {
  check(cudaMemcpy(reinterpret_cast<void*>(dst), src, bytes, cudaMemcpyHostToDevice),
        "cudaMemcpy (host to device)");
}
void copy_to_host(void* dst, uintptr_t src, size_t bytes) {
  check(cudaMemcpy(dst, reinterpret_cast<const void*>(src), bytes, cudaMemcpyDeviceToHost),
        "cudaMemcpy (device to host)");
}
void synchronize(uintptr_t stream) {
  check(cudaStreamSynchronize(reinterpret_cast<cudaStream_t>(stream)), "cudaStreamSynchronize");
}

}  // namespace kiln::python
