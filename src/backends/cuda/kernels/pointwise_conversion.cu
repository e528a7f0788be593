// CUDA kernels for CastLayer and IdentityLayer: element-by-element conversion between any two of
// the eight data types, with the rules of backends/cpu/conversion.cpp.
//
// Into integers: NaN -> 0, truncation toward zero, saturation at the type's limits. Into fp16/bf16:
// nearest even (integers go through float32 rounded to odd, so there is one rounding, not two).
// Into bool: nonzero (NaN too) is true. Equal types copy the bytes.
#include "backends/cuda/kernels/pointwise.cuh"
#include "backends/cuda/kernels/pointwise.h"

namespace kiln::cuda {

namespace {

using pw::bool8;
using pw::load;
using pw::store;

// The limits of each integer type, as int64_t.
template <typename T>
struct int_range;
template <>
struct int_range<int8_t> {
  static constexpr int64_t lo = -128, hi = 127;
};
template <>
struct int_range<uint8_t> {
  static constexpr int64_t lo = 0, hi = 255;
};
template <>
struct int_range<int32_t> {
  static constexpr int64_t lo = -2147483648LL, hi = 2147483647LL;
};
template <>
struct int_range<int64_t> {
  static constexpr int64_t lo = -9223372036854775807LL - 1, hi = 9223372036854775807LL;
};

// An integer as float32 rounded to odd (truncate, then set the last bit if anything was dropped).
// Rounding that to fp16/bf16 to nearest even gives the integer correctly rounded; rounding to
// nearest twice could land on a false tie.
__device__ __forceinline__ float round_to_odd_f32(int64_t v) {
  uint64_t m = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int width = 64 - __clzll(static_cast<long long>(m));  // 0 for m == 0
  float f;
  if (width <= 24) {
    f = static_cast<float>(m);  // exact
  } else {
    int shift = width - 24;
    uint64_t top = m >> shift;
    if ((m & ((uint64_t{1} << shift) - 1)) != 0) top |= 1;
    f = ldexpf(static_cast<float>(top), shift);  // top < 2^24 and the scaling are exact
  }
  return v < 0 ? -f : f;
}

// bool, uint8 and the signed integers all fit in int64_t.
template <typename To>
__device__ __forceinline__ To from_integer(int64_t v) {
  if constexpr (std::is_same_v<To, bool8>) {
    return store<bool8>(v != 0);
  } else if constexpr (std::is_same_v<To, float>) {
    return static_cast<float>(v);  // one correctly rounded conversion
  } else if constexpr (pw::is_half_v<To>) {
    return store<To>(round_to_odd_f32(v));
  } else {
    using L = int_range<To>;
    if (v < L::lo) return static_cast<To>(L::lo);
    if (v > L::hi) return static_cast<To>(L::hi);
    return static_cast<To>(v);
  }
}

template <typename To>
__device__ __forceinline__ To from_floating(float f) {
  if constexpr (std::is_same_v<To, bool8>) {
    return store<bool8>(f != 0.0f);  // NaN is true, as in C++ and numpy
  } else if constexpr (pw::is_floating_v<To>) {
    return store<To>(f);
  } else {
    // The bounds compare in double, where every limit is exact or (2^63 - 1) rounds up to 2^63,
    // which no in-range value reaches; inside them the conversion truncates.
    using L = int_range<To>;
    if (isnan(f)) return 0;
    double d = f;
    if (d <= static_cast<double>(L::lo)) return static_cast<To>(L::lo);
    if (d >= static_cast<double>(L::hi)) return static_cast<To>(L::hi);
    return static_cast<To>(f);
  }
}

template <typename From, typename To>
struct Convert {
  __device__ __forceinline__ To operator()(From v) const {
    if constexpr (pw::is_floating_v<From>) {
      return from_floating<To>(load(v));
    } else {
      return from_integer<To>(static_cast<int64_t>(load(v)));  // bool8 loads as 0 or 1
    }
  }
};

}  // namespace

void launch_convert(DataType from, DataType to, const void* x, void* y, int64_t n,
                    cudaStream_t stream) {
  if (n <= 0) return;
  if (from == to) {
    if (x != y) {
      KILN_CUDA_CHECK(cudaMemcpyAsync(y, x, static_cast<size_t>(n * element_size(from)),
                                      cudaMemcpyDeviceToDevice, stream));
    }
    return;
  }
  pw::dispatch(from, [&](auto from_tag) {
    using From = decltype(from_tag);
    pw::dispatch(to, [&](auto to_tag) {
      using To = decltype(to_tag);
      if constexpr (!std::is_same_v<From, To>) {
        pw::launch_map(static_cast<const From*>(x), static_cast<To*>(y), n, Convert<From, To>{},
                       stream);
      }
    });
  });
}

}  // namespace kiln::cuda
