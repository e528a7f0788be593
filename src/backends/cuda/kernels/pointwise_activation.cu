// CUDA kernels for ActivationLayer: each activation function in float32 arithmetic on float32,
// float16 and bfloat16 data, with the formulas and NaN / infinity rules of
// backends/cpu/activation.cpp.
//
// Transcendental functions are CUDA's full-precision ones (kiln never builds with fast math),
// within a few ulp of the CPU's libm. Products followed by a sum use __fmul_rn / __fadd_rn so that
// nvcc does not contract them into an FMA, which rounds once where the CPU rounds twice.
#include "backends/cuda/kernels/pointwise.cuh"
#include "backends/cuda/kernels/pointwise.h"

namespace kiln::cuda {

namespace {

using pw::load;
using pw::store;
using pw::ViaFloat;

__device__ __forceinline__ float sigmoid(float x) {
  // Both branches keep exp's argument <= 0, so neither overflows.
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  float e = expf(x);
  return e / (1.0f + e);
}

// log(1 + exp(t)) without overflow for large t.
__device__ __forceinline__ float softplus(float t) {
  if (t > 0.0f) return t + log1pf(expf(-t));
  return log1pf(expf(t));
}

// Comparisons are written so that NaN falls through to the branch that returns it, as on the CPU.
template <ActivationType A>
struct Activation {
  float alpha;
  float beta;

  __device__ __forceinline__ float operator()(float v) const {
    if constexpr (A == ActivationType::kRELU) {
      return v < 0.0f ? 0.0f : v;
    } else if constexpr (A == ActivationType::kSIGMOID) {
      return sigmoid(v);
    } else if constexpr (A == ActivationType::kTANH) {
      return tanhf(v);
    } else if constexpr (A == ActivationType::kLEAKY_RELU) {
      return v >= 0.0f ? v : alpha * v;
    } else if constexpr (A == ActivationType::kELU) {
      return v >= 0.0f ? v : alpha * expm1f(v);
    } else if constexpr (A == ActivationType::kSELU) {
      return beta * (v > 0.0f ? v : alpha * expm1f(v));
    } else if constexpr (A == ActivationType::kSOFTPLUS) {
      return alpha * softplus(beta * v);
    } else if constexpr (A == ActivationType::kCLIP) {
      return v < alpha ? alpha : (v > beta ? beta : v);
    } else if constexpr (A == ActivationType::kHARD_SIGMOID) {
      float t = __fadd_rn(__fmul_rn(alpha, v), beta);
      return t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
    } else if constexpr (A == ActivationType::kGELU_ERF) {
      // x * (something that goes to 0 as x -> -inf) would be -inf * 0 = NaN at the infinities.
      if (isinf(v)) return v > 0.0f ? v : 0.0f;
      return 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
    } else if constexpr (A == ActivationType::kGELU_TANH) {
      if (isinf(v)) return v > 0.0f ? v : 0.0f;
      const float k = 0.79788456080286536f;  // sqrt(2 / pi)
      float cube = __fmul_rn(__fmul_rn(__fmul_rn(0.044715f, v), v), v);
      return 0.5f * v * (1.0f + tanhf(k * __fadd_rn(v, cube)));
    } else if constexpr (A == ActivationType::kSILU) {
      if (isinf(v)) return v > 0.0f ? v : 0.0f;
      return v * sigmoid(v);
    } else if constexpr (A == ActivationType::kTHRESHOLDED_RELU) {
      return v > alpha ? v : (isnan(v) ? v : 0.0f);
    } else if constexpr (A == ActivationType::kSOFTSIGN) {
      return isinf(v) ? copysignf(1.0f, v) : v / (1.0f + fabsf(v));
    } else if constexpr (A == ActivationType::kSCALED_TANH) {
      return alpha * tanhf(beta * v);
    } else {
      static_assert(A == ActivationType::kMISH);
      if (isinf(v)) return v > 0.0f ? v : 0.0f;
      return v * tanhf(softplus(v));
    }
  }
};

template <ActivationType A>
void launch(float alpha, float beta, DataType type, const void* x, void* y, int64_t n,
            cudaStream_t stream) {
  pw::dispatch(type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (pw::is_floating_v<T>) {
      pw::launch_map(static_cast<const T*>(x), static_cast<T*>(y), n,
                     ViaFloat<T, Activation<A>>{{alpha, beta}}, stream);
    } else {
      fail("CUDA activation kernel: does not take ", type);
    }
  });
}

}  // namespace

void launch_activation(ActivationType op, float alpha, float beta, DataType type, const void* x,
                       void* y, int64_t n, cudaStream_t stream) {
  using A = ActivationType;
  switch (op) {
    case A::kRELU:
      return launch<A::kRELU>(alpha, beta, type, x, y, n, stream);
    case A::kSIGMOID:
      return launch<A::kSIGMOID>(alpha, beta, type, x, y, n, stream);
    case A::kTANH:
      return launch<A::kTANH>(alpha, beta, type, x, y, n, stream);
    case A::kLEAKY_RELU:
      return launch<A::kLEAKY_RELU>(alpha, beta, type, x, y, n, stream);
    case A::kELU:
      return launch<A::kELU>(alpha, beta, type, x, y, n, stream);
    case A::kSELU:
      return launch<A::kSELU>(alpha, beta, type, x, y, n, stream);
    case A::kSOFTPLUS:
      return launch<A::kSOFTPLUS>(alpha, beta, type, x, y, n, stream);
    case A::kCLIP:
      return launch<A::kCLIP>(alpha, beta, type, x, y, n, stream);
    case A::kHARD_SIGMOID:
      return launch<A::kHARD_SIGMOID>(alpha, beta, type, x, y, n, stream);
    case A::kGELU_ERF:
      return launch<A::kGELU_ERF>(alpha, beta, type, x, y, n, stream);
    case A::kGELU_TANH:
      return launch<A::kGELU_TANH>(alpha, beta, type, x, y, n, stream);
    case A::kSILU:
      return launch<A::kSILU>(alpha, beta, type, x, y, n, stream);
    case A::kTHRESHOLDED_RELU:
      return launch<A::kTHRESHOLDED_RELU>(alpha, beta, type, x, y, n, stream);
    case A::kSOFTSIGN:
      return launch<A::kSOFTSIGN>(alpha, beta, type, x, y, n, stream);
    case A::kSCALED_TANH:
      return launch<A::kSCALED_TANH>(alpha, beta, type, x, y, n, stream);
    case A::kMISH:
      return launch<A::kMISH>(alpha, beta, type, x, y, n, stream);
  }
  fail("CUDA activation kernel: unknown activation type ", static_cast<int>(op));
}

}  // namespace kiln::cuda
