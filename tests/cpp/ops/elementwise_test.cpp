// Tests of ElementWiseLayer and SelectLayer: hand-computed values for every operation, integer
// and bool rules, broadcasting, fp16/bf16, random shapes against a naive reference, and errors.
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
using Op = ElementWiseOperation;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

HostTensor ew(Op op, const HostTensor& a, const HostTensor& b) {
  return run_cpu(ElementWiseAttrs{op}, {a, b}, "ew")[0];
}

std::vector<float> ew_f32(Op op, const std::vector<float>& a, const std::vector<float>& b) {
  Dims d{static_cast<int64_t>(a.size())};
  HostTensor out = ew(op, HostTensor::f32(d, a), HostTensor::f32(d, b));
  EXPECT_EQ(out.type, DataType::kFLOAT);
  return out.values<float>();
}

template <typename T>
std::vector<T> ew_int(Op op, DataType type, const std::vector<T>& a, const std::vector<T>& b) {
  Dims d{static_cast<int64_t>(a.size())};
  HostTensor out = ew(op, HostTensor::of(type, d, a), HostTensor::of(type, d, b));
  EXPECT_EQ(out.type, type);
  return out.values<T>();
}

std::vector<int> ew_bool(Op op, DataType type, const std::vector<double>& a,
                         const std::vector<double>& b) {
  Dims d{static_cast<int64_t>(a.size())};
  HostTensor out = ew(op, HostTensor::of(type, d, a), HostTensor::of(type, d, b));
  EXPECT_EQ(out.type, DataType::kBOOL);
  return out.values<int>();
}

void expect_floats(const std::vector<float>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i << " is " << got[i];
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got[i], want[i]) << "element " << i;
    } else {
      EXPECT_NEAR(got[i], want[i], 1e-6 * (1 + std::fabs(want[i]))) << "element " << i;
    }
  }
}

TEST(ElementWiseTest, FloatOperations) {
  std::vector<float> a{1, -2, 3, 4.5f}, b{2, 3, -1, 0.5f};
  expect_floats(ew_f32(Op::kSUM, a, b), {3, 1, 2, 5});
  expect_floats(ew_f32(Op::kPROD, a, b), {2, -6, -3, 2.25});
  expect_floats(ew_f32(Op::kMAX, a, b), {2, 3, 3, 4.5});
  expect_floats(ew_f32(Op::kMIN, a, b), {1, -2, -1, 0.5});
  expect_floats(ew_f32(Op::kSUB, a, b), {-1, -5, 4, 4});
  expect_floats(ew_f32(Op::kDIV, a, b), {0.5, -2.0 / 3, -3, 9});
  expect_floats(ew_f32(Op::kPOW, {2, -2, 4, 9}, {3, 2, 0.5f, -0.5f}), {8, 4, 2, 1.0 / 3});
  expect_floats(ew_f32(Op::kFLOOR_DIV, {7, -7, 7, -7.5f, 6}, {2, 2, -2, 2, 3}), {3, -4, -4, -4, 2});
  expect_floats(ew_f32(Op::kDIV, {1, -1, 0}, {0, 0, 0}), {INFINITY, -INFINITY, NAN});
}

TEST(ElementWiseTest, MaxAndMinPropagateNaN) {
  expect_floats(ew_f32(Op::kMAX, {kNaN, 1, kNaN}, {1, kNaN, kNaN}), {NAN, NAN, NAN});
  expect_floats(ew_f32(Op::kMIN, {kNaN, 1}, {1, kNaN}), {NAN, NAN});
}

TEST(ElementWiseTest, IntegerDivisionTruncatesAndFloorDivFloors) {
  std::vector<int32_t> a{7, -7, 7, -7, 6, 5, -5}, b{2, 2, -2, -2, 3, 0, 0};
  // By zero gives 0 (documented in backends/cpu/elementwise.cpp).
  EXPECT_EQ(ew_int(Op::kDIV, DataType::kINT32, a, b),
            (std::vector<int32_t>{3, -3, -3, 3, 2, 0, 0}));
  EXPECT_EQ(ew_int(Op::kFLOOR_DIV, DataType::kINT32, a, b),
            (std::vector<int32_t>{3, -4, -4, 3, 2, 0, 0}));
  // The most negative value divided by -1 wraps instead of trapping.
  EXPECT_EQ(ew_int<int64_t>(Op::kDIV, DataType::kINT64, {INT64_MIN, 9}, {-1, -1}),
            (std::vector<int64_t>{INT64_MIN, -9}));
  EXPECT_EQ(ew_int<int32_t>(Op::kFLOOR_DIV, DataType::kINT8, {-128, -128, 100}, {-1, 3, -7}),
            (std::vector<int32_t>{-128, -43, -15}));
}

