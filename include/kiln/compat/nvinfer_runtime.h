// kiln's TensorRT compatibility headers: builder, config, profiles, plans, runtime, engine and
// execution context. Included by NvInfer.h; do not include directly.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nvinfer1 {

class IHostMemory {
 public:
  virtual ~IHostMemory() = default;
  void* data() const noexcept { return const_cast<uint8_t*>(bytes_.data()); }
  std::size_t size() const noexcept { return bytes_.size(); }
  DataType type() const noexcept { return DataType::kUINT8; }

  explicit IHostMemory(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}

 private:
  std::vector<uint8_t> bytes_;
};

// min/opt/max shapes per input. TensorRT sets them one selector at a time; kiln checks the three
// together, when the last of them is set (a bad range then returns false, logged).
class IOptimizationProfile {
 public:
  bool setDimensions(const char* inputName, OptProfileSelector select, const Dims& dims) noexcept {
    return kilncompat::guard<bool>(log_, "IOptimizationProfile::setDimensions", false, [&] {
      auto& entry = pending_[inputName];
      entry[static_cast<int32_t>(select)] = kilncompat::to_kiln(dims);
      if (entry[0] && entry[1] && entry[2]) {
        profile_->set_shape(inputName, *entry[0], *entry[1], *entry[2]);
      }
      return true;
    });
  }
  Dims getDimensions(const char* inputName, OptProfileSelector select) const noexcept {
    Dims invalid;
    invalid.nbDims = -1;
    auto it = pending_.find(inputName);
    if (it == pending_.end() || !it->second[static_cast<int32_t>(select)]) return invalid;
    return kilncompat::from_kiln(*it->second[static_cast<int32_t>(select)]);
  }
  bool isValid() const noexcept { return incomplete().empty(); }

  IOptimizationProfile(kiln::OptimizationProfile* profile, kilncompat::LoggerBridge* log)
      : profile_(profile), log_(log) {}

 private:
  friend class IBuilderConfig;
  std::string incomplete() const {
    for (const auto& [name, entry] : pending_) {
      if (!entry[0] || !entry[1] || !entry[2]) return name;
    }
    return "";
  }
  kiln::OptimizationProfile* profile_;
  kilncompat::LoggerBridge* log_;
  std::map<std::string, std::array<std::optional<kiln::Dims>, 3>> pending_;
};

class IBuilderConfig {
 public:
  virtual ~IBuilderConfig() = default;

