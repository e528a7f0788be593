// CPU kernels for ElementWiseLayer and SelectLayer: numpy-broadcast binary operations (float32
// arithmetic for fp16/bf16, exact two's-complement arithmetic for integers) and condition ? a : b.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "backends/cpu/pointwise.h"

namespace kiln::cpu {

namespace {

template <typename T, typename R, typename F>
void binary(const TensorView& a, const TensorView& b, const TensorView& out, F f) {
  const T* pa = static_cast<const T*>(a.data);
  const T* pb = static_cast<const T*>(b.data);
  R* po = static_cast<R*>(out.data);
  broadcast_loop<2>(out.dims, {a.dims, b.dims}, [&](int64_t i, const std::array<int64_t, 2>& off) {
    po[i] = store<R>(f(load(pa[off[0]]), load(pb[off[1]])));
  });
}

// Integer arithmetic wraps around (two's complement) instead of overflowing into undefined
// behaviour: it is done in uint64_t, and converting back keeps the low bits.
template <typename T>
T wrap(uint64_t v) {
  return static_cast<T>(v);
}
template <typename T>
uint64_t u(T v) {
  return static_cast<uint64_t>(v);
}

// Integer division truncates toward zero, like C++. Division by zero has no value to give and
// must not crash the process (SIGFPE), so it gives 0; other backends must match. x / -1 is
// negation, which wraps for the most negative value instead of trapping.
template <typename T>
T int_div(T a, T b) {
  if (b == 0) return 0;
  if (b == -1) return wrap<T>(0 - u(a));
  return static_cast<T>(a / b);
}

// Floor division (Python's //): rounds toward -inf. By zero gives 0, as int_div.
template <typename T>
T int_floor_div(T a, T b) {
  if (b == 0) return 0;
  if (b == -1) return wrap<T>(0 - u(a));
  T q = static_cast<T>(a / b);
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}

// base^exp by squaring, wrapping on overflow. A negative exponent has no integer result except for
// bases 1 and -1; it gives 0 otherwise (the result truncated toward zero).
template <typename T>
T int_pow(T base, T exp) {
  if (exp < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exp & 1) ? -1 : 1;
    return 0;
  }
  uint64_t result = 1;
  uint64_t b = u(base);
  for (uint64_t e = u(exp); e != 0; e >>= 1) {
    if (e & 1) result *= b;
    b *= b;
  }
  return wrap<T>(result);
}

// max and min propagate NaN (as numpy's maximum/minimum and ONNX Max/Min).
float nan_max(float x, float y) {
  return std::isnan(x) || std::isnan(y) ? x + y : std::max(x, y);
}
float nan_min(float x, float y) {
  return std::isnan(x) || std::isnan(y) ? x + y : std::min(x, y);
}

[[noreturn]] void fail_type(const ir::Node& node, ElementWiseOperation op, DataType type) {
  fail("[elementwise '", node.name, "'] CPU kernel: operation ", static_cast<int>(op),
       " does not take ", type);
}

}  // namespace

float binary_f32(ElementWiseOperation op, float x, float y) {
  using Op = ElementWiseOperation;
  switch (op) {
    case Op::kSUM:
      return x + y;
    case Op::kPROD:
      return x * y;
    case Op::kMAX:
      return nan_max(x, y);
    case Op::kMIN:
      return nan_min(x, y);
    case Op::kSUB:
      return x - y;
    case Op::kDIV:
      return x / y;
    case Op::kPOW:
      return std::pow(x, y);
    case Op::kFLOOR_DIV:
      return std::floor(x / y);
    case Op::kAND:
      return (x != 0.0f && y != 0.0f) ? 1.0f : 0.0f;
    case Op::kOR:
      return (x != 0.0f || y != 0.0f) ? 1.0f : 0.0f;
    case Op::kXOR:
      return ((x != 0.0f) != (y != 0.0f)) ? 1.0f : 0.0f;
    case Op::kEQUAL:
      return x == y ? 1.0f : 0.0f;
    case Op::kGREATER:
      return x > y ? 1.0f : 0.0f;
    case Op::kLESS:
      return x < y ? 1.0f : 0.0f;
  }
  return std::numeric_limits<float>::quiet_NaN();
}

