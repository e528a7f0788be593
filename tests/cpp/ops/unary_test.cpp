// Tests of UnaryLayer: the type rules of inference and the CPU kernel on hand-computed values,
// integer and bool inputs, fp16/bf16, and random inputs against a double-precision reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;
using test::run_cpu;
using Op = UnaryOperation;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<float> unary(Op op, const std::vector<float>& x, DataType dtype = DataType::kFLOAT) {
  Dims dims{static_cast<int64_t>(x.size())};
  auto out = run_cpu(UnaryAttrs{op}, {HostTensor::of(dtype, dims, x)}, "u");
  EXPECT_EQ(out[0].type, dtype);
  EXPECT_EQ(out[0].dims, dims);
  return out[0].values<float>();
}

template <typename T>
std::vector<T> unary_int(Op op, DataType dtype, const std::vector<T>& x) {
  auto out =
      run_cpu(UnaryAttrs{op}, {HostTensor::of(dtype, Dims{static_cast<int64_t>(x.size())}, x)});
  EXPECT_EQ(out[0].type, dtype);
  return out[0].template values<T>();
}

void expect_floats(const std::vector<float>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i << " is " << got[i];
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got[i], want[i]) << "element " << i;
    } else {
      EXPECT_NEAR(got[i], want[i], tol + tol * std::fabs(want[i])) << "element " << i;
    }
  }
}

TEST(UnaryTest, FloatOperations) {
  expect_floats(unary(Op::kEXP, {0, 1, -1, kNaN}), {1, 2.718281828459045, 0.36787944117144233, NAN},
                1e-6);
  expect_floats(unary(Op::kLOG, {1, 2.718281828f, 0, -1}), {0, 1, -INFINITY, NAN}, 1e-6);
  expect_floats(unary(Op::kSQRT, {4, 2, 0, -1}), {2, 1.4142135623730951, 0, NAN}, 1e-6);
  expect_floats(unary(Op::kRECIP, {4, -0.5f, 0}), {0.25, -2, INFINITY}, 0);
  expect_floats(unary(Op::kABS, {-3.5f, 2, 0}), {3.5, 2, 0}, 0);
  expect_floats(unary(Op::kNEG, {2, -3.5f, 0}), {-2, 3.5, 0}, 0);
  expect_floats(unary(Op::kSIN, {1.5707963268f, 1, 0}), {1, 0.8414709848078965, 0}, 1e-6);
  expect_floats(unary(Op::kCOS, {0, 1}), {1, 0.5403023058681398}, 1e-6);
  expect_floats(unary(Op::kTAN, {1, 0}), {1.5574077246549023, 0}, 1e-6);
  expect_floats(unary(Op::kERF, {0.5f, -1, 0, kInf}),
                {0.5204998778130465, -0.8427007929497149, 0, 1}, 1e-6);
  expect_floats(unary(Op::kFLOOR, {-1.5f, 1.5f, 2, -0.1f}), {-2, 1, 2, -1}, 0);
  expect_floats(unary(Op::kCEIL, {-1.5f, 1.2f, 2, -0.1f}), {-1, 2, 2, 0}, 0);
  expect_floats(unary(Op::kSIGN, {-3, 0, 2.5f, -kInf, kNaN}), {-1, 0, 1, -1, NAN}, 0);
}

TEST(UnaryTest, AppendedOperations) {
  expect_floats(unary(Op::kSINH, {0, 1}), {0, 1.1752011936438014}, 1e-6);
  expect_floats(unary(Op::kCOSH, {0, 1}), {1, 1.5430806348152437}, 1e-6);
  expect_floats(unary(Op::kASIN, {1, 2}), {1.5707963267948966, NAN}, 1e-6);
  expect_floats(unary(Op::kACOS, {1, -1}), {0, 3.141592653589793}, 1e-6);
  expect_floats(unary(Op::kATAN, {1, kInf}), {0.7853981633974483, 1.5707963267948966}, 1e-6);
  expect_floats(unary(Op::kASINH, {1}), {0.881373587019543}, 1e-6);
  expect_floats(unary(Op::kACOSH, {1, 0.5f}), {0, NAN}, 1e-6);
  expect_floats(unary(Op::kATANH, {0.5f, 1}), {0.5493061443340549, INFINITY}, 1e-6);
  for (DataType type : {DataType::kFLOAT, DataType::kHALF, DataType::kBF16}) {
    auto inf = run_cpu(UnaryAttrs{Op::kISINF},
                       {HostTensor::of(type, {4}, std::vector<float>{1, kInf, -kInf, kNaN})});
    EXPECT_EQ(inf[0].type, DataType::kBOOL);
    EXPECT_EQ(inf[0].values<int>(), (std::vector<int>{0, 1, 1, 0})) << type;
    auto nan = run_cpu(UnaryAttrs{Op::kISNAN},
                       {HostTensor::of(type, {4}, std::vector<float>{1, kInf, -kInf, kNaN})});
    EXPECT_EQ(nan[0].values<int>(), (std::vector<int>{0, 0, 0, 1})) << type;
  }
  EXPECT_EQ(test::infer(UnaryAttrs{Op::kISNAN}, {{DataType::kHALF, Dims{-1, 3}}})[0].type,
            DataType::kBOOL);
  expect_error(
      [] {
        test::infer(UnaryAttrs{Op::kISINF}, {{DataType::kINT32, Dims{3}}}, "u");
      },
      {"[unary 'u'] isinf needs a float32, float16 or bfloat16 input, got int32"});
  // The enum's existing values keep their numbers (plans store them).
  EXPECT_EQ(static_cast<int>(Op::kSIGN), 14);
  EXPECT_EQ(static_cast<int>(Op::kISNAN), 24);
}

