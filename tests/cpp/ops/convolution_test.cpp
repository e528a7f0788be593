// Convolution: hand-checked outputs, random cases against a direct-loop reference (1-D to 3-D,
// stride, padding, dilation, groups, fp16/bf16), shape inference with -1 dims, and error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

ConvolutionAttrs conv_attrs(int64_t maps, const Dims& kernel, const Dims& stride, const Dims& pre,
                            const Dims& post, const Dims& dilation, int64_t groups = 1) {
  ConvolutionAttrs a;
  a.num_output_maps = maps;
  a.kernel_shape = kernel;
  a.stride = stride;
  a.pre_padding = pre;
  a.post_padding = post;
  a.dilation = dilation;
  a.num_groups = groups;
  return a;
}

// A 2-D convolution with stride 1, no padding, no dilation.
ConvolutionAttrs plain2d(int64_t maps, int64_t kh, int64_t kw) {
  return conv_attrs(maps, {kh, kw}, {1, 1}, {0, 0}, {0, 0}, {1, 1});
}

HostTensor no_bias() {
  HostTensor t;
  t.dims.nb_dims = -1;
  return t;
}

void expect_values(const HostTensor& got, const Dims& dims, const std::vector<float>& want) {
  ASSERT_EQ(got.dims, dims);
  std::vector<float> v = got.values<float>();
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_FLOAT_EQ(v[i], want[i]) << "element " << i;
}

// ---- hand-checked cases -------------------------------------------------------------------------

TEST(ConvolutionTest, HandChecked2DWithBias) {
  // x = [[1,2,3],[4,5,6],[7,8,9]], kernel [[1,2],[3,4]], bias 0.5.
  HostTensor x = HostTensor::f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  HostTensor w = HostTensor::f32({1, 1, 2, 2}, {1, 2, 3, 4});
  HostTensor b = HostTensor::f32({1}, {0.5f});
  auto out = test::run_cpu(plain2d(1, 2, 2), {x, w, b});
  // 1+4+12+20, 2+6+15+24, 4+10+21+32, 5+12+24+36, each + 0.5.
  expect_values(out[0], {1, 1, 2, 2}, {37.5f, 47.5f, 67.5f, 77.5f});
}

