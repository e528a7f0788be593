// float16 and bfloat16 storage types with round-to-nearest-even conversion to and from float.
// The CPU backend stores these types and does its arithmetic in float32.
#pragma once

#include <cstdint>
#include <cstring>

namespace kiln {

struct half_t {
  uint16_t bits;
};
struct bfloat16_t {
  uint16_t bits;
};

inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline float to_float(half_t h) {
  uint32_t sign = static_cast<uint32_t>(h.bits & 0x8000u) << 16;
  uint32_t exp = (h.bits >> 10) & 0x1fu;
  uint32_t mant = h.bits & 0x3ffu;
  if (exp == 0x1f) return bits_float(sign | 0x7f800000u | (mant << 13));  // inf / nan
  if (exp == 0) {
    if (mant == 0) return bits_float(sign);
    // Subnormal: value = mant * 2^-24.
    float f = static_cast<float>(mant) * (1.0f / 16777216.0f);
    return sign ? -f : f;
  }
  return bits_float(sign | ((exp + 112) << 23) | (mant << 13));
}

inline half_t to_half(float f) {
  uint32_t u = float_bits(f);
  uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  uint32_t abs = u & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // inf or nan
    return {static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u))};
  }
  if (abs >= 0x477ff000u) return {static_cast<uint16_t>(sign | 0x7c00u)};  // rounds past 65504
  if (abs < 0x38800000u) {
    // Subnormal or zero in half: round abs / 2^-24 to the nearest even integer.
    float scaled = bits_float(abs) * 16777216.0f;
    uint32_t q = static_cast<uint32_t>(scaled);
    float rest = scaled - static_cast<float>(q);
    if (rest > 0.5f || (rest == 0.5f && (q & 1u))) ++q;
    return {static_cast<uint16_t>(sign | q)};
  }
  // Normal: rebias the exponent and round the 13 dropped mantissa bits to nearest even.
  uint32_t rounded = abs - (112u << 23);
  uint32_t lsb = (rounded >> 13) & 1u;
  rounded += 0xfffu + lsb;
  return {static_cast<uint16_t>(sign | (rounded >> 13))};
}

inline float to_float(bfloat16_t b) {
  return bits_float(static_cast<uint32_t>(b.bits) << 16);
}

inline bfloat16_t to_bfloat16(float f) {
  uint32_t u = float_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return {static_cast<uint16_t>((u >> 16) | 0x40u)};  // nan
  uint32_t lsb = (u >> 16) & 1u;
  u += 0x7fffu + lsb;
  return {static_cast<uint16_t>(u >> 16)};
}

}  // namespace kiln