  void setMemoryPoolLimit(MemoryPoolType pool, std::size_t poolSize) noexcept {
    if (pool != MemoryPoolType::kWORKSPACE) {
      warn("IBuilderConfig::setMemoryPoolLimit: only kWORKSPACE applies to kiln");
      return;
    }
    kilncompat::guard_void(log_.get(), "IBuilderConfig::setMemoryPoolLimit", [&] {
      config_->set_memory_pool_limit(kiln::MemoryPoolType::kWORKSPACE, poolSize);
    });
  }
  std::size_t getMemoryPoolLimit(MemoryPoolType pool) const noexcept {
    if (pool != MemoryPoolType::kWORKSPACE) return 0;
    return config_->memory_pool_limit(kiln::MemoryPoolType::kWORKSPACE);
  }
  // Flags kiln does not implement (kINT8, kOBEY_PRECISION_CONSTRAINTS, ...) are remembered and
  // logged as having no effect.
  void setFlag(BuilderFlag flag) noexcept {
    kiln::BuilderFlag k;
    if (to_kiln(flag, k)) {
      config_->set_flag(k);
    } else {
      other_flags_ |= 1u << static_cast<int32_t>(flag);
      warn("IBuilderConfig::setFlag: BuilderFlag " + std::to_string(static_cast<int32_t>(flag)) +
           " has no effect in kiln");
    }
  }
  void clearFlag(BuilderFlag flag) noexcept {
    kiln::BuilderFlag k;
    if (to_kiln(flag, k)) {
      config_->clear_flag(k);
    } else {
      other_flags_ &= ~(1u << static_cast<int32_t>(flag));
    }
  }
  bool getFlag(BuilderFlag flag) const noexcept {
    kiln::BuilderFlag k;
    if (to_kiln(flag, k)) return config_->get_flag(k);
    return (other_flags_ >> static_cast<int32_t>(flag)) & 1u;
  }
  void setFlags(BuilderFlags flags) noexcept {
    for (int32_t bit = 0; bit < 32; ++bit) {
      if ((flags >> bit) & 1u) {
        setFlag(static_cast<BuilderFlag>(bit));
      } else {
        clearFlag(static_cast<BuilderFlag>(bit));
      }
    }
  }
  BuilderFlags getFlags() const noexcept {
    BuilderFlags flags = 0;
    for (int32_t bit = 0; bit < 32; ++bit) {
      if (getFlag(static_cast<BuilderFlag>(bit))) flags |= 1u << bit;
    }
    return flags;
  }
  int32_t addOptimizationProfile(const IOptimizationProfile* profile) noexcept {
    return kilncompat::guard<int32_t>(
        log_.get(), "IBuilderConfig::addOptimizationProfile", -1, [&] {
          if (profile == nullptr) throw kiln::Error("null profile");
          std::string missing = profile->incomplete();
          if (!missing.empty()) {
            throw kiln::Error("input '" + missing +
                              "' lacks one of its kMIN/kOPT/kMAX "
                              "dimensions");
          }
          return config_->add_optimization_profile(*profile->profile_);
        });
  }
  int32_t getNbOptimizationProfiles() const noexcept {
    return config_->num_optimization_profiles();
  }
  void setBuilderOptimizationLevel(int32_t level) noexcept {
    kilncompat::guard_void(log_.get(), "IBuilderConfig::setBuilderOptimizationLevel",
                           [&] { config_->set_builder_optimization_level(level); });
  }
  int32_t getBuilderOptimizationLevel() noexcept { return config_->builder_optimization_level(); }
  void setMaxAuxStreams(int32_t n) noexcept {
    kilncompat::guard_void(log_.get(), "IBuilderConfig::setMaxAuxStreams",
                           [&] { config_->set_max_aux_streams(n); });
  }
  // kGPU (the default; kiln falls back to its CPU backend with a warning when no GPU is usable)
  // or the kiln extension kCPU. kDLA is not applicable.
  void setDefaultDeviceType(DeviceType type) noexcept {
    if (type == DeviceType::kDLA) {
      if (log_) log_->fail("IBuilderConfig::setDefaultDeviceType", "DLA is not applicable");
      return;
    }
    config_->set_default_device_type(type == DeviceType::kCPU ? kiln::DeviceType::kCPU
                                                              : kiln::DeviceType::kGPU);
  }
  DeviceType getDefaultDeviceType() const noexcept {
    return config_->default_device_type() == kiln::DeviceType::kCPU ? DeviceType::kCPU
                                                                    : DeviceType::kGPU;
  }

  kiln::BuilderConfig& kilnConfig() const noexcept { return *config_; }  // kiln extension

  IBuilderConfig(std::unique_ptr<kiln::BuilderConfig> config,
                 std::shared_ptr<kilncompat::LoggerBridge> log)
      : config_(std::move(config)), log_(std::move(log)) {}

