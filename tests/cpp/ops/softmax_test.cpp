// Tests of SoftMax: hand-checked values, stability with large inputs, multi-axis groups against a
// double reference, fp16, and shape inference with -1 dims and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

// Reference: the group of an element is the set of elements equal to it on every axis not in
// `axes`; the key below identifies it.
std::vector<double> reference(const std::vector<double>& x, const Dims& dims, uint32_t axes) {
  auto key = [&](int64_t linear) {
    int64_t k = 0;
    for (int32_t i = dims.nb_dims - 1, scale = 1; i >= 0; --i) {
      int64_t idx = linear % dims.d[i];
      linear /= dims.d[i];
      if (!(axes & (1u << i))) {
        k += idx * scale;
        scale *= static_cast<int32_t>(dims.d[i]);
      }
    }
    return k;
  };
  int64_t n = volume(dims);
  std::vector<double> max(static_cast<size_t>(n), -INFINITY), sum(static_cast<size_t>(n), 0.0);
  for (int64_t i = 0; i < n; ++i) max[key(i)] = std::max(max[key(i)], x[i]);
  for (int64_t i = 0; i < n; ++i) sum[key(i)] += std::exp(x[i] - max[key(i)]);
  std::vector<double> y(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i] - max[key(i)]) / sum[key(i)];
  return y;
}

void check(DataType type, const Dims& dims, uint32_t axes, double tol, uint32_t seed) {
  HostTensor x = HostTensor::of(type, dims, test::random_floats(volume(dims), seed, -4.0f, 4.0f));
  auto out = test::run_cpu(SoftMaxAttrs{axes}, {x});
  ASSERT_EQ(out[0].dims, dims);
  ASSERT_EQ(out[0].type, type);
  std::vector<double> want = reference(x.values<double>(), dims, axes);
  std::vector<double> got = out[0].values<double>();
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], tol * want[i] + 1e-7)
        << "axes 0x" << std::hex << axes << std::dec << " element " << i;
  }
}

TEST(SoftMax, HandChecked) {
  auto out = test::run_cpu(SoftMaxAttrs{1}, {HostTensor::f32({3}, {1, 2, 3})});
  std::vector<float> y = out[0].values<float>();
  EXPECT_NEAR(y[0], 0.09003057, 1e-7);
  EXPECT_NEAR(y[1], 0.24472847, 1e-7);
  EXPECT_NEAR(y[2], 0.66524096, 1e-7);
  // Along axis 0 of [2, 2]: columns [0, ln 3] -> [0.25, 0.75].
  out = test::run_cpu(SoftMaxAttrs{1}, {HostTensor::f32({2, 2}, {0, 5, std::log(3.0f), 5})});
  EXPECT_NEAR(out[0].values<float>()[0], 0.25, 1e-7);
  EXPECT_NEAR(out[0].values<float>()[1], 0.5, 1e-7);
  EXPECT_NEAR(out[0].values<float>()[2], 0.75, 1e-7);
  EXPECT_NEAR(out[0].values<float>()[3], 0.5, 1e-7);
}

TEST(SoftMax, LargeInputsAreStable) {
  // exp(1000) overflows float: only the max-subtracted form gives finite results.
  auto out = test::run_cpu(SoftMaxAttrs{1}, {HostTensor::f32({3}, {1000, 1001, 1002})});
  std::vector<float> y = out[0].values<float>();
  EXPECT_NEAR(y[0], 0.09003057, 1e-7);
  EXPECT_NEAR(y[2], 0.66524096, 1e-7);
  out = test::run_cpu(SoftMaxAttrs{1}, {HostTensor::f32({2}, {-1e30f, 0})});
  EXPECT_EQ(out[0].values<float>(), (std::vector<float>{0, 1}));
}

TEST(SoftMax, RandomSingleAndMultiAxis) {
  uint32_t seed = 1;
  for (uint32_t axes : {0x8u, 0x1u, 0x2u, 0x6u, 0x9u, 0xAu, 0xFu}) {
    check(DataType::kFLOAT, {2, 3, 4, 5}, axes, 1e-6, seed++);
  }
  check(DataType::kFLOAT, {1, 130}, 0x2, 1e-6, seed++);
  check(DataType::kFLOAT, {7}, 0x1, 1e-6, seed++);
}

// fp16 output rounding is 2^-11 relative; the inputs are rounded identically for the reference.
TEST(SoftMax, Half) {
  check(DataType::kHALF, {3, 33}, 0x2, 1e-3, 41);
  check(DataType::kBF16, {4, 3, 5}, 0x5, 8e-3, 42);
}

TEST(SoftMax, Inference) {
  auto out = test::infer(SoftMaxAttrs{0x2}, {{DataType::kHALF, {-1, 10}}});
  EXPECT_EQ(out[0].dims, Dims({-1, 10}));
  EXPECT_EQ(out[0].type, DataType::kHALF);
}

TEST(SoftMax, Errors) {
  std::string e = error_of([] {
    test::infer(SoftMaxAttrs{0}, {{DataType::kFLOAT, {2, 3}}}, "sm1");
  });
  EXPECT_TRUE(contains(e, "[softmax 'sm1']") && contains(e, "axes")) << e;
  e = error_of([] { test::infer(SoftMaxAttrs{0x4}, {{DataType::kFLOAT, {2, 3}}}, "sm1"); });
  EXPECT_TRUE(contains(e, "[softmax 'sm1']") && contains(e, "rank 2")) << e;
  e = error_of([] { test::infer(SoftMaxAttrs{0x1}, {{DataType::kINT32, {2, 3}}}, "sm1"); });
  EXPECT_TRUE(contains(e, "[softmax 'sm1']") && contains(e, "int32")) << e;
}

}  // namespace
}  // namespace kiln
