// The protobuf wire reader and the ONNX message decoders: varints, lengths, nested messages,
// packed and unpacked repeated fields, tensor data, and clean errors with byte offsets.
#include "onnx/proto_reader.h"

#include <filesystem>
#include <fstream>

#include "onnx/onnx_model.h"
#include "onnx/onnx_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using onnx::ProtoReader;
using onnx::WireType;
using test::pb::Msg;

ProtoReader reader(const std::string& s) {
  return ProtoReader(reinterpret_cast<const uint8_t*>(s.data()), s.size(), 0, "Test");
}

TEST(OnnxProtoReader, ReadsVarints) {
  std::string s = "\x01\xac\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  ProtoReader r = reader(s);
  EXPECT_EQ(r.read_varint("a"), 1u);
  EXPECT_EQ(r.read_varint("b"), 300u);
  EXPECT_EQ(r.read_varint("c"), UINT64_MAX);
  EXPECT_TRUE(r.done());
}

TEST(OnnxProtoReader, RejectsTruncatedAndOverlongVarints) {
  std::string truncated = "\x05\xff\xff";
  ProtoReader r = reader(truncated);
  r.read_varint("first");
  expect_error([&] { r.read_varint("NodeProto.op_type"); },
               {"byte 1", "truncated varint", "NodeProto.op_type", "in Test"});
  std::string overlong(11, '\xff');
  ProtoReader r2 = reader(overlong);
  expect_error([&] { r2.read_varint("x"); }, {"byte 0", "varint"});
}

TEST(OnnxProtoReader, ChecksLengthsAgainstTheMessage) {
  Msg m;
  m.str(1, "hello");
  std::string s = m.bytes.substr(0, m.bytes.size() - 1);  // one byte short
  ProtoReader r = reader(s);
  uint32_t field;
  WireType wire;
  r.next_field(field, wire);
  EXPECT_EQ(field, 1u);
  EXPECT_EQ(wire, WireType::kLengthDelimited);
  expect_error([&] { r.read_bytes("GraphProto.name"); },
               {"byte 1", "truncated GraphProto.name", "length 5", "only 4 bytes left"});
}

TEST(OnnxProtoReader, NestedMessagesReportFileOffsets) {
  Msg inner;
  inner.key(3, 0);
  inner.bytes.push_back('\x80');  // a truncated varint at the inner message's byte 1
  Msg outer;
  outer.varint(1, 7).msg(2, inner);
  ProtoReader r = reader(outer.bytes);
  uint32_t field;
  WireType wire;
  r.next_field(field, wire);
  r.read_varint("one");
  r.next_field(field, wire);
  ProtoReader sub = r.read_message("Outer.inner", "Inner");
  EXPECT_EQ(sub.offset(), 4u);  // key, value, key, length
  sub.next_field(field, wire);
  expect_error([&] { sub.read_varint("Inner.x"); }, {"byte 5", "in Inner", "Inner.x"});
}

TEST(OnnxProtoReader, ReadsPackedAndUnpackedRepeatedFields) {
  Msg m;
  m.packed_ints(1, {1, -2, 300}).varint(1, 4);
  m.packed_floats(2, {1.5f, -2.0f}).f32(2, 3.0f);
  ProtoReader r = reader(m.bytes);
  std::vector<int64_t> ints;
  std::vector<float> floats;
  while (!r.done()) {
    uint32_t field;
    WireType wire;
    r.next_field(field, wire);
    if (field == 1)
      r.append_ints(wire, "ints", ints);
    else
      r.append_floats(wire, "floats", floats);
  }
  EXPECT_EQ(ints, (std::vector<int64_t>{1, -2, 300, 4}));
  EXPECT_EQ(floats, (std::vector<float>{1.5f, -2.0f, 3.0f}));
}

