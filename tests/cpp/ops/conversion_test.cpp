// Tests of CastLayer and IdentityLayer: saturation and NaN rules to integers, rounding to
// fp16/bf16, bool both ways, every type pair against a naive reference, inference and errors.
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

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr DataType kAllTypes[] = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                                  DataType::kINT8,  DataType::kUINT8, DataType::kINT32,
                                  DataType::kINT64, DataType::kBOOL};

HostTensor cast(const HostTensor& in, DataType to) {
  HostTensor out = run_cpu(CastAttrs{to}, {in}, "cast")[0];
  EXPECT_EQ(out.type, to);
  EXPECT_EQ(out.dims, in.dims);
  return out;
}

template <typename T>
HostTensor tensor(DataType type, const std::vector<T>& v) {
  return HostTensor::of(type, Dims{static_cast<int64_t>(v.size())}, v);
}

TEST(CastTest, FloatToIntTruncatesSaturatesAndMapsNaNToZero) {
  HostTensor f = tensor(DataType::kFLOAT, std::vector<float>{1.9f, -1.9f, kNaN, 3e9f, -3e9f, kInf,
                                                             -kInf, 0.5f, -0.5f});
  EXPECT_EQ(cast(f, DataType::kINT32).values<int64_t>(),
            (std::vector<int64_t>{1, -1, 0, INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, 0, 0}));
  EXPECT_EQ(
      cast(tensor(DataType::kFLOAT, std::vector<float>{127.5f, 128, -129, -128.9f, 200, kNaN}),
           DataType::kINT8)
          .values<int64_t>(),
      (std::vector<int64_t>{127, 127, -128, -128, 127, 0}));
  EXPECT_EQ(cast(tensor(DataType::kFLOAT, std::vector<float>{-1, 255.9f, 256, 3.7f, kNaN, -kInf}),
                 DataType::kUINT8)
                .values<int64_t>(),
            (std::vector<int64_t>{0, 255, 255, 3, 0, 0}));
  EXPECT_EQ(cast(tensor(DataType::kFLOAT,
                        std::vector<float>{1e19f, -1e19f, 4611686018427387904.0f, -2.5f, kNaN}),
                 DataType::kINT64)
                .values<int64_t>(),
            (std::vector<int64_t>{INT64_MAX, INT64_MIN, 4611686018427387904LL, -2, 0}));
  // fp16 and bf16 go through the same rules.
  EXPECT_EQ(
      cast(tensor(DataType::kHALF, std::vector<float>{65504, -2.75f, kNaN, kInf}), DataType::kINT32)
          .values<int64_t>(),
      (std::vector<int64_t>{65504, -2, 0, INT32_MAX}));
  EXPECT_EQ(cast(tensor(DataType::kBF16, std::vector<float>{300, -300, 1.5f}), DataType::kINT8)
                .values<int64_t>(),
            (std::vector<int64_t>{127, -128, 1}));
}

TEST(CastTest, IntToIntSaturates) {
  EXPECT_EQ(cast(tensor<int64_t>(DataType::kINT64, {INT64_MAX, INT64_MIN, 5, -5}), DataType::kINT32)
                .values<int64_t>(),
            (std::vector<int64_t>{INT32_MAX, INT32_MIN, 5, -5}));
  EXPECT_EQ(
      cast(tensor<int>(DataType::kINT32, {300, -300, 100}), DataType::kINT8).values<int64_t>(),
      (std::vector<int64_t>{127, -128, 100}));
  EXPECT_EQ(cast(tensor<int>(DataType::kINT32, {-1, 256, 7}), DataType::kUINT8).values<int64_t>(),
            (std::vector<int64_t>{0, 255, 7}));
  EXPECT_EQ(cast(tensor<int>(DataType::kUINT8, {200, 100}), DataType::kINT8).values<int64_t>(),
            (std::vector<int64_t>{127, 100}));
  EXPECT_EQ(cast(tensor<int>(DataType::kINT8, {-128, 127}), DataType::kINT64).values<int64_t>(),
            (std::vector<int64_t>{-128, 127}));
}

