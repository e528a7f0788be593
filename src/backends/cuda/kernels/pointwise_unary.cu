// CUDA kernels for UnaryLayer: float operations in float32 arithmetic (fp16/bf16 converted in and
// out), abs/neg/sign also on signed integers, not on bool; the rules of backends/cpu/unary.cpp.
//
// exp, log, sin, cos, tan and erf are CUDA's full-precision functions (within 1 to 4 ulp of libm);
// sqrt, 1/x, floor, ceil, round, abs, neg and sign are exact, so they match the CPU bit for bit.
#include "backends/cuda/kernels/pointwise.cuh"
#include "backends/cuda/kernels/pointwise.h"

namespace kiln::cuda {

namespace {

using pw::bool8;
using pw::load;
using pw::store;
using pw::ViaFloat;
using Op = UnaryOperation;

template <Op O>
struct FloatUnary {
  __device__ __forceinline__ float operator()(float v) const {
    if constexpr (O == Op::kEXP) {
      return expf(v);
    } else if constexpr (O == Op::kLOG) {
      return logf(v);
    } else if constexpr (O == Op::kSQRT) {
      return sqrtf(v);  // correctly rounded: nvcc's default -prec-sqrt=true
    } else if constexpr (O == Op::kRECIP) {
      return 1.0f / v;  // correctly rounded: nvcc's default -prec-div=true
    } else if constexpr (O == Op::kABS) {
      return fabsf(v);
    } else if constexpr (O == Op::kNEG) {
      return -v;
    } else if constexpr (O == Op::kSIN) {
      return sinf(v);
    } else if constexpr (O == Op::kCOS) {
      return cosf(v);
    } else if constexpr (O == Op::kTAN) {
      return tanf(v);
    } else if constexpr (O == Op::kERF) {
      return erff(v);
    } else if constexpr (O == Op::kSINH) {
      return sinhf(v);
    } else if constexpr (O == Op::kCOSH) {
      return coshf(v);
    } else if constexpr (O == Op::kASIN) {
      return asinf(v);
    } else if constexpr (O == Op::kACOS) {
      return acosf(v);
    } else if constexpr (O == Op::kATAN) {
      return atanf(v);
    } else if constexpr (O == Op::kASINH) {
      return asinhf(v);
    } else if constexpr (O == Op::kACOSH) {
      return acoshf(v);
    } else if constexpr (O == Op::kATANH) {
      return atanhf(v);
    } else if constexpr (O == Op::kFLOOR) {
      return floorf(v);
    } else if constexpr (O == Op::kCEIL) {
      return ceilf(v);
    } else if constexpr (O == Op::kROUND) {
      // ONNX Round: nearest, ties to even, sign of zero kept, NaN and inf passed. rintf in the
      // default rounding mode is exactly the CPU's floor / fmod formulation.
      return rintf(v);
    } else {
      static_assert(O == Op::kSIGN);
      return isnan(v) ? v : static_cast<float>((v > 0.0f) - (v < 0.0f));
    }
  }
};

// Negation with two's-complement wraparound: -INT_MIN is INT_MIN, as in numpy.
template <typename T>
__device__ __forceinline__ T wrapping_neg(T v) {
  return static_cast<T>(0ull - static_cast<unsigned long long>(v));
}

template <typename T, Op O>
struct IntUnary {
  __device__ __forceinline__ T operator()(T v) const {
    if constexpr (O == Op::kABS) {
      return v < 0 ? wrapping_neg(v) : v;
    } else if constexpr (O == Op::kNEG) {
      return wrapping_neg(v);
    } else {
      static_assert(O == Op::kSIGN);
      return static_cast<T>((v > 0) - (v < 0));
    }
  }
};

struct Not {
  __device__ __forceinline__ bool8 operator()(bool8 v) const { return store<bool8>(!load(v)); }
};

[[noreturn]] void fail_type(Op op, DataType type) {
  fail("CUDA unary kernel: operation ", static_cast<int>(op), " does not take ", type);
}

template <Op O>
void launch_float(DataType type, const void* x, void* y, int64_t n, cudaStream_t stream) {
  pw::dispatch(type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (pw::is_floating_v<T>) {
      pw::launch_map(static_cast<const T*>(x), static_cast<T*>(y), n, ViaFloat<T, FloatUnary<O>>{},
                     stream);
    } else {
      fail_type(O, type);
    }
  });
}

// abs, neg and sign: float types and signed integers.
template <Op O>
void launch_signed(DataType type, const void* x, void* y, int64_t n, cudaStream_t stream) {
  pw::dispatch(type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (pw::is_floating_v<T>) {
      pw::launch_map(static_cast<const T*>(x), static_cast<T*>(y), n, ViaFloat<T, FloatUnary<O>>{},
                     stream);
    } else if constexpr (std::is_same_v<T, int8_t> || std::is_same_v<T, int32_t> ||
                         std::is_same_v<T, int64_t>) {
      pw::launch_map(static_cast<const T*>(x), static_cast<T*>(y), n, IntUnary<T, O>{}, stream);
    } else {
      fail_type(O, type);
    }
  });
}

}  // namespace

