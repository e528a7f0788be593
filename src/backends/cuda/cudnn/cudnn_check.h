// cuDNN's checking macro: the failing call's text, file and line, cuDNN's status string and its
// last error message (cudnnGetLastErrorString, which names the bad attribute) end up in
// kiln::Error.
#pragma once

#include <cudnn.h>

#include <string>

#include "backends/cuda/check.h"

namespace kiln::cuda {

inline void check_cudnn(cudnnStatus_t status, const char* call, const char* file, int line) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  std::string what = cudnnGetErrorString(status);
  char detail[512] = {};
  cudnnGetLastErrorString(detail, sizeof(detail));
  if (detail[0] != '\0') what += std::string(" (") + detail + ")";
  throw_cuda_error(call, file, line, what.c_str());
}

}  // namespace kiln::cuda

#define KILN_CUDNN_CHECK(call) ::kiln::cuda::check_cudnn((call), #call, __FILE__, __LINE__)
