// kiln — the ONNX parser: fills a NetworkDefinition from an ONNX model (opsets 9 to 24).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "kiln/logger.h"
#include "kiln/network.h"

namespace kiln {

// TensorRT's onnx parser error codes.
enum class ParserErrorCode : int32_t {
  kSUCCESS,
  kINTERNAL_ERROR,
  kINVALID_VALUE,
  kINVALID_GRAPH,
  kINVALID_NODE,
  kUNSUPPORTED_GRAPH,
  kUNSUPPORTED_NODE,
  kMODEL_DESERIALIZE_FAILED,
};
const char* to_string(ParserErrorCode code);

// One problem found while parsing. node() is the index of the ONNX node in the graph, or -1 when
// the problem is not tied to a node (a malformed file, a graph input kiln cannot represent).
class ParserError {
 public:
  ParserError(ParserErrorCode code, std::string desc, int32_t node, std::string node_name,
              std::string node_operator)
      : code_(code),
        desc_(std::move(desc)),
        node_(node),
        node_name_(std::move(node_name)),
        node_operator_(std::move(node_operator)) {}
  ParserErrorCode code() const { return code_; }
  const char* desc() const { return desc_.c_str(); }
  int32_t node() const { return node_; }
  const char* node_name() const { return node_name_.c_str(); }
  const char* node_operator() const { return node_operator_.c_str(); }

 private:
  ParserErrorCode code_;
  std::string desc_;
  int32_t node_;
  std::string node_name_;
  std::string node_operator_;
};

// Fills `network` from ONNX bytes. Graph inputs become network inputs (symbolic or unknown
// dimensions -1), initializers named constants, graph outputs network outputs; every tensor keeps
// its ONNX name. parse* return false on failure (they do not throw), log the reason through the
// logger and keep it for get_error. The network may hold part of the model after a failure.
class OnnxParser {
 public:
  OnnxParser(NetworkDefinition& network, Logger& logger);
  ~OnnxParser();
  OnnxParser(const OnnxParser&) = delete;
  OnnxParser& operator=(const OnnxParser&) = delete;

  // External data files are looked up in the directory of path_for_external_data (a path to the
  // model file, or to its directory when it ends with '/').
  bool parse(const void* data, size_t size, const char* path_for_external_data = nullptr);
  bool parse_from_file(const std::string& path);

  int32_t num_errors() const;
  const ParserError& get_error(int32_t index) const;  // throws Error when out of range
  void clear_errors();

  // True when kiln has an importer for this ai.onnx op type, or a plugin creator of that name
  // (version "1", namespace "") is registered (some attributes or input kinds of a supported op
  // may still be refused; the error then names the node and what is missing).
  bool supports_operator(const std::string& op_type) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
