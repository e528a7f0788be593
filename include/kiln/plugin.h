// kiln — plugins: layers that users write themselves (kiln's simplified TensorRT IPluginV3).
//
// A plugin computes its outputs' types and shapes from its inputs' and runs on the CPU backend
// (stream == nullptr), the GPU backend (a cudaStream_t) or both. A creator makes plugins from
// typed fields; the registry finds creators by (name, version, namespace). A network stores the
// plugin's name, version, namespace and serialized fields, so a plan re-creates the plugin through
// the registry when it is loaded. docs/plugins.md has the whole story.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "kiln/types.h"

namespace kiln {

class Logger;

// The element type of a plugin field (TensorRT's PluginFieldType). Values are stored in plans.
enum class PluginFieldType : int32_t {
  kFLOAT16,
  kFLOAT32,
  kFLOAT64,
  kINT8,
  kINT16,
  kINT32,
  kINT64,
  kCHAR,
  kUINT8
};
const char* to_string(PluginFieldType type);
int64_t element_size(PluginFieldType type);  // bytes per element

// One named, typed array of values. It owns its bytes (TensorRT's points at the caller's).
struct PluginField {
  std::string name;
  PluginFieldType type = PluginFieldType::kCHAR;
  int64_t length = 0;         // number of elements
  std::vector<uint8_t> data;  // length * element_size(type) bytes

  PluginField() = default;
  PluginField(std::string name, PluginFieldType type, const void* values, int64_t length);
  // Typed constructors: float -> kFLOAT32, double -> kFLOAT64, int8_t -> kINT8, int16_t -> kINT16,
  // int32_t -> kINT32, int64_t -> kINT64, uint8_t -> kUINT8; a string -> kCHAR (no terminator).
  template <typename T>
  PluginField(std::string name, const std::vector<T>& values)
      : PluginField(std::move(name), type_of<T>(), values.data(),
                    static_cast<int64_t>(values.size())) {}
  PluginField(std::string name, std::string_view text)
      : PluginField(std::move(name), PluginFieldType::kCHAR, text.data(),
                    static_cast<int64_t>(text.size())) {}

  // The values as T; throws Error when T does not match `type`.
  template <typename T>
  std::vector<T> values() const {
    check_type(type_of<T>());
    std::vector<T> out(static_cast<size_t>(length));
    if (length > 0) std::memcpy(out.data(), data.data(), out.size() * sizeof(T));
    return out;
  }
  std::string text() const;  // a kCHAR field as a string; throws for another type

  template <typename T>
  static constexpr PluginFieldType type_of() {
    if constexpr (std::is_same_v<T, float>)
      return PluginFieldType::kFLOAT32;
    else if constexpr (std::is_same_v<T, double>)
      return PluginFieldType::kFLOAT64;
    else if constexpr (std::is_same_v<T, int8_t>)
      return PluginFieldType::kINT8;
    else if constexpr (std::is_same_v<T, int16_t>)
      return PluginFieldType::kINT16;
    else if constexpr (std::is_same_v<T, int32_t>)
      return PluginFieldType::kINT32;
    else if constexpr (std::is_same_v<T, int64_t>)
      return PluginFieldType::kINT64;
    else if constexpr (std::is_same_v<T, uint8_t>)
      return PluginFieldType::kUINT8;
    else
      static_assert(sizeof(T) == 0, "PluginField: no field type for this C++ type");
  }

 private:
  void check_type(PluginFieldType expected) const;
};

using PluginFieldCollection = std::vector<PluginField>;
// The field named `name`, or nullptr.
const PluginField* find_field(const PluginFieldCollection& fields, std::string_view name);

// A tensor as a plugin sees it: dense, row-major. Dims may hold -1 only in shape inference.
struct PluginTensorDesc {
  DataType type = DataType::kFLOAT;
  Dims dims;
};

// Why a creator is asked for a plugin: while building a network, or while loading a plan.
enum class PluginPhase : int32_t { kBUILD, kRUNTIME };

// A user-written layer. One instance serves an engine: every execution context of the engine
// calls the same instance (from the thread that enqueues), so enqueue must not keep per-call
// state in members unless it synchronises.
class PluginV3 {
 public:
  virtual ~PluginV3() = default;

  virtual std::string get_plugin_name() const = 0;
  virtual std::string get_plugin_version() const = 0;
  // Set by the registry to the namespace its creator was registered under.
  const std::string& get_plugin_namespace() const { return namespace_; }
  void set_plugin_namespace(std::string plugin_namespace) {
    namespace_ = std::move(plugin_namespace);
  }

  virtual std::unique_ptr<PluginV3> clone() const = 0;

