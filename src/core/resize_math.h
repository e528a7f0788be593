// The ONNX Resize formulas shared by the CPU reference and the CUDA kernels: an output coordinate
// to an input coordinate, nearest rounding, and the linear/cubic taps along one dimension.
// Plain functions on numbers (enums as int32_t), callable from host and device code.
#pragma once

#include <cmath>
#include <cstdint>

#ifdef __CUDACC__
#define KILN_HOST_DEVICE __host__ __device__
#else
#define KILN_HOST_DEVICE
#endif

namespace kiln::resize {

// Values of kiln::ResizeCoordinateTransformation, ResizeRoundMode, InterpolationMode.
enum : int32_t {
  kALIGN_CORNERS,
  kASYMMETRIC,
  kHALF_PIXEL,
  kPYTORCH_HALF_PIXEL,
  kTF_HALF_PIXEL_FOR_NN
};
enum : int32_t { kHALF_UP, kHALF_DOWN, kFLOOR, kCEIL };
enum : int32_t { kNEAREST, kLINEAR, kCUBIC };

// One dimension of a resize: sizes, the scale the formulas divide by (the given scale, or
// out / in when output dimensions were given), and the options.
struct Axis {
  int64_t in = 1;
  int64_t out = 1;
  double scale = 1.0;
  int32_t transformation = kASYMMETRIC;
  bool upper_for_single_pixel = false;  // ResizeSelector::kUPPER
};

// The input coordinate output index j maps to.
KILN_HOST_DEVICE inline double input_coordinate(const Axis& a, int64_t j) {
  if (a.out == 1 && a.upper_for_single_pixel) return 0.0;
  double x = static_cast<double>(j);
  switch (a.transformation) {
    case kALIGN_CORNERS: {
      // ONNX divides by the resized length before rounding: in * scale (2.4 for 4 * 0.6, not
      // the 2 output elements), which is `out` when output dimensions were given.
      double resized = static_cast<double>(a.in) * a.scale;
      return a.out == 1 || resized <= 1.0 ? 0.0
                                          : x * static_cast<double>(a.in - 1) / (resized - 1.0);
    }
    case kHALF_PIXEL:
      return (x + 0.5) / a.scale - 0.5;
    case kPYTORCH_HALF_PIXEL:
      return a.out > 1 ? (x + 0.5) / a.scale - 0.5 : 0.0;
    case kTF_HALF_PIXEL_FOR_NN:
      return (x + 0.5) / a.scale;
    default:  // kASYMMETRIC
      return x / a.scale;
  }
}

KILN_HOST_DEVICE inline int64_t clamp_index(int64_t i, int64_t n) {
  return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

// The input element nearest mode reads for output index j.
KILN_HOST_DEVICE inline int64_t nearest_index(const Axis& a, int32_t rounding, int64_t j) {
  double x = input_coordinate(a, j);
  double r;
  switch (rounding) {
    case kHALF_UP:
      r = floor(x + 0.5);
      break;
    case kHALF_DOWN:
      r = ceil(x - 0.5);
      break;
    case kCEIL:
      r = ceil(x);
      break;
    default:  // kFLOOR
      r = floor(x);
      break;
  }
  return clamp_index(static_cast<int64_t>(r), a.in);
}

// Up to 4 taps (index into the input, clamped to the edge; weight) for output index j; returns
// the tap count (2 for linear, 4 for cubic). Cubic uses coefficient `cubic_a`; with
// exclude_outside, taps outside the input get weight 0 and the rest are renormalised.
KILN_HOST_DEVICE inline int32_t taps(const Axis& a, int32_t mode, float cubic_a,
                                     bool exclude_outside, int64_t j, int64_t* index,
                                     float* weight) {
  double x = input_coordinate(a, j);
  double fl = floor(x);
  double r = x - fl;
  int64_t base = static_cast<int64_t>(fl);
  double w[4];
  int32_t n;
  int64_t first;
  if (mode == kLINEAR) {
    n = 2;
    first = base;
    w[0] = 1.0 - r;
    w[1] = r;
  } else {
    n = 4;
    first = base - 1;
    double A = cubic_a;
    double t0 = r + 1.0, t3 = 2.0 - r, s = 1.0 - r;
    w[0] = ((A * t0 - 5.0 * A) * t0 + 8.0 * A) * t0 - 4.0 * A;
    w[1] = ((A + 2.0) * r - (A + 3.0)) * r * r + 1.0;
    w[2] = ((A + 2.0) * s - (A + 3.0)) * s * s + 1.0;
    w[3] = ((A * t3 - 5.0 * A) * t3 + 8.0 * A) * t3 - 4.0 * A;
  }
  double sum = 0.0;
  for (int32_t t = 0; t < n; ++t) {
    int64_t i = first + t;
    if (exclude_outside && (i < 0 || i >= a.in)) w[t] = 0.0;
    sum += w[t];
  }
  for (int32_t t = 0; t < n; ++t) {
    index[t] = clamp_index(first + t, a.in);
    weight[t] = static_cast<float>(exclude_outside && sum != 0.0 ? w[t] / sum : w[t]);
  }
  return n;
}

// Whether resizing along this dimension copies it unchanged (the same size, and every output j
// reading input j with total weight 1), so a pass along it can be skipped.
KILN_HOST_DEVICE inline bool is_identity(const Axis& a, int32_t mode, int32_t rounding,
                                         float cubic_a, bool exclude_outside) {
  if (a.in != a.out) return false;
  for (int64_t j = 0; j < a.out; ++j) {
    if (mode == kNEAREST) {
      if (nearest_index(a, rounding, j) != j) return false;
      continue;
    }
    int64_t index[4];
    float weight[4];
    int32_t n = taps(a, mode, cubic_a, exclude_outside, j, index, weight);
    float on_j = 0.0f;  // clamped taps may land on j more than once
    for (int32_t t = 0; t < n; ++t) {
      if (weight[t] == 0.0f) continue;
      if (index[t] != j) return false;
      on_j += weight[t];
    }
    if (on_j != 1.0f) return false;
  }
  return true;
}

}  // namespace kiln::resize