TEST(ConvolutionTest, HandCheckedPaddingAndStride) {
  // A 3x3 box filter, padding 1, stride 2: the four corners' 2x2 neighbourhood sums.
  HostTensor x = HostTensor::f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  HostTensor w = HostTensor::f32({1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  auto a = conv_attrs(1, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1});
  auto out = test::run_cpu(a, {x, w, no_bias()});
  expect_values(out[0], {1, 1, 2, 2}, {12, 16, 24, 28});
}

TEST(ConvolutionTest, HandCheckedAsymmetricPadding) {
  // Padding one zero before the row only: [0,1,2,3] * [1,10] -> 10, 21, 32.
  HostTensor x = HostTensor::f32({1, 1, 1, 3}, {1, 2, 3});
  HostTensor w = HostTensor::f32({1, 1, 1, 2}, {1, 10});
  auto a = conv_attrs(1, {1, 2}, {1, 1}, {0, 1}, {0, 0}, {1, 1});
  auto out = test::run_cpu(a, {x, w});
  expect_values(out[0], {1, 1, 1, 3}, {10, 21, 32});
}

TEST(ConvolutionTest, HandCheckedDilation1D) {
  // kernel [1, -1] with dilation 2: x[i] - x[i+2].
  HostTensor x = HostTensor::f32({1, 1, 5}, {1, 2, 4, 8, 16});
  HostTensor w = HostTensor::f32({1, 1, 2}, {1, -1});
  auto a = conv_attrs(1, {2}, {1}, {0}, {0}, {2});
  auto out = test::run_cpu(a, {x, w});
  expect_values(out[0], {1, 1, 3}, {-3, -6, -12});
}

TEST(ConvolutionTest, HandCheckedGroups) {
  // Two groups of one channel each: map 0 sees only channel 0, map 1 only channel 1.
  HostTensor x = HostTensor::f32({1, 2, 1, 2}, {1, 2, 3, 4});
  HostTensor w = HostTensor::f32({2, 1, 1, 1}, {10, 100});
  HostTensor b = HostTensor::f32({2}, {1, -1});
  auto a = conv_attrs(2, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {1, 1}, 2);
  auto out = test::run_cpu(a, {x, w, b});
  expect_values(out[0], {1, 2, 1, 2}, {11, 21, 299, 399});
}

TEST(ConvolutionTest, HandCheckedBatchAndMaps) {
  // Batch 2, two maps over two channels, 1x1 kernel: map 0 = c0 + c1, map 1 = c0 - 2*c1.
  HostTensor x = HostTensor::f32({2, 2, 1, 1}, {1, 2, 3, 5});
  HostTensor w = HostTensor::f32({2, 2, 1, 1}, {1, 1, 1, -2});
  auto out = test::run_cpu(plain2d(2, 1, 1), {x, w});
  expect_values(out[0], {2, 2, 1, 1}, {3, -3, 8, -7});
}

// ---- random cases against direct loops ----------------------------------------------------------

struct ConvCase {
  const char* name;
  Dims x;  // [N, C, spatial...]
  ConvolutionAttrs attrs;
  bool bias;
};

std::vector<ConvCase> conv_cases() {
  return {
      {"2d_same", {2, 3, 7, 9}, conv_attrs(4, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}), true},
      {"2d_stride_dilation_groups",
       {1, 4, 11, 8},
       conv_attrs(6, {3, 2}, {2, 3}, {1, 0}, {2, 1}, {2, 1}, 2),
       true},
      {"2d_depthwise",
       {2, 5, 6, 6},
       conv_attrs(5, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, 5),
       true},
      {"2d_pointwise", {2, 6, 5, 4}, conv_attrs(3, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {1, 1}), false},
      {"2d_pointwise_strided_padded",
       {1, 3, 5, 5},
       conv_attrs(2, {1, 1}, {2, 2}, {1, 0}, {0, 1}, {1, 1}),
       true},
      {"2d_pad_beyond_kernel",
       {1, 2, 3, 4},
       conv_attrs(3, {2, 2}, {1, 2}, {3, 2}, {2, 3}, {1, 1}),
       true},
      {"1d", {3, 2, 10}, conv_attrs(3, {4}, {3}, {2}, {1}, {2}), true},
      {"1d_groups", {2, 6, 9}, conv_attrs(9, {3}, {1}, {0}, {2}, {1}, 3), false},
      {"3d",
       {1, 2, 5, 4, 6},
       conv_attrs(3, {2, 3, 2}, {1, 2, 1}, {1, 0, 1}, {0, 1, 1}, {1, 1, 2}),
       true},
      {"3d_groups",
       {2, 4, 3, 4, 3},
       conv_attrs(6, {1, 2, 2}, {1, 1, 2}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}, 2),
       true},
      {"mnist_conv1", {1, 1, 28, 28}, conv_attrs(32, {5, 5}, {1, 1}, {2, 2}, {2, 2}, {1, 1}), true},
      {"mnist_conv2",
       {1, 32, 14, 14},
       conv_attrs(64, {5, 5}, {1, 1}, {2, 2}, {2, 2}, {1, 1}),
       true},
  };
}

// Output spatial size by the documented formula (kept apart from the op's own inference).
Dims expected_output_dims(const Dims& x, const ConvolutionAttrs& a) {
  Dims out = x;
  out.d[1] = a.num_output_maps;
  for (int32_t i = 0; i < a.kernel_shape.nb_dims; ++i) {
    int64_t span = a.dilation.d[i] * (a.kernel_shape.d[i] - 1) + 1;
    out.d[2 + i] =
        (x.d[2 + i] + a.pre_padding.d[i] + a.post_padding.d[i] - span) / a.stride.d[i] + 1;
  }
  return out;
}

// Splits a flat index into coordinates of `dims` (row-major).
std::vector<int64_t> coords_of(int64_t flat, const std::vector<int64_t>& dims) {
  std::vector<int64_t> c(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    c[i] = flat % dims[i];
    flat /= dims[i];
  }
  return c;
}