TEST(ElementWiseTest, IntegerPow) {
  EXPECT_EQ(ew_int<int32_t>(Op::kPOW, DataType::kINT32, {2, 3, -2, 1, -1, -1, 2, 0, 0, -3},
                            {10, 0, 3, -5, -3, -2, -1, 0, 3, 4}),
            (std::vector<int32_t>{1024, 1, -8, 1, -1, 1, 0, 1, 0, 81}));
  EXPECT_EQ(ew_int<int64_t>(Op::kPOW, DataType::kINT64, {3, 2}, {39, 62}),
            (std::vector<int64_t>{4052555153018976267LL, 4611686018427387904LL}));
  EXPECT_EQ(ew_int<int32_t>(Op::kPOW, DataType::kINT8, {2, 3}, {7, 5}),
            (std::vector<int32_t>{-128, -13}));  // 128 and 243 wrap in int8
}

TEST(ElementWiseTest, IntegerArithmeticWraps) {
  EXPECT_EQ(ew_int<int32_t>(Op::kSUM, DataType::kINT8, {127, -128, 5}, {1, -1, 6}),
            (std::vector<int32_t>{-128, 127, 11}));
  EXPECT_EQ(ew_int<int32_t>(Op::kSUB, DataType::kINT32, {INT32_MIN, 10}, {1, 25}),
            (std::vector<int32_t>{INT32_MAX, -15}));
  EXPECT_EQ(ew_int<int64_t>(Op::kPROD, DataType::kINT64, {3000000000LL, -4}, {3000000000LL, 5}),
            (std::vector<int64_t>{9000000000000000000LL, -20}));
  EXPECT_EQ(ew_int<int32_t>(Op::kMAX, DataType::kINT32, {-3, 8}, {2, -9}),
            (std::vector<int32_t>{2, 8}));
  EXPECT_EQ(ew_int<int64_t>(Op::kMIN, DataType::kINT64, {-3, 8}, {2, -9}),
            (std::vector<int64_t>{-3, -9}));
}

TEST(ElementWiseTest, LogicalOnBool) {
  std::vector<double> a{0, 0, 1, 1}, b{0, 1, 0, 1};
  EXPECT_EQ(ew_bool(Op::kAND, DataType::kBOOL, a, b), (std::vector<int>{0, 0, 0, 1}));
  EXPECT_EQ(ew_bool(Op::kOR, DataType::kBOOL, a, b), (std::vector<int>{0, 1, 1, 1}));
  EXPECT_EQ(ew_bool(Op::kXOR, DataType::kBOOL, a, b), (std::vector<int>{0, 1, 1, 0}));
  EXPECT_EQ(ew_bool(Op::kEQUAL, DataType::kBOOL, a, b), (std::vector<int>{1, 0, 0, 1}));
}

TEST(ElementWiseTest, ComparisonsGiveBool) {
  std::vector<double> a{1, 2, 3, -1}, b{2, 2, 1, -1};
  for (DataType t : {DataType::kFLOAT, DataType::kHALF, DataType::kBF16, DataType::kINT8,
                     DataType::kINT32, DataType::kINT64}) {
    EXPECT_EQ(ew_bool(Op::kEQUAL, t, a, b), (std::vector<int>{0, 1, 0, 1})) << to_string(t);
    EXPECT_EQ(ew_bool(Op::kGREATER, t, a, b), (std::vector<int>{0, 0, 1, 0})) << to_string(t);
    EXPECT_EQ(ew_bool(Op::kLESS, t, a, b), (std::vector<int>{1, 0, 0, 0})) << to_string(t);
  }
  // uint8 compares unsigned: 200 > 100.
  EXPECT_EQ(ew_bool(Op::kGREATER, DataType::kUINT8, {200, 3}, {100, 3}), (std::vector<int>{1, 0}));
  // NaN equals nothing, itself included.
  EXPECT_EQ(ew_bool(Op::kEQUAL, DataType::kFLOAT, {NAN, NAN}, {NAN, 1}), (std::vector<int>{0, 0}));
}

