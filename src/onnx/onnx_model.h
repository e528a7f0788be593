// The parts of ONNX's ModelProto kiln reads, decoded from protobuf bytes by proto_reader.h, and
// TensorProto values converted to kiln types (raw, typed and external data).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/types.h"

namespace kiln::onnx {

// TensorProto.DataType codes.
enum OnnxType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUint32 = 12,
  kUint64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBfloat16 = 16,
};
// "float", "int64", ..., or "type 17".
std::string onnx_type_name(int32_t code);
// The kiln type of an ONNX type code; false when kiln has none.
bool to_kiln_type(int32_t code, DataType& out);
int32_t to_onnx_type(DataType type);

struct TensorProto {
  std::string name;
  int32_t data_type = kUndefined;
  std::vector<int64_t> dims;
  std::string raw_data;
  bool has_raw_data = false;
  std::vector<float> float_data;
  std::vector<int64_t> int32_data;  // also fp16/bf16 bits, int8, uint8, bool
  std::vector<int64_t> int64_data;
  std::vector<double> double_data;
  std::vector<uint64_t> uint64_data;
  int64_t string_count = 0;
  bool external = false;  // data_location == EXTERNAL
  std::string location;   // external_data entries
  int64_t external_offset = 0;
  int64_t external_length = -1;
  size_t file_offset = 0;  // where the message starts, for errors
};

struct Attribute {
  enum Type : int32_t {
    kUndefinedAttr = 0,
    kFloatAttr = 1,
    kIntAttr = 2,
    kStringAttr = 3,
    kTensorAttr = 4,
    kGraphAttr = 5,
    kFloatsAttr = 6,
    kIntsAttr = 7,
    kStringsAttr = 8,
    kTensorsAttr = 9,
    kGraphsAttr = 10,
    kSparseTensorAttr = 11,
  };
  std::string name;
  int32_t type = kUndefinedAttr;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::shared_ptr<TensorProto> t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<TensorProto> tensors;
  int32_t num_graphs = 0;  // subgraphs are recorded, not decoded
  std::string ref_attr_name;
};

struct Dim {
  bool has_value = false;
  int64_t value = -1;
  std::string param;
};

struct ValueInfo {
  std::string name;
  enum Kind : int32_t { kNone, kTensor, kSequence, kMap, kOptional, kSparse } kind = kNone;
  int32_t elem_type = kUndefined;
  bool has_shape = false;
  std::vector<Dim> dims;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<Attribute> attributes;

  const Attribute* find(const std::string& attr) const;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<TensorProto> initializers;
  int32_t num_sparse_initializers = 0;
  std::vector<ValueInfo> inputs, outputs, value_info;
};

struct OpsetId {
  std::string domain;
  int64_t version = 0;
};

struct Model {
  int64_t ir_version = 0;
  std::vector<OpsetId> opset_import;
  std::string producer_name;
  Graph graph;
  int32_t num_functions = 0;
};

// Decoders; throw kiln::Error with the byte offset on malformed or truncated input.
Model decode_model(const void* data, size_t size);
TensorProto decode_tensor(const void* data, size_t size);

// A tensor's values as a kiln type. double tensors become float (kiln has no double); other types
// kiln lacks (strings, uint16, ...) throw. External data is read relative to `model_dir` (empty
// when the model did not come from a file).
struct TensorValue {
  DataType type = DataType::kFLOAT;
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;
  int64_t count() const;
};
TensorValue tensor_value(const TensorProto& tensor, const std::string& model_dir);

}  // namespace kiln::onnx
