// CUDA kernels for ElementWiseLayer and SelectLayer: numpy-broadcast binary operations and
// condition ? then : else, with the rules of backends/cpu/elementwise.cpp.
//
// fp16/bf16 compute in float32; integers in exact two's-complement arithmetic (done in uint64_t,
// so overflow wraps); integer division by zero gives 0; max/min propagate NaN. Select only moves
// elements, so it runs on unsigned integers of the element's size.
#include "backends/cuda/kernels/pointwise.cuh"
#include "backends/cuda/kernels/pointwise.h"

namespace kiln::cuda {

namespace {

using pw::bool8;
using pw::compute_t;
using pw::load;
using pw::store;
using Op = ElementWiseOperation;

template <typename T>
__device__ __forceinline__ T wrap(uint64_t v) {
  return static_cast<T>(v);
}
template <typename T>
__device__ __forceinline__ uint64_t u(T v) {
  return static_cast<uint64_t>(v);
}

// Truncates toward zero. x / 0 gives 0 (no trap, and the CPU reference agrees); x / -1 is
// negation, which wraps for the most negative value.
template <typename T>
__device__ __forceinline__ T int_div(T a, T b) {
  if (b == 0) return 0;
  if (b == -1) return wrap<T>(0 - u(a));
  return static_cast<T>(a / b);
}

// Python's //: rounds toward -inf. By zero gives 0, as int_div.
template <typename T>
__device__ __forceinline__ T int_floor_div(T a, T b) {
  if (b == 0) return 0;
  if (b == -1) return wrap<T>(0 - u(a));
  T q = static_cast<T>(a / b);
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}

// base^exp by squaring, wrapping on overflow; a negative exponent gives 0 except for bases 1, -1.
template <typename T>
__device__ __forceinline__ T int_pow(T base, T exp) {
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

template <Op O>
constexpr bool is_predicate = O == Op::kEQUAL || O == Op::kGREATER || O == Op::kLESS ||
                              O == Op::kAND || O == Op::kOR || O == Op::kXOR;

// One operation on arithmetic values C (float, bool or a signed integer). max and min are written
// as std::max / std::min are, so that +0 / -0 come out as on the CPU.
template <typename C, Op O>
__device__ __forceinline__ auto apply(C x, C y) {
  if constexpr (O == Op::kEQUAL) {
    return x == y;
  } else if constexpr (O == Op::kGREATER) {
    return x > y;
  } else if constexpr (O == Op::kLESS) {
    return x < y;
  } else if constexpr (O == Op::kAND) {
    return x && y;
  } else if constexpr (O == Op::kOR) {
    return x || y;
  } else if constexpr (O == Op::kXOR) {
    return x != y;
  } else if constexpr (std::is_same_v<C, float>) {
    if constexpr (O == Op::kSUM) return x + y;
    if constexpr (O == Op::kPROD) return x * y;
    if constexpr (O == Op::kSUB) return x - y;
    if constexpr (O == Op::kDIV) return x / y;  // correctly rounded (-prec-div=true)
    if constexpr (O == Op::kPOW) return powf(x, y);
    if constexpr (O == Op::kFLOOR_DIV) return floorf(x / y);
    if constexpr (O == Op::kMAX) return isnan(x) || isnan(y) ? x + y : ((x < y) ? y : x);
    if constexpr (O == Op::kMIN) return isnan(x) || isnan(y) ? x + y : ((y < x) ? y : x);
  } else {
    if constexpr (O == Op::kSUM) return wrap<C>(u(x) + u(y));
    if constexpr (O == Op::kPROD) return wrap<C>(u(x) * u(y));
    if constexpr (O == Op::kSUB) return wrap<C>(u(x) - u(y));
    if constexpr (O == Op::kDIV) return int_div(x, y);
    if constexpr (O == Op::kPOW) return int_pow(x, y);
    if constexpr (O == Op::kFLOOR_DIV) return int_floor_div(x, y);
    if constexpr (O == Op::kMAX) return (x < y) ? y : x;
    if constexpr (O == Op::kMIN) return (y < x) ? y : x;
  }
}

template <typename T, Op O>
struct Binary {
  using Out = std::conditional_t<is_predicate<O>, bool8, T>;
  __device__ __forceinline__ Out operator()(T a, T b) const {
    return store<Out>(apply<compute_t<T>, O>(load(a), load(b)));
  }
};

// Which types each operation takes, as ir inference and the CPU reference: comparisons every type
// (greater / less not bool), and / or / xor only bool, arithmetic float types and signed integers.
template <typename T, Op O>
constexpr bool accepts() {
  if constexpr (O == Op::kEQUAL) {
    return true;
  } else if constexpr (O == Op::kGREATER || O == Op::kLESS) {
    return !std::is_same_v<T, bool8>;
  } else if constexpr (O == Op::kAND || O == Op::kOR || O == Op::kXOR) {
    return std::is_same_v<T, bool8>;
  } else {
    return pw::is_floating_v<T> || std::is_same_v<T, int8_t> || std::is_same_v<T, int32_t> ||
           std::is_same_v<T, int64_t>;
  }
}

template <Op O>
void launch(DataType type, const void* a, const StridedShape& a_shape, const void* b,
            const StridedShape& b_shape, void* y, cudaStream_t stream) {
  pw::dispatch(type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (accepts<T, O>()) {
      using F = Binary<T, O>;
      pw::launch_binary(static_cast<const T*>(a), a_shape, static_cast<const T*>(b), b_shape,
                        static_cast<typename F::Out*>(y), F{}, stream);
    } else {
      fail("CUDA elementwise kernel: operation ", static_cast<int>(O), " does not take ", type);
    }
  });
}

template <typename T>
struct Select {
  __device__ __forceinline__ T operator()(bool8 c, T t, T e) const { return load(c) ? t : e; }
};

template <typename T>
void launch_select_as(const void* c, const StridedShape& c_shape, const void* t,
                      const StridedShape& t_shape, const void* e, const StridedShape& e_shape,
                      void* y, cudaStream_t stream) {
  pw::launch_ternary(static_cast<const bool8*>(c), c_shape, static_cast<const T*>(t), t_shape,
                     static_cast<const T*>(e), e_shape, static_cast<T*>(y), Select<T>{}, stream);
}

}  // namespace

void launch_elementwise(ElementWiseOperation op, DataType type, const void* a,
                        const StridedShape& a_shape, const void* b, const StridedShape& b_shape,
                        void* y, cudaStream_t stream) {
  switch (op) {
    case Op::kSUM:
      return launch<Op::kSUM>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kPROD:
      return launch<Op::kPROD>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kMAX:
      return launch<Op::kMAX>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kMIN:
      return launch<Op::kMIN>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kSUB:
      return launch<Op::kSUB>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kDIV:
      return launch<Op::kDIV>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kPOW:
      return launch<Op::kPOW>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kFLOOR_DIV:
      return launch<Op::kFLOOR_DIV>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kAND:
      return launch<Op::kAND>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kOR:
      return launch<Op::kOR>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kXOR:
      return launch<Op::kXOR>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kEQUAL:
      return launch<Op::kEQUAL>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kGREATER:
      return launch<Op::kGREATER>(type, a, a_shape, b, b_shape, y, stream);
    case Op::kLESS:
      return launch<Op::kLESS>(type, a, a_shape, b, b_shape, y, stream);
  }
  fail("CUDA elementwise kernel: unknown operation ", static_cast<int>(op));
}

void launch_select(DataType type, const void* condition, const StridedShape& condition_shape,
                   const void* then_x, const StridedShape& then_shape, const void* else_x,
                   const StridedShape& else_shape, void* y, cudaStream_t stream) {
  const void* c = condition;
  const void* t = then_x;
  const void* e = else_x;
  switch (element_size(type)) {
    case 1:
      return launch_select_as<uint8_t>(c, condition_shape, t, then_shape, e, else_shape, y, stream);
    case 2:
      return launch_select_as<uint16_t>(c, condition_shape, t, then_shape, e, else_shape, y,
                                        stream);
    case 4:
      return launch_select_as<uint32_t>(c, condition_shape, t, then_shape, e, else_shape, y,
                                        stream);
    case 8:
      return launch_select_as<uint64_t>(c, condition_shape, t, then_shape, e, else_shape, y,
                                        stream);
  }
  fail("CUDA select kernel: unsupported element size for ", type);
}

}  // namespace kiln::cuda
