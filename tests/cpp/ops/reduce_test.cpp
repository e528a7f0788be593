// Tests of Reduce: hand-checked values of every operation, random multi-axis reductions against a
// double reference with keep_dims both ways, integer types, NaN, fp16, and inference and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;
using RO = ReduceOperation;

std::vector<float> reduce_f32(RO op, uint32_t axes, bool keep, const HostTensor& x,
                              Dims* dims = nullptr) {
  auto out = test::run_cpu(ReduceAttrs{op, axes, keep}, {x});
  if (dims) *dims = out[0].dims;
  return out[0].values<float>();
}

TEST(Reduce, HandChecked) {
  HostTensor x = HostTensor::f32({2, 3}, {1, 2, 3, 4, 5, 6});
  Dims d;
  EXPECT_EQ(reduce_f32(RO::kSUM, 0x2, false, x, &d), (std::vector<float>{6, 15}));
  EXPECT_EQ(d, Dims({2}));
  EXPECT_EQ(reduce_f32(RO::kSUM, 0x2, true, x, &d), (std::vector<float>{6, 15}));
  EXPECT_EQ(d, Dims({2, 1}));
  EXPECT_EQ(reduce_f32(RO::kMAX, 0x1, false, x, &d), (std::vector<float>{4, 5, 6}));
  EXPECT_EQ(d, Dims({3}));
  EXPECT_EQ(reduce_f32(RO::kMIN, 0x1, true, x, &d), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(d, Dims({1, 3}));
  EXPECT_EQ(reduce_f32(RO::kPROD, 0x2, false, x), (std::vector<float>{6, 120}));
  EXPECT_EQ(reduce_f32(RO::kAVG, 0x1, false, x), (std::vector<float>{2.5, 3.5, 4.5}));
  EXPECT_EQ(reduce_f32(RO::kAVG, 0x3, false, x, &d), (std::vector<float>{3.5}));
  EXPECT_EQ(d.nb_dims, 0);
  EXPECT_EQ(reduce_f32(RO::kSUM, 0x3, true, x, &d), (std::vector<float>{21}));
  EXPECT_EQ(d, Dims({1, 1}));
}

TEST(Reduce, Integers) {
  HostTensor x = HostTensor::of<int32_t>(DataType::kINT32, {2, 3}, {1, -2, 3, 4, 5, -6});
  auto run = [&](RO op, uint32_t axes) {
    auto out = test::run_cpu(ReduceAttrs{op, axes, false}, {x});
    EXPECT_EQ(out[0].type, DataType::kINT32);
    return out[0].values<int32_t>();
  };
  EXPECT_EQ(run(RO::kSUM, 0x2), (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(run(RO::kPROD, 0x2), (std::vector<int32_t>{-6, -120}));
  EXPECT_EQ(run(RO::kMAX, 0x1), (std::vector<int32_t>{4, 5, 3}));
  EXPECT_EQ(run(RO::kMIN, 0x3), (std::vector<int32_t>{-6}));
  // int64 sums keep their bits (a float or double accumulator would round them).
  int64_t big = (int64_t{1} << 60) + 1;
  HostTensor y = HostTensor::of<int64_t>(DataType::kINT64, {3}, {big, big, -big});
  auto out = test::run_cpu(ReduceAttrs{RO::kSUM, 0x1, false}, {y});
  EXPECT_EQ(out[0].values<int64_t>(), (std::vector<int64_t>{big}));
}

TEST(Reduce, MaxMinPropagateNaN) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  HostTensor x = HostTensor::f32({2, 2}, {1, nan, 3, 4});
  EXPECT_TRUE(std::isnan(reduce_f32(RO::kMAX, 0x2, false, x)[0]));
  EXPECT_TRUE(std::isnan(reduce_f32(RO::kMIN, 0x1, false, x)[1]));
  EXPECT_EQ(reduce_f32(RO::kMAX, 0x2, false, x)[1], 4.0f);
}

// Reference in double: every element adds into the output whose index is its own with the reduced
// axes dropped (or set to 0 with keep_dims: the same flat order).
std::vector<double> reference(RO op, const std::vector<double>& x, const Dims& dims,
                              uint32_t axes) {
  int64_t n = volume(dims), out_n = 1;
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (!(axes & (1u << i))) out_n *= dims.d[i];
  }
  double init = op == RO::kPROD  ? 1.0
                : op == RO::kMAX ? -INFINITY
                : op == RO::kMIN ? INFINITY
                                 : 0.0;
  std::vector<double> acc(static_cast<size_t>(out_n), init);
  for (int64_t e = 0; e < n; ++e) {
    int64_t rest = e, o = 0, scale = 1;
    for (int32_t i = dims.nb_dims - 1; i >= 0; --i) {
      int64_t idx = rest % dims.d[i];
      rest /= dims.d[i];
      if (!(axes & (1u << i))) {
        o += idx * scale;
        scale *= dims.d[i];
      }
    }
    double v = x[e];
    if (op == RO::kSUM || op == RO::kAVG) acc[o] += v;
    if (op == RO::kPROD) acc[o] *= v;
    if (op == RO::kMAX) acc[o] = std::max(acc[o], v);
    if (op == RO::kMIN) acc[o] = std::min(acc[o], v);
  }
  if (op == RO::kAVG) {
    for (double& a : acc) a /= static_cast<double>(n / out_n);
  }
  return acc;
}

void check(DataType type, RO op, const Dims& dims, uint32_t axes, bool keep, double tol,
           uint32_t seed) {
  // Values near 1 keep products of up to ~100 elements in range.
  HostTensor x = HostTensor::of(type, dims, test::random_floats(volume(dims), seed, 0.5f, 1.5f));
  auto out = test::run_cpu(ReduceAttrs{op, axes, keep}, {x});
  Dims want_dims;
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (!(axes & (1u << i))) {
      want_dims.d[want_dims.nb_dims++] = dims.d[i];
    } else if (keep) {
      want_dims.d[want_dims.nb_dims++] = 1;
    }
  }
  ASSERT_EQ(out[0].dims, want_dims);
  ASSERT_EQ(out[0].type, type);
  std::vector<double> want = reference(op, x.values<double>(), dims, axes);
  std::vector<double> got = out[0].values<double>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], tol * std::abs(want[i]))
        << "op " << static_cast<int>(op) << " axes 0x" << std::hex << axes << std::dec << " keep "
        << keep << " element " << i;
  }
}

