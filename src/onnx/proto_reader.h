// Protocol buffers wire format, read with bounds checks on every byte: the base of kiln's ONNX
// reader (no libprotobuf). Errors name the byte offset and the field being read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::onnx {

enum class WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// A cursor over one message's bytes. `base` is the offset of data[0] in the whole file, so errors
// give file offsets; `what` names the message ("NodeProto") for error messages.
class ProtoReader {
 public:
  ProtoReader(const uint8_t* data, size_t size, size_t base, std::string what)
      : data_(data), size_(size), base_(base), what_(std::move(what)) {}

  bool done() const { return pos_ >= size_; }
  size_t offset() const { return base_ + pos_; }  // file offset of the next byte
  const std::string& what() const { return what_; }

  // Reads the next field's key. Field 0, wire types 3/4 (groups) and 6/7 are errors.
  void next_field(uint32_t& field, WireType& wire);

  // Values; `field_name` names the field in errors ("NodeProto.op_type").
  uint64_t read_varint(const char* field_name);
  uint32_t read_fixed32(const char* field_name);
  uint64_t read_fixed64(const char* field_name);
  // A length-delimited field's bytes; `start` receives their file offset.
  std::string_view read_bytes(const char* field_name, size_t* start = nullptr);
  // A nested message as a reader of its own.
  ProtoReader read_message(const char* field_name, const std::string& what);

  // Field values by wire type, checking that the wire type fits the field.
  int64_t int_value(WireType wire, const char* field_name);
  float float_value(WireType wire, const char* field_name);
  std::string string_value(WireType wire, const char* field_name);

  // Repeated scalar fields, packed or one value per key.
  void append_ints(WireType wire, const char* field_name, std::vector<int64_t>& out);
  void append_floats(WireType wire, const char* field_name, std::vector<float>& out);
  void append_doubles(WireType wire, const char* field_name, std::vector<double>& out);
  void append_uint64s(WireType wire, const char* field_name, std::vector<uint64_t>& out);

  void skip(WireType wire, uint32_t field);

  [[noreturn]] void fail_at(size_t file_offset, const std::string& message) const;

 private:
  void expect_wire(WireType wire, WireType expected, const char* field_name);
  void need(size_t n, const char* field_name);

  const uint8_t* data_;
  size_t size_;
  size_t base_;
  size_t pos_ = 0;
  std::string what_;
};

}  // namespace kiln::onnx
