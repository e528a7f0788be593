// A tiny protobuf writer for building ONNX models in tests, and helpers that parse, build and
// run them on the CPU backend.
#pragma once

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kiln/kiln.h"
#include "kiln/onnx_parser.h"

namespace kiln::test::pb {

// One protobuf message under construction; fields are appended in call order.
struct Msg {
  std::string bytes;

  Msg& key(uint32_t field, uint32_t wire) { return raw_varint((uint64_t{field} << 3) | wire); }
  Msg& raw_varint(uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<char>(v));
    return *this;
  }
  Msg& varint(uint32_t field, uint64_t v) { return key(field, 0).raw_varint(v); }
  Msg& str(uint32_t field, const std::string& s) {
    key(field, 2).raw_varint(s.size());
    bytes += s;
    return *this;
  }
  Msg& msg(uint32_t field, const Msg& m) { return str(field, m.bytes); }
  Msg& f32(uint32_t field, float f) {
    key(field, 5);
    char b[4];
    std::memcpy(b, &f, 4);
    bytes.append(b, 4);
    return *this;
  }
  Msg& packed_ints(uint32_t field, const std::vector<int64_t>& v) {
    Msg p;
    for (int64_t x : v) p.raw_varint(static_cast<uint64_t>(x));
    return str(field, p.bytes);
  }
  Msg& packed_floats(uint32_t field, const std::vector<float>& v) {
    std::string b(v.size() * 4, '\0');
    if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
    return str(field, b);
  }
};

// TensorProto with float raw data.
inline Msg tensor(const std::string& name, const std::vector<int64_t>& dims,
                  const std::vector<float>& values) {
  Msg t;
  t.packed_ints(1, dims).varint(2, 1).str(8, name);
  std::string raw(values.size() * 4, '\0');
  if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
  t.str(9, raw);
  return t;
}

inline Msg int64_tensor(const std::string& name, const std::vector<int64_t>& dims,
                        const std::vector<int64_t>& values) {
  Msg t;
  t.packed_ints(1, dims).varint(2, 7).str(8, name).packed_ints(7, values);
  return t;
}

// ValueInfoProto of a tensor; a dim of -1 is written as dim_param "N".
inline Msg value_info(const std::string& name, int32_t elem_type,
                      const std::vector<int64_t>& dims) {
  Msg shape;
  for (int64_t d : dims) {
    Msg dim;
    if (d < 0)
      dim.str(2, "N");
    else
      dim.varint(1, static_cast<uint64_t>(d));
    shape.msg(1, dim);
  }
  Msg tt;
  tt.varint(1, static_cast<uint64_t>(elem_type)).msg(2, shape);
  Msg type;
  type.msg(1, tt);
  Msg v;
  v.str(1, name).msg(2, type);
  return v;
}

inline Msg attr_int(const std::string& name, int64_t v) {
  Msg a;
  a.str(1, name).varint(20, 2).varint(3, static_cast<uint64_t>(v));
  return a;
}
inline Msg attr_float(const std::string& name, float v) {
  Msg a;
  a.str(1, name).varint(20, 1).f32(2, v);
  return a;
}
inline Msg attr_ints(const std::string& name, const std::vector<int64_t>& v) {
  Msg a;
  a.str(1, name).varint(20, 7).packed_ints(8, v);
  return a;
}
inline Msg attr_tensor(const std::string& name, const Msg& t) {
  Msg a;
  a.str(1, name).varint(20, 4).msg(5, t);
  return a;
}

inline Msg node(const std::string& op, const std::vector<std::string>& inputs,
                const std::vector<std::string>& outputs, const std::string& name = "",
                const std::vector<Msg>& attrs = {}) {
  Msg n;
  for (const auto& i : inputs) n.str(1, i);
  for (const auto& o : outputs) n.str(2, o);
  if (!name.empty()) n.str(3, name);
  n.str(4, op);
  for (const Msg& a : attrs) n.msg(5, a);
  return n;
}

struct GraphSpec {
  std::vector<Msg> nodes, initializers, inputs, outputs;
};

inline std::string model(const GraphSpec& g, int64_t opset = 17) {
  Msg graph;
  for (const Msg& n : g.nodes) graph.msg(1, n);
  graph.str(2, "test");
  for (const Msg& t : g.initializers) graph.msg(5, t);
  for (const Msg& v : g.inputs) graph.msg(11, v);
  for (const Msg& v : g.outputs) graph.msg(12, v);
  Msg opset_id;
  opset_id.str(1, "").varint(2, static_cast<uint64_t>(opset));
  Msg m;
  m.varint(1, 8).str(2, "kiln-test").msg(7, graph).msg(8, opset_id);
  return m.bytes;
}

}  // namespace kiln::test::pb

namespace kiln::test {

inline Logger& onnx_quiet_logger() {
  static Logger logger(Logger::Severity::kINTERNAL_ERROR);
  return logger;
}

// Parses `bytes`, builds for the CPU with each input fixed to `inputs`' shape, runs, and returns
// every float output by name.
inline std::map<std::string, std::vector<float>> run_onnx(
    const std::string& bytes,
    const std::map<std::string, std::pair<Dims, std::vector<float>>>& inputs) {
  Builder builder(onnx_quiet_logger());
  std::unique_ptr<NetworkDefinition> network = builder.create_network();
  OnnxParser parser(*network, onnx_quiet_logger());
  bool ok = parser.parse(bytes.data(), bytes.size());
  EXPECT_TRUE(ok) << (parser.num_errors() ? parser.get_error(0).desc() : "");
  if (!ok) return {};
  std::unique_ptr<BuilderConfig> config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  OptimizationProfile* profile = builder.create_optimization_profile();
  for (const auto& [name, value] : inputs)
    profile->set_shape(name, value.first, value.first, value.first);
  config->add_optimization_profile(*profile);
  std::vector<uint8_t> plan = builder.build_serialized_network(*network, *config);
  Runtime runtime(onnx_quiet_logger());
  std::unique_ptr<Engine> engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  std::unique_ptr<ExecutionContext> ctx = engine->create_execution_context();
  for (const auto& [name, value] : inputs) {
    ctx->set_input_shape(name, value.first);
    ctx->set_tensor_address(name, const_cast<float*>(value.second.data()));
  }
  std::map<std::string, std::vector<float>> outputs;
  for (int32_t i = 0; i < engine->num_io_tensors(); ++i) {
    const std::string& name = engine->get_tensor_name(i);
    if (engine->get_tensor_mode(name) != TensorIOMode::kOUTPUT) continue;
    outputs[name].assign(static_cast<size_t>(volume(ctx->get_tensor_shape(name))), -999.0f);
  }
  for (auto& [name, buffer] : outputs) ctx->set_tensor_address(name, buffer.data());
  ctx->execute_async_v3(nullptr);
  return outputs;
}

}  // namespace kiln::test
