// gpu.h with the CUDA runtime. Every call is checked; a failure throws Error naming the call.
#include <cuda_runtime_api.h>

#include "gpu.h"
#include "kiln/types.h"

namespace kiln::cli::gpu {

namespace {

void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) {
    throw Error(std::string(call) + " failed: " + cudaGetErrorString(status));
  }
}
#define CLI_CUDA(call) check((call), #call)

}  // namespace

bool available(std::string& why) {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    why = status != cudaSuccess ? cudaGetErrorString(status) : "no CUDA device";
    cudaGetLastError();
    return false;
  }
  return true;
}

std::string device_name() {
  cudaDeviceProp prop{};
  int device = 0;
  CLI_CUDA(cudaGetDevice(&device));
  CLI_CUDA(cudaGetDeviceProperties(&prop, device));
  return prop.name;
}

void* host_alloc(size_t bytes) {
  void* p = nullptr;
  CLI_CUDA(cudaMallocHost(&p, bytes > 0 ? bytes : 1));
  return p;
}
void host_free(void* p) {
  if (p) cudaFreeHost(p);
}
void* device_alloc(size_t bytes) {
  void* p = nullptr;
  CLI_CUDA(cudaMalloc(&p, bytes > 0 ? bytes : 1));
  return p;
}
void device_free(void* p) {
  if (p) cudaFree(p);
}
void copy_to_device(void* dst, const void* src, size_t bytes, void* stream) {
  CLI_CUDA(
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, static_cast<cudaStream_t>(stream)));
}
void copy_to_host(void* dst, const void* src, size_t bytes, void* stream) {
  CLI_CUDA(
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, static_cast<cudaStream_t>(stream)));
}

void* stream_create() {
  cudaStream_t s = nullptr;
  CLI_CUDA(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  return s;
}
void stream_destroy(void* stream) {
  if (stream) cudaStreamDestroy(static_cast<cudaStream_t>(stream));
}
void stream_synchronize(void* stream) {
  CLI_CUDA(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)));
}

void* event_create() {
  cudaEvent_t e = nullptr;
  CLI_CUDA(cudaEventCreate(&e));
  return e;
}
void event_destroy(void* event) {
  if (event) cudaEventDestroy(static_cast<cudaEvent_t>(event));
}
void event_record(void* event, void* stream) {
  CLI_CUDA(cudaEventRecord(static_cast<cudaEvent_t>(event), static_cast<cudaStream_t>(stream)));
}
void event_synchronize(void* event) {
  CLI_CUDA(cudaEventSynchronize(static_cast<cudaEvent_t>(event)));
}
float event_elapsed_ms(void* start, void* end) {
  float ms = 0.0f;
  CLI_CUDA(
      cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start), static_cast<cudaEvent_t>(end)));
  return ms;
}

}  // namespace kiln::cli::gpu
