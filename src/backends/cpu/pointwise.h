// Helpers the pointwise CPU kernels share (elementwise, select, unary): the arithmetic type of a
// storage type, and one loop over a broadcast output with each input's offset.
#pragma once

#include <array>
#include <type_traits>

#include "backends/cpu/common.h"

namespace kiln::cpu {

template <typename T>
constexpr bool is_half_storage = std::is_same_v<T, half_t> || std::is_same_v<T, bfloat16_t>;

// The type arithmetic happens in: float for fp16/bf16 storage, the storage type otherwise.
template <typename T>
using compute_t = std::conditional_t<is_half_storage<T>, float, T>;

template <typename T>
inline compute_t<T> load(T v) {
  if constexpr (is_half_storage<T>) {
    return to_float(v);
  } else {
    return v;
  }
}
template <typename T, typename C>
inline T store(C v) {
  if constexpr (is_half_storage<T>) {
    return from_f32<T>(v);
  } else {
    return static_cast<T>(v);
  }
}

// Calls fn(i, off) for every flat output index i of `out`, with off[k] the flat offset of the
// element of input k (shape ins[k], numpy-broadcast to out) that output element i reads.
template <size_t N, typename Fn>
void broadcast_loop(const Dims& out, const std::array<Dims, N>& ins, Fn&& fn) {
  int64_t total = volume(out);
  if (total <= 0) return;
  // An input with as many elements as the output is not broadcast along any dimension, so it is
  // laid out exactly like the output.
  bool same = true;
  for (const Dims& d : ins) same = same && volume(d) == total;
  std::array<int64_t, N> off{};
  if (same) {
    for (int64_t i = 0; i < total; ++i) {
      off.fill(i);
      fn(i, off);
    }
    return;
  }
  std::array<Dims, N> strides;
  for (size_t k = 0; k < N; ++k) strides[k] = broadcast_strides(ins[k], out);
  // out.nb_dims >= 1 here: a 0-d output has one element, so every input had one too.
  int32_t last = out.nb_dims - 1;
  int64_t inner = out.d[last];
  std::array<int64_t, N> base{};  // offsets of the first element of the current row
  int64_t index[Dims::kMaxDims] = {};
  for (int64_t row = 0; row < total; row += inner) {
    for (int64_t j = 0; j < inner; ++j) {
      for (size_t k = 0; k < N; ++k) off[k] = base[k] + j * strides[k].d[last];
      fn(row + j, off);
    }
    // Odometer over the outer dimensions.
    for (int32_t d = last - 1; d >= 0; --d) {
      for (size_t k = 0; k < N; ++k) base[k] += strides[k].d[d];
      if (++index[d] < out.d[d]) break;
      for (size_t k = 0; k < N; ++k) base[k] -= strides[k].d[d] * out.d[d];
      index[d] = 0;
    }
  }
}

}  // namespace kiln::cpu