void run_elementwise(const ir::Node& node, std::span<const TensorView> inputs,
                     std::span<const TensorView> outputs) {
  using Op = ElementWiseOperation;
  Op op = node.get<ElementWiseAttrs>().op;
  const TensorView& a = inputs[0];
  const TensorView& b = inputs[1];
  const TensorView& out = outputs[0];
  dispatch(a.type, [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    switch (op) {
      case Op::kEQUAL:
        return binary<T, bool>(a, b, out, [](C x, C y) { return x == y; });
      case Op::kGREATER:
        return binary<T, bool>(a, b, out, [](C x, C y) { return x > y; });
      case Op::kLESS:
        return binary<T, bool>(a, b, out, [](C x, C y) { return x < y; });
      default:
        break;
    }
    if constexpr (std::is_same_v<T, bool>) {
      switch (op) {
        case Op::kAND:
          return binary<T, bool>(a, b, out, [](bool x, bool y) { return x && y; });
        case Op::kOR:
          return binary<T, bool>(a, b, out, [](bool x, bool y) { return x || y; });
        case Op::kXOR:
          return binary<T, bool>(a, b, out, [](bool x, bool y) { return x != y; });
        default:
          fail_type(node, op, a.type);
      }
    } else if constexpr (std::is_floating_point_v<C>) {
      switch (op) {
        case Op::kSUM:
          return binary<T, T>(a, b, out, [](float x, float y) { return x + y; });
        case Op::kPROD:
          return binary<T, T>(a, b, out, [](float x, float y) { return x * y; });
        case Op::kMAX:
          return binary<T, T>(a, b, out, nan_max);
        case Op::kMIN:
          return binary<T, T>(a, b, out, nan_min);
        case Op::kSUB:
          return binary<T, T>(a, b, out, [](float x, float y) { return x - y; });
        case Op::kDIV:
          return binary<T, T>(a, b, out, [](float x, float y) { return x / y; });
        case Op::kPOW:
          return binary<T, T>(a, b, out, [](float x, float y) { return std::pow(x, y); });
        case Op::kFLOOR_DIV:
          return binary<T, T>(a, b, out, [](float x, float y) { return std::floor(x / y); });
        default:
          fail_type(node, op, a.type);
      }
    } else if constexpr (std::is_signed_v<T>) {
      switch (op) {
        case Op::kSUM:
          return binary<T, T>(a, b, out, [](T x, T y) { return wrap<T>(u(x) + u(y)); });
        case Op::kPROD:
          return binary<T, T>(a, b, out, [](T x, T y) { return wrap<T>(u(x) * u(y)); });
        case Op::kMAX:
          return binary<T, T>(a, b, out, [](T x, T y) { return std::max(x, y); });
        case Op::kMIN:
          return binary<T, T>(a, b, out, [](T x, T y) { return std::min(x, y); });
        case Op::kSUB:
          return binary<T, T>(a, b, out, [](T x, T y) { return wrap<T>(u(x) - u(y)); });
        case Op::kDIV:
          return binary<T, T>(a, b, out, int_div<T>);
        case Op::kPOW:
          return binary<T, T>(a, b, out, int_pow<T>);
        case Op::kFLOOR_DIV:
          return binary<T, T>(a, b, out, int_floor_div<T>);
        default:
          fail_type(node, op, a.type);
      }
    } else {
      fail_type(node, op, a.type);
    }
  });
}

void run_select(const ir::Node& node, std::span<const TensorView> inputs,
                std::span<const TensorView> outputs) {
  const TensorView& cond = inputs[0];
  const TensorView& then_t = inputs[1];
  const TensorView& else_t = inputs[2];
  const TensorView& out = outputs[0];
  // Read as bytes: a bool tensor filled by a caller may hold any nonzero byte for true.
  const uint8_t* pc = static_cast<const uint8_t*>(cond.data);
  // Select only moves elements, so any type of the same size will do.
  auto run = [&](auto tag) {
    using T = decltype(tag);
    const T* pt = static_cast<const T*>(then_t.data);
    const T* pe = static_cast<const T*>(else_t.data);
    T* po = static_cast<T*>(out.data);
    broadcast_loop<3>(out.dims, {cond.dims, then_t.dims, else_t.dims},
                      [&](int64_t i, const std::array<int64_t, 3>& off) {
                        po[i] = pc[off[0]] != 0 ? pt[off[1]] : pe[off[2]];
                      });
  };
  switch (element_size(out.type)) {
    case 1:
      return run(uint8_t{});
    case 2:
      return run(uint16_t{});
    case 4:
      return run(uint32_t{});
    case 8:
      return run(uint64_t{});
  }
  fail("[select '", node.name, "'] CPU kernel: unsupported element size for ", out.type);
}

}  // namespace kiln::cpu
