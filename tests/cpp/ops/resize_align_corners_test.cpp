// align_corners with downsampling scales: ONNX maps output index j to j * (in - 1) / (in * scale
// - 1), the resized length before rounding, not the rounded output size (ONNX backend tests
// resize_downsample_scales_linear_align_corners and ..._cubic_align_corners).
#include <gtest/gtest.h>

#include "op_test_util.h"

namespace kiln::test {
namespace {

ResizeAttrs align_corners(std::vector<float> scales, InterpolationMode mode) {
  ResizeAttrs a;
  a.use_scales = true;
  a.num_scales = static_cast<int32_t>(scales.size());
  for (size_t i = 0; i < scales.size(); ++i) a.scales[i] = scales[i];
  a.mode = mode;
  a.transformation = ResizeCoordinateTransformation::kALIGN_CORNERS;
  return a;
}

TEST(Resize, AlignCornersDownsamplingDividesByTheUnroundedLength) {
  HostTensor x = HostTensor::f32({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  HostTensor y = run_cpu(align_corners({1, 1, 0.6f, 0.6f}, InterpolationMode::kLINEAR), {x})[0];
  EXPECT_EQ(y.dims, (Dims{1, 1, 1, 2}));
  std::vector<float> v = y.values<float>();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_FLOAT_EQ(v[0], 1.0f);
  // Output 1 reads input x = 1 * 3 / (4 * 0.6 - 1) = 2.142857: 3 + 0.142857.
  EXPECT_NEAR(v[1], 3.142857f, 1e-5f);
}

TEST(Resize, AlignCornersCubicDownsampling) {
  std::vector<float> values(16);
  for (int i = 0; i < 16; ++i) values[i] = static_cast<float>(i + 1);
  HostTensor x = HostTensor::f32({1, 1, 4, 4}, values);
  HostTensor y = run_cpu(align_corners({1, 1, 0.8f, 0.8f}, InterpolationMode::kCUBIC), {x})[0];
  EXPECT_EQ(y.dims, (Dims{1, 1, 3, 3}));
  // The ONNX test's expected output (cubic_coeff_a = -0.75).
  std::vector<float> want = {1,           2.39519159f,  3.79038317f,  6.58076634f, 7.97595793f,
                             9.37114951f, 12.16153268f, 13.55672427f, 14.95191585f};
  std::vector<float> got = y.values<float>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4f) << i;
}

// Output dimensions given: the resized length is the output size, as before.
TEST(Resize, AlignCornersWithOutputSizesUsesTheOutputSize) {
  HostTensor x = HostTensor::f32({1, 4}, {1, 2, 3, 4});
  ResizeAttrs a;
  a.output_dims = Dims{1, 2};
  a.mode = InterpolationMode::kLINEAR;
  a.transformation = ResizeCoordinateTransformation::kALIGN_CORNERS;
  std::vector<float> v = run_cpu(a, {x})[0].values<float>();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_FLOAT_EQ(v[0], 1.0f);
  EXPECT_FLOAT_EQ(v[1], 4.0f);
}

}  // namespace
}  // namespace kiln::test
