// What the builder needs from the GPU side: the device it builds for, and a tactic per node.
// Defined in backends/cuda/, or in backends/no_cuda.cpp when kiln is built without CUDA.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "builder/progress.h"
#include "builder/selection.h"
#include "builder/timing_cache.h"
#include "kiln/builder.h"
#include "runtime/engine_data.h"

namespace kiln {

struct DeviceInfo {
  bool available = false;          // a CUDA backend is built in and a device answered
  std::string name;                // "NVIDIA H100 80GB HBM3"
  int32_t compute_capability = 0;  // major * 10 + minor
  int32_t sm_count = 0;
  std::string libraries;  // "CUDA 13000, cuBLASLt 130100, cuDNN 91300": what tactics depend on
  std::string reason;     // why not available
};

// The current CUDA device; {available = false, reason} without one.
DeviceInfo query_cuda_device();

// The CUDA architectures kiln's own kernels were compiled for (CMAKE_CUDA_ARCHITECTURES, entries
// separated by ","); empty without the CUDA backend.
std::string cuda_architectures();
// Why kiln's own kernels cannot run on the current device (the CUDA runtime finds neither machine
// code for it nor PTX it can compile); empty when they can.
std::string cuda_kernels_refusal(const DeviceInfo& device);

// What tactic selection works from: the optimized graph, the tensor descs of every profile at its
// opt and max shapes, and where to record and report.
struct TacticSelection {
  const ir::Graph& graph;
  const BuilderConfig& config;
  std::vector<std::vector<ir::TensorDesc>> opt;  // per profile, per tensor
  std::vector<std::vector<ir::TensorDesc>> max;
  TimingCache::Impl& cache;  // read and filled; keys of this device only
  Logger& logger;
  builder::SelectionRecord& record;
  builder::ProgressPhase& phase;  // one step per node
};

// Compiles the kernels the CUDA backend generates for the graph's fused ops (one NVRTC program
// for all of them, cached by source, options, architecture and NVRTC version), so that tactic
// selection finds them. Returns "" on success, else what failed: the fused op, its generated
// source and the compiler's log. Without the CUDA backend: "".
std::string compile_generated_kernels(const ir::Graph& graph, const DeviceInfo& device,
                                      Logger& logger);

// One step per node of the graph (execution order) with the CUDA tactic and configuration chosen
// for it from the sources the config allows: candidates are timed at each profile's opt shapes
// (or their times come from the cache), the algorithm selector may narrow them, the fastest wins.
// Throws Error naming a layer no allowed tactic supports.
std::vector<runtime::StepData> select_cuda_tactics(TacticSelection& selection);

}  // namespace kiln