// Direct convolution in double. magnitude[i] = sum of |x * w| (+ |bias|) for output i: the scale
// against which float32 rounding is judged.
void reference_conv(const Dims& xd, const ConvolutionAttrs& a, const std::vector<float>& x,
                    const std::vector<float>& w, const std::vector<float>* bias,
                    std::vector<double>& value, std::vector<double>& magnitude) {
  const int32_t rank = a.kernel_shape.nb_dims;
  const Dims yd = expected_output_dims(xd, a);
  std::vector<int64_t> in_sp, out_sp, k_sp;
  for (int32_t i = 0; i < rank; ++i) {
    in_sp.push_back(xd.d[2 + i]);
    out_sp.push_back(yd.d[2 + i]);
    k_sp.push_back(a.kernel_shape.d[i]);
  }
  int64_t in_vol = 1, out_vol = 1, k_vol = 1;
  for (int32_t i = 0; i < rank; ++i) in_vol *= in_sp[i], out_vol *= out_sp[i], k_vol *= k_sp[i];
  const int64_t n_batch = xd.d[0], channels = xd.d[1], maps = a.num_output_maps;
  const int64_t cg = channels / a.num_groups, mg = maps / a.num_groups;
  value.assign(static_cast<size_t>(n_batch * maps * out_vol), 0.0);
  magnitude.assign(value.size(), 0.0);
  std::vector<std::vector<int64_t>> taps;  // kernel coordinates of each flat tap
  for (int64_t k = 0; k < k_vol; ++k) taps.push_back(coords_of(k, k_sp));
  for (int64_t n = 0; n < n_batch; ++n) {
    for (int64_t m = 0; m < maps; ++m) {
      const int64_t group = m / mg;
      for (int64_t o = 0; o < out_vol; ++o) {
        std::vector<int64_t> oc = coords_of(o, out_sp);
        double acc = bias ? (*bias)[m] : 0.0;
        double mag = bias ? std::fabs((*bias)[m]) : 0.0;
        for (int64_t c = 0; c < cg; ++c) {
          for (int64_t k = 0; k < k_vol; ++k) {
            const std::vector<int64_t>& kc = taps[k];
            int64_t in_flat = 0;
            bool inside = true;
            for (int32_t i = 0; i < rank; ++i) {
              int64_t p = oc[i] * a.stride.d[i] - a.pre_padding.d[i] + kc[i] * a.dilation.d[i];
              if (p < 0 || p >= in_sp[i]) inside = false;
              in_flat = in_flat * in_sp[i] + p;
            }
            if (!inside) continue;
            double xv = x[((n * channels) + group * cg + c) * in_vol + in_flat];
            double wv = w[(m * cg + c) * k_vol + k];
            acc += xv * wv;
            mag += std::fabs(xv * wv);
          }
        }
        value[(n * maps + m) * out_vol + o] = acc;
        magnitude[(n * maps + m) * out_vol + o] = mag;
      }
    }
  }
}

// Runs one case with fresh random values stored in the given types and checks every output
// against the reference: |got - want| <= rel_tol * magnitude + 1e-6.
void check_case(const ConvCase& c, DataType x_type, DataType w_type, DataType b_type,
                double rel_tol, uint32_t seed) {
  SCOPED_TRACE(c.name);
  const ConvolutionAttrs& a = c.attrs;
  const int64_t channels = c.x.d[1];
  Dims wd;
  wd.nb_dims = a.kernel_shape.nb_dims + 2;
  wd.d[0] = a.num_output_maps;
  wd.d[1] = channels / a.num_groups;
  for (int32_t i = 0; i < a.kernel_shape.nb_dims; ++i) wd.d[2 + i] = a.kernel_shape.d[i];

  // Store the random values in their types first, so the reference sees the same (rounded) ones.
  HostTensor x = HostTensor::of(x_type, c.x, test::random_floats(volume(c.x), seed));
  HostTensor w = HostTensor::of(w_type, wd, test::random_floats(volume(wd), seed + 1));
  HostTensor b = c.bias ? HostTensor::of(b_type, {a.num_output_maps},
                                         test::random_floats(a.num_output_maps, seed + 2))
                        : no_bias();
  std::vector<float> xv = x.values<float>(), wv = w.values<float>(), bv;
  if (c.bias) bv = b.values<float>();

  auto out = test::run_cpu(a, {x, w, b}, "conv");
  ASSERT_EQ(out[0].type, x_type);
  ASSERT_EQ(out[0].dims, expected_output_dims(c.x, a));
  std::vector<double> want, magnitude;
  reference_conv(c.x, a, xv, wv, c.bias ? &bv : nullptr, want, magnitude);
  std::vector<float> got = out[0].values<float>();
  ASSERT_EQ(got.size(), want.size());
  int failures = 0;
  for (size_t i = 0; i < got.size() && failures < 10; ++i) {
    double tol = rel_tol * magnitude[i] + 1e-6;
    if (!(std::fabs(got[i] - want[i]) <= tol)) {
      ++failures;
      ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want " << want[i]
                    << " (tolerance " << tol << ")";
    }
  }
}