 private:
  static bool to_kiln(BuilderFlag flag, kiln::BuilderFlag& out) {
    switch (flag) {
      case BuilderFlag::kFP16:
        out = kiln::BuilderFlag::kFP16;
        return true;
      case BuilderFlag::kBF16:
        out = kiln::BuilderFlag::kBF16;
        return true;
      case BuilderFlag::kTF32:
        out = kiln::BuilderFlag::kTF32;
        return true;
      case BuilderFlag::kREFIT:
        out = kiln::BuilderFlag::kREFIT;
        return true;
      case BuilderFlag::kDEBUG:
        out = kiln::BuilderFlag::kDEBUG;
        return true;
      case BuilderFlag::kVERSION_COMPATIBLE:
        out = kiln::BuilderFlag::kVERSION_COMPATIBLE;
        return true;
      case BuilderFlag::kDISABLE_TIMING_CACHE:
        out = kiln::BuilderFlag::kDISABLE_TIMING_CACHE;
        return true;
      default:
        return false;
    }
  }
  void warn(const std::string& message) const noexcept {
    if (log_) log_->log(kiln::Logger::Severity::kWARNING, message);
  }
  std::unique_ptr<kiln::BuilderConfig> config_;
  std::shared_ptr<kilncompat::LoggerBridge> log_;
  uint32_t other_flags_ = 0;
};

class IBuilder {
 public:
  virtual ~IBuilder() = default;

  INetworkDefinition* createNetworkV2(NetworkDefinitionCreationFlags flags) noexcept {
    return kilncompat::guard<INetworkDefinition*>(
        log_.get(), "IBuilder::createNetworkV2", nullptr,
        [&] { return new INetworkDefinition(builder_->create_network(), log_, flags); });
  }
  IBuilderConfig* createBuilderConfig() noexcept {
    return kilncompat::guard<IBuilderConfig*>(
        log_.get(), "IBuilder::createBuilderConfig", nullptr,
        [&] { return new IBuilderConfig(builder_->create_builder_config(), log_); });
  }
  // Owned by the builder, as in TensorRT.
  IOptimizationProfile* createOptimizationProfile() noexcept {
    return kilncompat::guard<IOptimizationProfile*>(
        log_.get(), "IBuilder::createOptimizationProfile", nullptr, [&] {
          profiles_.push_back(std::make_unique<IOptimizationProfile>(
              builder_->create_optimization_profile(), log_.get()));
          return profiles_.back().get();
        });
  }
  // The plan, or nullptr with the reason logged.
  IHostMemory* buildSerializedNetwork(INetworkDefinition& network,
                                      IBuilderConfig& config) noexcept {
    return kilncompat::guard<IHostMemory*>(
        log_.get(), "IBuilder::buildSerializedNetwork", nullptr, [&] {
          return new IHostMemory(
              builder_->build_serialized_network(network.kilnNetwork(), config.kilnConfig()));
        });
  }
  bool platformHasFastFp16() const noexcept { return true; }
  bool platformHasFastInt8() const noexcept { return false; }
  bool platformHasTf32() const noexcept { return true; }
  int32_t getNbDLACores() const noexcept { return 0; }
  ILogger* getLogger() const noexcept { return logger_; }

  explicit IBuilder(ILogger& logger)
      : logger_(&logger),
        log_(std::make_shared<kilncompat::LoggerBridge>(logger)),
        builder_(std::make_unique<kiln::Builder>(*log_)) {}

 private:
  ILogger* logger_;
  std::shared_ptr<kilncompat::LoggerBridge> log_;
  std::unique_ptr<kiln::Builder> builder_;
  std::vector<std::unique_ptr<IOptimizationProfile>> profiles_;
};

enum class ExecutionContextAllocationStrategy : int32_t {
  kSTATIC = 0,
  kON_PROFILE_CHANGE = 1,
  kUSER_MANAGED = 2
};

class ICudaEngine;

class IExecutionContext {
 public:
  virtual ~IExecutionContext() = default;

