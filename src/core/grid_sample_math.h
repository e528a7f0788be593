// ONNX GridSample's sampling of one output value, shared by the CPU reference and the CUDA kernel
// of the built-in GridSample plugin: grid coordinates in [-1, 1] denormalized per spatial
// dimension, nearest (half to even), linear or cubic (Keys, a = -0.75) taps, and zeros, border or
// reflection padding. Plain functions on numbers, callable from host and device code.
#pragma once

#include <cmath>
#include <cstdint>

#ifdef __CUDACC__
#define KILN_HOST_DEVICE __host__ __device__
#else
#define KILN_HOST_DEVICE
#endif

namespace kiln::grid_sample {

enum : int32_t { kLINEAR = 0, kNEAREST = 1, kCUBIC = 2 };
enum : int32_t { kZEROS = 0, kBORDER = 1, kREFLECTION = 2 };
constexpr int32_t kMaxSpatial = 3;

struct Params {
  int32_t mode = kLINEAR;
  int32_t padding = kZEROS;
  bool align_corners = false;
  int32_t rank = 2;                       // spatial dims
  int64_t size[kMaxSpatial] = {1, 1, 1};  // input spatial dims, outermost first
};

// Mirrors x at lo and hi until it lies between them.
KILN_HOST_DEVICE inline float reflect(float x, float lo, float hi) {
  float range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    float dx = lo - x;
    int64_t n = static_cast<int64_t>(dx / range);
    float r = dx - static_cast<float>(n) * range;
    return n % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    float dx = x - hi;
    int64_t n = static_cast<int64_t>(dx / range);
    float r = dx - static_cast<float>(n) * range;
    return n % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

KILN_HOST_DEVICE inline float lower_edge(const Params& p) {
  return p.align_corners ? 0.0f : -0.5f;
}
KILN_HOST_DEVICE inline float upper_edge(const Params& p, int64_t n) {
  return p.align_corners ? static_cast<float>(n) - 1.0f : static_cast<float>(n) - 0.5f;
}

// The input index that tap `i` reads along a dimension of n, or -1 for a zero (zeros padding).
KILN_HOST_DEVICE inline int64_t tap_index(const Params& p, int64_t i, int64_t n) {
  if (i >= 0 && i < n) return i;
  if (p.padding == kZEROS) return -1;
  if (p.padding == kREFLECTION)
    i = static_cast<int64_t>(reflect(static_cast<float>(i), lower_edge(p), upper_edge(p, n)));
  return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

KILN_HOST_DEVICE inline void cubic_coeffs(float t, float* c) {
  const float a = -0.75f;
  float x = t < 0 ? -t : t;
  c[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  c[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  c[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  c[3] = ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a;
}

// One output value from `plane` (the input's spatial values of one batch entry and channel) at
// grid point g (p.rank values, innermost dimension first, as ONNX's grid stores x, y, z).
KILN_HOST_DEVICE inline float sample(const float* plane, const Params& p, const float* g) {
  int64_t index[kMaxSpatial][4];
  float weight[kMaxSpatial][4];
  int32_t taps[kMaxSpatial];
  for (int32_t d = 0; d < p.rank; ++d) {
    int64_t n = p.size[d];
    float v = g[p.rank - 1 - d];
    float x = p.align_corners ? (v + 1) / 2.0f * static_cast<float>(n - 1)
                              : ((v + 1) * static_cast<float>(n) - 1) / 2.0f;
    if (p.mode == kNEAREST) x = nearbyintf(x);
    float lo = lower_edge(p), hi = upper_edge(p, n);
    if (x < lo || x > hi) {
      if (p.padding == kBORDER) {
        x = x < 0 ? 0 : (x > static_cast<float>(n - 1) ? static_cast<float>(n - 1) : x);
      } else if (p.padding == kREFLECTION) {
        x = reflect(x, lo, hi);
      }
    }
    if (p.mode == kNEAREST) {
      taps[d] = 1;
      index[d][0] = tap_index(p, static_cast<int64_t>(x), n);
      weight[d][0] = 1;
      continue;
    }
    float f = floorf(x);
    int64_t x0 = static_cast<int64_t>(f);
    float t = x - f;
    if (p.mode == kLINEAR) {
      taps[d] = 2;
      weight[d][0] = 1 - t;
      weight[d][1] = t;
      for (int32_t k = 0; k < 2; ++k) index[d][k] = tap_index(p, x0 + k, n);
    } else {
      taps[d] = 4;
      cubic_coeffs(t, weight[d]);
      for (int32_t k = 0; k < 4; ++k) index[d][k] = tap_index(p, x0 - 1 + k, n);
    }
  }
  // Sum over every combination of taps; the innermost dimension varies fastest.
  int32_t at[kMaxSpatial] = {0, 0, 0};
  float total = 0;
  while (true) {
    float w = 1;
    int64_t offset = 0;
    bool zero = false;
    for (int32_t d = 0; d < p.rank; ++d) {
      int64_t i = index[d][at[d]];
      zero |= i < 0;
      offset = offset * p.size[d] + (i < 0 ? 0 : i);
      w *= weight[d][at[d]];
    }
    if (!zero) total += w * plane[offset];
    int32_t d = p.rank - 1;
    for (; d >= 0; --d) {
      if (++at[d] < taps[d]) break;
      at[d] = 0;
    }
    if (d < 0) break;
  }
  return total;
}

}  // namespace kiln::grid_sample
