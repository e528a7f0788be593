// Helpers the pointwise CPU kernels share (elementwise, select, unary): the arithmetic type of a
// storage type, and one loop over a broadcast output with each input's offset.
#pragma once

#include <array>
#include <type_traits>

#include "backends/cpu/common.h"
#include "backends/cpu/thread_pool.h"

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
// element of input k (shape ins[k], numpy-broadcast to out) that output element i reads. The
// output is split over the engine's threads (thread_pool.h): fn must only write element i.
template <size_t N, typename Fn>
void broadcast_loop(const Dims& out, const std::array<Dims, N>& ins, Fn&& fn) {
  int64_t total = volume(out);
  if (total <= 0) return;
  // An input with as many elements as the output is not broadcast along any dimension, so it is
  // laid out exactly like the output.
  bool same = true;
  for (const Dims& d : ins) same = same && volume(d) == total;
  if (same) {
    parallel_for(total, kParallelGrain, [&](int64_t begin, int64_t end) {
      std::array<int64_t, N> off{};
      for (int64_t i = begin; i < end; ++i) {
        off.fill(i);
        fn(i, off);
      }
    });
    return;
  }
  std::array<Dims, N> strides;
  for (size_t k = 0; k < N; ++k) strides[k] = broadcast_strides(ins[k], out);
  // out.nb_dims >= 1 here: a 0-d output has one element, so every input had one too.
  const int32_t last = out.nb_dims - 1;
  const int64_t inner = out.d[last];
  if (inner <= 0) return;
  const int64_t rows = total / inner;
  parallel_for(rows, std::max<int64_t>(1, kParallelGrain / inner),
               [&](int64_t first, int64_t end_row) {
                 std::array<int64_t, N> off{};
                 std::array<int64_t, N> base{};  // offsets of the first element of the current row
                 int64_t index[Dims::kMaxDims] = {};
                 int64_t rest = first;  // the odometer at row `first`
                 for (int32_t d = last - 1; d >= 0; --d) {
                   index[d] = rest % out.d[d];
                   rest /= out.d[d];
                   for (size_t k = 0; k < N; ++k) base[k] += index[d] * strides[k].d[d];
                 }
                 for (int64_t row = first; row < end_row; ++row) {
                   for (int64_t j = 0; j < inner; ++j) {
                     for (size_t k = 0; k < N; ++k) off[k] = base[k] + j * strides[k].d[last];
                     fn(row * inner + j, off);
                   }
                   // Odometer over the outer dimensions.
                   for (int32_t d = last - 1; d >= 0; --d) {
                     for (size_t k = 0; k < N; ++k) base[k] += strides[k].d[d];
                     if (++index[d] < out.d[d]) break;
                     for (size_t k = 0; k < N; ++k) base[k] -= strides[k].d[d] * out.d[d];
                     index[d] = 0;
                   }
                 }
               });
}

}  // namespace kiln::cpu
