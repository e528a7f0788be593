// Tests of ActivationLayer: inference rules and the CPU kernel against hand-computed values and a
// double-precision reference, in float32, float16 and bfloat16.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;
using test::run_cpu;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<float> activate(ActivationType type, float alpha, float beta,
                            const std::vector<float>& x, DataType dtype = DataType::kFLOAT) {
  Dims dims{static_cast<int64_t>(x.size())};
  auto out = run_cpu(ActivationAttrs{type, alpha, beta}, {HostTensor::of(dtype, dims, x)}, "act");
  EXPECT_EQ(out[0].type, dtype);
  EXPECT_EQ(out[0].dims, dims);
  return out[0].values<float>();
}

void expect_near_all(const std::vector<float>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], tol + tol * std::fabs(want[i])) << "element " << i;
  }
}

TEST(ActivationTest, Relu) {
  expect_near_all(activate(ActivationType::kRELU, 0, 0, {-2.0f, -0.5f, 0.0f, 0.5f, 3.0f}),
                  {0, 0, 0, 0.5, 3}, 0);
}

TEST(ActivationTest, Sigmoid) {
  expect_near_all(activate(ActivationType::kSIGMOID, 0, 0, {0.0f, 1.0f, -1.0f, 100.0f, -100.0f}),
                  {0.5, 0.7310585786300049, 0.2689414213699951, 1.0, 3.7200759760208356e-44}, 1e-6);
}

TEST(ActivationTest, Tanh) {
  expect_near_all(activate(ActivationType::kTANH, 0, 0, {0.0f, 1.0f, -2.0f, 50.0f}),
                  {0, 0.7615941559557649, -0.9640275800758169, 1.0}, 1e-6);
}

TEST(ActivationTest, LeakyRelu) {
  expect_near_all(activate(ActivationType::kLEAKY_RELU, 0.1f, 0, {-2.0f, -0.5f, 0.0f, 3.0f}),
                  {-0.2, -0.05, 0, 3}, 1e-7);
}

TEST(ActivationTest, Elu) {
  expect_near_all(activate(ActivationType::kELU, 1.0f, 0, {-1.0f, 0.0f, 2.0f}),
                  {-0.6321205588285577, 0, 2}, 1e-6);
  expect_near_all(activate(ActivationType::kELU, 2.0f, 0, {-1.0f, 2.0f}), {-1.2642411176571153, 2},
                  1e-6);
}

TEST(ActivationTest, Selu) {
  expect_near_all(
      activate(ActivationType::kSELU, 1.6732632f, 1.0507010f, {1.0f, -1.0f, -3.0f, 0.0f}),
      {1.050701, -1.1113307230562288, -1.6705687065851735, 0}, 1e-6);
}

TEST(ActivationTest, SoftplusDoesNotOverflow) {
  expect_near_all(activate(ActivationType::kSOFTPLUS, 1.0f, 1.0f,
                           {0.0f, 1.0f, -1.0f, 100.0f, -100.0f, 1000.0f}),
                  {0.6931471805599453, 1.3132616875182228, 0.31326168751822286, 100.0,
                   3.720075976020836e-44, 1000.0},
                  1e-6);
  // alpha * log(1 + exp(beta * x)) = 2 * log(1 + e)
  expect_near_all(activate(ActivationType::kSOFTPLUS, 2.0f, 0.5f, {2.0f}), {2.6265233750364456},
                  1e-6);
}

TEST(ActivationTest, Clip) {
  expect_near_all(activate(ActivationType::kCLIP, -1.0f, 2.0f, {-3.0f, -1.0f, 0.5f, 2.0f, 5.0f}),
                  {-1, -1, 0.5, 2, 2}, 0);
}

TEST(ActivationTest, HardSigmoid) {
  expect_near_all(activate(ActivationType::kHARD_SIGMOID, 0.2f, 0.5f, {-3.0f, 0.0f, 1.0f, 3.0f}),
                  {0, 0.5, 0.7, 1}, 1e-6);
}

TEST(ActivationTest, GeluErf) {
  expect_near_all(
      activate(ActivationType::kGELU_ERF, 0, 0, {0.0f, 1.0f, -1.0f, 3.0f, -3.0f}),
      {0, 0.8413447460685429, -0.15865525393145707, 2.99595030590511, -0.00404969409489031}, 1e-6);
}

TEST(ActivationTest, GeluTanh) {
  expect_near_all(
      activate(ActivationType::kGELU_TANH, 0, 0, {0.0f, 1.0f, -1.0f, 3.0f, -3.0f}),
      {0, 0.8411919906082768, -0.15880800939172324, 2.996362607918227, -0.0036373920817729943},
      1e-6);
}