TEST(Reduce, RandomMultiAxis) {
  uint32_t seed = 1;
  for (RO op : {RO::kSUM, RO::kPROD, RO::kMAX, RO::kMIN, RO::kAVG}) {
    for (uint32_t axes : {0x1u, 0x2u, 0x8u, 0x5u, 0xAu, 0x6u, 0xFu}) {
      for (bool keep : {false, true})
        check(DataType::kFLOAT, op, {3, 4, 5, 6}, axes, keep, 1e-6, seed++);
    }
  }
  check(DataType::kFLOAT, RO::kSUM, {1, 130, 1}, 0x2, false, 1e-6, seed++);
}

// fp16/bf16 outputs round to 2^-11 / 2^-8 relative; inputs are the same rounded values.
TEST(Reduce, HalfAndBfloat16) {
  check(DataType::kHALF, RO::kSUM, {4, 33}, 0x2, false, 1e-3, 51);
  check(DataType::kHALF, RO::kAVG, {4, 5, 6}, 0x5, true, 1e-3, 52);
  check(DataType::kBF16, RO::kMAX, {4, 5, 6}, 0x6, false, 8e-3, 53);
}

TEST(Reduce, InferenceWithUnknownDims) {
  auto out = test::infer(ReduceAttrs{RO::kSUM, 0x2, false}, {{DataType::kFLOAT, {-1, 5, -1}}});
  EXPECT_EQ(out[0].dims, Dims({-1, -1}));
  out = test::infer(ReduceAttrs{RO::kMAX, 0x5, true}, {{DataType::kINT64, {-1, 5, -1}}});
  EXPECT_EQ(out[0].dims, Dims({1, 5, 1}));
  EXPECT_EQ(out[0].type, DataType::kINT64);
}

TEST(Reduce, Errors) {
  auto run = [](ReduceAttrs attrs, ir::TensorDesc x) {
    return error_of([&] { test::infer(attrs, {x}, "r1"); });
  };
  std::string e = run({RO::kAVG, 0x1, false}, {DataType::kINT32, {2, 3}});
  EXPECT_TRUE(contains(e, "[reduce 'r1']") && contains(e, "average") && contains(e, "int32")) << e;
  e = run({RO::kSUM, 0, false}, {DataType::kFLOAT, {2, 3}});
  EXPECT_TRUE(contains(e, "[reduce 'r1']") && contains(e, "axes")) << e;
  e = run({RO::kSUM, 0x4, false}, {DataType::kFLOAT, {2, 3}});
  EXPECT_TRUE(contains(e, "[reduce 'r1']") && contains(e, "rank 2")) << e;
  e = run({RO::kSUM, 0x1, false}, {DataType::kBOOL, {2, 3}});
  EXPECT_TRUE(contains(e, "[reduce 'r1']") && contains(e, "bool")) << e;
}

}  // namespace
}  // namespace kiln
