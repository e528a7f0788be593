// Tests of the resize layer: shape inference (scales, output dims, -1, errors), ONNX Resize's
// own test values (nearest, linear, cubic, align_corners, downsampling), and random N-D cases of
// every mode, transformation and rounding against a naive product-of-weights reference.
#include <gtest/gtest.h>

#include <cmath>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

ResizeAttrs with_scales(std::vector<float> scales, InterpolationMode mode,
                        ResizeCoordinateTransformation t) {
  ResizeAttrs a;
  a.use_scales = true;
  a.num_scales = static_cast<int32_t>(scales.size());
  for (size_t i = 0; i < scales.size(); ++i) a.scales[i] = scales[i];
  a.mode = mode;
  a.transformation = t;
  return a;
}

ResizeAttrs with_sizes(const Dims& out, InterpolationMode mode, ResizeCoordinateTransformation t) {
  ResizeAttrs a;
  a.output_dims = out;
  a.mode = mode;
  a.transformation = t;
  return a;
}

Dims infer_dims(const ResizeAttrs& a, const Dims& in, DataType type = DataType::kFLOAT) {
  return infer(a, {{type, in}}, "rs")[0].dims;
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

constexpr auto kHalfPixel = ResizeCoordinateTransformation::kHALF_PIXEL;
constexpr auto kAlignCorners = ResizeCoordinateTransformation::kALIGN_CORNERS;
constexpr auto kAsymmetric = ResizeCoordinateTransformation::kASYMMETRIC;

TEST(ResizeInfer, Shapes) {
  ResizeAttrs a = with_scales({1, 1, 2, 0.6f}, InterpolationMode::kLINEAR, kHalfPixel);
  EXPECT_EQ(infer_dims(a, {1, 3, 4, 5}), (Dims{1, 3, 8, 3}));
  EXPECT_EQ(infer_dims(a, {-1, 3, -1, 5}), (Dims{-1, 3, -1, 3}));
  ResizeAttrs b = with_sizes({2, 9}, InterpolationMode::kNEAREST, kAsymmetric);
  EXPECT_EQ(infer_dims(b, {-1, 3}, DataType::kINT32), (Dims{2, 9}));
}

TEST(ResizeInfer, Errors) {
  ResizeAttrs a = with_scales({1, 2}, InterpolationMode::kLINEAR, kHalfPixel);
  expect_error(
      [&] {
        infer_dims(a, {1, 2, 3});
      },
      {"[resize 'rs'] 2 scales given for an input of rank 3"});
  expect_error(
      [&] {
        infer_dims(a, {2, 3}, DataType::kINT32);
      },
      {"[resize 'rs'] linear interpolation needs a float32"});
  ResizeAttrs b = with_sizes({2, 9}, InterpolationMode::kNEAREST, kAsymmetric);
  expect_error(
      [&] {
        infer_dims(b, {2, 3, 4});
      },
      {"[resize 'rs'] output dimensions [2,9] have rank 2 but the input [2,3,4]"});
  expect_error([&] { infer_dims(b, {0, 3}); }, {"dimension 0 of the input [0,3] is empty"});
}

// ONNX backend test resize_upsample_scales_nearest (half_pixel, round_prefer_floor).
TEST(Resize, OnnxNearest) {
  HostTensor x = HostTensor::f32({1, 1, 2, 2}, {1, 2, 3, 4});
  ResizeAttrs a = with_scales({1, 1, 2, 3}, InterpolationMode::kNEAREST, kHalfPixel);
  a.nearest_rounding = ResizeRoundMode::kHALF_DOWN;
  HostTensor y = run_cpu(a, {x})[0];
  EXPECT_EQ(y.dims, (Dims{1, 1, 4, 6}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                                   3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
  // Asymmetric + floor (TensorRT's defaults) on int8: plain repetition.
  HostTensor q = HostTensor::of<int32_t>(DataType::kINT8, {3}, {-1, 5, 7});
  ResizeAttrs b = with_scales({2}, InterpolationMode::kNEAREST, kAsymmetric);
  EXPECT_EQ(run_cpu(b, {q})[0].values<int32_t>(), (std::vector<int32_t>{-1, -1, 5, 5, 7, 7}));
}

// ONNX backend tests resize_upsample_scales_linear, ..._align_corners,
// resize_downsample_scales_linear.
TEST(Resize, OnnxLinear) {
  HostTensor x = HostTensor::f32({1, 1, 2, 2}, {1, 2, 3, 4});
  HostTensor y = run_cpu(with_scales({1, 1, 2, 2}, InterpolationMode::kLINEAR, kHalfPixel), {x})[0];
  expect_near(
      y.values<float>(),
      {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4},
      1e-6f);
  y = run_cpu(with_scales({1, 1, 2, 2}, InterpolationMode::kLINEAR, kAlignCorners), {x})[0];
  expect_near(y.values<float>(),
              {1, 4.f / 3, 5.f / 3, 2, 5.f / 3, 2, 7.f / 3, 8.f / 3, 7.f / 3, 8.f / 3, 3, 10.f / 3,
               3, 10.f / 3, 11.f / 3, 4},
              1e-6f);
  HostTensor d = HostTensor::f32({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  y = run_cpu(with_scales({1, 1, 0.6f, 0.6f}, InterpolationMode::kLINEAR, kHalfPixel), {d})[0];
  EXPECT_EQ(y.dims, (Dims{1, 1, 1, 2}));
  expect_near(y.values<float>(), {2.6666665f, 4.3333331f}, 1e-6f);
}

// ONNX backend test resize_upsample_scales_cubic (A = -0.75, half_pixel): the first row.
TEST(Resize, OnnxCubic) {
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[i] = static_cast<float>(i + 1);
  HostTensor x = HostTensor::f32({1, 1, 4, 4}, v);
  HostTensor y = run_cpu(with_scales({1, 1, 2, 2}, InterpolationMode::kCUBIC, kHalfPixel), {x})[0];
  std::vector<float> all = y.values<float>();
  std::vector<float> row(all.begin(), all.begin() + 8);
  expect_near(row,
              {0.47265625f, 0.76953125f, 1.24609375f, 1.875f, 2.28125f, 2.91015625f, 3.38671875f,
               3.68359375f},
              1e-5f);
}

// ---- naive reference: every output element sums input * product of 1-D weights

double ref_coordinate(const ResizeAttrs& a, int64_t in, int64_t out, double scale, int64_t j) {
  if (out == 1 && a.selector == ResizeSelector::kUPPER) return 0;
  switch (a.transformation) {
    case ResizeCoordinateTransformation::kALIGN_CORNERS: {
      // ONNX: the resized length before rounding (in * scale), the output size when sizes given.
      double resized = double(in) * scale;
      return out == 1 || resized <= 1 ? 0 : j * double(in - 1) / (resized - 1);
    }
    case ResizeCoordinateTransformation::kHALF_PIXEL:
      return (j + 0.5) / scale - 0.5;
    case ResizeCoordinateTransformation::kPYTORCH_HALF_PIXEL:
      return out > 1 ? (j + 0.5) / scale - 0.5 : 0;
    case ResizeCoordinateTransformation::kTF_HALF_PIXEL_FOR_NN:
      return (j + 0.5) / scale;
    default:
      return j / scale;
  }
}

// Weight of input element i for output j along one dimension.
double ref_weight(const ResizeAttrs& a, int64_t in, int64_t out, double scale, int64_t j,
                  int64_t i) {
  double x = ref_coordinate(a, in, out, scale, j);
  if (a.mode == InterpolationMode::kNEAREST) {
    double r = a.nearest_rounding == ResizeRoundMode::kFLOOR  ? std::floor(x)
               : a.nearest_rounding == ResizeRoundMode::kCEIL ? std::ceil(x)
               : a.nearest_rounding == ResizeRoundMode::kHALF_UP
                   ? (x - std::floor(x) >= 0.5 ? std::ceil(x) : std::floor(x))
                   : (x - std::floor(x) > 0.5 ? std::ceil(x) : std::floor(x));
    int64_t k = std::clamp<int64_t>(static_cast<int64_t>(r), 0, in - 1);
    return k == i ? 1 : 0;
  }
  // Taps at floor(x) + t: linear t in {0, 1}; cubic t in {-1, 0, 1, 2}, weight from the distance.
  double f = std::floor(x);
  std::vector<std::pair<int64_t, double>> taps;
  for (int t = a.mode == InterpolationMode::kLINEAR ? 0 : -1;
       t <= (a.mode == InterpolationMode::kLINEAR ? 1 : 2); ++t) {
    double d = std::fabs(x - (f + t));
    double w;
    if (a.mode == InterpolationMode::kLINEAR) {
      w = 1 - d;
    } else {
      double A = a.cubic_coeff;
      w = d <= 1 ? ((A + 2) * d - (A + 3)) * d * d + 1 : ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
    }
    taps.push_back({static_cast<int64_t>(f) + t, w});
  }
  double sum = 0, total = 0;
  for (auto [k, w] : taps) {
    bool outside = k < 0 || k >= in;
    if (a.exclude_outside && outside) continue;
    total += w;
    if (std::clamp<int64_t>(k, 0, in - 1) == i) sum += w;
  }
  return a.exclude_outside ? sum / total : sum;
}

TEST(Resize, MatchesReference) {
  const ResizeCoordinateTransformation transforms[] = {
      ResizeCoordinateTransformation::kALIGN_CORNERS, ResizeCoordinateTransformation::kASYMMETRIC,
      ResizeCoordinateTransformation::kHALF_PIXEL,
      ResizeCoordinateTransformation::kPYTORCH_HALF_PIXEL,
      ResizeCoordinateTransformation::kTF_HALF_PIXEL_FOR_NN};
  for (uint32_t seed = 0; seed < 300; ++seed) {
    std::mt19937 gen(seed);
    ResizeAttrs a;
    a.mode = static_cast<InterpolationMode>(seed % 3);
    a.transformation = transforms[(seed / 3) % 5];
    a.nearest_rounding = static_cast<ResizeRoundMode>(gen() % 4);
    a.selector = gen() % 4 == 0 ? ResizeSelector::kUPPER : ResizeSelector::kFORMULA;
    a.exclude_outside = gen() % 2;
    a.cubic_coeff = gen() % 2 ? -0.75f : -0.5f;
    int32_t rank = 1 + static_cast<int32_t>(gen() % 4);
    Dims in = Dims::filled(rank, 1);
    for (int32_t i = 0; i < rank; ++i) in.d[i] = 1 + gen() % 5;
    a.use_scales = gen() % 2;
    Dims out = in;
    if (a.use_scales) {
      a.num_scales = rank;
      const float choices[] = {1.0f, 2.0f, 0.5f, 1.5f, 3.0f, 0.75f, 2.5f};
      for (int32_t i = 0; i < rank; ++i) {
        a.scales[i] = choices[gen() % 7];
        out.d[i] = static_cast<int64_t>(std::floor(in.d[i] * double(a.scales[i])));
        if (out.d[i] == 0) a.scales[i] = 1.0f, out.d[i] = in.d[i];
      }
    } else {
      for (int32_t i = 0; i < rank; ++i) out.d[i] = 1 + gen() % 7;
      a.output_dims = out;
    }
    HostTensor x = HostTensor::f32(in, random_floats(volume(in), seed));
    SCOPED_TRACE(testing::Message() << "seed " << seed << " in " << in << " out " << out << " mode "
                                    << int(a.mode) << " transform " << int(a.transformation));
    HostTensor y = run_cpu(a, {x})[0];
    ASSERT_EQ(y.dims, out);
    std::vector<float> xv = x.values<float>(), got = y.values<float>();
    for (int64_t o = 0; o < volume(out); ++o) {
      int64_t oc[Dims::kMaxDims], rest = o;
      for (int32_t i = rank - 1; i >= 0; --i) {
        oc[i] = rest % out.d[i];
        rest /= out.d[i];
      }
      double expected = 0;
      for (int64_t s = 0; s < volume(in); ++s) {
        double w = 1;
        int64_t r2 = s;
        for (int32_t i = rank - 1; i >= 0 && w != 0; --i) {
          double scale = a.use_scales ? a.scales[i] : double(out.d[i]) / double(in.d[i]);
          w *= ref_weight(a, in.d[i], out.d[i], scale, oc[i], r2 % in.d[i]);
          r2 /= in.d[i];
        }
        expected += w * xv[s];
      }
      ASSERT_NEAR(got[o], expected, 2e-5) << "output element " << o;
    }
  }
}

}  // namespace
}  // namespace kiln::test
