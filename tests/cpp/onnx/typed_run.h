// Runs a test ONNX model on the CPU backend with inputs and outputs of any kiln type (raw bytes),
// and the protobuf pieces the composed-op importer tests need beyond onnx_test_util.h.
#pragma once

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "onnx/onnx_test_util.h"

namespace kiln::test {

struct Buf {
  Dims dims;
  DataType type = DataType::kFLOAT;
  std::vector<uint8_t> bytes;

  template <typename T>
  std::vector<T> as() const {
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
  }
};

template <typename T>
Buf buf(const Dims& dims, DataType type, const std::vector<T>& v) {
  Buf b{dims, type, std::vector<uint8_t>(v.size() * sizeof(T))};
  if (!v.empty()) std::memcpy(b.bytes.data(), v.data(), b.bytes.size());
  return b;
}

// The first parser error of `bytes` ("" when it parses) and its code.
inline std::string parse_error(const std::string& bytes, ParserErrorCode* code = nullptr) {
  Builder builder(onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, onnx_quiet_logger());
  if (parser.parse(bytes.data(), bytes.size())) return "";
  if (code) *code = parser.get_error(0).code();
  return parser.get_error(0).desc();
}

inline std::map<std::string, Buf> run_typed(const std::string& bytes,
                                            const std::map<std::string, Buf>& inputs) {
  Builder builder(onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, onnx_quiet_logger());
  bool ok = parser.parse(bytes.data(), bytes.size());
  EXPECT_TRUE(ok) << (parser.num_errors() ? parser.get_error(0).desc() : "");
  if (!ok) return {};
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  OptimizationProfile* profile = builder.create_optimization_profile();
  for (const auto& [name, b] : inputs) profile->set_shape(name, b.dims, b.dims, b.dims);
  config->add_optimization_profile(*profile);
  std::vector<uint8_t> plan = builder.build_serialized_network(*network, *config);
  Runtime runtime(onnx_quiet_logger());
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  auto ctx = engine->create_execution_context();
  for (const auto& [name, b] : inputs) {
    ctx->set_input_shape(name, b.dims);
    ctx->set_tensor_address(name, const_cast<uint8_t*>(b.bytes.data()));
  }
  std::map<std::string, Buf> outputs;
  for (int32_t i = 0; i < engine->num_io_tensors(); ++i) {
    const std::string& name = engine->get_tensor_name(i);
    if (engine->get_tensor_mode(name) != TensorIOMode::kOUTPUT) continue;
    Buf& o = outputs[name];
    o.dims = ctx->get_tensor_shape(name);
    o.type = engine->get_tensor_dtype(name);
    o.bytes.assign(static_cast<size_t>(std::max<int64_t>(volume(o.dims), 1) * element_size(o.type)),
                   0);
  }
  for (auto& [name, o] : outputs) ctx->set_tensor_address(name, o.bytes.data());
  ctx->execute_async_v3(nullptr);
  return outputs;
}

}  // namespace kiln::test

namespace kiln::test::pb {

// TensorProto with raw little-endian data of ONNX element type `elem`.
template <typename T>
Msg raw_tensor(const std::string& name, const std::vector<int64_t>& dims, int32_t elem,
               const std::vector<T>& values) {
  Msg t;
  t.packed_ints(1, dims).varint(2, static_cast<uint64_t>(elem)).str(8, name);
  std::string raw(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
  t.str(9, raw);
  return t;
}

inline Msg attr_string(const std::string& name, const std::string& v) {
  Msg a;
  a.str(1, name).varint(20, 3).str(4, v);
  return a;
}

inline Msg attr_strings(const std::string& name, const std::vector<std::string>& v) {
  Msg a;
  a.str(1, name).varint(20, 8);
  for (const std::string& s : v) a.str(9, s);
  return a;
}

}  // namespace kiln::test::pb
