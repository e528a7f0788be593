// Device memory helpers for IExecutionContext.infer (kiln/_gpu.py); device_cuda.cpp implements
// them with the CUDA runtime, device_none.cpp in builds without CUDA (each call throws Error).
#pragma once

#include <cstddef>
#include <cstdint>

#include "bindings.h"

namespace kiln::python {

class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  uintptr_t ptr() const { return reinterpret_cast<uintptr_t>(ptr_); }
  size_t size() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

void copy_to_device(uintptr_t dst, const void* src, size_t bytes);
void copy_to_host(void* dst, uintptr_t src, size_t bytes);
void synchronize(uintptr_t stream);

}  // namespace kiln::python
