// The _kiln extension module: shapes, failure handling (last error, strict mode, kiln.Error), host
// memory with the buffer protocol; the other binding files add the API classes.
#include <nanobind/stl/string.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>

#include "bindings.h"

namespace kiln::python {

// ---------------------------------------------------------------------------------------------
// Shapes

namespace {
nb::object& dims_type() {
  static nb::object* type = new nb::object();  // leaked: outlives the interpreter's teardown
  return *type;
}
}  // namespace

void set_dims_type(nb::handle type) {
  dims_type() = nb::borrow(type);
}

nb::object dims_to_python(const Dims& dims) {
  nb::list values;
  for (int32_t i = 0; i < dims.nb_dims; ++i) values.append(dims.d[i]);
  nb::tuple tuple = nb::tuple(values);
  if (dims_type().is_valid() && !dims_type().is_none()) return dims_type()(tuple);
  return tuple;
}

Dims dims_from_python(nb::handle obj) {
  if (nb::isinstance<nb::str>(obj) || nb::isinstance<nb::bytes>(obj))
    throw nb::type_error("a shape is a sequence of ints, not a string");
  if (PyLong_Check(obj.ptr())) return Dims{nb::cast<int64_t>(obj)};
  if (!PySequence_Check(obj.ptr())) throw nb::type_error("a shape is a sequence of ints");
  nb::sequence seq = nb::borrow<nb::sequence>(obj);
  size_t n = nb::len(seq);
  if (n > static_cast<size_t>(Dims::kMaxDims)) {
    throw Error("a shape has at most " + std::to_string(Dims::kMaxDims) + " dimensions, got " +
                std::to_string(n));
  }
  Dims dims;
  dims.nb_dims = static_cast<int32_t>(n);
  for (size_t i = 0; i < n; ++i) {
    nb::object item = seq[i];
    // numpy integers and anything with __index__ count as ints.
    dims.d[i] = nb::cast<int64_t>(nb::int_(item));
  }
  return dims;
}

nb::list profile_to_python(const ProfileDims& dims) {
  nb::list result;
  result.append(dims_to_python(dims.min));
  result.append(dims_to_python(dims.opt));
  result.append(dims_to_python(dims.max));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Failures

namespace {
std::atomic<bool> g_strict{false};
thread_local std::optional<std::string> t_last_error;

std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::map<const void*, Logger*>& registry() {
  static auto* map = new std::map<const void*, Logger*>();
  return *map;
}
}  // namespace

bool strict_mode() {
  return g_strict.load();
}
void set_strict_mode(bool strict) {
  g_strict.store(strict);
}
void remember_error(const std::string& message) {
  t_last_error = message;
}

void report_error(Logger* logger, const char* api, const std::string& message) {
  std::string text = message;
  std::string prefix = std::string(api) + ":";
  if (text.compare(0, prefix.size(), prefix) != 0) text = std::string(api) + ": " + message;
  if (logger != nullptr) {
    // The logger may call into Python (an ILogger subclass); the GIL is held here.
    logger->report(Logger::Severity::kERROR, text);
  } else {
    PySys_WriteStderr("[kiln] [E] %s\n", text.c_str());
  }
}

void register_logger(const void* owner, Logger* logger) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  registry()[owner] = logger;
}
void unregister_logger(const void* owner) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  registry().erase(owner);
}
Logger* logger_of(const void* owner) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = registry().find(owner);
  return it == registry().end() ? nullptr : it->second;
}
Logger* logger_of(const Layer& layer) {
  return logger_of(static_cast<const void*>(&layer.network()));
}
Logger* logger_of(const Tensor& tensor) {
  return logger_of(static_cast<const void*>(&tensor.network()));
}

// ---------------------------------------------------------------------------------------------
// Host memory and buffers

