// Pooling: hand-checked max and average outputs (padding ignored or counted), random cases against
// a direct-loop reference (1-D to 3-D, fp16), shape inference with -1 dims, and error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

PoolingAttrs pool_attrs(PoolingType type, const Dims& window, const Dims& stride, const Dims& pre,
                        const Dims& post, bool exclude_padding = true) {
  PoolingAttrs a;
  a.type = type;
  a.window = window;
  a.stride = stride;
  a.pre_padding = pre;
  a.post_padding = post;
  a.average_count_excludes_padding = exclude_padding;
  return a;
}

void expect_values(const HostTensor& got, const Dims& dims, const std::vector<float>& want) {
  ASSERT_EQ(got.dims, dims);
  std::vector<float> v = got.values<float>();
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_FLOAT_EQ(v[i], want[i]) << "element " << i;
}

std::vector<float> iota(int n, float start = 1.0f, float step = 1.0f) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i);
  return v;
}

// ---- hand-checked cases -------------------------------------------------------------------------

TEST(PoolingTest, HandCheckedMaxAndAverage2x2) {
  // 4x4 of 1..16 in 2x2 blocks, over two channels (the second is the first + 100).
  std::vector<float> v = iota(16);
  std::vector<float> v2 = iota(16, 101.0f);
  v.insert(v.end(), v2.begin(), v2.end());
  HostTensor x = HostTensor::f32({1, 2, 4, 4}, v);
  auto out = test::run_cpu(pool_attrs(PoolingType::kMAX, {2, 2}, {2, 2}, {0, 0}, {0, 0}), {x});
  expect_values(out[0], {1, 2, 2, 2}, {6, 8, 14, 16, 106, 108, 114, 116});
  out = test::run_cpu(pool_attrs(PoolingType::kAVERAGE, {2, 2}, {2, 2}, {0, 0}, {0, 0}), {x});
  expect_values(out[0], {1, 2, 2, 2}, {3.5f, 5.5f, 11.5f, 13.5f, 103.5f, 105.5f, 111.5f, 113.5f});
}

TEST(PoolingTest, HandCheckedAverageExcludesPadding) {
  // 3x3 of 1..9, 3x3 window, stride 1, padding 1: window sums 12 21 16 / 27 45 33 / 24 39 28
  // over 4 (corners), 6 (edges) or 9 (centre) input elements.
  HostTensor x = HostTensor::f32({1, 1, 3, 3}, iota(9));
  auto a = pool_attrs(PoolingType::kAVERAGE, {3, 3}, {1, 1}, {1, 1}, {1, 1}, true);
  auto out = test::run_cpu(a, {x});
  expect_values(out[0], {1, 1, 3, 3}, {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7});
}

TEST(PoolingTest, HandCheckedAverageCountsPadding) {
  // As above but every window divides by 9.
  HostTensor x = HostTensor::f32({1, 1, 3, 3}, iota(9));
  auto a = pool_attrs(PoolingType::kAVERAGE, {3, 3}, {1, 1}, {1, 1}, {1, 1}, false);
  auto out = test::run_cpu(a, {x});
  expect_values(
      out[0], {1, 1, 3, 3},
      {12.0f / 9, 21.0f / 9, 16.0f / 9, 3, 5, 33.0f / 9, 24.0f / 9, 39.0f / 9, 28.0f / 9});
}

TEST(PoolingTest, HandCheckedMaxIgnoresPadding) {
  // All inputs negative (-1..-9): padding read as 0 would win every edge window.
  HostTensor x = HostTensor::f32({1, 1, 3, 3}, iota(9, -1.0f, -1.0f));
  auto a = pool_attrs(PoolingType::kMAX, {2, 2}, {1, 1}, {1, 1}, {1, 1});
  auto out = test::run_cpu(a, {x});
  expect_values(out[0], {1, 1, 4, 4},
                {-1, -1, -2, -3, -1, -1, -2, -3, -4, -4, -5, -6, -7, -7, -8, -9});
}