TEST(ActivationTest, Silu) {
  expect_near_all(activate(ActivationType::kSILU, 0, 0, {0.0f, 1.0f, -1.0f, 5.0f}),
                  {0, 0.7310585786300049, -0.2689414213699951, 4.966535745378576}, 1e-6);
}

TEST(ActivationTest, AppendedTypes) {
  expect_near_all(activate(ActivationType::kTHRESHOLDED_RELU, 1.0f, 0, {0.5f, 1.0f, 1.5f, -3.0f}),
                  {0, 0, 1.5, 0}, 0);
  expect_near_all(activate(ActivationType::kSOFTSIGN, 0, 0, {1.0f, -3.0f, 0.0f, kInf}),
                  {0.5, -0.75, 0, 1}, 1e-7);
  expect_near_all(activate(ActivationType::kSCALED_TANH, 2.0f, 0.5f, {2.0f, -2.0f}),
                  {2 * 0.7615941559557649, -2 * 0.7615941559557649}, 1e-6);
  expect_near_all(activate(ActivationType::kMISH, 0, 0, {1.0f, -1.0f, 0.0f, -kInf}),
                  {0.8650983882673103, -0.30340146137410895, 0, 0}, 1e-6);
  // The enum's existing values keep their numbers (plans store them).
  EXPECT_EQ(static_cast<int>(ActivationType::kSILU), 11);
  EXPECT_EQ(static_cast<int>(ActivationType::kMISH), 15);
}

const ActivationType kAllTypes[] = {ActivationType::kRELU,
                                    ActivationType::kSIGMOID,
                                    ActivationType::kTANH,
                                    ActivationType::kLEAKY_RELU,
                                    ActivationType::kELU,
                                    ActivationType::kSELU,
                                    ActivationType::kSOFTPLUS,
                                    ActivationType::kCLIP,
                                    ActivationType::kHARD_SIGMOID,
                                    ActivationType::kGELU_ERF,
                                    ActivationType::kGELU_TANH,
                                    ActivationType::kSILU,
                                    ActivationType::kTHRESHOLDED_RELU,
                                    ActivationType::kSOFTSIGN,
                                    ActivationType::kSCALED_TANH,
                                    ActivationType::kMISH};

TEST(ActivationTest, NaNPropagatesForEveryType) {
  for (ActivationType type : kAllTypes) {
    std::vector<float> y = activate(type, 0.5f, 1.5f, {kNaN, 1.0f});
    EXPECT_TRUE(std::isnan(y[0])) << "type " << static_cast<int>(type);
    EXPECT_FALSE(std::isnan(y[1])) << "type " << static_cast<int>(type);
  }
}

TEST(ActivationTest, Infinities) {
  // x * (factor -> 0) at -inf must give 0, not -inf * 0 = NaN.
  for (ActivationType type :
       {ActivationType::kGELU_ERF, ActivationType::kGELU_TANH, ActivationType::kSILU}) {
    expect_near_all(activate(type, 0, 0, {-kInf}), {0}, 0);
    EXPECT_EQ(activate(type, 0, 0, {kInf})[0], kInf);
  }
  EXPECT_EQ(activate(ActivationType::kSOFTPLUS, 1, 1, {kInf})[0], kInf);
  EXPECT_EQ(activate(ActivationType::kSOFTPLUS, 1, 1, {-kInf})[0], 0.0f);
  EXPECT_EQ(activate(ActivationType::kSIGMOID, 0, 0, {-kInf, kInf}), (std::vector<float>{0, 1}));
}

// Reference in double precision, straight from the definitions.
double reference(ActivationType type, double a, double b, double x) {
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  switch (type) {
    case ActivationType::kRELU:
      return std::max(0.0, x);
    case ActivationType::kSIGMOID:
      return sig(x);
    case ActivationType::kTANH:
      return std::tanh(x);
    case ActivationType::kLEAKY_RELU:
      return x >= 0 ? x : a * x;
    case ActivationType::kELU:
      return x >= 0 ? x : a * (std::exp(x) - 1);
    case ActivationType::kSELU:
      return b * (x > 0 ? x : a * (std::exp(x) - 1));
    case ActivationType::kSOFTPLUS:
      return a * std::log(1 + std::exp(b * x));
    case ActivationType::kCLIP:
      return std::min(std::max(x, a), b);
    case ActivationType::kHARD_SIGMOID:
      return std::max(0.0, std::min(1.0, a * x + b));
    case ActivationType::kGELU_ERF:
      return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case ActivationType::kGELU_TANH:
      return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    case ActivationType::kSILU:
      return x * sig(x);
    case ActivationType::kTHRESHOLDED_RELU:
      return x > a ? x : 0;
    case ActivationType::kSOFTSIGN:
      return x / (1 + std::fabs(x));
    case ActivationType::kSCALED_TANH:
      return a * std::tanh(b * x);
    case ActivationType::kMISH:
      return x * std::tanh(std::log(1 + std::exp(x)));
  }
  return 0;
}