TEST(ElementWiseTest, HalfAndBfloat16) {
  // 2048 + 1 is a tie in fp16 (spacing 2 at 2048): rounds to even, 2048. 2048 + 3 -> 2052.
  HostTensor r =
      ew(Op::kSUM, HostTensor::of(DataType::kHALF, Dims{3}, std::vector<float>{2048, 2048, 0.5f}),
         HostTensor::of(DataType::kHALF, Dims{3}, std::vector<float>{1, 3, 0.25f}));
  EXPECT_EQ(r.type, DataType::kHALF);
  EXPECT_EQ(r.values<float>(), (std::vector<float>{2048, 2052, 0.75f}));
  // bf16: 256 + 1 is a tie (spacing 2); 256 + 3 -> 260. 1.5 * 3 = 4.5 is exact.
  r = ew(Op::kSUM, HostTensor::of(DataType::kBF16, Dims{2}, std::vector<float>{256, 256}),
         HostTensor::of(DataType::kBF16, Dims{2}, std::vector<float>{1, 3}));
  EXPECT_EQ(r.type, DataType::kBF16);
  EXPECT_EQ(r.values<float>(), (std::vector<float>{256, 260}));
  r = ew(Op::kPROD, HostTensor::of(DataType::kBF16, Dims{}, std::vector<float>{1.5f}),
         HostTensor::of(DataType::kBF16, Dims{}, std::vector<float>{3}));
  EXPECT_EQ(r.values<float>(), std::vector<float>{4.5f});
}

// The flat input offset that output element `i` reads, computed from multi-indices, independently
// of the kernel's strides.
int64_t source_index(int64_t i, const Dims& out, const Dims& in) {
  std::vector<int64_t> idx(out.nb_dims);
  for (int32_t d = out.nb_dims - 1; d >= 0; --d) {
    idx[d] = i % out.d[d];
    i /= out.d[d];
  }
  int64_t off = 0;
  for (int32_t d = 0; d < in.nb_dims; ++d) {
    int64_t k = idx[out.nb_dims - in.nb_dims + d];
    off = off * in.d[d] + (in.d[d] == 1 ? 0 : k);
  }
  return off;
}

