// Tests of the cumulative layer (ONNX CumSum): inference, ONNX's examples (exclusive, reverse),
// integer types, and random cases against a naive sum.
#include <gtest/gtest.h>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

CumulativeAttrs cumsum(int32_t axis, bool exclusive = false, bool reverse = false) {
  CumulativeAttrs a;
  a.axis = axis;
  a.exclusive = exclusive;
  a.reverse = reverse;
  return a;
}

TEST(CumulativeInfer, ShapeAndErrors) {
  EXPECT_EQ(infer(cumsum(-1), {{DataType::kHALF, {-1, 3}}})[0].dims, (Dims{-1, 3}));
  expect_error(
      [] {
        infer(cumsum(2), {{DataType::kFLOAT, {2, 3}}}, "cs");
      },
      {"[cumulative 'cs'] axis 2 is out of range for rank 2"});
  expect_error(
      [] {
        infer(cumsum(0), {{DataType::kBOOL, {2}}}, "cs");
      },
      {"[cumulative 'cs'] input has type bool"});
  expect_error([] { infer(cumsum(0), {{DataType::kFLOAT, Dims{}}}, "cs"); }, {"input is 0-d"});
}

TEST(Cumulative, OnnxExamples) {
  HostTensor x = HostTensor::f32({5}, {1, 2, 3, 4, 5});
  EXPECT_EQ(run_cpu(cumsum(0), {x})[0].values<float>(), (std::vector<float>{1, 3, 6, 10, 15}));
  EXPECT_EQ(run_cpu(cumsum(0, true), {x})[0].values<float>(), (std::vector<float>{0, 1, 3, 6, 10}));
  EXPECT_EQ(run_cpu(cumsum(0, false, true), {x})[0].values<float>(),
            (std::vector<float>{15, 14, 12, 9, 5}));
  EXPECT_EQ(run_cpu(cumsum(0, true, true), {x})[0].values<float>(),
            (std::vector<float>{14, 12, 9, 5, 0}));
  HostTensor m = HostTensor::of<int64_t>(DataType::kINT64, {2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(run_cpu(cumsum(1), {m})[0].values<int64_t>(),
            (std::vector<int64_t>{1, 3, 6, 4, 9, 15}));
  EXPECT_EQ(run_cpu(cumsum(0), {m})[0].values<int64_t>(), (std::vector<int64_t>{1, 2, 3, 5, 7, 9}));
}

TEST(Cumulative, MatchesReference) {
  for (uint32_t seed = 0; seed < 100; ++seed) {
    std::mt19937 gen(seed);
    int32_t rank = 1 + static_cast<int32_t>(gen() % 4);
    Dims dims = Dims::filled(rank, 1);
    for (int32_t i = 0; i < rank; ++i) dims.d[i] = 1 + gen() % 5;
    CumulativeAttrs a =
        cumsum(static_cast<int32_t>(gen() % rank) - (gen() % 2 ? rank : 0), gen() % 2, gen() % 2);
    int32_t axis = a.axis < 0 ? a.axis + rank : a.axis;
    std::vector<int64_t> v(static_cast<size_t>(volume(dims)));
    for (int64_t& e : v) e = static_cast<int64_t>(gen() % 200) - 100;
    HostTensor x = HostTensor::of<int64_t>(seed % 2 ? DataType::kINT32 : DataType::kFLOAT, dims, v);
    std::vector<int64_t> want(v.size());
    for (int64_t o = 0; o < volume(dims); ++o) {
      int64_t c[Dims::kMaxDims], rest = o;
      for (int32_t i = rank - 1; i >= 0; --i) c[i] = rest % dims.d[i], rest /= dims.d[i];
      int64_t sum = 0;
      for (int64_t j = 0; j < dims.d[axis]; ++j) {
        bool in = a.reverse ? (j > c[axis] || (!a.exclusive && j == c[axis]))
                            : (j < c[axis] || (!a.exclusive && j == c[axis]));
        if (!in) continue;
        int64_t at = 0;
        for (int32_t i = 0; i < rank; ++i) at = at * dims.d[i] + (i == axis ? j : c[i]);
        sum += v[at];
      }
      want[o] = sum;
    }
    EXPECT_EQ(run_cpu(a, {x})[0].values<int64_t>(), want) << "seed " << seed;
  }
}

}  // namespace
}  // namespace kiln::test
