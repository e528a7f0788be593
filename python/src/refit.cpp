// Refitter, WeightsRole and OnnxParserRefitter with TensorRT's Python names. Weights are numpy
// arrays (or kiln.Weights); failures return False with the reason logged (kiln.Error in strict
// mode). Refitting releases the GIL: it waits for executions running on other threads.
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"

namespace kiln::python {

namespace {

struct PyRefitter {
  std::unique_ptr<Refitter> refitter;
  Logger* logger;
};

struct PyOnnxParserRefitter {
  std::unique_ptr<OnnxParserRefitter> refitter;
};

}  // namespace

void bind_refit(nb::module_& m) {
  nb::enum_<WeightsRole>(m, "WeightsRole", nb::is_arithmetic(),
                         "The part weights play in a layer (Refitter.set_weights).")
      .value("KERNEL", WeightsRole::kKERNEL)
      .value("BIAS", WeightsRole::kBIAS)
      .value("SHIFT", WeightsRole::kSHIFT)
      .value("SCALE", WeightsRole::kSCALE)
      .value("CONSTANT", WeightsRole::kCONSTANT)
      .value("ANY", WeightsRole::kANY);

  nb::class_<PyRefitter>(m, "Refitter",
                         "New weights for an engine built with BuilderFlag.REFIT: "
                         "trt.Refitter(engine, logger). docs/refit.md.",
                         nb::is_weak_referenceable())
      .def(
          "__init__",
          [](PyRefitter* self, nb::handle engine, Logger& logger) {
            Engine& e = engine_of(engine);
            // A failed construction cannot return None: it raises kiln.Error (as strict mode).
            new (self) PyRefitter{std::make_unique<Refitter>(e, logger), &logger};
          },
          nb::arg("engine"), nb::arg("logger"), nb::keep_alive<1, 2>(), nb::keep_alive<1, 3>())
      .def_prop_ro(
          "logger", [](const PyRefitter& r) { return nb::find(r.logger); },
          "The logger the refitter was made with.")
      .def(
          "set_named_weights",
          [](PyRefitter& r, const std::string& name, nb::handle weights) {
            PyWeights w = to_weights(weights);
            return checked(r.logger, "set_named_weights",
                           [&] { r.refitter->set_named_weights(name, w.view()); });
          },
          nb::arg("name"), nb::arg("weights"),
          "Sets the weights the network (or ONNX file) named `name`; the values are copied. "
          "False when the name is unknown or the type or size differs.")
      .def(
          "set_weights",
          [](PyRefitter& r, const std::string& layer, WeightsRole role, nb::handle weights) {
            PyWeights w = to_weights(weights);
            return checked(r.logger, "set_weights",
                           [&] { r.refitter->set_weights(layer, role, w.view()); });
          },
          nb::arg("layer_name"), nb::arg("role"), nb::arg("weights"),
          "Sets the weights layer `layer_name` uses in `role`.")
      .def(
          "get_all_weights", [](const PyRefitter& r) { return r.refitter->get_all_weights(); },
          "Every refittable weights name.")
      .def(
          "get_missing_weights",
          [](const PyRefitter& r) { return r.refitter->get_missing_weights(); },
          "Weights that must still be set (always empty in kiln: each refits on its own).")
      .def(
          "get_all",
          [](const PyRefitter& r) {
            std::vector<std::string> layers;
            std::vector<WeightsRole> roles;
            for (const auto& [layer, role] : r.refitter->get_all()) {
              layers.push_back(layer);
              roles.push_back(role);
            }
            return std::make_pair(layers, roles);
          },
          "(layer names, roles) of every layer with refittable weights.")
      .def(
          "refit_cuda_engine",
          [](PyRefitter& r) {
            nb::gil_scoped_release release;
            return checked(r.logger, "refit_cuda_engine", [&] { r.refitter->refit_cuda_engine(); });
          },
          "Writes the weights set so far into the engine; waits for running executions. False "
          "on failure (the engine is then unchanged).")
      .def(
          "refit_cuda_engine_async",
          [](PyRefitter& r, uintptr_t stream) {
            nb::gil_scoped_release release;
            return checked(r.logger, "refit_cuda_engine_async", [&] {
              r.refitter->refit_cuda_engine_async(reinterpret_cast<void*>(stream));
            });
          },
          nb::arg("stream"), "refit_cuda_engine with the device copies queued on `stream`.");

  nb::class_<PyOnnxParserRefitter>(m, "OnnxParserRefitter",
                                   "Refits from a retrained ONNX model: "
                                   "trt.OnnxParserRefitter(refitter, logger).")
      .def(
          "__init__",
          [](PyOnnxParserRefitter* self, PyRefitter& refitter, Logger& logger) {
            new (self) PyOnnxParserRefitter{
                std::make_unique<OnnxParserRefitter>(*refitter.refitter, logger)};
          },
          nb::arg("refitter"), nb::arg("logger"), nb::keep_alive<1, 2>(), nb::keep_alive<1, 3>())
      .def(
          "refit_from_file",
          [](PyOnnxParserRefitter& p, const std::string& path) {
            nb::gil_scoped_release release;
            return p.refitter->refit_from_file(path);
          },
          nb::arg("model"),
          "Sets every refittable weights from the ONNX file (call refit_cuda_engine next); "
          "False, with the reason logged, when the model does not fit the engine.")
      .def(
          "refit_from_bytes",
          [](PyOnnxParserRefitter& p, nb::handle model, nb::handle path) {
            BufferView bytes(model);
            std::string dir = path.is_none() ? std::string() : nb::cast<std::string>(nb::str(path));
            nb::gil_scoped_release release;
            return p.refitter->refit_from_bytes(bytes.data(), bytes.size(),
                                                dir.empty() ? nullptr : dir.c_str());
          },
          nb::arg("model"), nb::arg("path").none() = nb::none(),
          "refit_from_file for ONNX bytes; `path` locates external data.");
}

}  // namespace kiln::python
