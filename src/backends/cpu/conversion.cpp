// CPU kernels for CastLayer and IdentityLayer: element-by-element conversion between any two of
// the eight data types, saturating to integers and rounding to nearest even into fp16/bf16.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "backends/cpu/pointwise.h"

namespace kiln::cpu {

namespace {

// An integer as float32 rounded to odd (truncate, then set the last bit if anything was
// dropped). Rounding that to fp16/bf16 (11 or 8 bits) to nearest even gives the same result as
// rounding the integer directly; rounding to nearest twice would not (int -> float -> bf16 can land
// on a false tie).
float round_to_odd_f32(int64_t v) {
  uint64_t m = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int width = std::bit_width(m);
  float f;
  if (width <= 24) {
    f = static_cast<float>(m);
  } else {
    int shift = width - 24;
    uint64_t top = m >> shift;
    if ((m & ((uint64_t{1} << shift) - 1)) != 0) top |= 1;
    f = std::ldexp(static_cast<float>(top), shift);
  }
  return v < 0 ? -f : f;
}

// bool, uint8 and the signed integers all fit in int64_t.
template <typename To>
To from_integer(int64_t v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != 0;
  } else if constexpr (std::is_same_v<To, float>) {
    return static_cast<float>(v);  // one correctly rounded conversion
  } else if constexpr (is_half_storage<To>) {
    return from_f32<To>(round_to_odd_f32(v));
  } else {
    using L = std::numeric_limits<To>;
    if (v < static_cast<int64_t>(L::min())) return L::min();
    if (v > static_cast<int64_t>(L::max())) return L::max();
    return static_cast<To>(v);
  }
}

template <typename To>
To from_floating(float f) {
  if constexpr (std::is_same_v<To, bool>) {
    return f != 0.0f;  // NaN is true, as in C++ and numpy
  } else if constexpr (std::is_same_v<To, float> || is_half_storage<To>) {
    return from_f32<To>(f);
  } else {
    // NaN -> 0; otherwise truncate toward zero and saturate. The bounds compare in double, where
    // every integer limit up to int64's is exact or (2^63 - 1) rounds up to 2^63, out of range.
    using L = std::numeric_limits<To>;
    if (std::isnan(f)) return 0;
    double d = f;
    if (d <= static_cast<double>(L::min())) return L::min();
    if (d >= static_cast<double>(L::max())) return L::max();
    return static_cast<To>(f);
  }
}

template <typename From, typename To>
To convert(From v) {
  if constexpr (std::is_same_v<From, float> || is_half_storage<From>) {
    return from_floating<To>(load(v));
  } else {
    return from_integer<To>(static_cast<int64_t>(v));
  }
}

void convert_tensor(const TensorView& in, const TensorView& out) {
  int64_t n = numel(out);
  if (in.type == out.type) {
    if (n > 0) std::memcpy(out.data, in.data, static_cast<size_t>(n * element_size(in.type)));
    return;
  }
  dispatch(in.type, [&](auto from_tag) {
    using From = decltype(from_tag);
    dispatch(out.type, [&](auto to_tag) {
      using To = decltype(to_tag);
      const From* src = static_cast<const From*>(in.data);
      To* dst = static_cast<To*>(out.data);
      for (int64_t i = 0; i < n; ++i) dst[i] = convert<From, To>(src[i]);
    });
  });
}

}  // namespace

void run_cast(const ir::Node& node, std::span<const TensorView> inputs,
              std::span<const TensorView> outputs) {
  convert_tensor(inputs[0], outputs[0]);
}

void run_identity(const ir::Node& node, std::span<const TensorView> inputs,
                  std::span<const TensorView> outputs) {
  convert_tensor(inputs[0], outputs[0]);
}

}  // namespace kiln::cpu
