// What an op importer sees: the ONNX node, its inputs as network tensors and/or build-time
// constants, its attributes, and the network it adds layers to. One importer per op type, grouped
// by family in src/onnx/importers/; importers.cpp lists the families.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "kiln/logger.h"
#include "kiln/network.h"
#include "onnx/onnx_model.h"

namespace kiln::onnx {

// A failure tied to one node; the parser turns it into a ParserError.
class NodeError : public Error {
 public:
  NodeError(const std::string& reason, int32_t node, bool unsupported)
      : Error(reason), node_index(node), unsupported(unsupported) {}
  int32_t node_index;
  bool unsupported;  // the op or this use of it is not implemented (as opposed to a bad model)
};

// An ONNX tensor during import: a network tensor, a value known at build time, or both.
struct Value {
  Tensor* tensor = nullptr;
  std::shared_ptr<const TensorValue> constant;
};

class ImportContext;
using Importer = std::function<void(ImportContext&)>;
using ImporterMap = std::unordered_map<std::string, Importer>;

// The registry of every op type kiln imports.
const ImporterMap& importers();

class ImportContext {
 public:
  ImportContext(NetworkDefinition& network, int64_t opset, Logger& logger)
      : network_(network), opset_(opset), logger_(logger) {}

  NetworkDefinition& network() { return network_; }
  int64_t opset() const { return opset_; }
  Logger& logger() { return logger_; }
  const Node& node() const { return *node_; }
  int32_t node_index() const { return node_index_; }

  // Runs the importer of one node (folding it at build time when all its inputs are constants).
  void import_node(const Node& node, int32_t index);

  // --- values by ONNX name
  void define(const std::string& name, Value value) { values_[name] = std::move(value); }
  bool has_value(const std::string& name) const { return values_.count(name) != 0; }
  // The network tensor of an ONNX value, materialising a constant as a ConstantLayer named after
  // the value (initializer names are kept, so refit can find them).
  Tensor& tensor_of(const std::string& name);

  // --- inputs of the current node
  int32_t num_inputs() const { return static_cast<int32_t>(node_->inputs.size()); }
  bool has_input(int32_t i) const;
  Tensor& input(int32_t i);
  // The input's value if it is known at build time, else nullptr.
  const TensorValue* constant(int32_t i) const;
  // The input's value, which must be known at build time (`what` says why in the error).
  const TensorValue& require_constant(int32_t i, const char* what) const;
  DataType input_type(int32_t i);
  Dims input_dims(int32_t i);

  // --- outputs of the current node
  int32_t num_outputs() const { return static_cast<int32_t>(node_->outputs.size()); }
  bool has_output(int32_t i) const { return i < num_outputs() && !node_->outputs[i].empty(); }
  // Gives output i the network tensor `t` (renamed to the ONNX name) and names its layer.
  void set_output(int32_t i, Tensor& t);
  void set_output(int32_t i, Layer& layer) { set_output(i, *layer.get_output(0)); }
  void set_constant_output(int32_t i, TensorValue value);

  // --- attributes
  bool has_attr(const char* name) const { return node_->find(name) != nullptr; }
  int64_t attr_int(const char* name, int64_t fallback) const;
  float attr_float(const char* name, float fallback) const;
  std::string attr_string(const char* name, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const char* name, std::vector<int64_t> fallback = {}) const;
  std::vector<float> attr_floats(const char* name) const;
  const TensorProto* attr_tensor(const char* name) const;

  // --- building
  // Names a layer "<node name>" or "<node name>/<suffix>" (unique in the network).
  Layer& named(Layer& layer, const std::string& suffix = "");
  template <typename L>
  L& named(L* layer, const std::string& suffix = "") {
    named(static_cast<Layer&>(*layer), suffix);
    return *layer;
  }
  Tensor& constant_tensor(const TensorValue& value, const std::string& suffix);
  Tensor& scalar(DataType type, double v, int32_t rank, const std::string& suffix);
  std::string base_name() const;

  // Errors naming the node: unsupported() for features kiln lacks, invalid() for bad models.
  [[noreturn]] void unsupported(const std::string& reason) const;
  [[noreturn]] void invalid(const std::string& reason) const;

  std::string model_dir;
  bool allow_folding = true;

 private:
  bool try_fold();

  NetworkDefinition& network_;
  int64_t opset_;
  Logger& logger_;
  const Node* node_ = nullptr;
  int32_t node_index_ = -1;
  std::unordered_map<std::string, Value> values_;
  std::set<std::string> used_layer_names_;
  std::set<const Tensor*> named_tensors_;  // tensors already carrying an ONNX name
};

// Helpers shared by importers.
int32_t normalize_axis(ImportContext& ctx, int64_t axis, int32_t rank);
uint32_t axes_mask(const std::vector<int64_t>& axes);
Dims to_dims(ImportContext& ctx, const std::vector<int64_t>& v);
std::vector<int64_t> to_int64s(const TensorValue& value);
std::vector<double> to_doubles(const TensorValue& value);
TensorValue make_value(DataType type, std::vector<int64_t> dims, const std::vector<double>& values);
// Reshape to `dims` (0 copies nothing: it is a literal size).
Tensor& reshape(ImportContext& ctx, Tensor& t, const Dims& dims, const std::string& suffix);
// Inserts leading 1s so `t` has `rank` dims.
Tensor& broadcast_rank(ImportContext& ctx, Tensor& t, int32_t rank, const std::string& suffix);
Tensor& cast(ImportContext& ctx, Tensor& t, DataType type, const std::string& suffix);

// Imports a decoded model into `network`; throws NodeError for a node or Error for the rest.
void import_model(const Model& model, NetworkDefinition& network, Logger& logger,
                  const std::string& model_dir);

}  // namespace kiln::onnx
