// OnnxParser: decodes the model, imports graph inputs, initializers, nodes and outputs, and turns
// every failure into a ParserError (parse never throws).
#include "kiln/onnx_parser.h"

#include <fstream>

#include "ir/network_impl.h"
#include "kiln/plugin.h"
#include "onnx/importer.h"

namespace kiln {

const char* to_string(ParserErrorCode code) {
  switch (code) {
    case ParserErrorCode::kSUCCESS:
      return "SUCCESS";
    case ParserErrorCode::kINTERNAL_ERROR:
      return "INTERNAL_ERROR";
    case ParserErrorCode::kINVALID_VALUE:
      return "INVALID_VALUE";
    case ParserErrorCode::kINVALID_GRAPH:
      return "INVALID_GRAPH";
    case ParserErrorCode::kINVALID_NODE:
      return "INVALID_NODE";
    case ParserErrorCode::kUNSUPPORTED_GRAPH:
      return "UNSUPPORTED_GRAPH";
    case ParserErrorCode::kUNSUPPORTED_NODE:
      return "UNSUPPORTED_NODE";
    case ParserErrorCode::kMODEL_DESERIALIZE_FAILED:
      return "MODEL_DESERIALIZE_FAILED";
  }
  return "UNKNOWN";
}

namespace onnx {

namespace {

constexpr int64_t kMinOpset = 9;
constexpr int64_t kMaxOpset = 24;  // the newest ai.onnx opset of onnx 1.19

Dims input_dims(const ValueInfo& v) {
  if (v.dims.size() > static_cast<size_t>(Dims::kMaxDims)) {
    fail("ONNX graph input '", v.name, "' has rank ", v.dims.size(), "; kiln supports up to ",
         Dims::kMaxDims);
  }
  Dims d;
  d.nb_dims = static_cast<int32_t>(v.dims.size());
  for (size_t i = 0; i < v.dims.size(); ++i) {
    d.d[i] = v.dims[i].has_value && v.dims[i].value >= 0 ? v.dims[i].value : -1;
  }
  return d;
}

}  // namespace

void import_model(const Model& model, NetworkDefinition& network, Logger& logger,
                  const std::string& model_dir) {
  int64_t opset = -1;
  for (const OpsetId& id : model.opset_import) {
    if (id.domain.empty() || id.domain == "ai.onnx") opset = id.version;
  }
  if (opset < 0) {
    opset = 1;  // IR version 3 models without opset_import: the first opset
  }
  if (opset < kMinOpset) {
    logger.report(
        Logger::Severity::kWARNING,
        str_cat("onnx: the model uses opset ", opset, "; kiln implements opsets ", kMinOpset,
                " to ", kMaxOpset, ", older ops are read with opset ", kMinOpset, " semantics"));
  } else if (opset > kMaxOpset) {
    logger.report(Logger::Severity::kWARNING,
                  str_cat("onnx: the model uses opset ", opset, ", newer than ", kMaxOpset,
                          " (onnx 1.19); ops are read with opset ", kMaxOpset, " semantics"));
  }
  const Graph& g = model.graph;
  if (g.num_sparse_initializers > 0) {
    fail("ONNX graph: sparse initializers are not supported (", g.num_sparse_initializers, ")");
  }
  ImportContext ctx(network, opset, logger);
  ctx.model_dir = model_dir;

  std::set<std::string> initializer_names;
  for (const TensorProto& t : g.initializers) {
    initializer_names.insert(t.name);
    ctx.define(t.name,
               Value{nullptr, std::make_shared<const TensorValue>(tensor_value(t, model_dir))});
  }
  for (const ValueInfo& v : g.inputs) {
    if (initializer_names.count(v.name)) continue;  // an initializer with a default value
    if (v.kind != ValueInfo::kTensor) {
      fail("ONNX graph input '", v.name,
           "' is not a tensor (sequence, map and optional inputs are "
           "not supported)");
    }
    DataType type;
    if (!to_kiln_type(v.elem_type, type)) {
      fail("ONNX graph input '", v.name, "' has type ", onnx_type_name(v.elem_type),
           ", which kiln does not support");
    }
    if (!v.has_shape) fail("ONNX graph input '", v.name, "' has no shape (its rank must be known)");
    Tensor* t = network.add_input(v.name, type, input_dims(v));
    ctx.define(v.name, Value{t, nullptr});
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    ctx.import_node(g.nodes[i], static_cast<int32_t>(i));
  }
  // ONNX allows inputs no node reads (CastLike's 'like' gives only a type; Shape of a static
  // input folds away). The builder refuses unused inputs, so give each one a Shape layer that
  // reads it; the builder folds and drops that layer.
  std::set<const Tensor*> used;
  for (int32_t i = 0; i < network.num_layers(); ++i) {
    Layer* layer = network.get_layer(i);
    for (int32_t k = 0; k < layer->num_inputs(); ++k) used.insert(layer->get_input(k));
  }
  for (int32_t i = 0; i < network.num_inputs(); ++i) {
    Tensor* in = network.get_input(i);
    if (!used.count(in)) network.add_shape(*in)->set_name(in->name() + "/keep_input");
  }
  for (const ValueInfo& v : g.outputs) {
    if (!ctx.has_value(v.name)) {
      fail("ONNX graph output '", v.name, "' is not produced by any node");
    }
    Tensor* t = &ctx.tensor_of(v.name);
    if (t->is_network_input() || t->is_network_output()) {
      t = network.add_identity(*t)->get_output(0);
      t->set_name(v.name + "_output_copy");
    }
    network.mark_output(*t);
  }
}

}  // namespace onnx

struct OnnxParser::Impl {
  NetworkDefinition& network;
  Logger& logger;
  std::vector<ParserError> errors;