TEST(OnnxProtoReader, RejectsBadWireTypesAndFieldNumbers) {
  Msg m;
  m.f32(2, 1.0f);
  ProtoReader r = reader(m.bytes);
  uint32_t field;
  WireType wire;
  r.next_field(field, wire);
  expect_error([&] { r.int_value(wire, "TensorProto.data_type"); },
               {"TensorProto.data_type should be varint", "fixed32"});
  std::string zero("\x00\x01", 2);
  ProtoReader z = reader(zero);
  expect_error([&] { z.next_field(field, wire); }, {"byte 0", "invalid field number 0"});
  std::string group = "\x0b";  // field 1, wire type 3 (start group)
  ProtoReader g = reader(group);
  expect_error([&] { g.next_field(field, wire); }, {"unsupported wire type 3"});
  Msg bad_packed;
  bad_packed.str(1, "abc");
  ProtoReader b = reader(bad_packed.bytes);
  b.next_field(field, wire);
  std::vector<float> f;
  expect_error([&] { b.append_floats(wire, "float_data", f); }, {"not a multiple of 4"});
}

TEST(OnnxProtoReader, SkipsUnknownFields) {
  Msg m;
  m.varint(100, 5).f32(101, 1.0f).str(102, "x").key(103, 1);
  m.bytes.append(8, '\0');
  m.str(8, "name");
  onnx::TensorProto t = onnx::decode_tensor(m.bytes.data(), m.bytes.size());
  EXPECT_EQ(t.name, "name");
}

TEST(OnnxTensorValue, ReadsTypedFields) {
  Msg f;
  f.packed_ints(1, {2}).varint(2, onnx::kFloat).packed_floats(4, {1.0f, 2.5f});
  onnx::TensorValue v = onnx::tensor_value(onnx::decode_tensor(f.bytes.data(), f.bytes.size()), "");
  ASSERT_EQ(v.bytes.size(), 8u);
  float x[2];
  std::memcpy(x, v.bytes.data(), 8);
  EXPECT_EQ(x[1], 2.5f);

  Msg h;  // float16 bits in int32_data, unpacked
  h.packed_ints(1, {2}).varint(2, onnx::kFloat16).varint(5, 0x3c00).varint(5, 0xc000);
  onnx::TensorValue hv =
      onnx::tensor_value(onnx::decode_tensor(h.bytes.data(), h.bytes.size()), "");
  EXPECT_EQ(hv.type, DataType::kHALF);
  uint16_t bits[2];
  std::memcpy(bits, hv.bytes.data(), 4);
  EXPECT_EQ(bits[0], 0x3c00);
  EXPECT_EQ(bits[1], 0xc000);

  Msg i;
  i.packed_ints(1, {3}).varint(2, onnx::kInt64).packed_ints(7, {-1, 0, 1LL << 40});
  onnx::TensorValue iv =
      onnx::tensor_value(onnx::decode_tensor(i.bytes.data(), i.bytes.size()), "");
  int64_t y[3];
  std::memcpy(y, iv.bytes.data(), 24);
  EXPECT_EQ(y[0], -1);
  EXPECT_EQ(y[2], 1LL << 40);

  Msg b;  // bool in int32_data
  b.packed_ints(1, {2}).varint(2, onnx::kBool).packed_ints(5, {0, 5});
  onnx::TensorValue bv =
      onnx::tensor_value(onnx::decode_tensor(b.bytes.data(), b.bytes.size()), "");
  EXPECT_EQ(bv.bytes, (std::vector<uint8_t>{0, 1}));
}

TEST(OnnxTensorValue, RejectsSizeMismatchesAndUnsupportedTypes) {
  Msg raw = test::pb::tensor("w", {2, 2}, {1, 2, 3});
  onnx::TensorProto t = onnx::decode_tensor(raw.bytes.data(), raw.bytes.size());
  expect_error([&] { onnx::tensor_value(t, ""); },
               {"tensor 'w'", "raw data has 12 bytes", "4 elements of float need 16"});
  Msg s;
  s.packed_ints(1, {1}).varint(2, onnx::kString).str(6, "x").str(8, "s");
  onnx::TensorProto st = onnx::decode_tensor(s.bytes.data(), s.bytes.size());
  expect_error([&] { onnx::tensor_value(st, ""); }, {"tensor 's'", "string", "not supported"});
}