TEST(ConvolutionTest, RandomFloat32MatchesDirectLoops) {
  // float32 accumulates in float32: 1e-4 of the sum of |products| covers its rounding, while a
  // missing or misplaced term is far larger.
  uint32_t seed = 100;
  for (const ConvCase& c : conv_cases()) {
    check_case(c, DataType::kFLOAT, DataType::kFLOAT, DataType::kFLOAT, 1e-4, seed);
    seed += 10;
  }
}

TEST(ConvolutionTest, RandomFloat16MatchesDirectLoops) {
  // Inputs are exact fp16 values; the fp32 result is rounded once to fp16 (relative error <=
  // 2^-11 ~ 4.9e-4), hence 1e-3 of the magnitude.
  uint32_t seed = 500;
  for (const ConvCase& c : conv_cases()) {
    check_case(c, DataType::kHALF, DataType::kHALF, DataType::kHALF, 1e-3, seed);
    seed += 10;
  }
}

TEST(ConvolutionTest, MixedTypesMatchDirectLoops) {
  // bfloat16 input and output (rounding <= 2^-8 ~ 3.9e-3, hence 8e-3), fp16 kernel, fp32 bias.
  uint32_t seed = 900;
  for (const ConvCase& c : conv_cases()) {
    check_case(c, DataType::kBF16, DataType::kHALF, DataType::kFLOAT, 8e-3, seed);
    seed += 10;
  }
}

// ---- shape inference ----------------------------------------------------------------------------

TEST(ConvolutionTest, InferStaticShape) {
  auto a = conv_attrs(16, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1});
  auto out = test::infer(a, {{DataType::kHALF, {2, 3, 32, 31}},
                             {DataType::kFLOAT, {16, 3, 3, 3}},
                             {DataType::kBF16, {16}}});
  EXPECT_EQ(out[0].type, DataType::kHALF);  // the input's type, not the kernel's
  EXPECT_EQ(out[0].dims, (Dims{2, 16, 16, 16}));
  // (31 + 1 + 1 - 3) / 2 + 1 = 16 with floor; dilation 3 on a 10-wide input: (10 - 7) / 1 + 1.
  auto b = conv_attrs(4, {3}, {1}, {0}, {0}, {3});
  out = test::infer(b, {{DataType::kFLOAT, {1, 2, 10}}, {DataType::kFLOAT, {4, 2, 3}}});
  EXPECT_EQ(out[0].dims, (Dims{1, 4, 4}));
  // 3-D: (5 + 0 + 1 - 2) / 2 + 1 = 3; (6 + 1 + 0 - 3) / 1 + 1 = 5; (7 + 0 + 2 - 2) / 3 + 1 = 3.
  auto c = conv_attrs(2, {2, 2, 2}, {2, 1, 3}, {0, 1, 0}, {1, 0, 2}, {1, 2, 1});
  out = test::infer(c, {{DataType::kFLOAT, {1, 1, 5, 6, 7}}, {DataType::kFLOAT, {2, 1, 2, 2, 2}}});
  EXPECT_EQ(out[0].dims, (Dims{1, 2, 3, 5, 3}));
}

ir::TensorDesc absent_desc() {
  ir::TensorDesc d{DataType::kFLOAT, {}};
  d.dims.nb_dims = -1;
  return d;
}

