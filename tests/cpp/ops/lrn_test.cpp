// Tests of the LRN layer (ONNX LRN): inference errors, a hand-checked value, and random cases with
// odd and even windows against a naive double-precision reference.
#include <gtest/gtest.h>

#include <cmath>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

LRNAttrs lrn(int64_t window, float alpha, float beta, float k) {
  return LRNAttrs{window, alpha, beta, k};
}

TEST(LRNInfer, ShapeAndErrors) {
  EXPECT_EQ(infer(lrn(3, 1, 1, 1), {{DataType::kFLOAT, {-1, 4, 5}}})[0].dims, (Dims{-1, 4, 5}));
  expect_error(
      [] {
        infer(lrn(3, 1, 1, 1), {{DataType::kFLOAT, {4, 5}}}, "n");
      },
      {"[lrn 'n'] input [4,5] has rank 2; expected [N, C, spatial...]"});
  expect_error(
      [] {
        infer(lrn(3, 1, 1, 1), {{DataType::kINT32, {1, 4, 5}}}, "n");
      },
      {"[lrn 'n'] input has type int32"});
}

TEST(LRN, HandChecked) {
  // Channels 1, 2, 3; window 3: channel 1 sees 1 and 2 -> 1 / (1 + 0.3/3 * 5)^0.5.
  HostTensor x = HostTensor::f32({1, 3, 1}, {1, 2, 3});
  std::vector<float> y = run_cpu(lrn(3, 0.3f, 0.5f, 1.0f), {x})[0].values<float>();
  EXPECT_NEAR(y[0], 1 / std::sqrt(1 + 0.1 * 5), 1e-6);
  EXPECT_NEAR(y[1], 2 / std::sqrt(1 + 0.1 * 14), 1e-6);
  EXPECT_NEAR(y[2], 3 / std::sqrt(1 + 0.1 * 13), 1e-6);
}

TEST(LRN, MatchesReference) {
  for (uint32_t seed = 0; seed < 50; ++seed) {
    std::mt19937 gen(seed);
    auto pick = [&](uint32_t n) { return static_cast<int64_t>(1 + gen() % n); };
    Dims dims{pick(2), pick(6), pick(3), pick(3)};
    LRNAttrs a = lrn(1 + gen() % 5, 1e-2f * (1 + gen() % 10), 0.75f, 1 + 0.5f * (gen() % 3));
    HostTensor x = HostTensor::f32(dims, random_floats(volume(dims), seed, -3, 3));
    std::vector<float> xv = x.values<float>(), y = run_cpu(a, {x})[0].values<float>();
    int64_t c_n = dims.d[1], sp = dims.d[2] * dims.d[3];
    for (int64_t o = 0; o < volume(dims); ++o) {
      int64_t n = o / (c_n * sp), c = o / sp % c_n, s = o % sp;
      double sum = 0;
      for (int64_t j = c - (a.window - 1) / 2; j <= c + a.window / 2; ++j) {
        if (j >= 0 && j < c_n)
          sum += double(xv[(n * c_n + j) * sp + s]) * xv[(n * c_n + j) * sp + s];
      }
      double want = xv[o] / std::pow(a.k + a.alpha / a.window * sum, a.beta);
      ASSERT_NEAR(y[o], want, 1e-5 + 1e-5 * std::fabs(want)) << "seed " << seed;
    }
  }
}

}  // namespace
}  // namespace kiln::test
