// OnnxParserRefitter: refits an engine from a retrained ONNX model by parsing it into a new
// network and taking every refittable weights of the engine from it, by name (docs/refit.md).
#include <fstream>
#include <iterator>

#include "kiln/builder.h"
#include "kiln/onnx_parser.h"
#include "kiln/refit.h"
#include "runtime/refit_impl.h"

namespace kiln {

OnnxParserRefitter::OnnxParserRefitter(Refitter& refitter, Logger& logger)
    : refitter_(refitter), logger_(logger) {}

bool OnnxParserRefitter::refit_from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    logger_.report(Logger::Severity::kERROR,
                   str_cat("refit_from_file: cannot open ONNX file '", path, "'"));
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return refit_from_bytes(bytes.data(), bytes.size(), path.c_str());
}

bool OnnxParserRefitter::refit_from_bytes(const void* data, size_t size,
                                          const char* path_for_external_data) {
  NetworkDefinition network;
  OnnxParser parser(network, logger_);
  if (!parser.parse(data, size, path_for_external_data)) {
    logger_.report(Logger::Severity::kERROR,
                   "refit_from_file: the ONNX model could not be parsed (the parser logged why)");
    return false;
  }
  Refitter::Impl& impl = *refitter_.impl_;
  std::map<std::string, std::shared_ptr<const std::vector<uint8_t>>> values;
  try {
    const ir::Graph& graph = network.graph();
    for (const runtime::RefitWeights& w : impl.refit().weights) {
      const ir::WeightsData* found = nullptr;
      for (const ir::WeightsData& n : graph.weights) {
        if (n.name == w.name) found = &n;
      }
      if (found == nullptr) {
        fail("refit_from_file: the model has no weights named '", w.name,
             "', which the engine has; was it exported from the same network?");
      }
      if (!(found->dims == w.dims)) {
        fail("refit_from_file: weights '", w.name, "' are ", found->dims, " in the model, ", w.dims,
             " in the engine");
      }
      int64_t count = static_cast<int64_t>(found->bytes->size()) / element_size(found->type);
      values[w.name] = impl.check(w.name, Weights{found->type, found->bytes->data(), count});
    }
  } catch (const Error& e) {
    logger_.report(Logger::Severity::kERROR, e.what());
    return false;
  }
  for (auto& [name, v] : values) impl.pending[name] = std::move(v);
  return true;
}

}  // namespace kiln
