// Builder: picks the backend an engine is built for, runs the pipeline and writes the plan.
#include <chrono>

#include "backends/device.h"
#include "builder/pipeline.h"
#include "plan/compatibility.h"
#include "plan/plan.h"

namespace kiln {

Builder::Builder(Logger& logger) : logger_(logger) {}
Builder::~Builder() = default;

std::unique_ptr<NetworkDefinition> Builder::create_network() {
  return std::make_unique<NetworkDefinition>();
}
std::unique_ptr<BuilderConfig> Builder::create_builder_config() {
  return std::make_unique<BuilderConfig>();
}

OptimizationProfile* Builder::create_optimization_profile() {
  profiles_.push_back(std::make_unique<OptimizationProfile>());
  return profiles_.back().get();
}

std::vector<uint8_t> Builder::build_serialized_network(const NetworkDefinition& network,
                                                       const BuilderConfig& config) try {
  DeviceType device = config.default_device_type();
  DeviceInfo gpu;
  if (device == DeviceType::kGPU) {
    gpu = query_cuda_device();
    if (!gpu.available) {
      logger_.report(Logger::Severity::kWARNING,
                     str_cat("no usable GPU (", gpu.reason, "); building for the CPU backend"));
      device = DeviceType::kCPU;
    } else {
      logger_.report(Logger::Severity::kINFO, str_cat("building for ", gpu.name));
    }
  }
  HardwareCompatibilityLevel level = config.hardware_compatibility_level();
  if (device == DeviceType::kGPU) {
    std::string refusal = plan::build_refusal(level, gpu.compute_capability, cuda_architectures());
    if (!refusal.empty()) fail(refusal);
  } else if (level != HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY) {
    logger_.report(Logger::Severity::kWARNING,
                   "the hardware-compatibility level applies to GPU plans; a CPU plan runs on any "
                   "CPU, so it is ignored");
  }
  auto start = std::chrono::steady_clock::now();
  runtime::EngineData engine = builder::build_engine(network.graph(), config, device, gpu, logger_);
  std::vector<uint8_t> plan = plan::write(engine);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  logger_.report(Logger::Severity::kINFO,
                 str_cat("built a ", device == DeviceType::kCPU ? "CPU" : "GPU", " engine in ", ms,
                         " ms: ", engine.steps.size(), " steps, ", engine.profiles.size(),
                         " profile(s), ", engine.profiles[0].memory.arena_size,
                         " bytes of activations (profile 0), plan ", plan.size(), " bytes"));
  return plan;
} catch (...) {
  error_recorder_.report_current_exception(ErrorCode::kINVALID_ARGUMENT);
  throw;
}

}  // namespace kiln