TEST(ElementWiseTest, BroadcastingHandChecked) {
  // [2,1] + [1,3] -> [2,3] outer sum.
  HostTensor r =
      ew(Op::kSUM, HostTensor::f32(Dims{2, 1}, {10, 20}), HostTensor::f32(Dims{1, 3}, {1, 2, 3}));
  EXPECT_EQ(r.dims, (Dims{2, 3}));
  EXPECT_EQ(r.values<float>(), (std::vector<float>{11, 12, 13, 21, 22, 23}));
  // [2,3,4] - [3,1]: every row of 4 loses 100 * (its index along dimension 1 + 1).
  std::vector<float> a(24);
  for (int i = 0; i < 24; ++i) a[i] = static_cast<float>(i);
  r = ew(Op::kSUB, HostTensor::f32(Dims{2, 3, 4}, a), HostTensor::f32(Dims{3, 1}, {100, 200, 300}));
  EXPECT_EQ(r.dims, (Dims{2, 3, 4}));
  std::vector<float> want(24);
  for (int i = 0; i < 24; ++i) want[i] = static_cast<float>(i) - 100.0f * ((i / 4) % 3 + 1);
  EXPECT_EQ(r.values<float>(), want);
  // [1] * [4,5] and 0-d * [2,3].
  r = ew(Op::kPROD, HostTensor::f32(Dims{1}, {2}),
         HostTensor::f32(Dims{4, 5}, std::vector<float>(20, 3)));
  EXPECT_EQ(r.dims, (Dims{4, 5}));
  EXPECT_EQ(r.values<float>(), std::vector<float>(20, 6));
  r = ew(Op::kDIV, HostTensor::f32(Dims{2, 3}, {2, 4, 6, 8, 10, 12}), HostTensor::f32(Dims{}, {2}));
  EXPECT_EQ(r.dims, (Dims{2, 3}));
  EXPECT_EQ(r.values<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  // 0-d with 0-d, and an empty dimension: [0,3] + [3] -> [0,3].
  r = ew(Op::kMAX, HostTensor::f32(Dims{}, {-1}), HostTensor::f32(Dims{}, {4}));
  EXPECT_EQ(r.dims.nb_dims, 0);
  EXPECT_EQ(r.values<float>(), std::vector<float>{4});
  r = ew(Op::kSUM, HostTensor::f32(Dims{0, 3}, {}), HostTensor::f32(Dims{3}, {1, 2, 3}));
  EXPECT_EQ(r.dims, (Dims{0, 3}));
  EXPECT_TRUE(r.bytes.empty());
  // Broadcasting with a bool result: [3,1] < [4].
  r = ew(Op::kLESS, HostTensor::of(DataType::kINT32, Dims{3, 1}, std::vector<int>{0, 2, 5}),
         HostTensor::of(DataType::kINT32, Dims{4}, std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(r.values<int>(), (std::vector<int>{1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0}));
}

TEST(ElementWiseTest, RandomBroadcastAgainstNaiveReference) {
  struct Case {
    Dims a, b;
  };
  const Case cases[] = {{Dims{2, 3, 4}, Dims{3, 1}},
                        {Dims{1}, Dims{4, 5}},
                        {Dims{}, Dims{2, 3}},
                        {Dims{5, 1, 3}, Dims{1, 4, 1}},
                        {Dims{2, 1, 3, 1}, Dims{4, 1, 5}},
                        {Dims{7, 6}, Dims{7, 6}},
                        {Dims{1, 1, 1}, Dims{3}},
                        {Dims{6, 1}, Dims{6}}};
  const Op ops[] = {Op::kSUM, Op::kPROD, Op::kMAX, Op::kMIN,
                    Op::kSUB, Op::kDIV,  Op::kPOW, Op::kFLOOR_DIV};
  uint32_t seed = 1;
  for (const Case& c : cases) {
    std::vector<float> va = test::random_floats(volume(c.a), seed++, 0.5f, 3.0f);
    std::vector<float> vb = test::random_floats(volume(c.b), seed++, -2.0f, 2.0f);
    for (Op op : ops) {
      HostTensor r = ew(op, HostTensor::f32(c.a, va), HostTensor::f32(c.b, vb));
      std::vector<float> got = r.values<float>();
      ASSERT_EQ(static_cast<int64_t>(got.size()), volume(r.dims));
      for (int64_t i = 0; i < volume(r.dims); ++i) {
        double x = va[source_index(i, r.dims, c.a)], y = vb[source_index(i, r.dims, c.b)];
        double want = op == Op::kSUM    ? x + y
                      : op == Op::kPROD ? x * y
                      : op == Op::kMAX  ? std::max(x, y)
                      : op == Op::kMIN  ? std::min(x, y)
                      : op == Op::kSUB  ? x - y
                      : op == Op::kDIV  ? x / y
                      : op == Op::kPOW  ? std::pow(x, y)
                                        : std::floor(x / y);
        if (op == Op::kFLOOR_DIV && std::fabs(x / y - std::round(x / y)) < 1e-4)
          continue;  // float vs double tie
        ASSERT_NEAR(got[i], want, 2e-6 * (1 + std::fabs(want)))
            << "op " << static_cast<int>(op) << " " << c.a << " " << c.b << " element " << i;
      }
    }
  }
  // Integers through the same broadcast path.
  std::vector<int> ia{1, 2, 3, 4, 5, 6}, ib{10, 20};
  HostTensor r = ew(Op::kPROD, HostTensor::of(DataType::kINT64, Dims{3, 1, 2}, ia),
                    HostTensor::of(DataType::kINT64, Dims{2, 1}, ib));
  EXPECT_EQ(r.dims, (Dims{3, 2, 2}));
  std::vector<int64_t> got = r.values<int64_t>();
  for (int64_t i = 0; i < 12; ++i) {
    EXPECT_EQ(got[i], int64_t{ia[source_index(i, r.dims, Dims{3, 1, 2})]} *
                          ib[source_index(i, r.dims, Dims{2, 1})]);
  }
}

TEST(ElementWiseInferTest, DynamicDims) {
  auto out = test::infer(ElementWiseAttrs{Op::kSUM},
                         {{DataType::kFLOAT, Dims{-1, 3}}, {DataType::kFLOAT, Dims{4, 1, 3}}});
  EXPECT_EQ(out[0].type, DataType::kFLOAT);
  EXPECT_EQ(out[0].dims, (Dims{4, -1, 3}));
  out = test::infer(ElementWiseAttrs{Op::kLESS},
                    {{DataType::kINT32, Dims{-1}}, {DataType::kINT32, Dims{1}}});
  EXPECT_EQ(out[0].type, DataType::kBOOL);
  EXPECT_EQ(out[0].dims, (Dims{-1}));
  out = test::infer(ElementWiseAttrs{Op::kPROD},
                    {{DataType::kHALF, Dims{2, -1}}, {DataType::kHALF, Dims{-1, 5}}});
  EXPECT_EQ(out[0].type, DataType::kHALF);
  EXPECT_EQ(out[0].dims, (Dims{2, 5}));
}

TEST(ElementWiseInferTest, Errors) {
  auto infer2 = [](Op op, DataType ta, Dims da, DataType tb, Dims db) {
    test::infer(ElementWiseAttrs{op}, {{ta, da}, {tb, db}}, "ew1");
  };
  const DataType f = DataType::kFLOAT;
  expect_error([&] { infer2(Op::kSUM, f, Dims{2}, DataType::kINT32, Dims{2}); },
               {"[elementwise 'ew1']", "same type", "float32", "int32"});
  expect_error(
      [&] {
        infer2(Op::kSUM, f, Dims{2, 3}, f, Dims{4});
      },
      {"[elementwise 'ew1']", "[2,3]", "[4]", "broadcast"});
  expect_error([&] { infer2(Op::kAND, f, Dims{2}, f, Dims{2}); },
               {"[elementwise 'ew1']", "and", "bool", "float32"});
  expect_error([&] { infer2(Op::kXOR, DataType::kINT8, Dims{2}, DataType::kINT8, Dims{2}); },
               {"xor", "int8"});
  expect_error([&] { infer2(Op::kSUM, DataType::kBOOL, Dims{2}, DataType::kBOOL, Dims{2}); },
               {"sum", "bool"});
  expect_error([&] { infer2(Op::kPOW, DataType::kUINT8, Dims{2}, DataType::kUINT8, Dims{2}); },
               {"pow", "uint8"});
  expect_error([&] { infer2(Op::kGREATER, DataType::kBOOL, Dims{2}, DataType::kBOOL, Dims{2}); },
               {"greater", "bool"});
  expect_error(
      [&] {
        test::infer(ElementWiseAttrs{}, {{f, Dims{2}}}, "ew1");
      },
      {"[elementwise 'ew1']", "2 inputs"});
}

// ---- Select ----

HostTensor select(const HostTensor& c, const HostTensor& t, const HostTensor& e) {
  return run_cpu(SelectAttrs{}, {c, t, e}, "sel")[0];
}

TEST(SelectTest, PicksPerElement) {
  HostTensor r =
      select(HostTensor::of(DataType::kBOOL, Dims{4}, std::vector<int>{1, 0, 0, 1}),
             HostTensor::f32(Dims{4}, {1, 2, 3, 4}), HostTensor::f32(Dims{4}, {-1, -2, -3, -4}));
  EXPECT_EQ(r.type, DataType::kFLOAT);
  EXPECT_EQ(r.values<float>(), (std::vector<float>{1, -2, -3, 4}));
}

TEST(SelectTest, AnyNonzeroConditionByteIsTrue) {
  HostTensor c = HostTensor::of(DataType::kBOOL, Dims{3}, std::vector<int>{0, 0, 0});
  c.bytes[1] = 2;  // as a caller's buffer might hold
  HostTensor r = select(c, HostTensor::f32(Dims{3}, {1, 2, 3}), HostTensor::f32(Dims{}, {0}));
  EXPECT_EQ(r.values<float>(), (std::vector<float>{0, 2, 0}));
}

TEST(SelectTest, BroadcastsAllThree) {
  // condition [3], then [2,3], else 0-d -> [2,3].
  HostTensor r =
      select(HostTensor::of(DataType::kBOOL, Dims{3}, std::vector<int>{1, 0, 1}),
             HostTensor::of(DataType::kINT64, Dims{2, 3}, std::vector<int64_t>{1, 2, 3, 4, 5, 6}),
             HostTensor::of(DataType::kINT64, Dims{}, std::vector<int64_t>{-9000000000LL}));
  EXPECT_EQ(r.type, DataType::kINT64);
  EXPECT_EQ(r.dims, (Dims{2, 3}));
  EXPECT_EQ(r.values<int64_t>(), (std::vector<int64_t>{1, -9000000000LL, 3, 4, -9000000000LL, 6}));
  // condition [2,1], then [1,3], else [3] (fp16).
  r = select(HostTensor::of(DataType::kBOOL, Dims{2, 1}, std::vector<int>{0, 1}),
             HostTensor::of(DataType::kHALF, Dims{1, 3}, std::vector<float>{1, 2, 3}),
             HostTensor::of(DataType::kHALF, Dims{3}, std::vector<float>{0.5f, 0.25f, 0.125f}));
  EXPECT_EQ(r.type, DataType::kHALF);
  EXPECT_EQ(r.dims, (Dims{2, 3}));
  EXPECT_EQ(r.values<float>(), (std::vector<float>{0.5f, 0.25f, 0.125f, 1, 2, 3}));
}

TEST(SelectTest, EveryTypeAndRandomAgainstReference) {
  std::vector<float> cv = test::random_floats(4 * 5, 21);
  std::vector<int> cond(cv.size());
  for (size_t i = 0; i < cv.size(); ++i) cond[i] = cv[i] > 0;
  std::vector<float> tv = test::random_floats(5, 22, 0, 100),
                     ev = test::random_floats(4 * 3 * 1, 23, 0, 100);
  for (float& v : tv) v = std::round(v);
  for (float& v : ev) v = std::round(v);
  const Dims dc{4, 5}, dt{5}, de{3, 4, 1}, dout{3, 4, 5};
  for (DataType type : {DataType::kFLOAT, DataType::kHALF, DataType::kBF16, DataType::kINT8,
                        DataType::kUINT8, DataType::kINT32, DataType::kINT64, DataType::kBOOL}) {
    HostTensor t = HostTensor::of(type, dt, tv), e = HostTensor::of(type, de, ev);
    HostTensor r = select(HostTensor::of(DataType::kBOOL, dc, cond), t, e);
    ASSERT_EQ(r.type, type);
    ASSERT_EQ(r.dims, dout);
    std::vector<double> got = r.values<double>(), tvals = t.values<double>(),
                        evals = e.values<double>();
    for (int64_t i = 0; i < volume(dout); ++i) {
      double want = cond[source_index(i, dout, dc)] ? tvals[source_index(i, dout, dt)]
                                                    : evals[source_index(i, dout, de)];
      ASSERT_EQ(got[i], want) << to_string(type) << " element " << i;
    }
  }
}

TEST(SelectTest, EmptyOutput) {
  HostTensor r = select(HostTensor::of(DataType::kBOOL, Dims{0}, std::vector<int>{}),
                        HostTensor::f32(Dims{1}, {1}), HostTensor::f32(Dims{}, {2}));
  EXPECT_EQ(r.dims, (Dims{0}));
  EXPECT_TRUE(r.bytes.empty());
}

TEST(SelectInferTest, TypesDynamicDimsAndErrors) {
  const DataType b = DataType::kBOOL, f = DataType::kFLOAT;
  auto out =
      test::infer(SelectAttrs{},
                  {{b, Dims{-1, 1}}, {DataType::kINT32, Dims{3}}, {DataType::kINT32, Dims{1, -1}}});
  EXPECT_EQ(out[0].type, DataType::kINT32);
  EXPECT_EQ(out[0].dims, (Dims{-1, 3}));
  expect_error(
      [&] {
        test::infer(SelectAttrs{}, {{f, Dims{2}}, {f, Dims{2}}, {f, Dims{2}}}, "s1");
      },
      {"[select 's1']", "condition", "bool", "float32"});
  expect_error(
      [&] {
        test::infer(SelectAttrs{}, {{b, Dims{2}}, {f, Dims{2}}, {DataType::kHALF, Dims{2}}}, "s1");
      },
      {"[select 's1']", "float32", "float16"});
  expect_error(
      [&] {
        test::infer(SelectAttrs{}, {{b, Dims{2}}, {f, Dims{3}}, {f, Dims{3}}}, "s1");
      },
      {"[select 's1']", "broadcast"});
  expect_error(
      [&] {
        test::infer(SelectAttrs{}, {{b, Dims{2}}, {f, Dims{2}}}, "s1");
      },
      {"[select 's1']", "3 inputs"});
}

}  // namespace
}  // namespace kiln
