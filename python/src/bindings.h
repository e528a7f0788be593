// kiln Python bindings — what the binding files share: shape conversions, the TensorRT-style
// failure handling (None/False plus a logged reason, or kiln.Error in strict mode), weights.
#pragma once

#include <nanobind/nanobind.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kiln/kiln.h"
#include "trt_enums.h"

namespace nb = nanobind;

namespace kiln::python {

// ---------------------------------------------------------------------------------------------
// Shapes: any sequence of ints in, a kiln.Dims (a tuple subclass defined in kiln/_helpers.py) out.

// The Python class shapes are returned as; set once by kiln/__init__.py (a plain tuple before).
void set_dims_type(nb::handle type);
nb::object dims_to_python(const Dims& dims);
// Accepts tuples, lists, kiln.Dims, numpy shapes; throws nb::type_error otherwise.
Dims dims_from_python(nb::handle obj);
// [min, opt, max] as a list of Dims, TensorRT's form of profile shapes.
nb::list profile_to_python(const ProfileDims& dims);

// ---------------------------------------------------------------------------------------------
// Failures. TensorRT returns None/False where a call fails and logs why; kiln's C++ API throws
// kiln::Error. guarded() runs a call and, on kiln::Error, remembers the message (get_last_error),
// then either re-throws (strict mode: Python sees kiln.Error) or logs it through `logger` at
// ERROR and returns `fallback`.

bool strict_mode();
void set_strict_mode(bool strict);
void remember_error(const std::string& message);
// Logs `message` (with the API call's name in front unless it already starts with it).
void report_error(Logger* logger, const char* api, const std::string& message);

template <typename R, typename F>
R guarded(Logger* logger, const char* api, R fallback, F&& call) {
  try {
    return call();
  } catch (const Error& e) {
    remember_error(e.what());
    if (strict_mode()) throw;
    report_error(logger, api, e.what());
    return fallback;
  }
}

template <typename F>
void guarded_void(Logger* logger, const char* api, F&& call) {
  try {
    call();
  } catch (const Error& e) {
    remember_error(e.what());
    if (strict_mode()) throw;
    report_error(logger, api, e.what());
  }
}

// TensorRT answers some calls with a bool: True when the call succeeded, else False with the
// reason logged (or the Error raised in strict mode).
template <typename F>
bool checked(Logger* logger, const char* api, F&& call) {
  return guarded<bool>(logger, api, false, [&] {
    call();
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Which logger a network, layer or tensor reports through: the one of the builder that created
// the network (registered by PyNetwork).
// Keyed by the C++ object: networks (PyNetwork) and optimization profiles (Builder).
void register_logger(const void* owner, Logger* logger);
void unregister_logger(const void* owner);
Logger* logger_of(const void* owner);
Logger* logger_of(const Layer& layer);
Logger* logger_of(const Tensor& tensor);

// ---------------------------------------------------------------------------------------------
// Python-side objects that own C++ ones.

// kiln.Weights: a C-contiguous numpy array (kept alive) and the kiln data type of its values.
struct PyWeights {
  nb::object array;  // None for empty weights
  DataType type = DataType::kFLOAT;
  const void* values = nullptr;
  int64_t count = 0;

  Weights view() const { return Weights{type, values, count}; }
};
PyWeights weights_from_array(nb::handle array);
// None -> empty weights; kiln.Weights as is; anything numpy accepts -> its values.
PyWeights to_weights(nb::handle obj);

// INetworkDefinition: owns the C++ network; layers and tensors point into it.
struct PyNetwork {
  std::unique_ptr<NetworkDefinition> def;
  Logger* logger;

  PyNetwork(std::unique_ptr<NetworkDefinition> network, Logger* log);
  ~PyNetwork();
};

// IBuilderConfig: the C++ config plus the Python objects it points to (timing cache, algorithm
// selector, progress monitor), kept alive here because the C++ config holds raw pointers.
struct PyConfig {
  std::unique_ptr<BuilderConfig> config;
  Logger* logger = nullptr;
  nb::object timing_cache = nb::none();
  nb::object algorithm_selector = nb::none();
  nb::object progress_monitor = nb::none();
  // TensorRT builder flags kiln does not implement, set by the script (bit = TensorRT's value):
  // get_flag reads them back; they change nothing.
  uint32_t other_flags = 0;
};

// Garbage-collector slots of IBuilderConfig (tuning.cpp).
int config_traverse(PyObject* self, visitproc visit, void* arg);
int config_clear(PyObject* self);

// A layer property setter that reports failures TensorRT-style (the layer stays unchanged).
template <typename L, typename V>
auto setter(void (L::*set)(V), const char* api) {
  return [set, api](L& layer, std::remove_cvref_t<V> value) {
    guarded_void(logger_of(layer), api, [&] { (layer.*set)(value); });
  };
}

// Runs an add_* call TensorRT-style: the layer, or None with the reason logged.
template <typename F>
auto add(PyNetwork& net, const char* api, F&& call) -> decltype(call()) {
  return guarded<decltype(call())>(net.logger, api, nullptr, std::forward<F>(call));
}

// IHostMemory: bytes with the buffer protocol (bytes(x), f.write(x), memoryview(x)).
struct HostMemory {
  std::vector<uint8_t> data;
};
nb::object make_host_memory(std::vector<uint8_t> data);
// A read-only view of any object with the buffer protocol (bytes, bytearray, memoryview, numpy
// arrays, IHostMemory). Releases the view when destroyed.
class BufferView {
 public:
  explicit BufferView(nb::handle obj);
  ~BufferView();
  BufferView(const BufferView&) = delete;
  BufferView& operator=(const BufferView&) = delete;
  const void* data() const { return view_.buf; }
  size_t size() const { return static_cast<size_t>(view_.len); }

 private:
  Py_buffer view_{};
};

// error_recorder attributes (error_recorder.cpp): a Python IErrorRecorder wrapped for C++ (a new
// wrapper that frees itself when no kiln object holds it; nullptr for None), and back.
ErrorRecorder* error_recorder_from_python(nb::handle recorder);
nb::object error_recorder_to_python(ErrorRecorder* recorder);

void bind_enums(nb::module_& m);
void bind_logger(nb::module_& m);
void bind_layers(nb::module_& m);
// ILayer's recorded hints (precision, output types, metadata) and ITensor's dimension names live
// beside the network; forget_layer_hints drops a network's when it goes (PyNetwork's destructor).
void forget_layer_hints(const NetworkDefinition& network);
void bind_tensor_dimension_names(nb::class_<Tensor>& tensor);
void bind_layers_extra(nb::module_& m);
// After every layer class is bound (module.cpp): what the downcast idiom needs.
void finish_layer_classes(nb::module_& m);
void bind_network(nb::module_& m);
void bind_network_extra(nb::class_<PyNetwork>& network);
void bind_builder(nb::module_& m);
void bind_tuning(nb::module_& m);
// The timing-cache, algorithm-selector and progress-monitor members of IBuilderConfig.
void bind_config_tuning(nb::class_<PyConfig>& config);
void bind_runtime(nb::module_& m);
void bind_onnx_parser(nb::module_& m);
// The C++ engine of a kiln.ICudaEngine (runtime.cpp); throws nb::cast_error for other objects.
Engine& engine_of(nb::handle engine);
void bind_refit(nb::module_& m);  // Refitter, WeightsRole, OnnxParserRefitter (refit.cpp)
void bind_plugins(nb::module_& m);

}  // namespace kiln::python

// Shapes convert implicitly wherever a binding takes or returns kiln::Dims.
namespace nanobind::detail {
template <>
struct type_caster<kiln::Dims> {
  NB_TYPE_CASTER(kiln::Dims, io_name("collections.abc.Sequence[int]", "kiln.Dims"))
  bool from_python(handle src, uint8_t, cleanup_list*) noexcept {
    try {
      value = kiln::python::dims_from_python(src);
      return true;
    } catch (...) {
      PyErr_Clear();
      return false;
    }
  }
  static handle from_cpp(const kiln::Dims& dims, rv_policy, cleanup_list*) noexcept {
    try {
      return kiln::python::dims_to_python(dims).release();
    } catch (...) {
      return handle();
    }
  }
};
}  // namespace nanobind::detail