TEST(UnaryTest, RoundHalfToEven) {
  expect_floats(unary(Op::kROUND, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.4f, 2.6f, -2.6f,
                                   0.49999997f, 8388609.0f, kInf, kNaN}),
                {0, 2, 2, 0, -2, -2, 2, 3, -3, 0, 8388609.0, INFINITY, NAN}, 0);
  // The sign of zero is kept: round(-0.4) = -0, as ONNX and numpy give.
  std::vector<float> y = unary(Op::kROUND, {-0.4f, 0.4f});
  EXPECT_TRUE(std::signbit(y[0]));
  EXPECT_FALSE(std::signbit(y[1]));
}

TEST(UnaryTest, SignedIntegers) {
  EXPECT_EQ(unary_int<int32_t>(Op::kABS, DataType::kINT8, {-128, -5, 0, 7, 127}),
            (std::vector<int32_t>{-128, 5, 0, 7, 127}));  // abs(-128) wraps, as numpy
  EXPECT_EQ(unary_int<int32_t>(Op::kNEG, DataType::kINT32, {5, -7, 0, INT32_MIN}),
            (std::vector<int32_t>{-5, 7, 0, INT32_MIN}));
  EXPECT_EQ(unary_int<int64_t>(Op::kSIGN, DataType::kINT64, {-9000000000LL, 0, 3}),
            (std::vector<int64_t>{-1, 0, 1}));
  EXPECT_EQ(unary_int<int64_t>(Op::kABS, DataType::kINT64, {-9000000000LL, 4}),
            (std::vector<int64_t>{9000000000LL, 4}));
  EXPECT_EQ(unary_int<int32_t>(Op::kSIGN, DataType::kINT8, {-3, 0, 100}),
            (std::vector<int32_t>{-1, 0, 1}));
}

TEST(UnaryTest, NotOnBool) {
  EXPECT_EQ(unary_int<int>(Op::kNOT, DataType::kBOOL, {1, 0, 0, 1}),
            (std::vector<int>{0, 1, 1, 0}));
}

TEST(UnaryTest, HalfAndBfloat16) {
  // exp(1) in fp32 is 2.7182817; fp16 rounds it to 2.71875, bf16 to 2.71875 as well.
  EXPECT_EQ(unary(Op::kEXP, {1.0f}, DataType::kHALF)[0], 2.71875f);
  EXPECT_EQ(unary(Op::kEXP, {1.0f}, DataType::kBF16)[0], 2.71875f);
  EXPECT_EQ(unary(Op::kSQRT, {2.0f}, DataType::kHALF)[0], 1.4140625f);
  EXPECT_EQ(unary(Op::kSQRT, {2.0f}, DataType::kBF16)[0], 1.4140625f);
  EXPECT_EQ(unary(Op::kNEG, {1.5f, -2.0f}, DataType::kBF16), (std::vector<float>{-1.5f, 2.0f}));
  EXPECT_EQ(unary(Op::kROUND, {2.5f, 3.5f}, DataType::kHALF), (std::vector<float>{2.0f, 4.0f}));
}

double reference(Op op, double x) {
  switch (op) {
    case Op::kEXP:
      return std::exp(x);
    case Op::kLOG:
      return std::log(x);
    case Op::kSQRT:
      return std::sqrt(x);
    case Op::kRECIP:
      return 1 / x;
    case Op::kABS:
      return std::fabs(x);
    case Op::kNEG:
      return -x;
    case Op::kSIN:
      return std::sin(x);
    case Op::kCOS:
      return std::cos(x);
    case Op::kTAN:
      return std::tan(x);
    case Op::kERF:
      return std::erf(x);
    case Op::kFLOOR:
      return std::floor(x);
    case Op::kCEIL:
      return std::ceil(x);
    case Op::kROUND:
      return std::nearbyint(x);  // default rounding mode: ties to even
    case Op::kSIGN:
      return x > 0 ? 1 : (x < 0 ? -1 : 0);
    case Op::kSINH:
      return std::sinh(x);
    case Op::kCOSH:
      return std::cosh(x);
    case Op::kASIN:
      return std::asin(x);
    case Op::kACOS:
      return std::acos(x);
    case Op::kATAN:
      return std::atan(x);
    case Op::kASINH:
      return std::asinh(x);
    case Op::kACOSH:
      return std::acosh(x);
    case Op::kATANH:
      return std::atanh(x);
    case Op::kNOT:
    case Op::kISINF:
    case Op::kISNAN:
      break;
  }
  return NAN;
}

