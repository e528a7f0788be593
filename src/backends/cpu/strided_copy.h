// Copying a strided view of a tensor into dense memory, byte-wise for any element size; the
// shuffle and slice kernels are built on it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "backends/cpu/thread_pool.h"
#include "core/error.h"
#include "kiln/types.h"

namespace kiln::cpu {

namespace detail {

template <int64_t kSize>
inline void copy_run(uint8_t* dst, const uint8_t* src, int64_t n, int64_t stride) {
  for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * kSize, src + i * stride * kSize, kSize);
}

}  // namespace detail

// Copies the view of `src` with shape `dims` and element strides `strides` (may be negative) into
// dense `dst`. Size-1 dims are dropped and dims that are contiguous in the view merged, so the
// inner loop runs as long as it can (and is one memcpy when the view is dense along it).
inline void copy_strided(uint8_t* dst, const uint8_t* src, const Dims& dims, const Dims& strides,
                         int64_t esize) {
  Dims d, s;
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (dims.d[i] == 0) return;
    if (dims.d[i] == 1) continue;
    if (d.nb_dims > 0 && s.d[d.nb_dims - 1] == strides.d[i] * dims.d[i]) {
      d.d[d.nb_dims - 1] *= dims.d[i];
      s.d[d.nb_dims - 1] = strides.d[i];
    } else {
      d.d[d.nb_dims] = dims.d[i];
      s.d[d.nb_dims] = strides.d[i];
      ++d.nb_dims;
    }
  }
  if (d.nb_dims == 0) {
    std::memcpy(dst, src, static_cast<size_t>(esize));
    return;
  }
  int32_t inner = d.nb_dims - 1;
  int64_t n = d.d[inner];
  int64_t stride = s.d[inner];
  int64_t outer = 1;
  for (int32_t i = 0; i < inner; ++i) outer *= d.d[i];
  if (stride != 1 && esize != 1 && esize != 2 && esize != 4 && esize != 8) {
    fail("copy_strided: unsupported element size ", esize);
  }
  // Rows of the output split over the engine's threads (thread_pool.h).
  parallel_for(outer, std::max<int64_t>(1, 4 * kParallelGrain / std::max<int64_t>(n * esize, 1)),
               [&](int64_t first, int64_t last) {
                 int64_t index[Dims::kMaxDims] = {};
                 int64_t offset = 0;  // in elements
                 int64_t rest = first;
                 for (int32_t k = inner - 1; k >= 0; --k) {
                   index[k] = rest % d.d[k];
                   rest /= d.d[k];
                   offset += index[k] * s.d[k];
                 }
                 uint8_t* out = dst + first * n * esize;
                 for (int64_t o = first; o < last; ++o) {
                   const uint8_t* from = src + offset * esize;
                   if (stride == 1) {
                     std::memcpy(out, from, static_cast<size_t>(n * esize));
                   } else if (esize == 1) {
                     detail::copy_run<1>(out, from, n, stride);
                   } else if (esize == 2) {
                     detail::copy_run<2>(out, from, n, stride);
                   } else if (esize == 4) {
                     detail::copy_run<4>(out, from, n, stride);
                   } else {
                     detail::copy_run<8>(out, from, n, stride);
                   }
                   out += n * esize;
                   for (int32_t k = inner - 1; k >= 0; --k) {
                     offset += s.d[k];
                     if (++index[k] < d.d[k]) break;
                     offset -= s.d[k] * d.d[k];
                     index[k] = 0;
                   }
                 }
               });
}

}  // namespace kiln::cpu