TEST(ActivationTest, RandomAgainstDoubleReference) {
  const float alpha = 0.3f, beta = 0.7f;
  std::vector<float> x = test::random_floats(2000, 7, -8.0f, 8.0f);
  for (ActivationType type : kAllTypes) {
    std::vector<float> y = activate(type, alpha, beta, x);
    for (size_t i = 0; i < x.size(); ++i) {
      double want = reference(type, alpha, beta, x[i]);
      ASSERT_NEAR(y[i], want, 2e-6 + 2e-6 * std::fabs(want))
          << "type " << static_cast<int>(type) << " x " << x[i];
    }
  }
}

TEST(ActivationTest, HalfAndBfloat16RoundTheFloat32Result) {
  // fp16/bf16: the fp32 result of the stored input, rounded once to the storage type.
  std::vector<float> x = test::random_floats(300, 11, -5.0f, 5.0f);
  for (DataType dtype : {DataType::kHALF, DataType::kBF16}) {
    HostTensor in = HostTensor::of(dtype, Dims{3, 100}, x);
    std::vector<float> stored = in.values<float>();
    for (ActivationType type : kAllTypes) {
      auto out = run_cpu(ActivationAttrs{type, 0.3f, 0.7f}, {in});
      ASSERT_EQ(out[0].type, dtype);
      std::vector<float> y = out[0].values<float>();
      for (size_t i = 0; i < x.size(); ++i) {
        float want32 = static_cast<float>(reference(type, 0.3, 0.7, stored[i]));
        float want =
            dtype == DataType::kHALF ? to_float(to_half(want32)) : to_float(to_bfloat16(want32));
        // Allow one unit in the last place where fp32 math differs from the double reference.
        float ulp = dtype == DataType::kHALF ? 1.0f / 1024 : 1.0f / 128;
        ASSERT_NEAR(y[i], want, ulp * std::max(std::fabs(want), 6.2e-5f))
            << to_string(dtype) << " type " << static_cast<int>(type) << " x " << stored[i];
      }
    }
  }
  // Exact: sigmoid(0) = 0.5 and relu keep representable values bit for bit.
  EXPECT_EQ(activate(ActivationType::kSIGMOID, 0, 0, {0.0f}, DataType::kHALF)[0], 0.5f);
  EXPECT_EQ(activate(ActivationType::kRELU, 0, 0, {-1.5f, 2.25f}, DataType::kBF16),
            (std::vector<float>{0.0f, 2.25f}));
}

TEST(ActivationTest, ZeroDimAndEmptyTensors) {
  auto out = run_cpu(ActivationAttrs{ActivationType::kRELU}, {HostTensor::f32(Dims{}, {-4.0f})});
  EXPECT_EQ(out[0].dims.nb_dims, 0);
  EXPECT_EQ(out[0].values<float>(), std::vector<float>{0.0f});
  out = run_cpu(ActivationAttrs{ActivationType::kSIGMOID}, {HostTensor::f32(Dims{2, 0, 3}, {})});
  EXPECT_EQ(out[0].dims, (Dims{2, 0, 3}));
  EXPECT_TRUE(out[0].bytes.empty());
}

TEST(ActivationInferTest, KeepsTypeAndDynamicDims) {
  for (DataType dtype : {DataType::kFLOAT, DataType::kHALF, DataType::kBF16}) {
    auto out = test::infer(ActivationAttrs{ActivationType::kTANH}, {{dtype, Dims{-1, 3, -1}}});
    EXPECT_EQ(out[0].type, dtype);
    EXPECT_EQ(out[0].dims, (Dims{-1, 3, -1}));
  }
}

TEST(ActivationInferTest, RejectsNonFloatInputs) {
  for (DataType dtype :
       {DataType::kINT32, DataType::kINT8, DataType::kBOOL, DataType::kINT64, DataType::kUINT8}) {
    expect_error(
        [&] {
          test::infer(ActivationAttrs{}, {{dtype, Dims{2}}}, "act1");
        },
        {"[activation 'act1']", "float32", to_string(dtype)});
  }
}

TEST(ActivationInferTest, RejectsWrongInputCount) {
  expect_error([&] { test::infer(ActivationAttrs{}, {}, "act1"); }, {"[activation 'act1']", "1"});
  expect_error(
      [&] {
        test::infer(ActivationAttrs{}, {{DataType::kFLOAT, Dims{1}}, {DataType::kFLOAT, Dims{1}}},
                    "a");
      },
      {"[activation 'a']", "got 2"});
}

}  // namespace
}  // namespace kiln
