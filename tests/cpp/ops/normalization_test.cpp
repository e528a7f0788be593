// Tests of Normalization: a hand-checked layer norm, layer/instance/group norm against a double
// reference with broadcast scale and bias, fp16, and shape inference with -1 dims and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

TEST(Normalization, HandCheckedLayerNorm) {
  // x = [1 2 3 4]: mean 2.5, variance 1.25, 1 / sqrt(1.25) = 0.894427191.
  HostTensor x = HostTensor::f32({1, 4}, {1, 2, 3, 4});
  HostTensor scale = HostTensor::f32({4}, {1, 1, 2, 2});
  HostTensor bias = HostTensor::f32({1, 1}, {10});
  auto out = test::run_cpu(NormalizationAttrs{0x2, 0.0f, 1}, {x, scale, bias});
  std::vector<float> y = out[0].values<float>();
  EXPECT_NEAR(y[0], 10 - 1.3416408, 1e-5);
  EXPECT_NEAR(y[1], 10 - 0.4472136, 1e-5);
  EXPECT_NEAR(y[2], 10 + 2 * 0.4472136, 1e-5);
  EXPECT_NEAR(y[3], 10 + 2 * 1.3416408, 1e-5);
  // epsilon enters under the square root: var 1.25 + 2.75 = 4, so y = (x - 2.5) / 2.
  out = test::run_cpu(NormalizationAttrs{0x2, 2.75f, 1},
                      {x, HostTensor::f32({1}, {1}), HostTensor::f32({1}, {0})});
  EXPECT_EQ(out[0].values<float>(), (std::vector<float>{-0.75, -0.25, 0.25, 0.75}));
}

// Reference: each element's group is keyed by its index on the axes not normalized and, when
// grouped, by its channel's group; mean and biased variance in double.
std::vector<double> reference(const HostTensor& x, const HostTensor& scale, const HostTensor& bias,
                              uint32_t axes, int64_t groups, double eps) {
  const Dims& d = x.dims;
  int64_t n = volume(d);
  std::vector<double> xv = x.values<double>(), sv = scale.values<double>(),
                      bv = bias.values<double>();
  auto index = [&](int64_t e) {
    std::vector<int64_t> idx(static_cast<size_t>(d.nb_dims));
    for (int32_t i = d.nb_dims - 1; i >= 0; --i) {
      idx[i] = e % d.d[i];
      e /= d.d[i];
    }
    return idx;
  };
  auto key = [&](int64_t e) {
    std::vector<int64_t> idx = index(e);
    int64_t k = 0;
    for (int32_t i = 0; i < d.nb_dims; ++i) {
      if (axes & (1u << i)) continue;
      int64_t v = (i == 1 && groups > 1) ? idx[i] / (d.d[1] / groups) : idx[i];
      k = k * d.d[i] + v;
    }
    return k;
  };
  // Broadcast read of scale/bias at element e.
  auto affine = [&](const HostTensor& p, const std::vector<double>& v, int64_t e) {
    std::vector<int64_t> idx = index(e);
    int64_t off = 0;
    for (int32_t j = 0; j < p.dims.nb_dims; ++j) {
      int32_t i = d.nb_dims - p.dims.nb_dims + j;
      off = off * p.dims.d[j] + (p.dims.d[j] == 1 ? 0 : idx[i]);
    }
    return v[off];
  };
  std::vector<double> sum(static_cast<size_t>(n), 0.0), cnt(static_cast<size_t>(n), 0.0),
      sq(static_cast<size_t>(n), 0.0);
  for (int64_t e = 0; e < n; ++e) {
    sum[key(e)] += xv[e];
    cnt[key(e)] += 1;
  }
  for (int64_t e = 0; e < n; ++e) {
    double dev = xv[e] - sum[key(e)] / cnt[key(e)];
    sq[key(e)] += dev * dev;
  }
  std::vector<double> y(static_cast<size_t>(n));
  for (int64_t e = 0; e < n; ++e) {
    int64_t k = key(e);
    double norm = (xv[e] - sum[k] / cnt[k]) / std::sqrt(sq[k] / cnt[k] + eps);
    y[e] = norm * affine(scale, sv, e) + affine(bias, bv, e);
  }
  return y;
}

void check(DataType type, const Dims& dx, const Dims& dp, uint32_t axes, int64_t groups, double tol,
           uint32_t seed) {
  // An offset of 3 makes a one-pass E[x^2] - E[x]^2 lose digits that the two-pass form keeps.
  HostTensor x = HostTensor::of(type, dx, test::random_floats(volume(dx), seed, 2.0f, 4.0f));
  HostTensor scale =
      HostTensor::of(type, dp, test::random_floats(volume(dp), seed + 1, 0.5f, 2.0f));
  HostTensor bias = HostTensor::of(type, dp, test::random_floats(volume(dp), seed + 2));
  float eps = 1e-5f;
  auto out = test::run_cpu(NormalizationAttrs{axes, eps, groups}, {x, scale, bias});
  ASSERT_EQ(out[0].dims, dx);
  ASSERT_EQ(out[0].type, type);
  std::vector<double> want = reference(x, scale, bias, axes, groups, eps);
  std::vector<double> got = out[0].values<double>();
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], tol * (1.0 + std::abs(want[i]))) << "element " << i;
  }
}

