// Run-time compilation of generated kernels with NVRTC, and loading of their machine code.
//
// compile() takes one CUDA C++ source (any number of extern "C" kernels) and returns a cubin for
// the device's architecture. Results are cached in the process, keyed by a hash of the source, the
// options, the architecture and the NVRTC version, so identical kernels of many layers (and warm
// rebuilds) compile once. load() turns a cubin into a module, shared by every step and context
// that loads the same bytes.
#pragma once

#include <cuda.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::cuda {

struct CompileResult {
  bool ok = false;
  std::vector<uint8_t> cubin;
  std::string log;  // the compiler's log when !ok
};

// Compiles for sm_<compute_capability>. Never throws for a compile error (ok == false, log says).
CompileResult nvrtc_compile(const std::string& source, int32_t compute_capability);

// "NVRTC 13.0"
std::string nvrtc_version();

class LoadedModule {
 public:
  explicit LoadedModule(const std::vector<uint8_t>& cubin);
  ~LoadedModule();
  LoadedModule(const LoadedModule&) = delete;
  LoadedModule& operator=(const LoadedModule&) = delete;
  // Throws Error naming the kernel when the module lacks it.
  CUfunction function(const std::string& name) const;

 private:
  CUmodule module_ = nullptr;
};

// The module of these bytes, loaded once per process (and per CUDA context).
std::shared_ptr<LoadedModule> load_module(const std::vector<uint8_t>& cubin);

// Launches a generated kernel (one kernel argument block `params`) on `stream`; throws Error naming
// the layer when the launch fails. Allocates nothing unless it fails.
void launch_generated(CUfunction f, unsigned int blocks, unsigned int threads, cudaStream_t stream,
                      void** params, const std::string& layer);

}  // namespace kiln::cuda