TEST(CastTest, ToAndFromBool) {
  EXPECT_EQ(
      cast(tensor(DataType::kFLOAT, std::vector<float>{0, -0.0f, 0.1f, kNaN, -3}), DataType::kBOOL)
          .values<int>(),
      (std::vector<int>{0, 0, 1, 1, 1}));
  EXPECT_EQ(cast(tensor<int>(DataType::kINT32, {0, 5, -1}), DataType::kBOOL).values<int>(),
            (std::vector<int>{0, 1, 1}));
  EXPECT_EQ(cast(tensor<int>(DataType::kUINT8, {0, 255}), DataType::kBOOL).values<int>(),
            (std::vector<int>{0, 1}));
  EXPECT_EQ(
      cast(tensor(DataType::kHALF, std::vector<float>{0, 2, -0.0f}), DataType::kBOOL).values<int>(),
      (std::vector<int>{0, 1, 0}));
  HostTensor b = tensor<int>(DataType::kBOOL, {0, 1});
  EXPECT_EQ(cast(b, DataType::kFLOAT).values<float>(), (std::vector<float>{0, 1}));
  EXPECT_EQ(cast(b, DataType::kBF16).values<float>(), (std::vector<float>{0, 1}));
  EXPECT_EQ(cast(b, DataType::kINT64).values<int64_t>(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(cast(b, DataType::kINT8).values<int64_t>(), (std::vector<int64_t>{0, 1}));
}

uint16_t bits_of(const HostTensor& t, int i) {
  uint16_t v;
  std::memcpy(&v, t.bytes.data() + 2 * i, 2);
  return v;
}

TEST(CastTest, ToHalfAndBfloat16RoundsToNearestEven) {
  // fp16 has 10 mantissa bits: 1 + 2^-11 is a tie -> 1.0; 1 + 3 * 2^-11 -> 1 + 2^-9.
  HostTensor h =
      cast(tensor(DataType::kFLOAT, std::vector<float>{1.0f + 0x1p-11f, 1.0f + 0x3p-11f, 65504,
                                                       65520, 1e-8f, kNaN, -kInf}),
           DataType::kHALF);
  EXPECT_EQ(bits_of(h, 0), 0x3C00);
  EXPECT_EQ(bits_of(h, 1), 0x3C02);
  EXPECT_EQ(bits_of(h, 2), 0x7BFF);
  EXPECT_EQ(bits_of(h, 3), 0x7C00);  // 65520 rounds past the largest finite value
  EXPECT_EQ(bits_of(h, 4), 0x0000);
  EXPECT_TRUE(std::isnan(h.values<float>()[5]));
  EXPECT_EQ(bits_of(h, 6), 0xFC00);
  // bf16 has 7: 1 + 2^-8 is a tie -> 1.0; 1 + 3 * 2^-8 -> 1 + 2^-6.
  HostTensor b =
      cast(tensor(DataType::kFLOAT, std::vector<float>{1.0f + 0x1p-8f, 1.0f + 0x3p-8f, kNaN}),
           DataType::kBF16);
  EXPECT_EQ(bits_of(b, 0), 0x3F80);
  EXPECT_EQ(bits_of(b, 1), 0x3F82);
  EXPECT_TRUE(std::isnan(b.values<float>()[2]));
}

TEST(CastTest, IntegersToHalfAndBfloat16RoundOnce) {
  // 2049 is a tie between 2048 and 2050 in fp16 -> 2048; 2051 -> 2052; 70000 overflows.
  EXPECT_EQ(cast(tensor<int>(DataType::kINT32, {2049, 2051, 70000, -70000}), DataType::kHALF)
                .values<float>(),
            (std::vector<float>{2048, 2052, kInf, -kInf}));
  // 2^24 + 2^16 + 1 is just above the tie between 2^24 and 2^24 + 2^17 in bf16, so it rounds up.
  // Going int -> float32 -> bf16 would round twice (to 2^24 + 2^16, then to the tie's even 2^24).
  const int64_t v = (int64_t{1} << 24) + (int64_t{1} << 16) + 1;
  EXPECT_EQ(cast(tensor<int64_t>(DataType::kINT64, {v, -v}), DataType::kBF16).values<float>(),
            (std::vector<float>{16908288.0f, -16908288.0f}));
  EXPECT_EQ(
      cast(tensor<int>(DataType::kINT32, {static_cast<int>(v)}), DataType::kBF16).values<float>(),
      (std::vector<float>{16908288.0f}));
  EXPECT_EQ(cast(tensor<int64_t>(DataType::kINT64, {INT64_MIN, INT64_MAX}), DataType::kBF16)
                .values<float>(),
            (std::vector<float>{-0x1p63f, 0x1p63f}));
  EXPECT_EQ(cast(tensor<int64_t>(DataType::kINT64, {INT64_MAX, -(int64_t{1} << 40) - 1}),
                 DataType::kFLOAT)
                .values<float>(),
            (std::vector<float>{0x1p63f, -0x1p40f}));
}

TEST(CastTest, BetweenFloatTypes) {
  EXPECT_EQ(
      cast(tensor(DataType::kHALF, std::vector<float>{1.5f, -65504, 0x1p-24f}), DataType::kBF16)
          .values<float>(),
      (std::vector<float>{1.5f, -65536, 0x1p-24f}));
  EXPECT_EQ(cast(tensor(DataType::kBF16, std::vector<float>{1.5f, 1e30f}), DataType::kHALF)
                .values<float>(),
            (std::vector<float>{1.5f, kInf}));
  EXPECT_EQ(
      cast(tensor(DataType::kHALF, std::vector<float>{0.1f}), DataType::kFLOAT).values<float>()[0],
      to_float(to_half(0.1f)));
}

// A naive reference: value as double, then the rules written out.
double reference(double x, DataType to) {
  if (to == DataType::kBOOL) return x != 0;
  if (to == DataType::kFLOAT) return static_cast<float>(x);
  if (to == DataType::kHALF)
    return to_float(to_half(static_cast<float>(x)));  // exact for these inputs
  if (to == DataType::kBF16) return to_float(to_bfloat16(static_cast<float>(x)));
  if (std::isnan(x)) return 0;
  double lo = to == DataType::kINT8    ? -128
              : to == DataType::kUINT8 ? 0
              : to == DataType::kINT32 ? INT32_MIN
                                       : -0x1p63;
  double hi = to == DataType::kINT8    ? 127
              : to == DataType::kUINT8 ? 255
              : to == DataType::kINT32 ? INT32_MAX
                                       : 0x1p63;
  return std::min(std::max(std::trunc(x), lo), hi);
}

TEST(CastTest, EveryTypePairAgainstReference) {
  // Values every source type holds exactly, with halves to exercise truncation and big magnitudes
  // to exercise saturation.
  std::vector<float> v = test::random_floats(400, 5, -400.0f, 400.0f);
  for (float& x : v) x = std::round(x * 2) / 2;
  v.insert(v.end(), {0.0f, 1.0f, -1.0f, 127.0f, -128.0f, 255.0f, 256.0f});
  for (DataType from : kAllTypes) {
    std::vector<float> src = v;
    if (from == DataType::kBOOL) {
      for (float& x : src) x = x > 0 ? 1.0f : 0.0f;
    } else if (from == DataType::kUINT8) {
      for (float& x : src) x = std::min(std::fabs(std::trunc(x)), 255.0f);
    } else if (from == DataType::kINT8) {
      for (float& x : src) x = std::min(std::max(std::trunc(x), -128.0f), 127.0f);
    } else if (from == DataType::kINT32 || from == DataType::kINT64) {
      for (float& x : src) x = std::trunc(x);
    }
    HostTensor in = HostTensor::of(from, Dims{static_cast<int64_t>(src.size())}, src);
    std::vector<double> in_values = in.values<double>();
    for (DataType to : kAllTypes) {
      std::vector<double> got = cast(in, to).values<double>();
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i], reference(in_values[i], to))
            << to_string(from) << " -> " << to_string(to) << " value " << in_values[i];
      }
    }
  }
}