TEST(Normalization, LayerNorm) {
  check(DataType::kFLOAT, {2, 3, 8}, {1, 1, 8}, 0x4, 1, 1e-5, 1);
  check(DataType::kFLOAT, {2, 3, 8}, {3, 8}, 0x6, 1, 1e-5, 2);
  check(DataType::kFLOAT, {5, 130}, {130}, 0x2, 1, 1e-5, 3);
}

TEST(Normalization, InstanceNorm) {
  check(DataType::kFLOAT, {2, 3, 4, 5}, {1, 3, 1, 1}, 0xC, 1, 1e-5, 11);
  check(DataType::kFLOAT, {1, 7, 33}, {1, 7, 1}, 0x4, 1, 1e-5, 12);
}

TEST(Normalization, GroupNorm) {
  check(DataType::kFLOAT, {2, 6, 3, 3}, {1, 6, 1, 1}, 0xC, 3, 1e-5, 21);
  check(DataType::kFLOAT, {2, 6, 3, 3}, {1, 6, 1, 1}, 0xC, 6, 1e-5, 22);
  check(DataType::kFLOAT, {3, 8, 5}, {1, 8, 1}, 0x4, 2, 1e-5, 23);
  // No spatial axes: the channels of each group are all that is normalized.
  check(DataType::kFLOAT, {4, 12}, {12}, 0x0, 4, 1e-5, 24);
}

// fp16 output rounding: 2^-11 relative; bf16: 2^-8.
TEST(Normalization, HalfAndBfloat16) {
  check(DataType::kHALF, {2, 4, 33}, {1, 1, 33}, 0x4, 1, 2e-3, 31);
  check(DataType::kBF16, {2, 6, 3, 3}, {1, 6, 1, 1}, 0xC, 2, 1e-2, 32);
}

TEST(Normalization, InferenceWithUnknownDims) {
  DataType f = DataType::kFLOAT;
  auto out = test::infer(NormalizationAttrs{0xC, 1e-5f, 4},
                         {{f, {-1, -1, -1, -1}}, {f, {1, -1, 1, 1}}, {f, {1, 8, 1, 1}}});
  EXPECT_EQ(out[0].dims, Dims({-1, -1, -1, -1}));
  out = test::infer(NormalizationAttrs{0x4, 1e-5f, 1},
                    {{f, {-1, 5, 16}}, {f, {16}}, {f, {1, 1, 16}}});
  EXPECT_EQ(out[0].dims, Dims({-1, 5, 16}));
}

TEST(Normalization, Errors) {
  DataType f = DataType::kFLOAT;
  auto run = [](NormalizationAttrs attrs, std::vector<ir::TensorDesc> in) {
    return error_of([&] { test::infer(attrs, in, "gn1"); });
  };
  std::string e = run({0xC, 1e-5f, 4}, {{f, {2, 6, 3, 3}}, {f, {1, 6, 1, 1}}, {f, {1, 6, 1, 1}}});
  EXPECT_TRUE(contains(e, "[normalization 'gn1']") && contains(e, "6") &&
              contains(e, "divisible by num_groups 4"))
      << e;
  e = run({0xE, 1e-5f, 2}, {{f, {2, 6, 3, 3}}, {f, {1, 6, 1, 1}}, {f, {1, 6, 1, 1}}});
  EXPECT_TRUE(contains(e, "[normalization 'gn1']") && contains(e, "dim 1")) << e;
  e = run({0xC, 1e-5f, 1}, {{f, {2, 6, 3, 3}}, {f, {1, 6, 2, 1}}, {f, {1, 6, 1, 1}}});
  EXPECT_TRUE(contains(e, "[normalization 'gn1']") && contains(e, "scale [1,6,2,1]") &&
              contains(e, "[2,6,3,3]"))
      << e;
  e = run({0x6, 1e-5f, 1}, {{f, {6, 3, 3}}, {f, {1, 1, 1, 1}}, {f, {1, 1, 1}}});
  EXPECT_TRUE(contains(e, "[normalization 'gn1']") && contains(e, "scale")) << e;
  e = run({0x2, 1e-5f, 1}, {{f, {2, 6}}, {f, {6}}, {DataType::kHALF, {6}}});
  EXPECT_TRUE(contains(e, "[normalization 'gn1']") && contains(e, "float16")) << e;
  e = run({0x0, 1e-5f, 1}, {{f, {2, 6}}, {f, {6}}, {f, {6}}});
  EXPECT_TRUE(contains(e, "[normalization 'gn1']") && contains(e, "axes")) << e;
  e = run({0x4, 1e-5f, 1}, {{f, {2, 6}}, {f, {6}}, {f, {6}}});
  EXPECT_TRUE(contains(e, "[normalization 'gn1']") && contains(e, "rank 2")) << e;
  e = run({0x2, 1e-5f, 1}, {{f, {2, 6}}, {f, {6}}});
  EXPECT_TRUE(contains(e, "[normalization 'gn1']") && contains(e, "3 inputs")) << e;
}

}  // namespace
}  // namespace kiln