TEST(PoolingTest, HandCheckedAsymmetricPadding1D) {
  // [1,2,3,4,5], window 2, stride 2, one pad after only: windows [1,2] [3,4] [5,pad].
  HostTensor x = HostTensor::f32({1, 1, 5}, iota(5));
  auto out = test::run_cpu(pool_attrs(PoolingType::kAVERAGE, {2}, {2}, {0}, {1}), {x});
  expect_values(out[0], {1, 1, 3}, {1.5f, 3.5f, 5});
  out = test::run_cpu(pool_attrs(PoolingType::kAVERAGE, {2}, {2}, {0}, {1}, false), {x});
  expect_values(out[0], {1, 1, 3}, {1.5f, 3.5f, 2.5f});
  // One pad before instead: [pad,1] [2,3] [4,5].
  out = test::run_cpu(pool_attrs(PoolingType::kMAX, {2}, {2}, {1}, {0}), {x});
  expect_values(out[0], {1, 1, 3}, {1, 3, 5});
}

TEST(PoolingTest, MaxPropagatesNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  HostTensor x = HostTensor::f32({1, 1, 4}, {nan, 1, 2, nan});
  auto out = test::run_cpu(pool_attrs(PoolingType::kMAX, {2}, {2}, {0}, {0}), {x});
  std::vector<float> v = out[0].values<float>();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_TRUE(std::isnan(v[0]));  // NaN first in its window
  EXPECT_TRUE(std::isnan(v[1]));  // NaN last in its window
}

// ---- random cases against direct loops ----------------------------------------------------------

struct PoolCase {
  const char* name;
  Dims x;
  Dims window, stride, pre, post;
};

std::vector<PoolCase> pool_cases() {
  return {
      {"2d_overlapping", {2, 3, 7, 8}, {3, 3}, {2, 2}, {1, 1}, {1, 1}},
      {"2d_rect_asymmetric", {1, 2, 9, 6}, {2, 3}, {3, 1}, {1, 0}, {0, 2}},
      {"2d_global", {2, 4, 5, 6}, {5, 6}, {1, 1}, {0, 0}, {0, 0}},
      {"1d", {3, 2, 11}, {3}, {2}, {2}, {1}},
      {"3d", {1, 3, 5, 6, 4}, {2, 3, 2}, {2, 1, 2}, {1, 1, 0}, {0, 1, 1}},
      {"3d_stride_gt_window", {2, 1, 7, 7, 7}, {2, 2, 1}, {3, 3, 2}, {0, 1, 0}, {1, 0, 0}},
  };
}

std::vector<int64_t> coords_of(int64_t flat, const std::vector<int64_t>& dims) {
  std::vector<int64_t> c(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    c[i] = flat % dims[i];
    flat /= dims[i];
  }
  return c;
}

// Direct pooling in double: walks every window position, skipping the ones in the padding.
std::vector<double> reference_pool(const PoolingAttrs& a, const Dims& xd,
                                   const std::vector<float>& x, Dims& yd) {
  const int32_t rank = a.window.nb_dims;
  std::vector<int64_t> in_sp, out_sp, win;
  yd = xd;
  for (int32_t i = 0; i < rank; ++i) {
    in_sp.push_back(xd.d[2 + i]);
    win.push_back(a.window.d[i]);
    yd.d[2 + i] =
        (xd.d[2 + i] + a.pre_padding.d[i] + a.post_padding.d[i] - a.window.d[i]) / a.stride.d[i] +
        1;
    out_sp.push_back(yd.d[2 + i]);
  }
  int64_t in_vol = 1, out_vol = 1, win_vol = 1;
  for (int32_t i = 0; i < rank; ++i) in_vol *= in_sp[i], out_vol *= out_sp[i], win_vol *= win[i];
  const int64_t planes = xd.d[0] * xd.d[1];
  std::vector<double> y(static_cast<size_t>(planes * out_vol));
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t o = 0; o < out_vol; ++o) {
      std::vector<int64_t> oc = coords_of(o, out_sp);
      double best = -INFINITY, sum = 0.0;
      int64_t count = 0;
      for (int64_t k = 0; k < win_vol; ++k) {
        std::vector<int64_t> kc = coords_of(k, win);
        int64_t flat = 0;
        bool inside = true;
        for (int32_t i = 0; i < rank; ++i) {
          int64_t pos = oc[i] * a.stride.d[i] - a.pre_padding.d[i] + kc[i];
          if (pos < 0 || pos >= in_sp[i]) inside = false;
          flat = flat * in_sp[i] + pos;
        }
        if (!inside) continue;
        double v = x[p * in_vol + flat];
        best = std::max(best, v);
        sum += v;
        ++count;
      }
      if (a.type == PoolingType::kMAX) {
        y[p * out_vol + o] = best;
      } else {
        y[p * out_vol + o] =
            sum / static_cast<double>(a.average_count_excludes_padding ? count : win_vol);
      }
    }
  }
  return y;
}

