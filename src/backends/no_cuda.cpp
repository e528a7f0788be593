// Linked instead of backends/cuda/ when kiln is built with KILN_CUDA=OFF.
#include "backends/device.h"
#include "core/error.h"
#include "runtime/backend.h"
#include "runtime/engine_state.h"

namespace kiln {

DeviceInfo query_cuda_device() {
  DeviceInfo info;
  info.reason = "kiln was built without its CUDA backend (KILN_CUDA=OFF)";
  return info;
}

std::string cuda_architectures() {
  return {};
}

std::string cuda_kernels_refusal(const DeviceInfo&) {
  return "kiln was built without its CUDA backend (KILN_CUDA=OFF)";
}

std::string compile_generated_kernels(const ir::Graph&, const DeviceInfo&, Logger&) {
  return {};
}

std::vector<runtime::StepData> select_cuda_tactics(TacticSelection&) {
  fail("kiln was built without its CUDA backend (KILN_CUDA=OFF); build for DeviceType::kCPU");
}

}  // namespace kiln

namespace kiln::runtime {

std::vector<std::string> rechoose_cuda_tactics(EngineData&, std::span<const ir::TensorDesc>) {
  return {};
}

std::unique_ptr<BackendEngine> create_cuda_backend(const EngineState& engine) {
  fail("this plan was built for the GPU (compute capability ", engine.data.compute_capability / 10,
       ".", engine.data.compute_capability % 10,
       "), but this kiln was built without its CUDA backend "
       "(KILN_CUDA=OFF); rebuild kiln with CUDA, or rebuild the plan for DeviceType::kCPU");
}

}  // namespace kiln::runtime
