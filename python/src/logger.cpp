// ILogger (subclassable: a Python log(severity, msg) receives every message) and Logger (prints
// to stderr what passes its min_severity), as in TensorRT.
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/trampoline.h>

#include "bindings.h"

namespace kiln::python {

namespace {

// Forwards log() to a Python override. Messages may come from builder threads that do not hold
// the GIL; an exception raised by the override is reported as unraisable, never thrown into C++.
template <typename Base>
struct PyLogger : Base {
  NB_TRAMPOLINE(Base);

  void log(Logger::Severity severity, std::string_view message) override {
    nb::gil_scoped_acquire gil;
    try {
      forward(severity, message);
    } catch (nb::python_error& e) {
      e.discard_as_unraisable("kiln.ILogger.log");
    } catch (const std::exception& e) {
      PySys_WriteStderr("[kiln] ILogger.log failed: %s\n", e.what());
    }
  }

 private:
  void forward(Logger::Severity severity, std::string_view message) {
    NB_OVERRIDE_NAME("log", log, severity, message);
  }
};

// TensorRT's trt.Logger: a concrete logger; the same C++ class, a distinct Python type.
struct StderrLogger : Logger {
  using Logger::Logger;
};

}  // namespace

void bind_logger(nb::module_& m) {
  auto ilogger = nb::class_<Logger, PyLogger<Logger>>(
      m, "ILogger",
      "Receives the messages of builders and runtimes. Subclass it and override "
      "log(severity, msg); a subclass gets every message (min_severity VERBOSE) unless it sets "
      "min_severity. Call ILogger.__init__(self) from the subclass's __init__.");
  nb::enum_<Logger::Severity>(ilogger, "Severity", nb::is_arithmetic())
      .value("INTERNAL_ERROR", Logger::Severity::kINTERNAL_ERROR)
      .value("ERROR", Logger::Severity::kERROR)
      .value("WARNING", Logger::Severity::kWARNING)
      .value("INFO", Logger::Severity::kINFO)
      .value("VERBOSE", Logger::Severity::kVERBOSE)
      .export_values();
  ilogger.def(nb::init<Logger::Severity>(), nb::arg("min_severity") = Logger::Severity::kVERBOSE)
      .def(
          "log",
          [](Logger& self, Logger::Severity severity, const std::string& msg) {
            self.Logger::log(severity, msg);
          },
          nb::arg("severity"), nb::arg("msg"),
          "Delivers one message; the default prints \"[kiln] [W] msg\" to stderr.")
      .def_prop_rw("min_severity", &Logger::min_severity, &Logger::set_min_severity,
                   "Messages less severe than this are not delivered.");

  nb::class_<StderrLogger, Logger>(
      m, "Logger",
      "TensorRT's trt.Logger: prints messages at min_severity or more severe to stderr.")
      .def(nb::init<Logger::Severity>(), nb::arg("min_severity") = Logger::Severity::kWARNING);
}

}  // namespace kiln::python