// |got - want| <= rel_tol * |want| + abs_tol for every output, for max and both average modes.
void check_random(DataType type, double rel_tol, double abs_tol, uint32_t seed) {
  for (const PoolCase& c : pool_cases()) {
    for (int mode = 0; mode < 3; ++mode) {
      PoolingType kind = mode == 0 ? PoolingType::kMAX : PoolingType::kAVERAGE;
      PoolingAttrs a = pool_attrs(kind, c.window, c.stride, c.pre, c.post, mode != 2);
      SCOPED_TRACE(std::string(c.name) + (mode == 0   ? " max"
                                          : mode == 1 ? " avg"
                                                      : " avg_incl_pad"));
      HostTensor x = HostTensor::of(type, c.x, test::random_floats(volume(c.x), seed++));
      Dims yd;
      std::vector<double> want = reference_pool(a, c.x, x.values<float>(), yd);
      auto out = test::run_cpu(a, {x}, "pool");
      ASSERT_EQ(out[0].type, type);
      ASSERT_EQ(out[0].dims, yd);
      std::vector<float> got = out[0].values<float>();
      int failures = 0;
      for (size_t i = 0; i < got.size() && failures < 10; ++i) {
        // A maximum is one of the inputs: exact in any type.
        double tol = kind == PoolingType::kMAX ? 0.0 : rel_tol * std::fabs(want[i]) + abs_tol;
        if (!(std::fabs(got[i] - want[i]) <= tol)) {
          ++failures;
          ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want " << want[i];
        }
      }
    }
  }
}

TEST(PoolingTest, RandomFloat32MatchesDirectLoops) {
  // Averages of at most 30 values in [-1, 1): float32 sums are good to ~1e-6.
  check_random(DataType::kFLOAT, 1e-5, 1e-6, 1);
}

TEST(PoolingTest, RandomFloat16MatchesDirectLoops) {
  // One rounding of the fp32 average to fp16: relative 2^-11 ~ 4.9e-4, plus fp16's subnormal step.
  check_random(DataType::kHALF, 1e-3, 1e-7, 1000);
}

TEST(PoolingTest, RandomBFloat16MatchesDirectLoops) {
  // One rounding to bfloat16: relative 2^-8 ~ 3.9e-3.
  check_random(DataType::kBF16, 8e-3, 1e-7, 2000);
}

// ---- shape inference ----------------------------------------------------------------------------

TEST(PoolingTest, InferStaticShape) {
  auto a = pool_attrs(PoolingType::kMAX, {3, 2}, {2, 2}, {1, 0}, {0, 1});
  auto out = test::infer(a, {{DataType::kBF16, {2, 5, 10, 7}}});
  EXPECT_EQ(out[0].type, DataType::kBF16);
  // (10 + 1 - 3) / 2 + 1 = 5; (7 + 1 - 2) / 2 + 1 = 4.
  EXPECT_EQ(out[0].dims, (Dims{2, 5, 5, 4}));
  auto b = pool_attrs(PoolingType::kAVERAGE, {2, 2, 3}, {1, 2, 3}, {0, 1, 0}, {0, 0, 2});
  out = test::infer(b, {{DataType::kFLOAT, {1, 2, 4, 5, 9}}});
  EXPECT_EQ(out[0].dims, (Dims{1, 2, 3, 3, 3}));
}