  void record(ParserError error) {
    std::string where = error.node() >= 0
                            ? str_cat(" (node #", error.node(), " '", error.node_name(), "', ",
                                      error.node_operator(), ")")
                            : std::string();
    logger.report(Logger::Severity::kERROR,
                  str_cat("onnx parser: ", to_string(error.code()), where, ": ", error.desc()));
    errors.push_back(std::move(error));
  }
};

OnnxParser::OnnxParser(NetworkDefinition& network, Logger& logger)
    : impl_(std::make_unique<Impl>(Impl{network, logger, {}})) {}
OnnxParser::~OnnxParser() = default;

bool OnnxParser::parse(const void* data, size_t size, const char* path_for_external_data) {
  std::string dir;
  if (path_for_external_data && *path_for_external_data) {
    std::string p = path_for_external_data;
    size_t slash = p.find_last_of('/');
    dir = slash == std::string::npos ? "." : p.substr(0, slash == 0 ? 1 : slash);
  }
  onnx::Model model;
  try {
    model = onnx::decode_model(data, size);
  } catch (const std::exception& e) {
    impl_->record(ParserError(ParserErrorCode::kMODEL_DESERIALIZE_FAILED, e.what(), -1, "", ""));
    return false;
  }
  // A failed parse leaves the network as it was: what the nodes before the failing one added is
  // taken out again (layers, tensors, weights, input and output marks, names).
  NetworkImpl& net = LayerAccess<Layer>::impl(&impl_->network);
  NetworkImpl::Mark mark = net.mark();
  std::vector<int32_t> inputs = net.graph.inputs, outputs = net.graph.outputs;
  std::vector<std::string> names;
  for (const ir::Tensor& t : net.graph.tensors) names.push_back(t.name);
  auto restore = [&] {
    net.rollback(mark);
    net.dirty = true;
    net.graph.inputs = inputs;
    net.graph.outputs = outputs;
    for (size_t t = 0; t < names.size(); ++t) {
      if (net.graph.tensors[t].name != names[t])
        net.rename_tensor(static_cast<int32_t>(t), names[t]);
    }
  };
  try {
    onnx::import_model(model, impl_->network, impl_->logger, dir);
  } catch (const onnx::NodeError& e) {
    restore();
    const onnx::Node& n = model.graph.nodes.at(static_cast<size_t>(e.node_index));
    impl_->record(ParserError(
        e.unsupported ? ParserErrorCode::kUNSUPPORTED_NODE : ParserErrorCode::kINVALID_NODE,
        e.what(), e.node_index, n.name, n.op_type));
    return false;
  } catch (const Error& e) {
    restore();
    impl_->record(ParserError(ParserErrorCode::kINVALID_GRAPH, e.what(), -1, "", ""));
    return false;
  } catch (const std::exception& e) {
    restore();
    impl_->record(ParserError(ParserErrorCode::kINTERNAL_ERROR, e.what(), -1, "", ""));
    return false;
  }
  return true;
}

bool OnnxParser::parse_from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    impl_->record(ParserError(ParserErrorCode::kINVALID_VALUE,
                              str_cat("cannot open ONNX file '", path, "'"), -1, "", ""));
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(bytes.data(), bytes.size(), path.c_str());
}

int32_t OnnxParser::num_errors() const {
  return static_cast<int32_t>(impl_->errors.size());
}

const ParserError& OnnxParser::get_error(int32_t index) const {
  if (index < 0 || index >= num_errors()) {
    fail("OnnxParser::get_error: index ", index, " out of range (", num_errors(), " errors)");
  }
  return impl_->errors[static_cast<size_t>(index)];
}

void OnnxParser::clear_errors() {
  impl_->errors.clear();
}

bool OnnxParser::supports_operator(const std::string& op_type) const {
  // A registered plugin of that name (version "1", default namespace) imports it too.
  return onnx::importers().count(op_type) != 0 ||
         get_plugin_registry().get_creator(op_type, "1", "") != nullptr;
}

}  // namespace kiln
