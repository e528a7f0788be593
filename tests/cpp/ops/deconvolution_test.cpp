// Tests of the deconvolution layer (ONNX ConvTranspose): shape inference (padding, negative post
// padding for output_padding, -1, errors), ONNX's examples, and random 1-D/2-D/3-D cases with
// groups, strides, dilation and padding against a naive gather-form reference written here.
#include <gtest/gtest.h>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

DeconvolutionAttrs deconv(int64_t maps, const Dims& kernel, int64_t groups = 1) {
  DeconvolutionAttrs a;
  a.num_output_maps = maps;
  a.kernel_shape = kernel;
  int32_t r = kernel.nb_dims;
  a.stride = Dims::filled(r, 1);
  a.pre_padding = Dims::filled(r, 0);
  a.post_padding = Dims::filled(r, 0);
  a.dilation = Dims::filled(r, 1);
  a.num_groups = groups;
  return a;
}

Dims infer_dims(const DeconvolutionAttrs& a, const Dims& x, const Dims& w) {
  return infer(a, {{DataType::kFLOAT, x}, {DataType::kFLOAT, w}}, "dc")[0].dims;
}

TEST(DeconvolutionInfer, Shapes) {
  DeconvolutionAttrs a = deconv(2, {3, 3});
  EXPECT_EQ(infer_dims(a, {1, 1, 3, 3}, {1, 2, 3, 3}), (Dims{1, 2, 5, 5}));
  a.stride = {3, 2};
  a.post_padding = {-1, -1};  // ONNX output_padding [1, 1]
  EXPECT_EQ(infer_dims(a, {1, 1, 3, 3}, {1, 2, 3, 3}), (Dims{1, 2, 10, 8}));
  a.pre_padding = {1, 2};
  EXPECT_EQ(infer_dims(a, {-1, 1, 3, -1}, {1, 2, 3, 3}), (Dims{-1, 2, 9, -1}));
}

TEST(DeconvolutionInfer, Errors) {
  DeconvolutionAttrs a = deconv(4, {3}, 2);
  expect_error(
      [&] {
        infer_dims(a, {1, 3, 5}, {3, 2, 3});
      },
      {"[deconvolution 'dc'] input [1,3,5] has 3 channels, not divisible by num_groups 2"});
  expect_error(
      [&] {
        infer_dims(a, {1, 4, 5}, {4, 4, 3});
      },
      {"kernel tensor [4,4,3] has 4 output maps per group x 2 groups but num_output_maps "
       "is 4"});
  expect_error([&] { infer_dims(a, {1, 4, 5}, {2, 2, 3}); }, {"has 4 channels but the kernel"});
  a.post_padding = {-1};  // stride 1 allows no output padding
  expect_error(
      [&] {
        infer_dims(a, {1, 4, 5}, {4, 2, 3});
      },
      {"post_padding [-1] is below -(max(stride, dilation) - 1) = 0"});
  DeconvolutionAttrs b = deconv(1, {1});
  b.pre_padding = {2};
  expect_error(
      [&] {
        infer_dims(b, {1, 1, 1}, {1, 1, 1});
      },
      {"spatial dim 0: an input of 1 gives an output of -1"});
}

TEST(Deconvolution, OnnxExamples) {
  std::vector<float> x(9);
  for (int i = 0; i < 9; ++i) x[i] = static_cast<float>(i);
  HostTensor in = HostTensor::f32({1, 1, 3, 3}, x);
  HostTensor w = HostTensor::f32({1, 2, 3, 3}, std::vector<float>(18, 1.0f));
  HostTensor y = run_cpu(deconv(2, {3, 3}), {in, w})[0];
  std::vector<float> plane = {0,  1,  3, 3,  2,  3,  8,  15, 12, 7,  9,  21, 36,
                              27, 15, 9, 20, 33, 24, 13, 6,  13, 21, 15, 8};
  std::vector<float> both = plane;
  both.insert(both.end(), plane.begin(), plane.end());
  EXPECT_EQ(y.values<float>(), both);

  // convtranspose with strides [3, 2] and output_padding [1, 1]: post padding -1.
  DeconvolutionAttrs a = deconv(2, {3, 3});
  a.stride = {3, 2};
  a.post_padding = {-1, -1};
  y = run_cpu(a, {in, w})[0];
  ASSERT_EQ(y.dims, (Dims{1, 2, 10, 8}));
  std::vector<float> rows[] = {{0, 0, 1, 1, 3, 2, 2, 0},
                               {3, 3, 7, 4, 9, 5, 5, 0},
                               {6, 6, 13, 7, 15, 8, 8, 0},
                               {0, 0, 0, 0, 0, 0, 0, 0}};
  std::vector<float> want;
  for (int r = 0; r < 10; ++r) {
    const std::vector<float>& row = rows[r == 9 ? 3 : r / 3];
    want.insert(want.end(), row.begin(), row.end());
  }
  std::vector<float> got = y.values<float>();
  EXPECT_EQ(std::vector<float>(got.begin(), got.begin() + 80), want);

  // Bias only reaches the output-padding positions.
  HostTensor bias = HostTensor::f32({2}, {0.5f, -1});
  y = run_cpu(a, {in, w, bias})[0];
  EXPECT_EQ(y.values<float>()[79], 0.5f);
  EXPECT_EQ(y.values<float>()[159], -1.0f);
}

