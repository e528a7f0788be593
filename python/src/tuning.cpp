// ITimingCache, IAlgorithmSelector and IProgressMonitor, and the IBuilderConfig members that take
// them. The builder calls selectors and monitors from C++ with the GIL released; the trampolines
// take it, and turn a Python exception into kiln::Error so the build fails with the traceback's
// message (logged, or raised in strict mode) instead of unwinding Python state through C++.
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>
#include <nanobind/trampoline.h>

#include "bindings.h"

namespace kiln::python {

namespace {

[[noreturn]] void rethrow_as_error(nb::python_error& e, const char* where) {
  std::string message = std::string(where) + " raised " + e.what();
  throw Error(message);
}

// TensorRT's IAlgorithm.get_algorithm_io_info(i): the layer's inputs then outputs, attached to
// each candidate handed to Python (IAlgorithm has a __dict__ for it).
nb::list io_of(const AlgorithmContext& context) {
  nb::list io;
  for (const AlgorithmIOInfo& info : context.inputs) io.append(nb::cast(info));
  for (const AlgorithmIOInfo& info : context.outputs) io.append(nb::cast(info));
  return io;
}

nb::object with_io(nb::object algorithm, nb::handle io) {
  nb::setattr(algorithm, "_io", io);
  return algorithm;
}

struct PyAlgorithmSelector : AlgorithmSelector {
  NB_TRAMPOLINE(AlgorithmSelector);

  std::vector<int32_t> select_algorithms(const AlgorithmContext& context,
                                         std::span<const Algorithm> candidates) override {
    nb::gil_scoped_acquire gil;
    try {
      nb::list choices;
      nb::list io = io_of(context);
      for (const Algorithm& a : candidates) choices.append(with_io(nb::cast(a), io));
      nb::detail::ticket ticket(nb_trampoline, "select_algorithms",
                                nb::detail::str_hash("select_algorithms"), false);
      if (!ticket.key.is_valid()) return {};  // not overridden: keep every candidate
      nb::object result = nb_trampoline.base().attr(ticket.key)(nb::cast(context), choices);
      if (result.is_none()) return {};
      return nb::cast<std::vector<int32_t>>(result);
    } catch (nb::python_error& e) {
      rethrow_as_error(e, "IAlgorithmSelector.select_algorithms");
    } catch (const nb::cast_error&) {
      throw Error("IAlgorithmSelector.select_algorithms must return a list of candidate indices");
    }
  }

  void report_algorithms(std::span<const AlgorithmContext> contexts,
                         std::span<const Algorithm> choices) override {
    nb::gil_scoped_acquire gil;
    try {
      nb::list py_contexts, py_choices;
      for (const AlgorithmContext& c : contexts) py_contexts.append(nb::cast(c));
      for (size_t i = 0; i < choices.size(); ++i) {
        nb::object a = nb::cast(choices[i]);
        py_choices.append(i < contexts.size() ? with_io(a, io_of(contexts[i])) : a);
      }
      nb::detail::ticket ticket(nb_trampoline, "report_algorithms",
                                nb::detail::str_hash("report_algorithms"), false);
      if (!ticket.key.is_valid()) return;
      nb_trampoline.base().attr(ticket.key)(py_contexts, py_choices);
    } catch (nb::python_error& e) {
      rethrow_as_error(e, "IAlgorithmSelector.report_algorithms");
    }
  }
};

struct PyProgressMonitor : ProgressMonitor {
  NB_TRAMPOLINE(ProgressMonitor);

  void phase_start(const char* phase_name, const char* parent_phase, int32_t num_steps) override {
    nb::gil_scoped_acquire gil;
    try {
      nb::detail::ticket ticket(nb_trampoline, "phase_start", nb::detail::str_hash("phase_start"),
                                false);
      if (!ticket.key.is_valid()) return;
      nb::object parent = parent_phase ? nb::object(nb::str(parent_phase)) : nb::none();
      nb_trampoline.base().attr(ticket.key)(nb::str(phase_name), parent, num_steps);
    } catch (nb::python_error& e) {
      rethrow_as_error(e, "IProgressMonitor.phase_start");
    }
  }

  bool step_complete(const char* phase_name, int32_t step) override {
    nb::gil_scoped_acquire gil;
    try {
      nb::detail::ticket ticket(nb_trampoline, "step_complete",
                                nb::detail::str_hash("step_complete"), false);
      if (!ticket.key.is_valid()) return true;
      nb::object result = nb_trampoline.base().attr(ticket.key)(nb::str(phase_name), step);
      // TensorRT treats any false value as "cancel"; None (no return statement) continues.
      return result.is_none() || PyObject_IsTrue(result.ptr()) == 1;
    } catch (nb::python_error& e) {
      rethrow_as_error(e, "IProgressMonitor.step_complete");
    }
  }