  virtual int32_t get_nb_outputs() const = 0;
  // One type per output, from the inputs' types.
  virtual std::vector<DataType> get_output_data_types(
      std::span<const DataType> input_types) const = 0;
  // One Dims per output, from the inputs' dims; -1 marks a dimension known only at run time, and
  // an output dimension that depends on one should be -1 too. shape_inputs are the dims of the
  // shape inputs given to add_plugin_v3 (their values are not available: docs/plugins.md).
  virtual std::vector<Dims> get_output_shapes(std::span<const Dims> inputs,
                                              std::span<const Dims> shape_inputs) const = 0;
  // Whether the plugin runs with these input and output types (all linear, row-major). A build
  // fails naming the layer when it does not.
  virtual bool supports_types(std::span<const DataType> input_types,
                              std::span<const DataType> output_types) const {
    return true;
  }
  // Whether enqueue can run on this device: kCPU (host pointers, stream == nullptr) or kGPU
  // (device pointers, stream is a cudaStream_t).
  virtual bool supports_device(DeviceType device) const { return device == DeviceType::kCPU; }
  // Scratch bytes enqueue needs for these concrete shapes.
  virtual size_t get_workspace_size(std::span<const PluginTensorDesc> inputs,
                                    std::span<const PluginTensorDesc> outputs) const {
    return 0;
  }
  // Computes the outputs. Descs hold concrete shapes. On the GPU it must only launch work on
  // `stream` (no allocation, no synchronisation). Throwing fails the inference with an Error
  // naming the layer.
  virtual void enqueue(DeviceType device, std::span<const PluginTensorDesc> input_descs,
                       std::span<const PluginTensorDesc> output_descs, const void* const* inputs,
                       void* const* outputs, void* workspace, void* stream) = 0;
  // The fields its creator re-creates it from (stored in the plan).
  virtual PluginFieldCollection get_fields_to_serialize() const = 0;

 private:
  std::string namespace_;
};

// Makes plugins of one name and version from fields.
class PluginCreator {
 public:
  virtual ~PluginCreator() = default;
  virtual std::string get_plugin_name() const = 0;
  virtual std::string get_plugin_version() const = 0;
  // The fields create_plugin understands (names and types; data may be empty).
  virtual PluginFieldCollection get_field_names() const { return {}; }
  // `name` is the layer's name. May throw Error for bad fields.
  virtual std::unique_ptr<PluginV3> create_plugin(const std::string& name,
                                                  const PluginFieldCollection& fields,
                                                  PluginPhase phase) = 0;

  const std::string& get_plugin_namespace() const { return namespace_; }
  void set_plugin_namespace(std::string plugin_namespace) {
    namespace_ = std::move(plugin_namespace);
  }

 private:
  std::string namespace_;
};

// The creators kiln knows, keyed by (name, version, namespace). Thread-safe.
class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Registers under `plugin_namespace` (and sets the creator's namespace to it). False, with the
  // registry unchanged, when that key is taken.
  bool register_creator(std::shared_ptr<PluginCreator> creator,
                        const std::string& plugin_namespace = "");
  bool deregister_creator(const std::string& name, const std::string& version,
                          const std::string& plugin_namespace = "");
  // nullptr when absent.
  std::shared_ptr<PluginCreator> get_creator(const std::string& name, const std::string& version,
                                             const std::string& plugin_namespace = "") const;
  std::vector<std::shared_ptr<PluginCreator>> get_all_creators() const;

  // Creates a plugin through the creator of (name, version, namespace) and sets its namespace.
  // Throws Error naming the plugin and `layer` when the creator is missing, throws or returns
  // nothing.
  std::unique_ptr<PluginV3> create_plugin(const std::string& name, const std::string& version,
                                          const std::string& plugin_namespace,
                                          const std::string& layer,
                                          const PluginFieldCollection& fields, PluginPhase phase);

  // dlopen()s a plugin library and registers the creators its exported
  //   extern "C" int32_t kiln_get_plugin_creators(kiln::PluginCreator* const** creators)
  // returns (KILN_PLUGIN_LIBRARY in this header declares it), under the namespace each creator
  // already has. The library stays loaded for the life of the process. Returns the number of
  // creators registered; throws Error when the library cannot be loaded, lacks the symbol or
  // offers a creator whose key is taken.
  int32_t load_library(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The process-wide registry that networks, the ONNX parser and plan loading use.
PluginRegistry& get_plugin_registry();

// Shorthand for get_plugin_registry().load_library(path) (builder and runtime alike).
int32_t load_plugin_library(const std::string& path);

// Registers kiln's built-in plugins (docs/plugins.md lists them) under `plugin_namespace`, like
// TensorRT's initLibNvInferPlugins. Safe to call more than once. Returns true when all are
// registered; problems are reported to `logger` when given.
bool init_kiln_plugins(Logger* logger = nullptr, const std::string& plugin_namespace = "");

}  // namespace kiln

// The entry point a plugin library exports (see PluginRegistry::load_library). Creators stay
// owned by the library.
#define KILN_PLUGIN_LIBRARY_ENTRY                                                     \
  extern "C" __attribute__((visibility("default"))) int32_t kiln_get_plugin_creators( \
      kiln::PluginCreator* const** creators)