TEST(OnnxTensorValue, ReadsExternalDataRelativeToTheModel) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "kiln_onnx_external_test";
  std::filesystem::create_directories(dir);
  std::vector<float> values = {9, 1, 2, 3};
  {
    std::ofstream out(dir / "w.bin", std::ios::binary);
    out.write(reinterpret_cast<const char*>(values.data()), 16);
  }
  auto entry = [](const std::string& k, const std::string& v) {
    Msg e;
    e.str(1, k).str(2, v);
    return e;
  };
  Msg t;
  t.packed_ints(1, {3}).varint(2, onnx::kFloat).str(8, "w");
  t.msg(13, entry("location", "w.bin"))
      .msg(13, entry("offset", "4"))
      .msg(13, entry("length", "12"));
  t.varint(14, 1);
  onnx::TensorProto tp = onnx::decode_tensor(t.bytes.data(), t.bytes.size());
  onnx::TensorValue v = onnx::tensor_value(tp, dir.string());
  float x[3];
  std::memcpy(x, v.bytes.data(), 12);
  EXPECT_EQ(x[0], 1.0f);
  EXPECT_EQ(x[2], 3.0f);
  expect_error([&] { onnx::tensor_value(tp, ""); }, {"external data", "directory"});

  Msg escape;
  escape.packed_ints(1, {1}).varint(2, onnx::kFloat).str(8, "e");
  escape.msg(13, entry("location", "../secret.bin")).varint(14, 1);
  onnx::TensorProto ep = onnx::decode_tensor(escape.bytes.data(), escape.bytes.size());
  expect_error([&] { onnx::tensor_value(ep, dir.string()); }, {"relative path inside"});

  Msg beyond;
  beyond.packed_ints(1, {8}).varint(2, onnx::kFloat).str(8, "b");
  beyond.msg(13, entry("location", "w.bin")).varint(14, 1);
  onnx::TensorProto bp = onnx::decode_tensor(beyond.bytes.data(), beyond.bytes.size());
  expect_error([&] { onnx::tensor_value(bp, dir.string()); }, {"external data has 16 bytes"});
  std::filesystem::remove_all(dir);
}

TEST(OnnxModelDecoder, DecodesAModel) {
  using namespace test::pb;
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {-1, 3}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {-1, 3}));
  g.initializers.push_back(tensor("b", {3}, {1, 2, 3}));
  g.nodes.push_back(node("Add", {"x", "b"}, {"y"}, "add0",
                         {attr_int("k", -5), attr_float("f", 0.5f), attr_ints("v", {1, 2})}));
  std::string bytes = model(g, 13);
  onnx::Model m = onnx::decode_model(bytes.data(), bytes.size());
  EXPECT_EQ(m.ir_version, 8);
  ASSERT_EQ(m.opset_import.size(), 1u);
  EXPECT_EQ(m.opset_import[0].version, 13);
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  const onnx::Node& n = m.graph.nodes[0];
  EXPECT_EQ(n.op_type, "Add");
  EXPECT_EQ(n.name, "add0");
  EXPECT_EQ(n.inputs, (std::vector<std::string>{"x", "b"}));
  EXPECT_EQ(n.find("k")->i, -5);
  EXPECT_EQ(n.find("f")->f, 0.5f);
  EXPECT_EQ(n.find("v")->ints, (std::vector<int64_t>{1, 2}));
  ASSERT_EQ(m.graph.inputs.size(), 1u);
  ASSERT_EQ(m.graph.inputs[0].dims.size(), 2u);
  EXPECT_FALSE(m.graph.inputs[0].dims[0].has_value);
  EXPECT_EQ(m.graph.inputs[0].dims[0].param, "N");
  EXPECT_EQ(m.graph.inputs[0].dims[1].value, 3);
  EXPECT_EQ(m.graph.initializers[0].name, "b");
}

}  // namespace
}  // namespace kiln