  void phase_finish(const char* phase_name) override {
    nb::gil_scoped_acquire gil;
    try {
      nb::detail::ticket ticket(nb_trampoline, "phase_finish", nb::detail::str_hash("phase_finish"),
                                false);
      if (!ticket.key.is_valid()) return;
      nb_trampoline.base().attr(ticket.key)(nb::str(phase_name));
    } catch (nb::python_error& e) {
      rethrow_as_error(e, "IProgressMonitor.phase_finish");
    }
  }
};

}  // namespace

// The config's Python references can form cycles (a selector whose methods see a global holding
// the config); the garbage collector sees them through these slots.
int config_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  if (!nb::inst_ready(self)) return 0;
  PyConfig* c = nb::inst_ptr<PyConfig>(self);
  Py_VISIT(c->timing_cache.ptr());
  Py_VISIT(c->algorithm_selector.ptr());
  Py_VISIT(c->progress_monitor.ptr());
  return 0;
}

int config_clear(PyObject* self) {
  PyConfig* c = nb::inst_ptr<PyConfig>(self);
  if (c->config) {
    c->config->set_timing_cache(nullptr, false);
    c->config->set_algorithm_selector(nullptr);
    c->config->set_progress_monitor(nullptr);
  }
  c->timing_cache = nb::none();
  c->algorithm_selector = nb::none();
  c->progress_monitor = nb::none();
  return 0;
}

void bind_tuning(nb::module_& m) {
  nb::class_<TimingCache>(m, "ITimingCache",
                          "Measured tactic times; made by IBuilderConfig.create_timing_cache().")
      .def(
          "serialize", [](const TimingCache& c) { return make_host_memory(c.serialize()); },
          "The cache as IHostMemory, for create_timing_cache.")
      .def(
          "combine",
          [](TimingCache& c, const TimingCache& other, bool ignore_mismatch) {
            return guarded<bool>(nullptr, "ITimingCache.combine", false, [&] {
              c.combine(other, ignore_mismatch);
              return true;
            });
          },
          nb::arg("input_cache"), nb::arg("ignore_mismatch"),
          "Adds the other cache's entries (existing ones win); False with the reason logged "
          "when the caches come from different devices and ignore_mismatch is False.")
      .def(
          "reset",
          [](TimingCache& c) {
            c.reset();
            return true;
          },
          "Drops every entry; returns True.")
      .def_prop_ro("num_entries", &TimingCache::num_entries, "Number of timings held (kiln).")
      .def_prop_ro("device_description", &TimingCache::device_description,
                   "The device and library versions the cache was made with; \"\" when it has "
                   "not met a device yet (kiln).");

  nb::class_<AlgorithmIOInfo>(m, "AlgorithmIOInfo", "One input or output of a layer.")
      .def_ro("name", &AlgorithmIOInfo::name)
      .def_ro("dtype", &AlgorithmIOInfo::type)
      .def_prop_ro(
          "shape", [](const AlgorithmIOInfo& info) { return dims_to_python(info.dims); },
          "The shape at the profile's opt point.");

  nb::class_<AlgorithmContext>(m, "IAlgorithmContext", "The layer a selection is about.")
      .def_ro("name", &AlgorithmContext::layer_name, "The layer's name.")
      .def_ro("layer_type", &AlgorithmContext::layer_type)
      .def_ro("inputs", &AlgorithmContext::inputs)
      .def_ro("outputs", &AlgorithmContext::outputs)
      .def_ro("profile", &AlgorithmContext::profile, "The profile whose opt shapes were timed.")
      .def_prop_ro("num_inputs",
                   [](const AlgorithmContext& c) { return static_cast<int>(c.inputs.size()); })
      .def_prop_ro("num_outputs",
                   [](const AlgorithmContext& c) { return static_cast<int>(c.outputs.size()); })
      .def("__repr__", [](const AlgorithmContext& c) {
        return "<kiln.IAlgorithmContext '" + c.layer_name + "'>";
      });

  nb::class_<Algorithm>(m, "IAlgorithm", "One candidate: an implementation in one configuration.",
                        nb::dynamic_attr())
      .def(
          "get_algorithm_io_info",
          [](nb::handle self, int32_t index) -> nb::object {
            if (!nb::hasattr(self, "_io")) return nb::none();
            nb::list io = nb::borrow<nb::list>(self.attr("_io"));
            if (index < 0 || index >= static_cast<int32_t>(nb::len(io))) return nb::none();
            return io[index];
          },
          nb::arg("index"),
          "TensorRT's IAlgorithmIOInfo of the layer's index-th input, then outputs (None past "
          "the end).")
      .def_ro("implementation", &Algorithm::implementation,
              "\"cpu.reference\", \"cuda.cublaslt.matrix_multiply\", ... (a string in kiln; "
              "TensorRT's is an int).")
      .def_ro("tactic", &Algorithm::tactic_id, "The configuration within the implementation.")
      .def_ro("source", &Algorithm::source, "The TacticSource.")
      .def_ro("timing_msec", &Algorithm::time_ms, "Median measured time; -1 when not timed.")
      .def_ro("workspace_size", &Algorithm::workspace_size, "Bytes at the opt shapes.")
      .def_prop_ro(
          "algorithm_variant", [](nb::handle self) { return self; },
          "The algorithm itself (it has .implementation and .tactic, like TensorRT's "
          "IAlgorithmVariant).")
      .def("__repr__", [](const Algorithm& a) {
        return "<kiln.IAlgorithm " + a.implementation + " tactic " + std::to_string(a.tactic_id) +
               ">";
      });

  nb::class_<AlgorithmSelector, PyAlgorithmSelector>(
      m, "IAlgorithmSelector",
      "Subclass it and define select_algorithms(context, choices) -> list of indices to keep "
      "(an empty list keeps all; the builder takes the fastest kept one) and "
      "report_algorithms(contexts, choices). Call IAlgorithmSelector.__init__(self).")
      .def(nb::init<>());

  nb::class_<ProgressMonitor, PyProgressMonitor>(
      m, "IProgressMonitor",
      "Subclass it and define phase_start(phase_name, parent_phase, num_steps), "
      "step_complete(phase_name, step) -> bool (False cancels the build) and "
      "phase_finish(phase_name). Call IProgressMonitor.__init__(self).")
      .def(nb::init<>());
}

