// Tests of the one-hot layer (ONNX OneHot): inference with -1 and errors, ONNX's examples (axis,
// negative indices, out-of-range indices) and values of several types.
#include <gtest/gtest.h>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

TEST(OneHotInfer, ShapeAndErrors) {
  OneHotAttrs a{10, -1};
  EXPECT_EQ(infer(a, {{DataType::kINT64, {-1, 3}}, {DataType::kHALF, {2}}})[0].dims,
            (Dims{-1, 3, 10}));
  EXPECT_EQ(infer(OneHotAttrs{4, 1}, {{DataType::kINT32, {2, 3}}, {DataType::kFLOAT, {2}}})[0].dims,
            (Dims{2, 4, 3}));
  EXPECT_EQ(infer(a, {{DataType::kINT32, {2}}, {DataType::kINT32, {2}}})[0].type, DataType::kINT32);
  expect_error(
      [&] {
        infer(a, {{DataType::kINT32, {2}}, {DataType::kFLOAT, {3}}}, "oh");
      },
      {"[one_hot 'oh'] values [3] must have shape [2]"});
  expect_error(
      [&] {
        infer(OneHotAttrs{4, 3}, {{DataType::kINT32, {2}}, {DataType::kFLOAT, {2}}}, "oh");
      },
      {"[one_hot 'oh'] axis 3 is out of range for rank 2"});
  expect_error(
      [&] {
        infer(a, {{DataType::kFLOAT, {2}}, {DataType::kFLOAT, {2}}}, "oh");
      },
      {"indices have type float32"});
}

TEST(OneHot, OnnxExamples) {
  // onehot_with_axis: indices [[1, 9], [2, 4]], depth 10, axis 1, values [1, 3].
  HostTensor idx = HostTensor::of<int64_t>(DataType::kINT64, {2, 2}, {1, 9, 2, 4});
  HostTensor values = HostTensor::f32({2}, {1, 3});
  HostTensor y = run_cpu(OneHotAttrs{10, 1}, {idx, values})[0];
  ASSERT_EQ(y.dims, (Dims{2, 10, 2}));
  std::vector<float> want(40, 1.0f);
  want[1 * 2 + 0] = 3;  // [0, 1, 0]
  want[9 * 2 + 1] = 3;  // [0, 9, 1]
  want[20 + 2 * 2 + 0] = 3;
  want[20 + 4 * 2 + 1] = 3;
  EXPECT_EQ(y.values<float>(), want);
  // onehot_negative_indices: [0, -7, -8], depth 10 -> positions 0, 3, 2; out of range -> all off.
  HostTensor neg = HostTensor::of<int32_t>(DataType::kINT32, {4}, {0, -7, -8, 10});
  HostTensor iv = HostTensor::of<int32_t>(DataType::kINT32, {2}, {0, 1});
  std::vector<int32_t> got = run_cpu(OneHotAttrs{10, -1}, {neg, iv})[0].values<int32_t>();
  std::vector<int32_t> expect(40, 0);
  expect[0] = expect[10 + 3] = expect[20 + 2] = 1;
  EXPECT_EQ(got, expect);
}

}  // namespace
}  // namespace kiln::test