void launch_unary(UnaryOperation op, DataType type, const void* x, void* y, int64_t n,
                  cudaStream_t stream) {
  switch (op) {
    case Op::kEXP:
      return launch_float<Op::kEXP>(type, x, y, n, stream);
    case Op::kLOG:
      return launch_float<Op::kLOG>(type, x, y, n, stream);
    case Op::kSQRT:
      return launch_float<Op::kSQRT>(type, x, y, n, stream);
    case Op::kRECIP:
      return launch_float<Op::kRECIP>(type, x, y, n, stream);
    case Op::kSIN:
      return launch_float<Op::kSIN>(type, x, y, n, stream);
    case Op::kCOS:
      return launch_float<Op::kCOS>(type, x, y, n, stream);
    case Op::kTAN:
      return launch_float<Op::kTAN>(type, x, y, n, stream);
    case Op::kERF:
      return launch_float<Op::kERF>(type, x, y, n, stream);
    case Op::kSINH:
      return launch_float<Op::kSINH>(type, x, y, n, stream);
    case Op::kCOSH:
      return launch_float<Op::kCOSH>(type, x, y, n, stream);
    case Op::kASIN:
      return launch_float<Op::kASIN>(type, x, y, n, stream);
    case Op::kACOS:
      return launch_float<Op::kACOS>(type, x, y, n, stream);
    case Op::kATAN:
      return launch_float<Op::kATAN>(type, x, y, n, stream);
    case Op::kASINH:
      return launch_float<Op::kASINH>(type, x, y, n, stream);
    case Op::kACOSH:
      return launch_float<Op::kACOSH>(type, x, y, n, stream);
    case Op::kATANH:
      return launch_float<Op::kATANH>(type, x, y, n, stream);
    case Op::kFLOOR:
      return launch_float<Op::kFLOOR>(type, x, y, n, stream);
    case Op::kCEIL:
      return launch_float<Op::kCEIL>(type, x, y, n, stream);
    case Op::kROUND:
      return launch_float<Op::kROUND>(type, x, y, n, stream);
    case Op::kABS:
      return launch_signed<Op::kABS>(type, x, y, n, stream);
    case Op::kNEG:
      return launch_signed<Op::kNEG>(type, x, y, n, stream);
    case Op::kSIGN:
      return launch_signed<Op::kSIGN>(type, x, y, n, stream);
    case Op::kNOT:
      if (type != DataType::kBOOL) fail_type(op, type);
      return pw::launch_map(static_cast<const bool8*>(x), static_cast<bool8*>(y), n, Not{}, stream);
  }
  fail("CUDA unary kernel: unknown operation ", static_cast<int>(op));
}

}  // namespace kiln::cuda