TEST(UnaryTest, RandomAgainstDoubleReference) {
  const Op ops[] = {Op::kEXP,   Op::kLOG,   Op::kSQRT,  Op::kRECIP, Op::kABS,   Op::kNEG,
                    Op::kSIN,   Op::kCOS,   Op::kTAN,   Op::kERF,   Op::kFLOOR, Op::kCEIL,
                    Op::kROUND, Op::kSIGN,  Op::kSINH,  Op::kCOSH,  Op::kASIN,  Op::kACOS,
                    Op::kATAN,  Op::kASINH, Op::kACOSH, Op::kATANH};
  std::vector<float> x = test::random_floats(1000, 3, -6.0f, 6.0f);
  for (float& v : x) v = std::round(v * 4) / 4 + (v > 0 ? 0.01f : 0.0f);  // many exact halves
  for (Op op : ops) {
    std::vector<float> in = x;
    if (op == Op::kLOG || op == Op::kSQRT) {
      for (float& v : in) v = std::fabs(v) + 0.01f;
    }
    if (op == Op::kASIN || op == Op::kACOS || op == Op::kATANH) {
      for (float& v : in) v = v / 6.5f;  // inside (-1, 1)
    }
    if (op == Op::kACOSH) {
      for (float& v : in) v = std::fabs(v) + 1.0f;
    }
    std::vector<float> y = unary(op, in);
    for (size_t i = 0; i < in.size(); ++i) {
      double want = reference(op, in[i]);
      if (std::isinf(want)) {
        ASSERT_EQ(y[i], want) << "op " << static_cast<int>(op) << " x " << in[i];
        continue;
      }
      ASSERT_NEAR(y[i], want, 1e-6 + 1e-6 * std::fabs(want))
          << "op " << static_cast<int>(op) << " x " << in[i];
    }
  }
}

TEST(UnaryTest, ZeroDimAndEmptyTensors) {
  auto out = run_cpu(UnaryAttrs{Op::kNEG},
                     {HostTensor::of(DataType::kINT32, Dims{}, std::vector<int>{5})});
  EXPECT_EQ(out[0].dims.nb_dims, 0);
  EXPECT_EQ(out[0].values<int>(), std::vector<int>{-5});
  out = run_cpu(UnaryAttrs{Op::kEXP}, {HostTensor::f32(Dims{0, 4}, {})});
  EXPECT_EQ(out[0].dims, (Dims{0, 4}));
  EXPECT_TRUE(out[0].bytes.empty());
}

TEST(UnaryInferTest, KeepsTypeAndDynamicDims) {
  auto out = test::infer(UnaryAttrs{Op::kABS}, {{DataType::kINT64, Dims{-1, 2}}});
  EXPECT_EQ(out[0].type, DataType::kINT64);
  EXPECT_EQ(out[0].dims, (Dims{-1, 2}));
  out = test::infer(UnaryAttrs{Op::kNOT}, {{DataType::kBOOL, Dims{3, -1}}});
  EXPECT_EQ(out[0].type, DataType::kBOOL);
  EXPECT_EQ(out[0].dims, (Dims{3, -1}));
  out = test::infer(UnaryAttrs{Op::kERF}, {{DataType::kBF16, Dims{}}});
  EXPECT_EQ(out[0].type, DataType::kBF16);
  EXPECT_EQ(out[0].dims.nb_dims, 0);
}

TEST(UnaryInferTest, RejectsWrongTypes) {
  auto check = [](Op op, DataType dtype, const char* op_name) {
    expect_error(
        [&] {
          test::infer(UnaryAttrs{op}, {{dtype, Dims{2}}}, "u1");
        },
        {"[unary 'u1']", op_name, to_string(dtype)});
  };
  check(Op::kNOT, DataType::kFLOAT, "not");
  check(Op::kNOT, DataType::kINT32, "not");
  check(Op::kEXP, DataType::kINT32, "exp");
  check(Op::kROUND, DataType::kINT64, "round");
  check(Op::kSQRT, DataType::kBOOL, "sqrt");
  check(Op::kABS, DataType::kUINT8, "abs");
  check(Op::kNEG, DataType::kBOOL, "neg");
  check(Op::kSIGN, DataType::kUINT8, "sign");
}

}  // namespace
}  // namespace kiln
