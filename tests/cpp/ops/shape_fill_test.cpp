// Tests of the shape layer (the input's dims as int64) and the fill layer (kLINSPACE, ONNX Range):
// inference, values, and errors.
#include <gtest/gtest.h>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

TEST(Shape, InferAndRun) {
  ir::TensorDesc d = infer(ShapeAttrs{}, {{DataType::kHALF, {-1, 3, -1}}})[0];
  EXPECT_EQ(d.type, DataType::kINT64);
  EXPECT_EQ(d.dims, (Dims{3}));
  HostTensor x = HostTensor::f32({2, 0, 5}, {});
  EXPECT_EQ(run_cpu(ShapeAttrs{}, {x})[0].values<int64_t>(), (std::vector<int64_t>{2, 0, 5}));
  HostTensor s = HostTensor::f32(Dims{}, {1});
  HostTensor y = run_cpu(ShapeAttrs{}, {s})[0];
  EXPECT_EQ(y.dims, (Dims{0}));
}

FillAttrs linspace(int64_t n, double alpha, double beta, DataType type) {
  FillAttrs a;
  a.dims = Dims{n};
  a.alpha = alpha;
  a.beta = beta;
  a.output_type = type;
  return a;
}

TEST(Fill, Linspace) {
  EXPECT_EQ(run_cpu(linspace(4, 1, 0.5, DataType::kFLOAT), {})[0].values<float>(),
            (std::vector<float>{1, 1.5, 2, 2.5}));
  // ONNX Range(10, 4, -3) -> [10, 7].
  EXPECT_EQ(run_cpu(linspace(2, 10, -3, DataType::kINT32), {})[0].values<int32_t>(),
            (std::vector<int32_t>{10, 7}));
  // int64 beyond float precision stays exact.
  EXPECT_EQ(run_cpu(linspace(2, 1e15, 1, DataType::kINT64), {})[0].values<int64_t>(),
            (std::vector<int64_t>{1000000000000000, 1000000000000001}));
  EXPECT_EQ(run_cpu(linspace(3, 0, 0.25, DataType::kHALF), {})[0].values<float>(),
            (std::vector<float>{0, 0.25, 0.5}));
  EXPECT_EQ(run_cpu(linspace(0, 0, 1, DataType::kFLOAT), {})[0].dims, (Dims{0}));
}

TEST(Fill, Errors) {
  FillAttrs a = linspace(3, 0, 1, DataType::kFLOAT);
  a.dims = Dims{2, 3};
  expect_error([&] { infer(a, {}, "f"); },
               {"[fill 'f'] kLINSPACE needs a 1-D output, got dimensions [2,3]"});
  a = linspace(3, 0, 1, DataType::kBOOL);
  expect_error([&] { infer(a, {}, "f"); }, {"[fill 'f'] kLINSPACE output type bool"});
  a = linspace(3, 0, 1, DataType::kFLOAT);
  a.op = FillOperation::kRANDOM_UNIFORM;
  expect_error([&] { infer(a, {}, "f"); },
               {"[fill 'f'] fill operation 1 (random) is not supported"});
}

}  // namespace
}  // namespace kiln::test
