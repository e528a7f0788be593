// kiln — building an engine: Builder, BuilderConfig and OptimizationProfile.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/error_recorder.h"
#include "kiln/logger.h"
#include "kiln/network.h"
#include "kiln/tuning.h"
#include "kiln/types.h"

namespace kiln {

// The range of shapes an engine accepts for each dynamic input.
class OptimizationProfile {
 public:
  // Checks that min <= opt <= max in every dimension and that all three have the same rank;
  // throws Error saying which dimension is wrong. Replaces an earlier shape for the same input.
  void set_shape(const std::string& input_name, const Dims& min, const Dims& opt, const Dims& max);
  // Throws Error when no shape was set for `input_name`.
  ProfileDims get_shape(const std::string& input_name) const;
  bool has_shape(const std::string& input_name) const;

  struct Entry {
    std::string name;
    ProfileDims dims;
  };
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

enum class BuilderFlag : int32_t {
  kFP16,                  // layers may run in float16
  kBF16,                  // layers may run in bfloat16
  kTF32,                  // float32 matrix products may use TF32 (on by default)
  kREFIT,                 // weights can be refitted after the build
  kDEBUG,                 // synchronise after every step
  kVERSION_COMPATIBLE,    // the plan loads in later kiln versions (docs/plan-format.md)
  kDISABLE_TIMING_CACHE,  // time tactics without consulting or filling a timing cache
};
enum class MemoryPoolType : int32_t { kWORKSPACE };

// Which GPUs a GPU plan may run on (docs/plan-format.md, "Compatibility"). CPU plans run on any
// CPU and ignore it.
enum class HardwareCompatibilityLevel : int32_t {
  // Only GPUs of the build device's compute capability (the default; TensorRT's kNONE).
  kSAME_COMPUTE_CAPABILITY = 0,
  kNONE = kSAME_COMPUTE_CAPABILITY,
  // Any GPU of compute capability 8.0 (Ampere) or newer: kiln's own kernels run from PTX where the
  // kiln library has no machine code for the device, and the cuBLASLt/cuDNN configurations the
  // plan names are checked again on the device that loads it (re-selected where they do not run).
  // Needs a kiln built with PTX for compute_80 or older
  // (-DCMAKE_CUDA_ARCHITECTURES="80-virtual;90-real").
  kAMPERE_PLUS = 1,
};

class BuilderConfig {
 public:
  void set_flag(BuilderFlag flag);
  void clear_flag(BuilderFlag flag);
  bool get_flag(BuilderFlag flag) const;
  uint32_t flags() const { return flags_; }

  void set_memory_pool_limit(MemoryPoolType pool, uint64_t bytes);
  uint64_t memory_pool_limit(MemoryPoolType pool) const;

  // Copies the profile; returns its index. The profile must give a shape for every input with a
  // dynamic dimension (checked at build time, where the network is known).
  int32_t add_optimization_profile(const OptimizationProfile& profile);
  int32_t num_optimization_profiles() const { return static_cast<int32_t>(profiles_.size()); }
  const OptimizationProfile& optimization_profile(int32_t index) const;

  void set_hardware_compatibility_level(HardwareCompatibilityLevel level) {
    hardware_compatibility_level_ = level;
  }
  HardwareCompatibilityLevel hardware_compatibility_level() const {
    return hardware_compatibility_level_;
  }

  void set_max_aux_streams(int32_t n);
  int32_t max_aux_streams() const { return max_aux_streams_; }

  // Bitmask of 1 << TacticSource; all sources by default.
  void set_tactic_sources(uint32_t mask) { tactic_sources_ = mask; }
  uint32_t tactic_sources() const { return tactic_sources_; }

  // Threads the builder times CPU tactics with (0: the default, as Runtime::set_cpu_threads;
  // more than the processors available is clamped with a warning; negative throws Error). The
  // engine's own threads are the loading Runtime's setting (docs/cpu-backend.md).
  void set_cpu_threads(int32_t n);
  int32_t cpu_threads() const { return cpu_threads_; }

  void set_default_device_type(DeviceType type) { default_device_type_ = type; }
  DeviceType default_device_type() const { return default_device_type_; }

  // 0 (heuristics only, fastest build) to 5 (time the most candidates).
  void set_builder_optimization_level(int32_t level);
  int32_t builder_optimization_level() const { return optimization_level_; }

  // Timing cache (TensorRT's createTimingCache/setTimingCache/getTimingCache). An empty blob makes
  // an empty cache; a corrupt or foreign blob throws Error saying what is wrong.
  std::unique_ptr<TimingCache> create_timing_cache(const void* blob, size_t size) const;
  // The builder reads and fills `cache` (not owned; it must outlive the builds). A cache made on
  // another device or with other library versions is refused: this throws Error naming both
  // sides when the GPU the build will use answers, else the build throws. With `ignore_mismatch`
  // such a cache is ignored instead (neither read nor filled, with a warning). Null clears it.
  void set_timing_cache(TimingCache* cache, bool ignore_mismatch);
  TimingCache* get_timing_cache() const { return timing_cache_; }
  bool timing_cache_ignores_mismatch() const { return ignore_timing_cache_mismatch_; }

  // Not owned; null removes it.
  void set_algorithm_selector(AlgorithmSelector* selector) { algorithm_selector_ = selector; }
  AlgorithmSelector* algorithm_selector() const { return algorithm_selector_; }
  void set_progress_monitor(ProgressMonitor* monitor) { progress_monitor_ = monitor; }
  ProgressMonitor* progress_monitor() const { return progress_monitor_; }

 private:
  uint32_t flags_ = 1u << static_cast<int>(BuilderFlag::kTF32);
  uint64_t workspace_limit_ = UINT64_MAX;
  std::vector<OptimizationProfile> profiles_;
  int32_t max_aux_streams_ = 0;
  HardwareCompatibilityLevel hardware_compatibility_level_ =
      HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY;
  uint32_t tactic_sources_ = 0x1Fu;
  int32_t cpu_threads_ = 0;
  DeviceType default_device_type_ = DeviceType::kGPU;
  int32_t optimization_level_ = 3;
  TimingCache* timing_cache_ = nullptr;
  bool ignore_timing_cache_mismatch_ = false;
  AlgorithmSelector* algorithm_selector_ = nullptr;
  ProgressMonitor* progress_monitor_ = nullptr;
};

class Builder {
 public:
  explicit Builder(Logger& logger);
  ~Builder();

  std::unique_ptr<NetworkDefinition> create_network();
  std::unique_ptr<BuilderConfig> create_builder_config();
  // Owned by the builder; add it to a config with add_optimization_profile.
  OptimizationProfile* create_optimization_profile();

  // Builds the network for the config and returns the plan. Throws Error naming the layer, tensor
  // or profile when the network cannot be built. The network is not modified.
  std::vector<uint8_t> build_serialized_network(const NetworkDefinition& network,
                                                const BuilderConfig& config);

  // Errors of build_serialized_network go to this recorder too (kiln/error_recorder.h). Not
  // owned; null removes it.
  void set_error_recorder(ErrorRecorder* recorder) { error_recorder_.reset(recorder); }
  ErrorRecorder* get_error_recorder() const { return error_recorder_.get(); }

 private:
  Logger& logger_;
  ErrorRecorderRef error_recorder_;
  std::vector<std::unique_ptr<OptimizationProfile>> profiles_;
};

}  // namespace kiln
