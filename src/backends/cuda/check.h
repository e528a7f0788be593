// One checking macro per CUDA library: the failing call's text, file, line and the library's
// error string end up in the kiln::Error.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime_api.h>

namespace kiln::cuda {

[[noreturn]] void throw_cuda_error(const char* call, const char* file, int line, const char* what);

inline void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess) throw_cuda_error(call, file, line, cudaGetErrorString(status));
}
void check_cublas(cublasStatus_t status, const char* call, const char* file, int line);

}  // namespace kiln::cuda

#define KILN_CUDA_CHECK(call) ::kiln::cuda::check_cuda((call), #call, __FILE__, __LINE__)
#define KILN_CUBLAS_CHECK(call) ::kiln::cuda::check_cublas((call), #call, __FILE__, __LINE__)
// Kernel launches: the launch configuration error, if any.
#define KILN_CUDA_CHECK_LAUNCH() \
  ::kiln::cuda::check_cuda(cudaGetLastError(), "kernel launch", __FILE__, __LINE__)