TEST(CastTest, ZeroDimAndEmpty) {
  HostTensor r = cast(HostTensor::f32(Dims{}, {-7.9f}), DataType::kINT8);
  EXPECT_EQ(r.dims.nb_dims, 0);
  EXPECT_EQ(r.values<int>(), std::vector<int>{-7});
  r = cast(HostTensor::f32(Dims{3, 0}, {}), DataType::kHALF);
  EXPECT_TRUE(r.bytes.empty());
  r = cast(HostTensor::f32(Dims{0}, {}), DataType::kFLOAT);
  EXPECT_TRUE(r.bytes.empty());
}

TEST(CastInferTest, OutputTypeAndDynamicDims) {
  auto out = test::infer(CastAttrs{DataType::kHALF}, {{DataType::kINT64, Dims{-1, 4, -1}}});
  EXPECT_EQ(out[0].type, DataType::kHALF);
  EXPECT_EQ(out[0].dims, (Dims{-1, 4, -1}));
}

TEST(CastInferTest, Errors) {
  expect_error(
      [] {
        test::infer(CastAttrs{static_cast<DataType>(42)}, {{DataType::kFLOAT, Dims{2}}}, "c1");
      },
      {"[cast 'c1']", "42"});
  expect_error([] { test::infer(CastAttrs{}, {}, "c1"); }, {"[cast 'c1']", "1 inputs, got 0"});
  expect_error(
      [] {
        test::infer(IdentityAttrs{static_cast<DataType>(-1)}, {{DataType::kFLOAT, Dims{2}}}, "i1");
      },
      {"[identity 'i1']", "-1"});
}

