// kiln's TensorRT compatibility headers: TensorRT 10's ONNX parser API (namespace nvonnxparser)
// over kiln::OnnxParser. See NvInfer.h.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "NvInfer.h"
#include "kiln/onnx_parser.h"

#define NV_ONNX_PARSER_MAJOR 10
#define NV_ONNX_PARSER_MINOR 13
#define NV_ONNX_PARSER_PATCH 0

namespace nvonnxparser {

enum class ErrorCode : int32_t {
  kSUCCESS = 0,
  kINTERNAL_ERROR = 1,
  kMEM_ALLOC_FAILED = 2,
  kMODEL_DESERIALIZE_FAILED = 3,
  kINVALID_VALUE = 4,
  kINVALID_GRAPH = 5,
  kINVALID_NODE = 6,
  kUNSUPPORTED_GRAPH = 7,
  kUNSUPPORTED_NODE = 8,
  kUNSUPPORTED_NODE_ATTR = 9,
  kUNSUPPORTED_NODE_INPUT = 10,
  kUNSUPPORTED_NODE_DATATYPE = 11,
  kUNSUPPORTED_NODE_DYNAMIC = 12,
  kUNSUPPORTED_NODE_SHAPE = 13,
  kREFIT_FAILED = 14
};

class IParserError {
 public:
  ErrorCode code() const noexcept {
    switch (error_->code()) {
      case kiln::ParserErrorCode::kSUCCESS:
        return ErrorCode::kSUCCESS;
      case kiln::ParserErrorCode::kINTERNAL_ERROR:
        return ErrorCode::kINTERNAL_ERROR;
      case kiln::ParserErrorCode::kINVALID_VALUE:
        return ErrorCode::kINVALID_VALUE;
      case kiln::ParserErrorCode::kINVALID_GRAPH:
        return ErrorCode::kINVALID_GRAPH;
      case kiln::ParserErrorCode::kINVALID_NODE:
        return ErrorCode::kINVALID_NODE;
      case kiln::ParserErrorCode::kUNSUPPORTED_GRAPH:
        return ErrorCode::kUNSUPPORTED_GRAPH;
      case kiln::ParserErrorCode::kUNSUPPORTED_NODE:
        return ErrorCode::kUNSUPPORTED_NODE;
      case kiln::ParserErrorCode::kMODEL_DESERIALIZE_FAILED:
        return ErrorCode::kMODEL_DESERIALIZE_FAILED;
    }
    return ErrorCode::kINTERNAL_ERROR;
  }
  const char* desc() const noexcept { return error_->desc(); }
  // Where in the parser's source the error was raised: not applicable to kiln ("" and -1).
  const char* file() const noexcept { return ""; }
  int32_t line() const noexcept { return -1; }
  const char* func() const noexcept { return ""; }
  int32_t node() const noexcept { return error_->node(); }
  const char* nodeName() const noexcept { return error_->node_name(); }
  const char* nodeOperator() const noexcept { return error_->node_operator(); }

  explicit IParserError(const kiln::ParserError* error) : error_(error) {}

 private:
  const kiln::ParserError* error_;
};

class IParser {
 public:
  virtual ~IParser() = default;

  // Fills the network from ONNX bytes; false (errors in getError, and logged) on failure.
  bool parse(const void* serializedOnnxModel, std::size_t serializedOnnxModelSize,
             const char* modelPath = nullptr) noexcept {
    return guarded("IParser::parse", [&] {
      return parser_->parse(serializedOnnxModel, serializedOnnxModelSize, modelPath);
    });
  }
  // verbosity: an ILogger::Severity as int (TensorRT's); kiln reports through the logger the
  // parser was made with, whatever it says.
  bool parseFromFile(const char* onnxModelFile, int32_t verbosity) noexcept {
    (void)verbosity;
    return guarded("IParser::parseFromFile",
                   [&] { return parser_->parse_from_file(onnxModelFile); });
  }
  bool supportsOperator(const char* op_name) const noexcept {
    return parser_->supports_operator(op_name);
  }
  int32_t getNbErrors() const noexcept { return parser_->num_errors(); }
  const IParserError* getError(int32_t index) const noexcept {
    if (index < 0 || index >= parser_->num_errors()) return nullptr;
    auto& slot = errors_[index];  // the list changes only in parse* and clearErrors
    if (!slot) slot = std::make_unique<IParserError>(&parser_->get_error(index));
    return slot.get();
  }
  void clearErrors() noexcept {
    parser_->clear_errors();
    errors_.clear();
  }

  IParser(nvinfer1::INetworkDefinition& network, nvinfer1::ILogger& logger)
      : log_(std::make_shared<nvinfer1::kilncompat::LoggerBridge>(logger)),
        parser_(std::make_unique<kiln::OnnxParser>(network.kilnNetwork(), *log_)) {}

 private:
  template <typename F>
  bool guarded(const char* api, F&& call) noexcept {
    errors_.clear();
    return nvinfer1::kilncompat::guard<bool>(log_.get(), api, false, call);
  }
  std::shared_ptr<nvinfer1::kilncompat::LoggerBridge> log_;
  std::unique_ptr<kiln::OnnxParser> parser_;
  mutable std::map<int32_t, std::unique_ptr<IParserError>> errors_;
};

inline IParser* createParser(nvinfer1::INetworkDefinition& network,
                             nvinfer1::ILogger& logger) noexcept {
  try {
    return new IParser(network, logger);
  } catch (...) {
    return nullptr;
  }
}

}  // namespace nvonnxparser
