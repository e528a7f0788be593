// checksum64: a word-at-a-time multiply-rotate hash over four lanes, then a tail and an avalanche.
// Every step is a bijection of the running state, so a difference in one word always survives.
#include "core/checksum.h"

#include <bit>
#include <cstring>

namespace kiln {
namespace {

// Odd 64-bit constants: 2^64 / golden ratio and the fractional parts of sqrt(3), sqrt(5), sqrt(7).
constexpr uint64_t kM1 = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kM2 = 0xBB67AE8584CAA73Bull;
constexpr uint64_t kM3 = 0x3C6EF372FE94F82Bull;
constexpr uint64_t kM4 = 0xA54FF53A5F1D36F1ull;

uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) {
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r |= ((v >> (8 * i)) & 0xFF) << (8 * (7 - i));
    v = r;
  }
  return v;
}

// For a fixed `acc` a bijection of `word`, and for a fixed `word` a bijection of `acc`.
uint64_t mix(uint64_t acc, uint64_t word) {
  return std::rotl((acc ^ word) * kM2, 29) * kM1;
}

uint64_t avalanche(uint64_t h) {
  h ^= h >> 33;
  h *= kM2;
  h ^= h >> 29;
  h *= kM3;
  h ^= h >> 32;
  return h;
}

}  // namespace

uint64_t checksum64(const void* data, size_t size, uint64_t seed) {
  const auto* p = static_cast<const uint8_t*>(data);
  const uint8_t* end = p + size;
  uint64_t h = seed ^ kM4;
  if (size >= 32) {
    uint64_t lane[4] = {seed + kM1, seed + kM2, seed ^ kM3, seed - kM4};
    for (; end - p >= 32; p += 32) {
      lane[0] = mix(lane[0], load64(p));
      lane[1] = mix(lane[1], load64(p + 8));
      lane[2] = mix(lane[2], load64(p + 16));
      lane[3] = mix(lane[3], load64(p + 24));
    }
    for (uint64_t v : lane) h = (h ^ mix(0, v)) * kM1 + kM4;
  }
  h += static_cast<uint64_t>(size) * kM3;
  for (; end - p >= 8; p += 8) h = std::rotl(h ^ mix(0, load64(p)), 27) * kM1 + kM4;
  if (p < end) {
    // Fewer than 8 bytes left: zero-padded into one word; the length mixed in above tells the
    // padding from real zeros.
    uint8_t last[8] = {};
    std::memcpy(last, p, static_cast<size_t>(end - p));
    h = std::rotl(h ^ mix(0, load64(last)), 23) * kM1 + kM2;
  }
  return avalanche(h);
}

}  // namespace kiln