TEST(Deconvolution, MatchesReference) {
  for (uint32_t seed = 0; seed < 150; ++seed) {
    std::mt19937 gen(seed);
    int32_t rank = 1 + static_cast<int32_t>(gen() % 3);
    int64_t groups = 1 + gen() % 2;
    int64_t channels = groups * (1 + gen() % 2), maps = groups * (1 + gen() % 3);
    Dims kernel = Dims::filled(rank, 1);
    for (int32_t i = 0; i < rank; ++i) kernel.d[i] = 1 + gen() % 3;
    DeconvolutionAttrs a = deconv(maps, kernel, groups);
    Dims xd = Dims::filled(rank + 2, 1);
    xd.d[0] = 1 + gen() % 2;
    xd.d[1] = channels;
    for (int32_t i = 0; i < rank; ++i) {
      xd.d[2 + i] = 1 + gen() % 4;
      a.stride.d[i] = 1 + gen() % 3;
      a.dilation.d[i] = 1 + gen() % 2;
      a.pre_padding.d[i] = gen() % 2;
      int64_t limit = std::max(a.stride.d[i], a.dilation.d[i]) - 1;
      a.post_padding.d[i] = static_cast<int64_t>(gen() % (limit + 2)) - limit;
      int64_t size = (xd.d[2 + i] - 1) * a.stride.d[i] + a.dilation.d[i] * (kernel.d[i] - 1) + 1 -
                     a.pre_padding.d[i] - a.post_padding.d[i];
      if (size < 1) a.pre_padding.d[i] = a.post_padding.d[i] = 0;  // keep the output non-empty
    }
    Dims wd = Dims::filled(rank + 2, 1);
    wd.d[0] = channels;
    wd.d[1] = maps / groups;
    for (int32_t i = 0; i < rank; ++i) wd.d[2 + i] = kernel.d[i];
    HostTensor x = HostTensor::f32(xd, random_floats(volume(xd), seed));
    HostTensor w = HostTensor::f32(wd, random_floats(volume(wd), seed + 1));
    HostTensor b = HostTensor::f32({maps}, random_floats(maps, seed + 2));
    HostTensor y = run_cpu(a, {x, w, b})[0];
    Dims yd = y.dims;
    std::vector<float> xv = x.values<float>(), wv = w.values<float>(), bv = b.values<float>();
    std::vector<float> got = y.values<float>();
    int64_t kvol = volume(kernel), xsp = volume(xd) / (xd.d[0] * channels);
    for (int64_t o = 0; o < volume(yd); ++o) {
      int64_t c[Dims::kMaxDims], rest = o;
      for (int32_t i = yd.nb_dims - 1; i >= 0; --i) c[i] = rest % yd.d[i], rest /= yd.d[i];
      int64_t n = c[0], m = c[1], g = m / (maps / groups);
      double sum = bv[m];
      for (int64_t ci = g * (channels / groups); ci < (g + 1) * (channels / groups); ++ci) {
        for (int64_t k = 0; k < kvol; ++k) {
          // Input position i with i * stride + k * dilation - pre == output position, per dim.
          int64_t kr = k, xo = 0, kc[3];
          for (int32_t i = rank - 1; i >= 0; --i) kc[i] = kr % kernel.d[i], kr /= kernel.d[i];
          bool hit = true;
          for (int32_t i = 0; i < rank && hit; ++i) {
            int64_t num = c[2 + i] + a.pre_padding.d[i] - kc[i] * a.dilation.d[i];
            hit = num >= 0 && num % a.stride.d[i] == 0 && num / a.stride.d[i] < xd.d[2 + i];
            xo = xo * xd.d[2 + i] + (hit ? num / a.stride.d[i] : 0);
          }
          if (!hit) continue;
          sum += double(xv[(n * channels + ci) * xsp + xo]) *
                 wv[(ci * (maps / groups) + m % (maps / groups)) * kvol + k];
        }
      }
      ASSERT_NEAR(got[o], sum, 1e-5) << "seed " << seed << " output element " << o;
    }
  }
}

}  // namespace
}  // namespace kiln::test
