// Protocol buffers wire format with bounds checks; see proto_reader.h.
#include "onnx/proto_reader.h"

#include <cstring>

#include "core/error.h"

namespace kiln::onnx {

namespace {

const char* wire_name(WireType wire) {
  switch (wire) {
    case WireType::kVarint:
      return "varint";
    case WireType::kFixed64:
      return "fixed64";
    case WireType::kLengthDelimited:
      return "length-delimited";
    case WireType::kFixed32:
      return "fixed32";
  }
  return "unknown";
}

}  // namespace

void ProtoReader::fail_at(size_t file_offset, const std::string& message) const {
  fail("ONNX protobuf: at byte ", file_offset, " (in ", what_, "): ", message);
}

void ProtoReader::need(size_t n, const char* field_name) {
  if (n > size_ - pos_) {
    fail_at(offset(), str_cat("truncated ", field_name, ": needs ", n, " bytes, only ",
                              size_ - pos_, " left in the message"));
  }
}

uint64_t ProtoReader::read_varint(const char* field_name) {
  uint64_t value = 0;
  size_t start = offset();
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= size_) fail_at(start, str_cat("truncated varint while reading ", field_name));
    uint8_t byte = data_[pos_++];
    if (shift == 63 && (byte & 0x7e) != 0) {
      fail_at(start, str_cat("varint overflows 64 bits while reading ", field_name));
    }
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  fail_at(start, str_cat("varint longer than 10 bytes while reading ", field_name));
}

uint32_t ProtoReader::read_fixed32(const char* field_name) {
  need(4, field_name);
  uint32_t v;
  std::memcpy(&v, data_ + pos_, 4);
  pos_ += 4;
  return v;
}

uint64_t ProtoReader::read_fixed64(const char* field_name) {
  need(8, field_name);
  uint64_t v;
  std::memcpy(&v, data_ + pos_, 8);
  pos_ += 8;
  return v;
}

std::string_view ProtoReader::read_bytes(const char* field_name, size_t* start) {
  size_t at = offset();
  uint64_t length = read_varint(field_name);
  if (length > size_ - pos_) {
    fail_at(at, str_cat("truncated ", field_name, ": length ", length, " but only ", size_ - pos_,
                        " bytes left in the message"));
  }
  if (start) *start = offset();
  std::string_view view(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(length));
  pos_ += static_cast<size_t>(length);
  return view;
}

ProtoReader ProtoReader::read_message(const char* field_name, const std::string& what) {
  size_t start = 0;
  std::string_view bytes = read_bytes(field_name, &start);
  return ProtoReader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), start, what);
}

void ProtoReader::next_field(uint32_t& field, WireType& wire) {
  size_t at = offset();
  uint64_t key = read_varint("a field key");
  uint64_t number = key >> 3;
  uint32_t type = static_cast<uint32_t>(key & 7);
  if (number == 0 || number > 0x1fffffff) fail_at(at, str_cat("invalid field number ", number));
  if (type != 0 && type != 1 && type != 2 && type != 5) {
    fail_at(at, str_cat("field ", number, " has unsupported wire type ", type));
  }
  field = static_cast<uint32_t>(number);
  wire = static_cast<WireType>(type);
}

void ProtoReader::expect_wire(WireType wire, WireType expected, const char* field_name) {
  if (wire != expected) {
    fail_at(offset(), str_cat(field_name, " should be ", wire_name(expected), " but has wire type ",
                              wire_name(wire)));
  }
}

int64_t ProtoReader::int_value(WireType wire, const char* field_name) {
  expect_wire(wire, WireType::kVarint, field_name);
  return static_cast<int64_t>(read_varint(field_name));
}

float ProtoReader::float_value(WireType wire, const char* field_name) {
  expect_wire(wire, WireType::kFixed32, field_name);
  uint32_t bits = read_fixed32(field_name);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

std::string ProtoReader::string_value(WireType wire, const char* field_name) {
  expect_wire(wire, WireType::kLengthDelimited, field_name);
  return std::string(read_bytes(field_name));
}

void ProtoReader::append_ints(WireType wire, const char* field_name, std::vector<int64_t>& out) {
  if (wire == WireType::kVarint) {
    out.push_back(static_cast<int64_t>(read_varint(field_name)));
    return;
  }
  expect_wire(wire, WireType::kLengthDelimited, field_name);
  ProtoReader packed = read_message(field_name, what_);
  while (!packed.done()) out.push_back(static_cast<int64_t>(packed.read_varint(field_name)));
}

void ProtoReader::append_uint64s(WireType wire, const char* field_name,
                                 std::vector<uint64_t>& out) {
  if (wire == WireType::kVarint) {
    out.push_back(read_varint(field_name));
    return;
  }
  expect_wire(wire, WireType::kLengthDelimited, field_name);
  ProtoReader packed = read_message(field_name, what_);
  while (!packed.done()) out.push_back(packed.read_varint(field_name));
}

void ProtoReader::append_floats(WireType wire, const char* field_name, std::vector<float>& out) {
  if (wire == WireType::kFixed32) {
    out.push_back(float_value(wire, field_name));
    return;
  }
  expect_wire(wire, WireType::kLengthDelimited, field_name);
  size_t at = offset();
  std::string_view bytes = read_bytes(field_name);
  if (bytes.size() % 4 != 0) {
    fail_at(at,
            str_cat("packed ", field_name, " has ", bytes.size(), " bytes, not a multiple of 4"));
  }
  size_t n = bytes.size() / 4;
  size_t old = out.size();
  if (n == 0) return;
  out.resize(old + n);
  std::memcpy(out.data() + old, bytes.data(), bytes.size());
}

void ProtoReader::append_doubles(WireType wire, const char* field_name, std::vector<double>& out) {
  if (wire == WireType::kFixed64) {
    uint64_t bits = read_fixed64(field_name);
    double v;
    std::memcpy(&v, &bits, 8);
    out.push_back(v);
    return;
  }
  expect_wire(wire, WireType::kLengthDelimited, field_name);
  size_t at = offset();
  std::string_view bytes = read_bytes(field_name);
  if (bytes.size() % 8 != 0) {
    fail_at(at,
            str_cat("packed ", field_name, " has ", bytes.size(), " bytes, not a multiple of 8"));
  }
  size_t n = bytes.size() / 8;
  size_t old = out.size();
  if (n == 0) return;
  out.resize(old + n);
  std::memcpy(out.data() + old, bytes.data(), bytes.size());
}

void ProtoReader::skip(WireType wire, uint32_t field) {
  std::string name = str_cat("unknown field ", field);
  switch (wire) {
    case WireType::kVarint:
      read_varint(name.c_str());
      break;
    case WireType::kFixed64:
      read_fixed64(name.c_str());
      break;
    case WireType::kLengthDelimited:
      read_bytes(name.c_str());
      break;
    case WireType::kFixed32:
      read_fixed32(name.c_str());
      break;
  }
}

}  // namespace kiln::onnx