TEST(ConvolutionTest, InferDynamicDims) {
  auto a = conv_attrs(8, {3, 3}, {1, 2}, {1, 1}, {1, 1}, {1, 1});
  auto out = test::infer(
      a, {{DataType::kFLOAT, {-1, 4, -1, 9}}, {DataType::kFLOAT, {8, 4, 3, 3}}, absent_desc()});
  EXPECT_EQ(out[0].dims, (Dims{-1, 8, -1, 5}));
  // Unknown channels skip the channel check (this kernel needs C = 4 per group x 2 groups).
  auto g = conv_attrs(8, {3, 3}, {1, 1}, {0, 0}, {0, 0}, {1, 1}, 2);
  out = test::infer(g, {{DataType::kFLOAT, {1, -1, 5, 5}}, {DataType::kFLOAT, {8, 4, 3, 3}}});
  EXPECT_EQ(out[0].dims, (Dims{1, 8, 3, 3}));
  // An unknown spatial dim defers the size check; the known one is still computed.
  out = test::infer(g, {{DataType::kFLOAT, {1, 8, -1, 3}}, {DataType::kFLOAT, {8, 4, 3, 3}}});
  EXPECT_EQ(out[0].dims, (Dims{1, 8, -1, 1}));
}

// ---- errors -------------------------------------------------------------------------------------

const char* kLayer = "[convolution 'conv1']";

void infer_conv1(const ConvolutionAttrs& a, const std::vector<ir::TensorDesc>& in) {
  test::infer(a, in, "conv1");
}

TEST(ConvolutionTest, ErrorWrongChannelCount) {
  expect_error(
      [] {
        infer_conv1(plain2d(2, 3, 3),
                    {{DataType::kFLOAT, {1, 4, 8, 8}}, {DataType::kFLOAT, {2, 3, 3, 3}}});
      },
      {kLayer, "4 channels", "expects 3"});
  // With groups: 6 channels, kernel [4, 2, ...] x 2 groups needs 4.
  auto g = conv_attrs(4, {3, 3}, {1, 1}, {0, 0}, {0, 0}, {1, 1}, 2);
  expect_error(
      [&] {
        infer_conv1(g, {{DataType::kFLOAT, {1, 6, 8, 8}}, {DataType::kFLOAT, {4, 2, 3, 3}}});
      },
      {kLayer, "6 channels", "= 4"});
  expect_error(
      [&] {
        infer_conv1(g, {{DataType::kFLOAT, {1, 5, 8, 8}}, {DataType::kFLOAT, {4, 2, 3, 3}}});
      },
      {kLayer, "not divisible by num_groups 2"});
}

TEST(ConvolutionTest, ErrorKernelLargerThanPaddedInput) {
  expect_error(
      [] {
        infer_conv1(plain2d(1, 3, 3),
                    {{DataType::kFLOAT, {1, 1, 2, 5}}, {DataType::kFLOAT, {1, 1, 3, 3}}});
      },
      {kLayer, "spatial dim 0", "input is 2", "spans 3"});
  // Dilation 3 makes a 2-tap kernel span 4 > 3 + 0 padding.
  auto d = conv_attrs(1, {2}, {1}, {0}, {0}, {3});
  expect_error(
      [&] {
        infer_conv1(d, {{DataType::kFLOAT, {1, 1, 3}}, {DataType::kFLOAT, {1, 1, 2}}});
      },
      {kLayer, "spans 4", "dilation 3"});
}