  bool setInputShape(const char* tensorName, const Dims& dims) noexcept {
    return kilncompat::guard<bool>(log_.get(), "IExecutionContext::setInputShape", false, [&] {
      context_->set_input_shape(tensorName, kilncompat::to_kiln(dims));
      return true;
    });
  }
  Dims getTensorShape(const char* tensorName) const noexcept {
    Dims invalid;
    invalid.nbDims = -1;
    return kilncompat::guard<Dims>(log_.get(), "IExecutionContext::getTensorShape", invalid, [&] {
      return kilncompat::from_kiln(context_->get_tensor_shape(tensorName));
    });
  }
  bool allInputDimensionsSpecified() const noexcept {
    return context_->all_input_dimensions_specified();
  }
  bool setTensorAddress(const char* tensorName, void* data) noexcept {
    return kilncompat::guard<bool>(log_.get(), "IExecutionContext::setTensorAddress", false, [&] {
      context_->set_tensor_address(tensorName, data);
      return true;
    });
  }
  bool setInputTensorAddress(const char* tensorName, const void* data) noexcept {
    return setTensorAddress(tensorName, const_cast<void*>(data));
  }
  const void* getTensorAddress(const char* tensorName) const noexcept {
    return kilncompat::guard<const void*>(log_.get(), "IExecutionContext::getTensorAddress",
                                          nullptr,
                                          [&] { return context_->get_tensor_address(tensorName); });
  }
  void* getOutputTensorAddress(const char* tensorName) const noexcept {
    return const_cast<void*>(getTensorAddress(tensorName));
  }
  // Queues the run on `stream` (GPU engines); CPU engines run before returning.
  bool enqueueV3(cudaStream_t stream) noexcept {
    return kilncompat::guard<bool>(log_.get(), "IExecutionContext::enqueueV3", false, [&] {
      context_->execute_async_v3(static_cast<void*>(stream));
      return true;
    });
  }
  // Synchronous; one address per I/O tensor, in ICudaEngine::getIOTensorName order.
  bool executeV2(void* const* bindings) noexcept {
    return kilncompat::guard<bool>(log_.get(), "IExecutionContext::executeV2", false, [&] {
      context_->execute_v2(bindings);
      return true;
    });
  }
  bool setOptimizationProfileAsync(int32_t profileIndex, cudaStream_t stream) noexcept {
    return kilncompat::guard<bool>(
        log_.get(), "IExecutionContext::setOptimizationProfileAsync", false, [&] {
          context_->set_optimization_profile_async(profileIndex, static_cast<void*>(stream));
          return true;
        });
  }
  int32_t getOptimizationProfile() const noexcept { return context_->optimization_profile(); }
  const ICudaEngine& getEngine() const noexcept { return *engine_; }

  IExecutionContext(std::unique_ptr<kiln::ExecutionContext> context, const ICudaEngine* engine,
                    std::shared_ptr<kilncompat::LoggerBridge> log)
      : context_(std::move(context)), engine_(engine), log_(std::move(log)) {}

 private:
  std::unique_ptr<kiln::ExecutionContext> context_;
  const ICudaEngine* engine_;
  std::shared_ptr<kilncompat::LoggerBridge> log_;
};

class ICudaEngine {
 public:
  virtual ~ICudaEngine() = default;