TEST(PoolingTest, InferDynamicDims) {
  auto a = pool_attrs(PoolingType::kMAX, {2, 2}, {2, 2}, {0, 0}, {0, 0});
  auto out = test::infer(a, {{DataType::kFLOAT, {-1, -1, 8, -1}}});
  EXPECT_EQ(out[0].dims, (Dims{-1, -1, 4, -1}));
  // A 3-wide window on an unknown dim is not checked yet.
  auto b = pool_attrs(PoolingType::kMAX, {3}, {1}, {0}, {0});
  out = test::infer(b, {{DataType::kHALF, {1, 3, -1}}});
  EXPECT_EQ(out[0].dims, (Dims{1, 3, -1}));
}

// ---- errors -------------------------------------------------------------------------------------

const char* kLayer = "[pooling 'pool1']";

void infer_pool1(const PoolingAttrs& a, const ir::TensorDesc& x) {
  test::infer(a, {x}, "pool1");
}

TEST(PoolingTest, ErrorWindowLargerThanPaddedInput) {
  auto a = pool_attrs(PoolingType::kMAX, {3, 3}, {1, 1}, {0, 0}, {0, 1});
  expect_error(
      [&] {
        infer_pool1(a, {DataType::kFLOAT, {1, 1, 5, 1}});
      },
      {kLayer, "spatial dim 1", "input is 1 (2 with padding)", "window is 3"});
}

TEST(PoolingTest, ErrorBadRanks) {
  auto a = pool_attrs(PoolingType::kMAX, {2, 2}, {2, 2}, {0, 0}, {0, 0});
  expect_error(
      [&] {
        infer_pool1(a, {DataType::kFLOAT, {1, 1, 8, 8, 8}});
      },
      {kLayer, "input [1,1,8,8,8] has 5 dims", "needs 4"});
  auto s = pool_attrs(PoolingType::kMAX, {2, 2}, {2}, {0, 0}, {0, 0});
  expect_error(
      [&] {
        infer_pool1(s, {DataType::kFLOAT, {1, 1, 8, 8}});
      },
      {kLayer, "stride [2] has 1 dims", "2 spatial dims"});
  auto p = pool_attrs(PoolingType::kMAX, {2, 2}, {2, 2}, {0, 0}, {0, 0, 0});
  expect_error(
      [&] {
        infer_pool1(p, {DataType::kFLOAT, {1, 1, 8, 8}});
      },
      {kLayer, "post_padding [0,0,0] has 3 dims"});
  auto empty = pool_attrs(PoolingType::kMAX, {}, {}, {}, {});
  expect_error(
      [&] {
        infer_pool1(empty, {DataType::kFLOAT, {1, 1}});
      },
      {kLayer, "expected 1, 2 or 3"});
}

TEST(PoolingTest, ErrorBadParameters) {
  const ir::TensorDesc x{DataType::kFLOAT, {1, 1, 8, 8}};
  auto a = pool_attrs(PoolingType::kMAX, {2, 0}, {1, 1}, {0, 0}, {0, 0});
  expect_error([&] { infer_pool1(a, x); }, {kLayer, "window [2,0] must be >= 1", "dim 1 is 0"});
  a = pool_attrs(PoolingType::kMAX, {2, 2}, {0, 1}, {0, 0}, {0, 0});
  expect_error([&] { infer_pool1(a, x); }, {kLayer, "stride [0,1] must be >= 1"});
  a = pool_attrs(PoolingType::kMAX, {2, 2}, {1, 1}, {0, -1}, {0, 0});
  expect_error([&] { infer_pool1(a, x); }, {kLayer, "pre_padding [0,-1] must be >= 0"});
  // Padding as large as the window would leave windows with only padding in them.
  a = pool_attrs(PoolingType::kAVERAGE, {2, 3}, {1, 1}, {0, 0}, {2, 0});
  expect_error([&] { infer_pool1(a, x); }, {kLayer, "padding 2 in spatial dim 0", "window 2"});
  a = pool_attrs(PoolingType::kMAX, {2, 2}, {2, 2}, {0, 0}, {0, 0});
  expect_error(
      [&] {
        infer_pool1(a, {DataType::kINT32, {1, 1, 8, 8}});
      },
      {kLayer, "input has type int32"});
}

}  // namespace
}  // namespace kiln