void bind_config_tuning(nb::class_<PyConfig>& config) {
  config
      .def(
          "create_timing_cache",
          [](PyConfig& c, nb::handle serialized) -> nb::object {
            BufferView blob(serialized);
            return guarded<nb::object>(c.logger, "create_timing_cache", nb::none(), [&] {
              return nb::cast(c.config->create_timing_cache(blob.data(), blob.size()));
            });
          },
          nb::arg("serialized_timing_cache"),
          "A timing cache from serialized bytes (b\"\" for an empty one), or None with the "
          "reason logged when the bytes are corrupt or foreign.")
      .def(
          "set_timing_cache",
          [](PyConfig& c, nb::handle cache, bool ignore_mismatch) {
            TimingCache* ptr = cache.is_none() ? nullptr : nb::cast<TimingCache*>(cache);
            return guarded<bool>(c.logger, "set_timing_cache", false, [&] {
              c.config->set_timing_cache(ptr, ignore_mismatch);
              c.timing_cache = nb::borrow(cache);
              return true;
            });
          },
          nb::arg("cache").none(), nb::arg("ignore_mismatch"),
          "Builds read and fill `cache` (the config keeps it alive). False, with the reason "
          "logged, when the cache comes from another device and ignore_mismatch is False.")
      .def(
          "get_timing_cache", [](const PyConfig& c) { return c.timing_cache; },
          "The cache set with set_timing_cache, or None.")
      .def_prop_rw(
          "algorithm_selector", [](const PyConfig& c) { return c.algorithm_selector; },
          [](PyConfig& c, nb::handle selector) {
            AlgorithmSelector* ptr =
                selector.is_none() ? nullptr : nb::cast<AlgorithmSelector*>(selector);
            c.config->set_algorithm_selector(ptr);
            c.algorithm_selector = nb::borrow(selector);
          },
          nb::for_setter(nb::arg("selector").none()),
          "An IAlgorithmSelector subclass instance (kept alive by the config), or None.")
      .def_prop_rw(
          "progress_monitor", [](const PyConfig& c) { return c.progress_monitor; },
          [](PyConfig& c, nb::handle monitor) {
            ProgressMonitor* ptr =
                monitor.is_none() ? nullptr : nb::cast<ProgressMonitor*>(monitor);
            c.config->set_progress_monitor(ptr);
            c.progress_monitor = nb::borrow(monitor);
          },
          nb::for_setter(nb::arg("monitor").none()),
          "An IProgressMonitor subclass instance (kept alive by the config), or None.");
}

}  // namespace kiln::python