TEST(ConvolutionTest, ErrorBadRanks) {
  // A 2-D kernel on an input with one spatial dim.
  expect_error(
      [] {
        infer_conv1(plain2d(1, 3, 3),
                    {{DataType::kFLOAT, {1, 1, 8}}, {DataType::kFLOAT, {1, 1, 3, 3}}});
      },
      {kLayer, "input [1,1,8] has 3 dims", "needs 4"});
  // Stride of the wrong rank.
  auto s = conv_attrs(1, {3, 3}, {1}, {0, 0}, {0, 0}, {1, 1});
  expect_error(
      [&] {
        infer_conv1(s, {{DataType::kFLOAT, {1, 1, 8, 8}}, {DataType::kFLOAT, {1, 1, 3, 3}}});
      },
      {kLayer, "stride [1] has 1 dims", "2 spatial dims"});
  // Four spatial dims are not supported.
  auto four = conv_attrs(1, {1, 1, 1, 1}, {1, 1, 1, 1}, {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 1, 1, 1});
  expect_error(
      [&] {
        infer_conv1(
            four, {{DataType::kFLOAT, {1, 1, 2, 2, 2, 2}}, {DataType::kFLOAT, {1, 1, 1, 1, 1, 1}}});
      },
      {kLayer, "expected 1, 2 or 3"});
  // A kernel tensor of the wrong rank.
  expect_error(
      [] {
        infer_conv1(plain2d(1, 3, 3),
                    {{DataType::kFLOAT, {1, 1, 8, 8}}, {DataType::kFLOAT, {1, 9}}});
      },
      {kLayer, "kernel tensor [1,9] has 2 dims", "expected 4"});
}

TEST(ConvolutionTest, ErrorKernelTensorMismatch) {
  expect_error(
      [] {
        infer_conv1(plain2d(4, 3, 3),
                    {{DataType::kFLOAT, {1, 1, 8, 8}}, {DataType::kFLOAT, {5, 1, 3, 3}}});
      },
      {kLayer, "5 output maps", "num_output_maps is 4"});
  expect_error(
      [] {
        infer_conv1(plain2d(1, 3, 3),
                    {{DataType::kFLOAT, {1, 1, 8, 8}}, {DataType::kFLOAT, {1, 1, 3, 2}}});
      },
      {kLayer, "does not match kernel_shape [3,3]", "2 vs 3"});
}

TEST(ConvolutionTest, ErrorBadParameters) {
  const std::vector<ir::TensorDesc> in = {{DataType::kFLOAT, {1, 2, 8, 8}},
                                          {DataType::kFLOAT, {2, 2, 3, 3}}};
  auto a = plain2d(2, 3, 3);
  a.stride = {1, 0};
  expect_error([&] { infer_conv1(a, in); }, {kLayer, "stride [1,0] must be >= 1", "dim 1 is 0"});
  a = plain2d(2, 3, 3);
  a.dilation = {0, 1};
  expect_error([&] { infer_conv1(a, in); }, {kLayer, "dilation [0,1] must be >= 1"});
  a = plain2d(2, 3, 3);
  a.pre_padding = {-1, 0};
  expect_error([&] { infer_conv1(a, in); }, {kLayer, "pre_padding [-1,0] must be >= 0"});
  a = plain2d(2, 3, 3);
  a.num_groups = 0;
  expect_error([&] { infer_conv1(a, in); }, {kLayer, "num_groups must be >= 1, got 0"});
  a = plain2d(3, 3, 3);
  a.num_groups = 2;
  expect_error([&] { infer_conv1(a, in); }, {kLayer, "num_output_maps 3 is not divisible"});
  a = plain2d(2, 3, 3);
  a.kernel_shape = {3, 0};
  expect_error([&] { infer_conv1(a, in); }, {kLayer, "kernel_shape [3,0] must be >= 1"});
}

TEST(ConvolutionTest, ErrorBiasShapeAndTypes) {
  auto a = plain2d(2, 3, 3);
  expect_error(
      [&] {
        infer_conv1(a, {{DataType::kFLOAT, {1, 1, 8, 8}},
                        {DataType::kFLOAT, {2, 1, 3, 3}},
                        {DataType::kFLOAT, {3}}});
      },
      {kLayer, "bias [3] must have shape [2]"});
  expect_error(
      [&] {
        infer_conv1(a, {{DataType::kINT32, {1, 1, 8, 8}}, {DataType::kFLOAT, {2, 1, 3, 3}}});
      },
      {kLayer, "input has type int32"});
  expect_error(
      [&] {
        infer_conv1(a, {{DataType::kFLOAT, {1, 1, 8, 8}}, {DataType::kINT8, {2, 1, 3, 3}}});
      },
      {kLayer, "kernel has type int8"});
  expect_error(
      [&] {
        infer_conv1(a, {{DataType::kFLOAT, {1, 1, 8, 8}}});
      },
      {kLayer, "inputs, got 1"});
}

}  // namespace
}  // namespace kiln
