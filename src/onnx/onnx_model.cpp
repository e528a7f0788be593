// Decodes ModelProto and its parts from protobuf bytes; converts TensorProto values to kiln types.
#include "onnx/onnx_model.h"

#include <cstring>
#include <fstream>

#include "core/error.h"
#include "onnx/proto_reader.h"

namespace kiln::onnx {

std::string onnx_type_name(int32_t code) {
  static const char* names[] = {"undefined",  "float",   "uint8",  "int8",   "uint16",
                                "int16",      "int32",   "int64",  "string", "bool",
                                "float16",    "double",  "uint32", "uint64", "complex64",
                                "complex128", "bfloat16"};
  if (code >= 0 && code <= 16) return names[code];
  return str_cat("type ", code);
}

bool to_kiln_type(int32_t code, DataType& out) {
  switch (code) {
    case kFloat:
      out = DataType::kFLOAT;
      return true;
    case kFloat16:
      out = DataType::kHALF;
      return true;
    case kBfloat16:
      out = DataType::kBF16;
      return true;
    case kInt8:
      out = DataType::kINT8;
      return true;
    case kUint8:
      out = DataType::kUINT8;
      return true;
    case kInt32:
      out = DataType::kINT32;
      return true;
    case kInt64:
      out = DataType::kINT64;
      return true;
    case kBool:
      out = DataType::kBOOL;
      return true;
    default:
      return false;
  }
}

int32_t to_onnx_type(DataType type) {
  switch (type) {
    case DataType::kFLOAT:
      return kFloat;
    case DataType::kHALF:
      return kFloat16;
    case DataType::kBF16:
      return kBfloat16;
    case DataType::kINT8:
      return kInt8;
    case DataType::kUINT8:
      return kUint8;
    case DataType::kINT32:
      return kInt32;
    case DataType::kINT64:
      return kInt64;
    case DataType::kBOOL:
      return kBool;
  }
  return kUndefined;
}

const Attribute* Node::find(const std::string& attr) const {
  for (const Attribute& a : attributes) {
    if (a.name == attr) return &a;
  }
  return nullptr;
}

namespace {

void read_tensor(ProtoReader& r, TensorProto& t) {
  t.file_offset = r.offset();
  std::string key, value;
  while (!r.done()) {
    uint32_t field;
    WireType wire;
    r.next_field(field, wire);
    switch (field) {
      case 1:
        r.append_ints(wire, "TensorProto.dims", t.dims);
        break;
      case 2:
        t.data_type = static_cast<int32_t>(r.int_value(wire, "TensorProto.data_type"));
        break;
      case 4:
        r.append_floats(wire, "TensorProto.float_data", t.float_data);
        break;
      case 5:
        r.append_ints(wire, "TensorProto.int32_data", t.int32_data);
        break;
      case 6:
        r.string_value(wire, "TensorProto.string_data");
        ++t.string_count;
        break;
      case 7:
        r.append_ints(wire, "TensorProto.int64_data", t.int64_data);
        break;
      case 8:
        t.name = r.string_value(wire, "TensorProto.name");
        break;
      case 9:
        t.raw_data = r.string_value(wire, "TensorProto.raw_data");
        t.has_raw_data = true;
        break;
      case 10:
        r.append_doubles(wire, "TensorProto.double_data", t.double_data);
        break;
      case 11:
        r.append_uint64s(wire, "TensorProto.uint64_data", t.uint64_data);
        break;
      case 13: {
        if (wire != WireType::kLengthDelimited) {
          r.fail_at(r.offset(), "TensorProto.external_data should be length-delimited");
        }
        ProtoReader e = r.read_message("TensorProto.external_data", "StringStringEntryProto");
        key.clear();
        value.clear();
        while (!e.done()) {
          uint32_t f;
          WireType w;
          e.next_field(f, w);
          if (f == 1)
            key = e.string_value(w, "StringStringEntryProto.key");
          else if (f == 2)
            value = e.string_value(w, "StringStringEntryProto.value");
          else
            e.skip(w, f);
        }
        if (key == "location") {
          t.location = value;
        } else if (key == "offset" || key == "length") {
          char* end = nullptr;
          long long v = std::strtoll(value.c_str(), &end, 10);
          if (value.empty() || *end != '\0' || v < 0) {
            r.fail_at(r.offset(), str_cat("external data ", key, " '", value,
                                          "' is not a non-negative integer"));
          }
          (key == "offset" ? t.external_offset : t.external_length) = v;
        }
        break;
      }
      case 14:
        t.external = r.int_value(wire, "TensorProto.data_location") == 1;
        break;
      default:
        r.skip(wire, field);
    }
  }
}

void read_tensor_type(ProtoReader& r, ValueInfo& v) {
  while (!r.done()) {
    uint32_t field;
    WireType wire;
    r.next_field(field, wire);
    if (field == 1) {
      v.elem_type = static_cast<int32_t>(r.int_value(wire, "TypeProto.Tensor.elem_type"));
    } else if (field == 2 && wire == WireType::kLengthDelimited) {
      v.has_shape = true;
      ProtoReader shape = r.read_message("TypeProto.Tensor.shape", "TensorShapeProto");
      while (!shape.done()) {
        uint32_t f;
        WireType w;
        shape.next_field(f, w);
        if (f != 1 || w != WireType::kLengthDelimited) {
          shape.skip(w, f);
          continue;
        }
        ProtoReader d = shape.read_message("TensorShapeProto.dim", "TensorShapeProto.Dimension");
        Dim dim;
        while (!d.done()) {
          uint32_t df;
          WireType dw;
          d.next_field(df, dw);
          if (df == 1) {
            dim.value = d.int_value(dw, "Dimension.dim_value");
            dim.has_value = true;
          } else if (df == 2) {
            dim.param = d.string_value(dw, "Dimension.dim_param");
          } else {
            d.skip(dw, df);
          }
        }
        v.dims.push_back(std::move(dim));
      }
    } else {
      r.skip(wire, field);
    }
  }
}

void read_value_info(ProtoReader& r, ValueInfo& v) {
  while (!r.done()) {
    uint32_t field;
    WireType wire;
    r.next_field(field, wire);
    if (field == 1) {
      v.name = r.string_value(wire, "ValueInfoProto.name");
    } else if (field == 2 && wire == WireType::kLengthDelimited) {
      ProtoReader type = r.read_message("ValueInfoProto.type", "TypeProto");
      while (!type.done()) {
        uint32_t f;
        WireType w;
        type.next_field(f, w);
        if (f == 1 && w == WireType::kLengthDelimited) {
          v.kind = ValueInfo::kTensor;
          ProtoReader tt = type.read_message("TypeProto.tensor_type", "TypeProto.Tensor");
          read_tensor_type(tt, v);
        } else {
          if (f == 4) v.kind = ValueInfo::kSequence;
          if (f == 5) v.kind = ValueInfo::kMap;
          if (f == 9) v.kind = ValueInfo::kOptional;
          if (f == 8) v.kind = ValueInfo::kSparse;
          type.skip(w, f);
        }
      }
    } else {
      r.skip(wire, field);
    }
  }
}

void read_attribute(ProtoReader& r, Attribute& a) {
  while (!r.done()) {
    uint32_t field;
    WireType wire;
    r.next_field(field, wire);
    switch (field) {
      case 1:
        a.name = r.string_value(wire, "AttributeProto.name");
        break;
      case 20:
        a.type = static_cast<int32_t>(r.int_value(wire, "AttributeProto.type"));
        break;
      case 2:
        a.f = r.float_value(wire, "AttributeProto.f");
        break;
      case 3:
        a.i = r.int_value(wire, "AttributeProto.i");
        break;
      case 4:
        a.s = r.string_value(wire, "AttributeProto.s");
        break;
      case 5: {
        if (wire != WireType::kLengthDelimited)
          r.fail_at(r.offset(), "AttributeProto.t: bad wire type");
        ProtoReader t = r.read_message("AttributeProto.t", "TensorProto");
        a.t = std::make_shared<TensorProto>();
        read_tensor(t, *a.t);
        break;
      }
      case 6:
      case 11:
        r.skip(wire, field);
        ++a.num_graphs;
        break;
      case 7:
        r.append_floats(wire, "AttributeProto.floats", a.floats);
        break;
      case 8:
        r.append_ints(wire, "AttributeProto.ints", a.ints);
        break;
      case 9:
        a.strings.push_back(r.string_value(wire, "AttributeProto.strings"));
        break;
      case 10: {
        if (wire != WireType::kLengthDelimited)
          r.fail_at(r.offset(), "AttributeProto.tensors: bad wire type");
        ProtoReader t = r.read_message("AttributeProto.tensors", "TensorProto");
        a.tensors.emplace_back();
        read_tensor(t, a.tensors.back());
        break;
      }
      case 21:
        a.ref_attr_name = r.string_value(wire, "AttributeProto.ref_attr_name");
        break;
      default:
        r.skip(wire, field);
    }
  }
  // Old exporters leave out the type; infer it from what was set.
  if (a.type == Attribute::kUndefinedAttr) {
    if (a.t)
      a.type = Attribute::kTensorAttr;
    else if (!a.ints.empty())
      a.type = Attribute::kIntsAttr;
    else if (!a.floats.empty())
      a.type = Attribute::kFloatsAttr;
    else if (!a.strings.empty())
      a.type = Attribute::kStringsAttr;
    else if (!a.s.empty())
      a.type = Attribute::kStringAttr;
  }
}

void read_node(ProtoReader& r, Node& n) {
  while (!r.done()) {
    uint32_t field;
    WireType wire;
    r.next_field(field, wire);
    switch (field) {
      case 1:
        n.inputs.push_back(r.string_value(wire, "NodeProto.input"));
        break;
      case 2:
        n.outputs.push_back(r.string_value(wire, "NodeProto.output"));
        break;
      case 3:
        n.name = r.string_value(wire, "NodeProto.name");
        break;
      case 4:
        n.op_type = r.string_value(wire, "NodeProto.op_type");
        break;
      case 7:
        n.domain = r.string_value(wire, "NodeProto.domain");
        break;
      case 5: {
        if (wire != WireType::kLengthDelimited)
          r.fail_at(r.offset(), "NodeProto.attribute: bad wire type");
        ProtoReader a = r.read_message("NodeProto.attribute", "AttributeProto");
        n.attributes.emplace_back();
        read_attribute(a, n.attributes.back());
        break;
      }
      default:
        r.skip(wire, field);
    }
  }
}

void read_graph(ProtoReader& r, Graph& g) {
  while (!r.done()) {
    uint32_t field;
    WireType wire;
    r.next_field(field, wire);
    if (wire != WireType::kLengthDelimited) {
      r.skip(wire, field);
      continue;
    }
    switch (field) {
      case 1: {
        ProtoReader n = r.read_message("GraphProto.node", "NodeProto");
        g.nodes.emplace_back();
        read_node(n, g.nodes.back());
        break;
      }
      case 2:
        g.name = r.string_value(wire, "GraphProto.name");
        break;
      case 5: {
        ProtoReader t = r.read_message("GraphProto.initializer", "TensorProto");
        g.initializers.emplace_back();
        read_tensor(t, g.initializers.back());
        break;
      }
      case 15:
        r.skip(wire, field);
        ++g.num_sparse_initializers;
        break;
      case 11:
      case 12:
      case 13: {
        const char* name = field == 11   ? "GraphProto.input"
                           : field == 12 ? "GraphProto.output"
                                         : "GraphProto.value_info";
        ProtoReader v = r.read_message(name, "ValueInfoProto");
        auto& list = field == 11 ? g.inputs : field == 12 ? g.outputs : g.value_info;
        list.emplace_back();
        read_value_info(v, list.back());
        break;
      }
      default:
        r.skip(wire, field);
    }
  }
}

}  // namespace

Model decode_model(const void* data, size_t size) {
  if (data == nullptr && size != 0) fail("ONNX model: null data pointer with size ", size);
  ProtoReader r(static_cast<const uint8_t*>(data), size, 0, "ModelProto");
  Model m;
  bool has_graph = false;
  while (!r.done()) {
    uint32_t field;
    WireType wire;
    r.next_field(field, wire);
    switch (field) {
      case 1:
        m.ir_version = r.int_value(wire, "ModelProto.ir_version");
        break;
      case 2:
        m.producer_name = r.string_value(wire, "ModelProto.producer_name");
        break;
      case 7: {
        if (wire != WireType::kLengthDelimited)
          r.fail_at(r.offset(), "ModelProto.graph: bad wire type");
        ProtoReader g = r.read_message("ModelProto.graph", "GraphProto");
        read_graph(g, m.graph);  // a repeated graph field merges, as protobuf does
        has_graph = true;
        break;
      }
      case 8: {
        if (wire != WireType::kLengthDelimited)
          r.fail_at(r.offset(), "ModelProto.opset_import: bad wire type");
        ProtoReader o = r.read_message("ModelProto.opset_import", "OperatorSetIdProto");
        OpsetId id;
        while (!o.done()) {
          uint32_t f;
          WireType w;
          o.next_field(f, w);
          if (f == 1)
            id.domain = o.string_value(w, "OperatorSetIdProto.domain");
          else if (f == 2)
            id.version = o.int_value(w, "OperatorSetIdProto.version");
          else
            o.skip(w, f);
        }
        m.opset_import.push_back(std::move(id));
        break;
      }
      case 25:
        r.skip(wire, field);
        ++m.num_functions;
        break;
      default:
        r.skip(wire, field);
    }
  }
  if (!has_graph) fail("ONNX model: ModelProto has no graph (", size, " bytes read)");
  return m;
}

TensorProto decode_tensor(const void* data, size_t size) {
  if (data == nullptr && size != 0) fail("ONNX tensor: null data pointer with size ", size);
  ProtoReader r(static_cast<const uint8_t*>(data), size, 0, "TensorProto");
  TensorProto t;
  read_tensor(r, t);
  return t;
}

int64_t TensorValue::count() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

namespace {

std::string read_external(const TensorProto& t, const std::string& model_dir) {
  const std::string where = str_cat("tensor '", t.name, "' (at byte ", t.file_offset, ")");
  if (t.location.empty()) fail("ONNX ", where, ": external data without a location");
  if (t.location[0] == '/' || t.location.find("..") != std::string::npos) {
    fail("ONNX ", where, ": external data location '", t.location,
         "' must be a relative path inside the model's directory");
  }
  if (model_dir.empty()) {
    fail("ONNX ", where, ": uses external data '", t.location,
         "' but the model was not given a directory (use parse_from_file or "
         "path_for_external_data)");
  }
  std::string path = model_dir + "/" + t.location;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail("ONNX ", where, ": cannot open external data file '", path, "'");
  int64_t file_size = static_cast<int64_t>(in.tellg());
  int64_t length = t.external_length >= 0 ? t.external_length : file_size - t.external_offset;
  if (t.external_offset > file_size || length < 0 || length > file_size - t.external_offset) {
    fail("ONNX ", where, ": external data offset ", t.external_offset, " + length ", length,
         " lies outside '", path, "' (", file_size, " bytes)");
  }
  std::string bytes(static_cast<size_t>(length), '\0');
  in.seekg(t.external_offset);
  in.read(bytes.data(), length);
  if (!in) fail("ONNX ", where, ": reading external data from '", path, "' failed");
  return bytes;
}

}  // namespace

TensorValue tensor_value(const TensorProto& t, const std::string& model_dir) {
  const std::string where = str_cat("tensor '", t.name, "' (at byte ", t.file_offset, ")");
  TensorValue v;
  int32_t code = t.data_type;
  if (code == kDouble) {
    v.type = DataType::kFLOAT;
  } else if (!to_kiln_type(code, v.type)) {
    fail("ONNX ", where, ": data type ", onnx_type_name(code), " is not supported by kiln");
  }
  v.dims = t.dims;
  int64_t count = 1;
  for (int64_t d : t.dims) {
    if (d < 0) fail("ONNX ", where, ": negative dimension ", d);
    if (d != 0 && count > (int64_t{1} << 40) / d) fail("ONNX ", where, ": too many elements");
    count *= d;
  }
  int64_t elem = element_size(v.type);
  auto expect_count = [&](size_t have, const char* field) {
    if (static_cast<int64_t>(have) != count) {
      fail("ONNX ", where, ": ", field, " holds ", have, " values but the dims ", "give ", count);
    }
  };
  if (t.external || t.has_raw_data) {
    std::string external;
    const std::string* raw = &t.raw_data;
    if (t.external) {
      external = read_external(t, model_dir);
      raw = &external;
    }
    int64_t src_elem = code == kDouble ? 8 : elem;
    if (static_cast<int64_t>(raw->size()) != count * src_elem) {
      fail("ONNX ", where, ": ", t.external ? "external" : "raw", " data has ", raw->size(),
           " bytes but ", count, " elements of ", onnx_type_name(code), " need ", count * src_elem);
    }
    v.bytes.resize(static_cast<size_t>(count * elem));  // only once the data proved its size
    if (code == kDouble) {
      for (int64_t i = 0; i < count; ++i) {
        double d;
        std::memcpy(&d, raw->data() + i * 8, 8);
        float f = static_cast<float>(d);
        std::memcpy(v.bytes.data() + i * 4, &f, 4);
      }
    } else if (!raw->empty()) {
      std::memcpy(v.bytes.data(), raw->data(), raw->size());
    }
    return v;
  }
  // Check the typed field's length before allocating, so a corrupted dims field cannot ask for
  // terabytes.
  size_t have = code == kFloat    ? t.float_data.size()
                : code == kDouble ? t.double_data.size()
                : code == kInt64  ? t.int64_data.size()
                                  : t.int32_data.size();
  expect_count(have, code == kFloat    ? "float_data"
                     : code == kDouble ? "double_data"
                     : code == kInt64  ? "int64_data"
                                       : "int32_data");
  v.bytes.resize(static_cast<size_t>(count * elem));
  uint8_t* out = v.bytes.data();
  switch (code) {
    case kFloat:
      expect_count(t.float_data.size(), "float_data");
      if (count) std::memcpy(out, t.float_data.data(), count * 4);
      break;
    case kDouble:
      expect_count(t.double_data.size(), "double_data");
      for (int64_t i = 0; i < count; ++i) {
        float f = static_cast<float>(t.double_data[i]);
        std::memcpy(out + i * 4, &f, 4);
      }
      break;
    case kInt64:
      expect_count(t.int64_data.size(), "int64_data");
      if (count) std::memcpy(out, t.int64_data.data(), count * 8);
      break;
    case kInt32:
      expect_count(t.int32_data.size(), "int32_data");
      for (int64_t i = 0; i < count; ++i) {
        int32_t x = static_cast<int32_t>(t.int32_data[i]);
        std::memcpy(out + i * 4, &x, 4);
      }
      break;
    case kFloat16:
    case kBfloat16:
      expect_count(t.int32_data.size(), "int32_data");
      for (int64_t i = 0; i < count; ++i) {
        uint16_t x = static_cast<uint16_t>(t.int32_data[i]);
        std::memcpy(out + i * 2, &x, 2);
      }
      break;
    default:  // int8, uint8, bool: one byte each in int32_data
      expect_count(t.int32_data.size(), "int32_data");
      for (int64_t i = 0; i < count; ++i) {
        int64_t x = t.int32_data[i];
        out[i] = code == kBool ? (x != 0) : static_cast<uint8_t>(x);
      }
  }
  return v;
}

}  // namespace kiln::onnx