  int32_t getNbIOTensors() const noexcept { return engine_->num_io_tensors(); }
  const char* getIOTensorName(int32_t index) const noexcept {
    if (index < 0 || index >= engine_->num_io_tensors()) return nullptr;
    return engine_->get_tensor_name(index).c_str();
  }
  TensorIOMode getTensorIOMode(const char* tensorName) const noexcept {
    return static_cast<TensorIOMode>(engine_->get_tensor_mode(tensorName));
  }
  DataType getTensorDataType(const char* tensorName) const noexcept {
    return kilncompat::guard<DataType>(
        log_.get(), "ICudaEngine::getTensorDataType", DataType::kFLOAT,
        [&] { return kilncompat::from_kiln(engine_->get_tensor_dtype(tensorName)); });
  }
  Dims getTensorShape(const char* tensorName) const noexcept {
    Dims invalid;
    invalid.nbDims = -1;
    return kilncompat::guard<Dims>(log_.get(), "ICudaEngine::getTensorShape", invalid, [&] {
      return kilncompat::from_kiln(engine_->get_tensor_shape(tensorName));
    });
  }
  TensorLocation getTensorLocation(const char*) const noexcept { return TensorLocation::kDEVICE; }
  int32_t getNbOptimizationProfiles() const noexcept {
    return engine_->num_optimization_profiles();
  }
  Dims getProfileShape(const char* tensorName, int32_t profileIndex,
                       OptProfileSelector select) const noexcept {
    Dims invalid;
    invalid.nbDims = -1;
    return kilncompat::guard<Dims>(log_.get(), "ICudaEngine::getProfileShape", invalid, [&] {
      kiln::ProfileDims dims = engine_->get_tensor_profile_shape(tensorName, profileIndex);
      const kiln::Dims& chosen = select == OptProfileSelector::kMIN   ? dims.min
                                 : select == OptProfileSelector::kOPT ? dims.opt
                                                                      : dims.max;
      return kilncompat::from_kiln(chosen);
    });
  }
  int32_t getNbLayers() const noexcept { return engine_->num_layers(); }
  int64_t getDeviceMemorySizeV2() const noexcept { return engine_->device_memory_size(); }
  // Every strategy behaves as kSTATIC: a kiln context allocates its memory when created.
  IExecutionContext* createExecutionContext(
      ExecutionContextAllocationStrategy strategy =
          ExecutionContextAllocationStrategy::kSTATIC) noexcept {
    return kilncompat::guard<IExecutionContext*>(
        log_.get(), "ICudaEngine::createExecutionContext", nullptr,
        [&] { return new IExecutionContext(engine_->create_execution_context(), this, log_); });
  }
  IHostMemory* serialize() const noexcept {
    return kilncompat::guard<IHostMemory*>(log_.get(), "ICudaEngine::serialize", nullptr,
                                           [&] { return new IHostMemory(engine_->serialize()); });
  }

  kiln::Engine& kilnEngine() const noexcept { return *engine_; }  // kiln extension

  ICudaEngine(std::unique_ptr<kiln::Engine> engine, std::shared_ptr<kilncompat::LoggerBridge> log)
      : engine_(std::move(engine)), log_(std::move(log)) {}

 private:
  std::unique_ptr<kiln::Engine> engine_;
  std::shared_ptr<kilncompat::LoggerBridge> log_;
};

class IRuntime {
 public:
  virtual ~IRuntime() = default;

  // The engine, or nullptr with the reason logged (truncated, corrupted or foreign plan).
  ICudaEngine* deserializeCudaEngine(const void* blob, std::size_t size) noexcept {
    return kilncompat::guard<ICudaEngine*>(
        log_.get(), "IRuntime::deserializeCudaEngine", nullptr,
        [&] { return new ICudaEngine(runtime_->deserialize_cuda_engine(blob, size), log_); });
  }
  ILogger* getLogger() const noexcept { return logger_; }
  int32_t getNbDLACores() const noexcept { return 0; }

  explicit IRuntime(ILogger& logger)
      : logger_(&logger),
        log_(std::make_shared<kilncompat::LoggerBridge>(logger)),
        runtime_(std::make_unique<kiln::Runtime>(*log_)) {}

 private:
  ILogger* logger_;
  std::shared_ptr<kilncompat::LoggerBridge> log_;
  std::unique_ptr<kiln::Runtime> runtime_;
};

inline IBuilder* createInferBuilder(ILogger& logger) noexcept {
  try {
    return new IBuilder(logger);
  } catch (...) {
    return nullptr;
  }
}

inline IRuntime* createInferRuntime(ILogger& logger) noexcept {
  try {
    return new IRuntime(logger);
  } catch (...) {
    return nullptr;
  }
}

inline int32_t getInferLibVersion() noexcept {
  return NV_TENSORRT_VERSION;
}

}  // namespace nvinfer1