TEST(IdentityTest, CopiesAndConverts) {
  HostTensor f = HostTensor::f32(Dims{2, 2}, {1.5f, -2.25f, kNaN, 1e6f});
  HostTensor r = run_cpu(IdentityAttrs{DataType::kFLOAT}, {f})[0];
  EXPECT_EQ(r.type, DataType::kFLOAT);
  EXPECT_EQ(r.dims, (Dims{2, 2}));
  EXPECT_EQ(r.bytes, f.bytes);  // bit for bit, NaN included
  r = run_cpu(IdentityAttrs{DataType::kHALF}, {f})[0];
  EXPECT_EQ(r.type, DataType::kHALF);
  std::vector<float> h = r.values<float>();
  EXPECT_EQ(h[0], 1.5f);
  EXPECT_EQ(h[1], -2.25f);
  EXPECT_TRUE(std::isnan(h[2]));
  EXPECT_EQ(h[3], kInf);
  r = run_cpu(IdentityAttrs{DataType::kINT32}, {f})[0];
  EXPECT_EQ(r.values<int64_t>(), (std::vector<int64_t>{1, -2, 0, 1000000}));
  HostTensor i = HostTensor::of(DataType::kINT64, Dims{}, std::vector<int64_t>{-9000000000LL});
  r = run_cpu(IdentityAttrs{DataType::kINT64}, {i})[0];
  EXPECT_EQ(r.values<int64_t>(), std::vector<int64_t>{-9000000000LL});
  r = run_cpu(IdentityAttrs{DataType::kINT32}, {i})[0];
  EXPECT_EQ(r.values<int64_t>(), std::vector<int64_t>{INT32_MIN});
}

TEST(IdentityInferTest, OutputType) {
  auto out = test::infer(IdentityAttrs{DataType::kBF16}, {{DataType::kFLOAT, Dims{-1, 8}}});
  EXPECT_EQ(out[0].type, DataType::kBF16);
  EXPECT_EQ(out[0].dims, (Dims{-1, 8}));
}

}  // namespace
}  // namespace kiln
