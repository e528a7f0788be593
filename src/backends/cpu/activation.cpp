// CPU kernel for ActivationLayer: each activation function in float32 arithmetic, with fp16/bf16
// inputs converted on the way in and out. NaN inputs give NaN outputs.
#include <cmath>

#include "backends/cpu/common.h"
#include "backends/cpu/thread_pool.h"

namespace kiln::cpu {

namespace {

// Split over the engine's threads (inline inside another parallel_for).
template <typename F>
void apply(const float* x, float* y, int64_t n, F f) {
  parallel_for(n, kParallelGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = f(x[i]);
  });
}

float sigmoid(float x) {
  // Both branches keep exp's argument <= 0, so neither overflows.
  if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
  float e = std::exp(x);
  return e / (1.0f + e);
}

// log(1 + exp(t)) without overflow for large t.
float softplus(float t) {
  if (t > 0.0f) return t + std::log1p(std::exp(-t));
  return std::log1p(std::exp(t));
}

// gelu and silu are x * (something that goes to 0 as x -> -inf); the product would be
// -inf * 0 = NaN, so the infinities get their limits.
bool infinite(float x, float* limit) {
  if (!std::isinf(x)) return false;
  *limit = x > 0.0f ? x : 0.0f;
  return true;
}

}  // namespace

void apply_activation(ActivationType type, float alpha, float beta, const float* x, float* y,
                      int64_t n, std::string_view layer) {
  // Comparisons are written so that NaN falls through to the branch that returns it.
  switch (type) {
    case ActivationType::kRELU:
      apply(x, y, n, [](float v) { return v < 0.0f ? 0.0f : v; });
      break;
    case ActivationType::kSIGMOID:
      apply(x, y, n, [](float v) { return sigmoid(v); });
      break;
    case ActivationType::kTANH:
      apply(x, y, n, [](float v) { return std::tanh(v); });
      break;
    case ActivationType::kLEAKY_RELU:
      apply(x, y, n, [&](float v) { return v >= 0.0f ? v : alpha * v; });
      break;
    case ActivationType::kELU:
      apply(x, y, n, [&](float v) { return v >= 0.0f ? v : alpha * std::expm1(v); });
      break;
    case ActivationType::kSELU:
      apply(x, y, n, [&](float v) { return beta * (v > 0.0f ? v : alpha * std::expm1(v)); });
      break;
    case ActivationType::kSOFTPLUS:
      apply(x, y, n, [&](float v) { return alpha * softplus(beta * v); });
      break;
    case ActivationType::kCLIP:
      apply(x, y, n, [&](float v) { return v < alpha ? alpha : (v > beta ? beta : v); });
      break;
    case ActivationType::kHARD_SIGMOID:
      apply(x, y, n, [&](float v) {
        float t = alpha * v + beta;
        return t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
      });
      break;
    case ActivationType::kGELU_ERF:
      apply(x, y, n, [](float v) {
        float limit;
        if (infinite(v, &limit)) return limit;
        return 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f));
      });
      break;
    case ActivationType::kGELU_TANH:
      apply(x, y, n, [](float v) {
        float limit;
        if (infinite(v, &limit)) return limit;
        const float k = 0.79788456080286536f;  // sqrt(2 / pi)
        return 0.5f * v * (1.0f + std::tanh(k * (v + 0.044715f * v * v * v)));
      });
      break;
    case ActivationType::kSILU:
      apply(x, y, n, [](float v) {
        float limit;
        if (infinite(v, &limit)) return limit;
        return v * sigmoid(v);
      });
      break;
    case ActivationType::kTHRESHOLDED_RELU:
      apply(x, y, n, [&](float v) { return v > alpha ? v : (std::isnan(v) ? v : 0.0f); });
      break;
    case ActivationType::kSOFTSIGN:
      apply(x, y, n, [](float v) {
        return std::isinf(v) ? std::copysign(1.0f, v) : v / (1.0f + std::fabs(v));
      });
      break;
    case ActivationType::kSCALED_TANH:
      apply(x, y, n, [&](float v) { return alpha * std::tanh(beta * v); });
      break;
    case ActivationType::kMISH:
      apply(x, y, n, [](float v) {
        float limit;
        if (infinite(v, &limit)) return limit;
        return v * std::tanh(softplus(v));
      });
      break;
    default:
      fail("[", layer, "] unknown activation type ", static_cast<int>(type));
  }
}

void run_activation(const ir::Node& node, std::span<const TensorView> inputs,
                    std::span<const TensorView> outputs) {
  const ActivationAttrs& a = node.get<ActivationAttrs>();
  FloatInput in(inputs[0]);
  FloatOutput out(outputs[0]);
  apply_activation(a.type, a.alpha, a.beta, in.data(), out.data(), numel(outputs[0]),
                   str_cat("activation '", node.name, "'"));
  out.commit();
}

}  // namespace kiln::cpu
