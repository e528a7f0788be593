// Little-endian byte encoding: ByteWriter appends, ByteReader reads with a bounds check on every
// access, so a reader never touches a byte past the end whatever the input holds.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace kiln {

// Appends fixed-width little-endian values, whatever the host byte order.
class ByteWriter {
 public:
  void u8(uint8_t v) { buffer_.push_back(v); }
  void u32(uint32_t v) { put_le(v, 4); }
  void u64(uint64_t v) { put_le(v, 8); }
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void f32(float v) {  // the bit pattern, so NaN payloads survive a round trip
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    u32(bits);
  }
  void bytes(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    buffer_.insert(buffer_.end(), p, p + size);
  }
  // u32 length, then the bytes (no terminator).
  void str(std::string_view s) {
    KILN_CHECK(s.size() <= UINT32_MAX, "a string of ", s.size(),
               " bytes does not fit a u32 length");
    u32(static_cast<uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  // Zero bytes up to the next multiple of `alignment` (a power of two).
  void pad_to(size_t alignment) {
    buffer_.resize((buffer_.size() + alignment - 1) & ~(alignment - 1), 0);
  }
  // Overwrites 8 bytes already written at `offset`.
  void patch_u64(size_t offset, uint64_t v) {
    for (int i = 0; i < 8; ++i) buffer_[offset + i] = static_cast<uint8_t>(v >> (8 * i));
  }

  size_t size() const { return buffer_.size(); }
  const std::vector<uint8_t>& data() const { return buffer_; }
  std::vector<uint8_t> take() { return std::move(buffer_); }

 private:
  void put_le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) buffer_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> buffer_;
};

// Reads what ByteWriter wrote. Every read checks the remaining length first and throws kiln::Error
// "<context>: needs N bytes at offset X, only M remain" when it is short.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, std::string context)
      : data_(data), size_(size), context_(std::move(context)) {}

  uint8_t u8() { return static_cast<uint8_t>(get_le(1)); }
  uint32_t u32() { return static_cast<uint32_t>(get_le(4)); }
  uint64_t u64() { return get_le(8); }
  int32_t i32() { return static_cast<int32_t>(u32()); }
  int64_t i64() { return static_cast<int64_t>(u64()); }
  float f32() {
    uint32_t bits = u32();
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  // A pointer to the next `size` bytes, which are skipped.
  const uint8_t* bytes(size_t size) {
    need(size);
    const uint8_t* p = data_ + pos_;
    pos_ += size;
    return p;
  }
  std::string str() {
    uint32_t n = u32();
    const uint8_t* p = bytes(n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  // A u32 element count, checked against the remaining bytes before anyone allocates for it:
  // each element takes at least `min_element_bytes`.
  uint32_t count(size_t min_element_bytes, const char* what) {
    uint32_t n = u32();
    if (min_element_bytes > 0 && n > remaining() / min_element_bytes) {
      fail(context_, ": ", n, " ", what, " need at least ",
           static_cast<uint64_t>(n) * min_element_bytes, " bytes at offset ", pos_, ", only ",
           remaining(), " remain");
    }
    return n;
  }

  size_t offset() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  const std::string& context() const { return context_; }

 private:
  void need(size_t n) const {
    if (n > remaining()) {
      fail(context_, ": needs ", n, " bytes at offset ", pos_, ", only ", remaining(), " remain");
    }
  }
  uint64_t get_le(int n) {
    need(static_cast<size_t>(n));
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
    pos_ += static_cast<size_t>(n);
    return v;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string context_;
};

}  // namespace kiln
