// CPU kernel for UnaryLayer: float operations in float32 arithmetic (fp16/bf16 converted in and
// out), abs/neg/sign also on signed integers, not on bool; isinf/isnan write bool. Types were
// checked by ir inference.
#include <cmath>
#include <cstdint>

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
      switch (op) {
        case UnaryOperation::kEXP:
          apply<T>(in, out, [](float v) { return std::exp(v); });
          break;
        case UnaryOperation::kLOG:
          apply<T>(in, out, [](float v) { return std::log(v); });
          break;
        case UnaryOperation::kSQRT:
          apply<T>(in, out, [](float v) { return std::sqrt(v); });
          break;
        case UnaryOperation::kRECIP:
          apply<T>(in, out, [](float v) { return 1.0f / v; });
          break;
        case UnaryOperation::kABS:
          apply<T>(in, out, [](float v) { return std::fabs(v); });
          break;
        case UnaryOperation::kNEG:
          apply<T>(in, out, [](float v) { return -v; });
          break;
        case UnaryOperation::kSIN:
          apply<T>(in, out, [](float v) { return std::sin(v); });
          break;
        case UnaryOperation::kCOS:
          apply<T>(in, out, [](float v) { return std::cos(v); });
          break;
        case UnaryOperation::kTAN:
          apply<T>(in, out, [](float v) { return std::tan(v); });
          break;
        case UnaryOperation::kERF:
          apply<T>(in, out, [](float v) { return std::erf(v); });
          break;
        case UnaryOperation::kFLOOR:
          apply<T>(in, out, [](float v) { return std::floor(v); });
          break;
        case UnaryOperation::kCEIL:
          apply<T>(in, out, [](float v) { return std::ceil(v); });
          break;
        case UnaryOperation::kROUND:
          apply<T>(in, out, round_half_even);
          break;
        case UnaryOperation::kSIGN:
          apply<T>(in, out, [](float v) {
            return std::isnan(v) ? v : static_cast<float>((v > 0.0f) - (v < 0.0f));
          });
          break;
        case UnaryOperation::kSINH:
          apply<T>(in, out, [](float v) { return std::sinh(v); });
          break;
        case UnaryOperation::kCOSH:
          apply<T>(in, out, [](float v) { return std::cosh(v); });
          break;
        case UnaryOperation::kASIN:
          apply<T>(in, out, [](float v) { return std::asin(v); });
          break;
        case UnaryOperation::kACOS:
          apply<T>(in, out, [](float v) { return std::acos(v); });
          break;
        case UnaryOperation::kATAN:
          apply<T>(in, out, [](float v) { return std::atan(v); });
          break;
        case UnaryOperation::kASINH:
          apply<T>(in, out, [](float v) { return std::asinh(v); });
          break;
        case UnaryOperation::kACOSH:
          apply<T>(in, out, [](float v) { return std::acosh(v); });
          break;
        case UnaryOperation::kATANH:
          apply<T>(in, out, [](float v) { return std::atanh(v); });
          break;
        default:
          fail_type(node, op, in.type);
      }
    }
  });
}

}  // namespace kiln::cpu