namespace {
int host_memory_getbuffer(PyObject* self, Py_buffer* view, int flags) {
  HostMemory* memory = nb::inst_ptr<HostMemory>(self);
  return PyBuffer_FillInfo(view, self, memory->data.data(),
                           static_cast<Py_ssize_t>(memory->data.size()), /*readonly=*/1, flags);
}
void host_memory_releasebuffer(PyObject*, Py_buffer*) {}

PyType_Slot host_memory_slots[] = {
    {Py_bf_getbuffer, reinterpret_cast<void*>(host_memory_getbuffer)},
    {Py_bf_releasebuffer, reinterpret_cast<void*>(host_memory_releasebuffer)},
    {0, nullptr}};
}  // namespace

nb::object make_host_memory(std::vector<uint8_t> data) {
  return nb::cast(HostMemory{std::move(data)});
}

BufferView::BufferView(nb::handle obj) {
  if (PyObject_GetBuffer(obj.ptr(), &view_, PyBUF_SIMPLE) != 0) {
    PyErr_Clear();
    throw nb::type_error(
        "expected bytes or an object with the buffer protocol (bytearray, "
        "memoryview, numpy array, IHostMemory)");
  }
}
BufferView::~BufferView() {
  PyBuffer_Release(&view_);
}

}  // namespace kiln::python

using namespace kiln::python;

NB_MODULE(_kiln, m) {
  m.doc() = "kiln's C++ API with TensorRT's Python names; import the `kiln` package instead.";
  // A module-level ILogger subclass kept alive by a module-level Builder is a cycle through
  // __main__ that Python breaks only after nanobind's exit-time leak check, which would then
  // print false alarms for ordinary TensorRT-style scripts. KILN_LEAK_WARNINGS=1 turns it on.
  nb::set_leak_warnings(std::getenv("KILN_LEAK_WARNINGS") != nullptr);

  static nb::exception<kiln::Error> error(m, "Error", PyExc_RuntimeError);

  m.def("_set_dims_type", &set_dims_type, "Sets the class shapes are returned as (kiln.Dims).");
  m.def(
      "get_last_error",
      []() -> nb::object {
        if (!t_last_error) return nb::none();
        return nb::str(t_last_error->c_str());
      },
      "The message of the last failure on this thread (a call that returned None/False or raised "
      "kiln.Error), or None.");
  m.def(
      "clear_last_error", []() { t_last_error.reset(); }, "Forgets the last failure.");
  m.def("set_strict", &set_strict_mode, nb::arg("strict"),
        "Strict mode: calls that TensorRT answers with None/False on failure raise kiln.Error "
        "instead (also on with the environment variable KILN_STRICT=1).");
  m.def("get_strict", &strict_mode, "Whether strict mode is on.");
  m.def(
      "version", []() { return std::string(kiln::version_string()); },
      "kiln's version, \"0.1.0\".");

  nb::class_<HostMemory>(m, "IHostMemory", nb::type_slots(host_memory_slots),
                         "Bytes the builder or engine produced: a plan or a timing cache. Supports "
                         "the buffer protocol: bytes(x), f.write(x), memoryview(x), "
                         "numpy.frombuffer(x, numpy.uint8).")
      .def_prop_ro(
          "nbytes", [](const HostMemory& h) { return h.data.size(); }, "Size in bytes.")
      .def_prop_ro(
          "dtype", [](const HostMemory&) { return kiln::DataType::kUINT8; },
          "DataType.UINT8: the buffer holds bytes.")
      .def("__len__", [](const HostMemory& h) { return h.data.size(); });

  bind_enums(m);
  bind_logger(m);
  bind_layers(m);
  bind_layers_extra(m);
  bind_network(m);
  bind_tuning(m);
  bind_builder(m);
  bind_runtime(m);
  bind_onnx_parser(m);
  bind_refit(m);            // after bind_runtime and bind_onnx_parser
  bind_plugins(m);          // after bind_network: adds INetworkDefinition.add_plugin_v3
  finish_layer_classes(m);  // after every layer class
}
