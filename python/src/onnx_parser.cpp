// OnnxParser (TensorRT's trt.OnnxParser): fills an INetworkDefinition from ONNX bytes or a file.
// parse returns False on failure, the parser having logged why; the errors stay readable through
// get_error (kiln.Error in strict mode).
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>

#include "bindings.h"
#include "kiln/onnx_parser.h"

namespace kiln::python {

namespace {

struct PyOnnxParser {
  std::unique_ptr<OnnxParser> parser;
};

// After a failed parse: remembers the errors for get_last_error and, in strict mode, raises them.
bool finish(PyOnnxParser& p, bool ok) {
  if (ok) return true;
  std::string message;
  for (int32_t i = 0; i < p.parser->num_errors(); ++i) {
    if (!message.empty()) message += "\n";
    message += p.parser->get_error(i).desc();
  }
  if (message.empty()) message = "the ONNX model could not be parsed";
  remember_error(message);
  if (strict_mode()) throw Error(message);
  return false;
}

}  // namespace

void bind_onnx_parser(nb::module_& m) {
  nb::enum_<trt::ErrorCode>(m, "ErrorCode", nb::is_arithmetic(),
                            "OnnxParser error codes (TensorRT values).")
      .value("SUCCESS", trt::ErrorCode::SUCCESS)
      .value("INTERNAL_ERROR", trt::ErrorCode::INTERNAL_ERROR)
      .value("MEM_ALLOC_FAILED", trt::ErrorCode::MEM_ALLOC_FAILED)
      .value("MODEL_DESERIALIZE_FAILED", trt::ErrorCode::MODEL_DESERIALIZE_FAILED)
      .value("INVALID_VALUE", trt::ErrorCode::INVALID_VALUE)
      .value("INVALID_GRAPH", trt::ErrorCode::INVALID_GRAPH)
      .value("INVALID_NODE", trt::ErrorCode::INVALID_NODE)
      .value("UNSUPPORTED_GRAPH", trt::ErrorCode::UNSUPPORTED_GRAPH)
      .value("UNSUPPORTED_NODE", trt::ErrorCode::UNSUPPORTED_NODE)
      .value("UNSUPPORTED_NODE_ATTR", trt::ErrorCode::UNSUPPORTED_NODE_ATTR)
      .value("UNSUPPORTED_NODE_INPUT", trt::ErrorCode::UNSUPPORTED_NODE_INPUT)
      .value("UNSUPPORTED_NODE_DATATYPE", trt::ErrorCode::UNSUPPORTED_NODE_DATATYPE)
      .value("UNSUPPORTED_NODE_DYNAMIC", trt::ErrorCode::UNSUPPORTED_NODE_DYNAMIC)
      .value("UNSUPPORTED_NODE_SHAPE", trt::ErrorCode::UNSUPPORTED_NODE_SHAPE)
      .value("REFIT_FAILED", trt::ErrorCode::REFIT_FAILED);

  nb::class_<ParserError>(m, "ParserError", "One problem OnnxParser found.")
      .def("code", &ParserError::code)
      .def("desc", [](const ParserError& e) { return std::string(e.desc()); })
      .def("node", &ParserError::node, "Index of the ONNX node, -1 when none.")
      .def("node_name", [](const ParserError& e) { return std::string(e.node_name()); })
      .def("node_operator", [](const ParserError& e) { return std::string(e.node_operator()); })
      .def("__str__", [](const ParserError& e) { return std::string(e.desc()); });

  nb::class_<PyOnnxParser>(m, "OnnxParser",
                           "Fills a network from an ONNX model (opsets 9 to 24): TensorRT's "
                           "trt.OnnxParser(network, logger).",
                           nb::is_weak_referenceable())
      .def(
          "__init__",
          [](PyOnnxParser* self, PyNetwork& network, Logger& logger) {
            new (self) PyOnnxParser{std::make_unique<OnnxParser>(*network.def, logger)};
          },
          nb::arg("network"), nb::arg("logger"), nb::keep_alive<1, 2>(), nb::keep_alive<1, 3>())
      .def(
          "parse",
          [](PyOnnxParser& p, nb::handle model, nb::handle path) {
            BufferView bytes(model);
            std::string dir = path.is_none() ? std::string() : nb::cast<std::string>(nb::str(path));
            bool ok;
            {
              nb::gil_scoped_release release;
              ok = p.parser->parse(bytes.data(), bytes.size(), dir.empty() ? nullptr : dir.c_str());
            }
            return finish(p, ok);
          },
          nb::arg("model"), nb::arg("path").none() = nb::none(),
          "Parses ONNX bytes; `path` (the model file, or its directory ending in '/') locates "
          "external data. False on failure: see num_errors / get_error.")
      .def(
          "parse_from_file",
          [](PyOnnxParser& p, const std::string& model) {
            bool ok;
            {
              nb::gil_scoped_release release;
              ok = p.parser->parse_from_file(model);
            }
            return finish(p, ok);
          },
          nb::arg("model"))
      .def_prop_ro("num_errors", [](const PyOnnxParser& p) { return p.parser->num_errors(); })
      .def(
          "get_error",
          [](const PyOnnxParser& p, int32_t index) -> nb::object {
            if (index < 0 || index >= p.parser->num_errors()) return nb::none();
            return nb::cast(p.parser->get_error(index));
          },
          nb::arg("index"), "The index-th ParserError, or None.")
      .def("clear_errors", [](PyOnnxParser& p) { p.parser->clear_errors(); })
      .def(
          "supports_operator",
          [](const PyOnnxParser& p, const std::string& op) {
            return p.parser->supports_operator(op);
          },
          nb::arg("op_name"), "Whether kiln has an importer for this ai.onnx op type.");
}

}  // namespace kiln::python
