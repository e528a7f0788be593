// Runtime, ICudaEngine and IExecutionContext. Addresses are ints: host addresses (numpy
// arr.ctypes.data) for CPU engines, device addresses (torch data_ptr()) for GPU engines. Running
// releases the GIL. Calls TensorRT answers with False/None do the same here, with the reason logged
// through the runtime's logger (kiln.Error in strict mode).
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <nanobind/trampoline.h>

#include "device.h"

namespace kiln::python {

namespace {

struct PyRuntime {
  Logger* logger;
  int32_t cpu_threads = 0;
  // Runtimes are made per call (Runtime is cheap); the recorder they get is kept here.
  std::shared_ptr<ErrorRecorderRef> recorder = std::make_shared<ErrorRecorderRef>();
};

struct PyEngine {
  std::unique_ptr<Engine> engine;
  Logger* logger;
};

struct PyContext {
  std::unique_ptr<ExecutionContext> context;
  Logger* logger;
  nb::object engine;                 // the PyEngine, for .engine
  nb::object profiler = nb::none();  // the IProfiler the context reports to (kept alive)
};

// trt.IProfiler: report_layer_time(layer_name, ms) after each run, called from the running
// thread (the GIL is taken for it). An exception in it is printed as unraisable: the run itself
// has finished by then.
struct PyProfiler : Profiler {
  NB_TRAMPOLINE(Profiler, 1);

