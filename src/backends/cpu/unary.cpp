// CPU kernel for UnaryLayer: float operations in float32 arithmetic (fp16/bf16 converted in and
// out), abs/neg/sign also on signed integers, not on bool; isinf/isnan write bool. Types were
// checked by ir inference.
#include <cmath>
#include <cstdint>
#include <limits>

#include "backends/cpu/pointwise.h"

namespace kiln::cpu {

namespace {

template <typename T, typename F>
void apply(const TensorView& in, const TensorView& out, F f) {
  const T* x = static_cast<const T*>(in.data);
  T* y = static_cast<T*>(out.data);
  int64_t n = numel(out);
  for (int64_t i = 0; i < n; ++i) y[i] = store<T>(f(load(x[i])));
}

// ONNX Round: to the nearest integer, ties to even; keeps the sign of zero, passes NaN and inf.
float round_half_even(float x) {
  float r = std::floor(x);
  float diff = x - r;  // NaN for inf and NaN, which then skip both adjustments
  if (diff > 0.5f || (diff == 0.5f && std::fmod(r, 2.0f) != 0.0f)) r += 1.0f;
  return r == 0.0f ? std::copysign(0.0f, x) : r;
}

// Negation with two's-complement wraparound, so that -INT_MIN is INT_MIN as in numpy rather than
// undefined behaviour.
template <typename T>
T wrapping_neg(T v) {
  return static_cast<T>(0ull - static_cast<unsigned long long>(v));
}

[[noreturn]] void fail_type(const ir::Node& node, UnaryOperation op, DataType type) {
  fail("[unary '", node.name, "'] CPU kernel: operation ", static_cast<int>(op), " does not take ",
       type);
}

}  // namespace

float unary_f32(UnaryOperation op, float v) {
  switch (op) {
    case UnaryOperation::kEXP:
      return std::exp(v);
    case UnaryOperation::kLOG:
      return std::log(v);
    case UnaryOperation::kSQRT:
      return std::sqrt(v);
    case UnaryOperation::kRECIP:
      return 1.0f / v;
    case UnaryOperation::kABS:
      return std::fabs(v);
    case UnaryOperation::kNEG:
      return -v;
    case UnaryOperation::kSIN:
      return std::sin(v);
    case UnaryOperation::kCOS:
      return std::cos(v);
    case UnaryOperation::kTAN:
      return std::tan(v);
    case UnaryOperation::kERF:
      return std::erf(v);
    case UnaryOperation::kFLOOR:
      return std::floor(v);
    case UnaryOperation::kCEIL:
      return std::ceil(v);
    case UnaryOperation::kROUND:
      return round_half_even(v);
    case UnaryOperation::kSIGN:
      return std::isnan(v) ? v : static_cast<float>((v > 0.0f) - (v < 0.0f));
    case UnaryOperation::kSINH:
      return std::sinh(v);
    case UnaryOperation::kCOSH:
      return std::cosh(v);
    case UnaryOperation::kASIN:
      return std::asin(v);
    case UnaryOperation::kACOS:
      return std::acos(v);
    case UnaryOperation::kATAN:
      return std::atan(v);
    case UnaryOperation::kASINH:
      return std::asinh(v);
    case UnaryOperation::kACOSH:
      return std::acosh(v);
    case UnaryOperation::kATANH:
      return std::atanh(v);
    case UnaryOperation::kISINF:
      return std::isinf(v) ? 1.0f : 0.0f;
    case UnaryOperation::kISNAN:
      return std::isnan(v) ? 1.0f : 0.0f;
    case UnaryOperation::kNOT:
      return v == 0.0f ? 1.0f : 0.0f;
  }
  return std::numeric_limits<float>::quiet_NaN();
}

void run_unary(const ir::Node& node, std::span<const TensorView> inputs,
               std::span<const TensorView> outputs) {
  UnaryOperation op = node.get<UnaryAttrs>().op;
  const TensorView& in = inputs[0];
  const TensorView& out = outputs[0];
  dispatch(in.type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      if (op != UnaryOperation::kNOT) fail_type(node, op, in.type);
      apply<T>(in, out, [](bool v) { return !v; });
    } else if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        switch (op) {
          case UnaryOperation::kABS:
            apply<T>(in, out, [](T v) { return v < 0 ? wrapping_neg(v) : v; });
            return;
          case UnaryOperation::kNEG:
            apply<T>(in, out, [](T v) { return wrapping_neg(v); });
            return;
          case UnaryOperation::kSIGN:
            apply<T>(in, out, [](T v) { return static_cast<T>((v > 0) - (v < 0)); });
            return;
          default:
            break;
        }
      }
      fail_type(node, op, in.type);
    } else {
      if (op == UnaryOperation::kISINF || op == UnaryOperation::kISNAN) {
        const T* x = static_cast<const T*>(in.data);
        bool* y = static_cast<bool*>(out.data);
        int64_t n = numel(out);
        for (int64_t i = 0; i < n; ++i) {
          float v = load(x[i]);
          y[i] = op == UnaryOperation::kISINF ? std::isinf(v) : std::isnan(v);
        }
        return;
      }
      if (op == UnaryOperation::kNOT) fail_type(node, op, in.type);
      apply<T>(in, out, [op](float v) { return unary_f32(op, v); });
    }
  });
}

}  // namespace kiln::cpu
