// Device memory helpers of a build without the CUDA backend: every call says so.
#include "device.h"

namespace kiln::python {

namespace {
[[noreturn]] void no_cuda() {
  throw Error("kiln was built without the CUDA backend (KILN_CUDA=OFF): no device memory");
}
}  // namespace

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
  no_cuda();
}
DeviceBuffer::~DeviceBuffer() = default;
void copy_to_device(uintptr_t, const void*, size_t) {
  no_cuda();
}
void copy_to_host(void*, uintptr_t, size_t) {
  no_cuda();
}
void synchronize(uintptr_t) {
  no_cuda();
}

}  // namespace kiln::python
