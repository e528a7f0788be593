// Tests of TopK: hand-checked max/min with ties and NaN, a middle axis against a stable-sort
// reference, int32/int64/fp16 inputs, and shape inference with -1 dims and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;
using TK = TopKOperation;

TEST(TopK, HandCheckedMaxAndMin) {
  HostTensor x = HostTensor::f32({8}, {3, 1, 4, 1, 5, 9, 2, 6});
  auto out = test::run_cpu(TopKAttrs{TK::kMAX, 3, 0x1}, {x});
  EXPECT_EQ(out[0].dims, Dims({3}));
  EXPECT_EQ(out[0].values<float>(), (std::vector<float>{9, 6, 5}));
  EXPECT_EQ(out[1].type, DataType::kINT32);
  EXPECT_EQ(out[1].values<int32_t>(), (std::vector<int32_t>{5, 7, 4}));
  // The two 1s tie: the lower index comes first.
  out = test::run_cpu(TopKAttrs{TK::kMIN, 3, 0x1}, {x});
  EXPECT_EQ(out[0].values<float>(), (std::vector<float>{1, 1, 2}));
  EXPECT_EQ(out[1].values<int32_t>(), (std::vector<int32_t>{1, 3, 6}));
}

TEST(TopK, TiesKeepIndexOrder) {
  HostTensor x = HostTensor::f32({2, 4}, {7, 7, 7, 7, 2, 5, 5, 2});
  auto out = test::run_cpu(TopKAttrs{TK::kMAX, 3, 0x2}, {x});
  EXPECT_EQ(out[0].values<float>(), (std::vector<float>{7, 7, 7, 5, 5, 2}));
  EXPECT_EQ(out[1].values<int32_t>(), (std::vector<int32_t>{0, 1, 2, 1, 2, 0}));
}

TEST(TopK, NaNIsLargest) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  HostTensor x = HostTensor::f32({5}, {1, nan, 3, nan, -INFINITY});
  auto out = test::run_cpu(TopKAttrs{TK::kMAX, 3, 0x1}, {x});
  std::vector<float> v = out[0].values<float>();
  EXPECT_TRUE(std::isnan(v[0]) && std::isnan(v[1]));
  EXPECT_EQ(v[2], 3.0f);
  EXPECT_EQ(out[1].values<int32_t>(), (std::vector<int32_t>{1, 3, 2}));
  out = test::run_cpu(TopKAttrs{TK::kMIN, 5, 0x1}, {x});
  v = out[0].values<float>();
  EXPECT_EQ(v[0], -INFINITY);
  EXPECT_EQ(v[1], 1.0f);
  EXPECT_EQ(v[2], 3.0f);
  EXPECT_TRUE(std::isnan(v[3]) && std::isnan(v[4]));
  EXPECT_EQ(out[1].values<int32_t>(), (std::vector<int32_t>{4, 0, 2, 1, 3}));
}

// Reference: a stable sort of the indices along the axis (stable = ties by index).
void check_random(DataType type, TK op, int64_t k) {
  Dims dims{3, 7, 4};
  std::vector<float> raw = test::random_floats(volume(dims), 5, -3.0f, 3.0f);
  for (float& f : raw) f = std::round(f * 2.0f) / 2.0f;  // coarse values, so ties occur
  HostTensor x = HostTensor::of(type, dims, raw);
  auto out = test::run_cpu(TopKAttrs{op, static_cast<int32_t>(k), 0x2}, {x});
  ASSERT_EQ(out[0].dims, Dims({3, k, 4}));
  ASSERT_EQ(out[0].type, type);
  std::vector<double> xv = x.values<double>(), vals = out[0].values<double>();
  std::vector<int32_t> idx = out[1].values<int32_t>();
  for (int64_t o = 0; o < 3; ++o) {
    for (int64_t i = 0; i < 4; ++i) {
      std::vector<int64_t> order(7);
      std::iota(order.begin(), order.end(), 0);
      auto at = [&](int64_t j) { return xv[(o * 7 + j) * 4 + i]; };
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return op == TK::kMAX ? at(a) > at(b) : at(a) < at(b);
      });
      for (int64_t j = 0; j < k; ++j) {
        int64_t pos = (o * k + j) * 4 + i;
        ASSERT_EQ(idx[pos], order[j]) << "at " << o << "," << j << "," << i;
        ASSERT_EQ(vals[pos], at(order[j]));
      }
    }
  }
}

TEST(TopK, MiddleAxisAgainstReference) {
  check_random(DataType::kFLOAT, TK::kMAX, 3);
  check_random(DataType::kFLOAT, TK::kMIN, 7);
  check_random(DataType::kHALF, TK::kMAX, 1);
  check_random(DataType::kBF16, TK::kMIN, 4);
  check_random(DataType::kINT32, TK::kMAX, 5);
}

TEST(TopK, Int64KeepsAllBits) {
  // 2^53 + 1 and 2^53 are equal as float/double; int64 must still order them.
  int64_t big = int64_t{1} << 53;
  HostTensor x = HostTensor::of<int64_t>(DataType::kINT64, {3}, {big, big + 1, -big});
  auto out = test::run_cpu(TopKAttrs{TK::kMAX, 2, 0x1}, {x});
  EXPECT_EQ(out[0].values<int64_t>(), (std::vector<int64_t>{big + 1, big}));
  EXPECT_EQ(out[1].values<int32_t>(), (std::vector<int32_t>{1, 0}));
}

TEST(TopK, Inference) {
  auto out = test::infer(TopKAttrs{TK::kMAX, 3, 0x2}, {{DataType::kHALF, {-1, 10}}});
  EXPECT_EQ(out[0].dims, Dims({-1, 3}));
  EXPECT_EQ(out[0].type, DataType::kHALF);
  EXPECT_EQ(out[1].dims, Dims({-1, 3}));
  EXPECT_EQ(out[1].type, DataType::kINT32);
  // The axis size unknown: k cannot be checked yet.
  out = test::infer(TopKAttrs{TK::kMIN, 5, 0x2}, {{DataType::kINT64, {4, -1, 2}}});
  EXPECT_EQ(out[0].dims, Dims({4, 5, 2}));
}

TEST(TopK, Errors) {
  auto run = [](TopKAttrs attrs, ir::TensorDesc x) {
    return error_of([&] { test::infer(attrs, {x}, "top1"); });
  };
  std::string e = run({TK::kMAX, 11, 0x2}, {DataType::kFLOAT, {2, 10}});
  EXPECT_TRUE(contains(e, "[topk 'top1']") && contains(e, "k is 11") && contains(e, "10")) << e;
  e = run({TK::kMAX, 0, 0x2}, {DataType::kFLOAT, {2, 10}});
  EXPECT_TRUE(contains(e, "[topk 'top1']") && contains(e, "k must be at least 1")) << e;
  e = run({TK::kMAX, 1, 0x3}, {DataType::kFLOAT, {2, 10}});
  EXPECT_TRUE(contains(e, "[topk 'top1']") && contains(e, "exactly one axis")) << e;
  e = run({TK::kMAX, 1, 0x4}, {DataType::kFLOAT, {2, 10}});
  EXPECT_TRUE(contains(e, "[topk 'top1']") && contains(e, "rank 2")) << e;
  e = run({TK::kMAX, 1, 0x1}, {DataType::kBOOL, {2, 10}});
  EXPECT_TRUE(contains(e, "[topk 'top1']") && contains(e, "bool")) << e;
}

}  // namespace
}  // namespace kiln