  void report_layer_time(const char* layer_name, float ms) override {
    nb::gil_scoped_acquire gil;
    try {
      nb::detail::ticket ticket(nb_trampoline, "report_layer_time",
                                nb::detail::str_hash("report_layer_time"), true);
      nb_trampoline.base().attr(ticket.key)(nb::str(layer_name), ms);
    } catch (nb::python_error& e) {
      e.discard_as_unraisable("IProfiler.report_layer_time");
    }
  }
};

struct PyInspector {
  std::unique_ptr<EngineInspector> inspector;
  Logger* logger;
  nb::object engine;
  nb::object execution_context = nb::none();
};

void* to_pointer(uintptr_t address) {
  return reinterpret_cast<void*>(address);
}

}  // namespace

Engine& engine_of(nb::handle engine) {
  return *nb::cast<PyEngine&>(engine).engine;
}

void bind_runtime(nb::module_& m) {
  nb::class_<PyEngine>(m, "ICudaEngine",
                       "An engine loaded from a plan: immutable, shared by its contexts. Its "
                       "I/O tensors are inputs first, then outputs.",
                       nb::is_weak_referenceable())
      .def_prop_ro("num_io_tensors", [](const PyEngine& e) { return e.engine->num_io_tensors(); })
      .def_prop_rw(
          "error_recorder",
          [](const PyEngine& e) { return error_recorder_to_python(e.engine->get_error_recorder()); },
          [](PyEngine& e, nb::handle r) { e.engine->set_error_recorder(error_recorder_from_python(r)); },
          nb::arg("recorder").none(),
          "TensorRT's IErrorRecorder: every error this object raises is also reported to it "
          "(report_error(ErrorCodeTRT, desc)); None removes it (docs/reliability.md).")
      .def(
          "get_tensor_name",
          [](const PyEngine& e, int32_t index) -> nb::object {
            if (index < 0 || index >= e.engine->num_io_tensors()) return nb::none();
            return nb::str(e.engine->get_tensor_name(index).c_str());
          },
          nb::arg("index"), "The index-th I/O tensor's name, or None.")
      .def(
          "get_tensor_mode",
          [](const PyEngine& e, const std::string& name) {
            return e.engine->get_tensor_mode(name);
          },
          nb::arg("name"), "TensorIOMode.INPUT/OUTPUT, or NONE for an unknown name.")
      .def(
          "get_tensor_dtype",
          [](const PyEngine& e, const std::string& name) -> nb::object {
            return guarded<nb::object>(e.logger, "get_tensor_dtype", nb::none(),
                                       [&] { return nb::cast(e.engine->get_tensor_dtype(name)); });
          },
          nb::arg("name"))
      .def(
          "get_tensor_shape",
          [](const PyEngine& e, const std::string& name) -> nb::object {
            return guarded<nb::object>(e.logger, "get_tensor_shape", nb::none(), [&] {
              return dims_to_python(e.engine->get_tensor_shape(name));
            });
          },
          nb::arg("name"), "The shape with -1 for dynamic dimensions.")
      .def_prop_ro("num_optimization_profiles",
                   [](const PyEngine& e) { return e.engine->num_optimization_profiles(); })
      .def(
          "get_tensor_profile_shape",
          [](const PyEngine& e, const std::string& name, int32_t profile) -> nb::object {
            return guarded<nb::object>(e.logger, "get_tensor_profile_shape", nb::none(), [&] {
              return nb::object(
                  profile_to_python(e.engine->get_tensor_profile_shape(name, profile)));
            });
          },
          nb::arg("name"), nb::arg("profile_index"), "[min, opt, max] of an input in a profile.")
      .def_prop_ro("num_layers", [](const PyEngine& e) { return e.engine->num_layers(); })
      .def_prop_ro("num_aux_streams", [](const PyEngine& e) { return e.engine->num_aux_streams(); })
      .def_prop_ro("device_memory_size",
                   [](const PyEngine& e) { return e.engine->device_memory_size(); })
      .def_prop_ro(
          "device_type", [](const PyEngine& e) { return e.engine->device_type(); },
          "DeviceType.GPU or DeviceType.CPU: where the engine runs (kiln).")
      .def(
          "serialize", [](const PyEngine& e) { return make_host_memory(e.engine->serialize()); },
          "The plan bytes as IHostMemory.")
      .def(
          "create_engine_inspector",
          [](nb::handle self) -> nb::object {
            PyEngine& e = nb::cast<PyEngine&>(self);
            return guarded<nb::object>(e.logger, "create_engine_inspector", nb::none(), [&] {
              return nb::cast(std::make_unique<PyInspector>(
                  PyInspector{e.engine->create_engine_inspector(), e.logger, nb::borrow(self)}));
            });
          },
          "An EngineInspector describing the engine's layers (get_layer_information, "
          "get_engine_information).")
      .def(
          "create_execution_context",
          [](nb::handle self) -> nb::object {
            PyEngine& e = nb::cast<PyEngine&>(self);
            return guarded<nb::object>(e.logger, "create_execution_context", nb::none(), [&] {
              std::unique_ptr<ExecutionContext> context;
              {
                nb::gil_scoped_release release;
                context = e.engine->create_execution_context();
              }
              return nb::cast(std::make_unique<PyContext>(
                  PyContext{std::move(context), e.logger, nb::borrow(self)}));
            });
          },
          "A new execution context, or None with the reason logged.");

  nb::class_<PyContext>(m, "IExecutionContext",
                        "Per-inference state: input shapes, tensor addresses, the active profile. "
                        "Use one context per thread.",
                        nb::is_weak_referenceable())
      .def_prop_ro(
          "engine", [](const PyContext& c) { return c.engine; }, "The ICudaEngine.")
      .def_prop_rw(
          "error_recorder",
          [](const PyContext& c) { return error_recorder_to_python(c.context->get_error_recorder()); },
          [](PyContext& c, nb::handle r) { c.context->set_error_recorder(error_recorder_from_python(r)); },
          nb::arg("recorder").none(),
          "TensorRT's IErrorRecorder: every error this object raises is also reported to it "
          "(report_error(ErrorCodeTRT, desc)); None removes it (docs/reliability.md).")
      .def(
          "set_input_shape",
          [](PyContext& c, const std::string& name, const Dims& shape) {
            return checked(c.logger, "set_input_shape",
                           [&] { c.context->set_input_shape(name, shape); });
          },
          nb::arg("name"), nb::arg("shape"),
          "False, with the reason logged, when `name` is not an input or the shape lies outside "
          "the active profile.")
      .def(
          "get_tensor_shape",
          [](const PyContext& c, const std::string& name) -> nb::object {
            return guarded<nb::object>(c.logger, "get_tensor_shape", nb::none(), [&] {
              return dims_to_python(c.context->get_tensor_shape(name));
            });
          },
          nb::arg("name"), "Inputs: the shape set; outputs: inferred from the inputs.")
      .def_prop_ro("all_input_dimensions_specified",
                   [](const PyContext& c) { return c.context->all_input_dimensions_specified(); })
      .def(
          "set_tensor_address",
          [](PyContext& c, const std::string& name, uintptr_t address) {
            return checked(c.logger, "set_tensor_address",
                           [&] { c.context->set_tensor_address(name, to_pointer(address)); });
          },
          nb::arg("name"), nb::arg("memory"),
          "Host address (CPU engines) or device address (GPU engines) as an int.")
      .def(
          "get_tensor_address",
          [](const PyContext& c, const std::string& name) {
            return guarded<uintptr_t>(c.logger, "get_tensor_address", 0, [&] {
              return reinterpret_cast<uintptr_t>(c.context->get_tensor_address(name));
            });
          },
          nb::arg("name"), "The address set, 0 when none (or the name is unknown).")
      .def(
          "set_optimization_profile_async",
          [](PyContext& c, int32_t index, uintptr_t stream) {
            return checked(c.logger, "set_optimization_profile_async", [&] {
              c.context->set_optimization_profile_async(index, to_pointer(stream));
            });
          },
          nb::arg("profile_index"), nb::arg("stream_handle"),
          "Makes a profile active; set the input shapes again afterwards.")
      .def_prop_ro("active_optimization_profile",
                   [](const PyContext& c) { return c.context->optimization_profile(); })
      .def(
          "execute_async_v3",
          [](PyContext& c, uintptr_t stream) {
            return checked(c.logger, "execute_async_v3", [&] {
              nb::gil_scoped_release release;
              c.context->execute_async_v3(to_pointer(stream));
            });
          },
          nb::arg("stream_handle"),
          "Runs on a CUDA stream (an int, e.g. torch.cuda.current_stream().cuda_stream); "
          "synchronous on CPU engines. False, with the reason logged, when a shape or address "
          "is missing.")
      .def(
          "execute_v2",
          [](PyContext& c, const std::vector<uintptr_t>& bindings) {
            std::vector<void*> pointers;
            for (uintptr_t b : bindings) pointers.push_back(to_pointer(b));
            return checked(c.logger, "execute_v2", [&] {
              if (static_cast<int32_t>(pointers.size()) !=
                  nb::cast<PyEngine&>(c.engine).engine->num_io_tensors()) {
                throw Error("execute_v2: expected one address per I/O tensor (" +
                            std::to_string(nb::cast<PyEngine&>(c.engine).engine->num_io_tensors()) +
                            "), got " + std::to_string(pointers.size()));
              }
              nb::gil_scoped_release release;
              c.context->execute_v2(pointers.data());
            });
          },
          nb::arg("bindings"), "Synchronous; addresses in I/O tensor order (get_tensor_name).")
      .def(
          "set_aux_streams",
          [](PyContext& c, const std::vector<uintptr_t>& streams) {
            std::vector<void*> pointers;
            for (uintptr_t s : streams) pointers.push_back(to_pointer(s));
            guarded_void(c.logger, "set_aux_streams", [&] {
              c.context->set_aux_streams(pointers.data(), static_cast<int32_t>(pointers.size()));
            });
          },
          nb::arg("aux_streams"), "The CUDA streams (ints) auxiliary steps run on.")
      .def_prop_ro(
          "device_memory_size", [](const PyContext& c) { return c.context->device_memory_size(); },
          "Device memory this context holds (kiln).")
      .def_prop_rw(
          "profiler", [](const PyContext& c) { return c.profiler; },
          [](PyContext& c, nb::handle profiler) {
            if (profiler.is_none()) {
              c.context->set_profiler(nullptr);
            } else {
              c.context->set_profiler(&nb::cast<Profiler&>(profiler));
            }
            c.profiler = nb::borrow(profiler);
          },
          nb::arg("profiler").none(),
          "An IProfiler: report_layer_time(layer_name, ms) is called for every layer after each "
          "run (None: no profiling).")
      .def_prop_rw(
          "nvtx_verbosity",
          [](const PyContext& c) {
            // ProfilingVerbosity: LAYER_NAMES_ONLY (0) when NVTX ranges are emitted, NONE (1)
            // otherwise.
            return c.context->get_nvtx() ? 0 : 1;
          },
          [](PyContext& c, int32_t verbosity) { c.context->set_nvtx(verbosity != 1); },
          "ProfilingVerbosity of the NVTX ranges kiln emits around layers on the GPU: NONE "
          "turns them off; LAYER_NAMES_ONLY and DETAILED both name the layers.")
      .def(
          "set_cuda_graph_mode",
          [](PyContext& c, bool enabled) { c.context->set_cuda_graph_mode(enabled); },
          nb::arg("enabled"),
          "kiln: capture the work into a CUDA graph and replay it (GPU engines).");

  nb::class_<Profiler, PyProfiler>(m, "IProfiler",
                                   "Per-layer times: subclass it and implement "
                                   "report_layer_time(layer_name, ms); set it as context.profiler.")
      .def(nb::init<>());

  nb::enum_<LayerInformationFormat>(m, "LayerInformationFormat", nb::is_arithmetic())
      .value("ONELINE", LayerInformationFormat::kONELINE)
      .value("JSON", LayerInformationFormat::kJSON);

  nb::class_<PyInspector>(m, "EngineInspector",
                          "Describes an engine's layers; made by "
                          "ICudaEngine.create_engine_inspector().")
      .def_prop_rw(
          "execution_context", [](const PyInspector& i) { return i.execution_context; },
          [](PyInspector& i, nb::handle context) { i.execution_context = nb::borrow(context); },
          nb::arg("context").none(),
          "Accepted for TensorRT scripts: kiln's layer information does not depend on a "
          "context's shapes.")
      .def(
          "get_layer_information",
          [](const PyInspector& i, int32_t layer_index, LayerInformationFormat format) {
            return guarded<nb::object>(i.logger, "get_layer_information", nb::none(), [&] {
              return nb::object(
                  nb::str(i.inspector->get_layer_information(layer_index, format).c_str()));
            });
          },
          nb::arg("layer_index"), nb::arg("format"),
          "One layer's description, or None (reason logged) for a bad index.")
      .def(
          "get_engine_information",
          [](const PyInspector& i, LayerInformationFormat format) {
            return i.inspector->get_engine_information(format);
          },
          nb::arg("format"), "Every layer's description.");

  m.def(
      "_report_error",
      [](PyContext& c, const char* api, const std::string& message) {
        remember_error(message);
        report_error(c.logger, api, message);
      },
      "Logs a failure of a Python-side helper (infer) through the context's logger.");
  m.def(
      "_report_failure",
      [](nb::handle logger, const char* api, const std::string& message) {
        remember_error(message);
        report_error(logger.is_none() ? nullptr : &nb::cast<Logger&>(logger), api, message);
      },
      nb::arg("logger").none(), nb::arg("api"), nb::arg("message"),
      "Logs a failure of a Python-side member through `logger` (stderr when None) and "
      "remembers it for get_last_error().");
  m.def(
      "_report_engine_error",
      [](PyEngine& e, const char* api, const std::string& message) {
        remember_error(message);
        report_error(e.logger, api, message);
      },
      "Logs a failure of a Python-side helper (TensorRT 8 bindings) through the engine's "
      "logger.");

  // Device memory for infer() on GPU engines without torch (kiln/_gpu.py).
  nb::class_<DeviceBuffer>(m, "_DeviceBuffer")
      .def(nb::init<size_t>(), nb::arg("nbytes"))
      .def_prop_ro("ptr", &DeviceBuffer::ptr)
      .def_prop_ro("nbytes", &DeviceBuffer::size);
  m.def(
      "_copy_to_device",
      [](uintptr_t dst, nb::handle host) {
        BufferView src(host);
        copy_to_device(dst, src.data(), src.size());
      },
      nb::arg("dst"), nb::arg("host"));
  m.def(
      "_copy_to_host",
      [](nb::handle host, uintptr_t src) {
        Py_buffer view;
        if (PyObject_GetBuffer(host.ptr(), &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) != 0)
          throw nb::python_error();
        try {
          copy_to_host(view.buf, src, static_cast<size_t>(view.len));
        } catch (...) {
          PyBuffer_Release(&view);
          throw;
        }
        PyBuffer_Release(&view);
      },
      nb::arg("host"), nb::arg("src"));
  m.def(
      "_synchronize",
      [](uintptr_t stream) {
        nb::gil_scoped_release release;
        synchronize(stream);
      },
      nb::arg("stream"));

  nb::class_<PyRuntime>(m, "Runtime", "Loads plans: TensorRT's trt.Runtime.",
                        nb::is_weak_referenceable())
      .def(
          "__init__", [](PyRuntime* self, Logger& logger) { new (self) PyRuntime{&logger}; },
          nb::arg("logger"), nb::keep_alive<1, 2>())
      .def_prop_rw(
          "error_recorder",
          [](const PyRuntime& r) { return error_recorder_to_python(r.recorder->get()); },
          [](PyRuntime& r, nb::handle v) { r.recorder->reset(error_recorder_from_python(v)); },
          nb::arg("recorder").none(),
          "TensorRT's IErrorRecorder: every error this object raises is also reported to it "
          "(report_error(ErrorCodeTRT, desc)); None removes it (docs/reliability.md).")
      .def_prop_ro(
          "logger", [](const PyRuntime& r) { return nb::find(r.logger); },
          "The logger the runtime was made with.")
      .def_prop_rw(
          "cpu_threads", [](const PyRuntime& r) { return r.cpu_threads; },
          [](PyRuntime& r, int32_t n) {
            guarded_void(r.logger, "cpu_threads", [&] {
              Runtime(*r.logger).set_cpu_threads(n);  // the same check as the C++ API
              r.cpu_threads = n;
            });
          },
          "kiln: threads of each CPU engine this runtime loads (0: KILN_CPU_THREADS, else one per "
          "processor; more than the processors is clamped with a warning).")
      .def(
          "deserialize_cuda_engine",
          [](PyRuntime& r, nb::handle serialized) -> nb::object {
            BufferView plan(serialized);
            return guarded<nb::object>(r.logger, "deserialize_cuda_engine", nb::none(), [&] {
              std::unique_ptr<Engine> engine;
              {
                nb::gil_scoped_release release;
                Runtime runtime(*r.logger);
                runtime.set_cpu_threads(r.cpu_threads);
                runtime.set_error_recorder(r.recorder->get());
                engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
              }
              return nb::cast(std::make_unique<PyEngine>(PyEngine{std::move(engine), r.logger}));
            });
          },
          nb::arg("serialized_engine"), nb::keep_alive<0, 1>(),
          "An ICudaEngine from plan bytes (bytes, IHostMemory, anything with the buffer "
          "protocol), or None with the reason logged for a truncated, corrupted, foreign or "
          "newer-format plan.");
}

}  // namespace kiln::python
