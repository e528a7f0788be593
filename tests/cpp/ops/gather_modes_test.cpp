// Tests of the gather layer's kELEMENT (ONNX GatherElements) and kND (ONNX GatherND) modes: shape
// inference with -1 and errors, hand-checked values (ONNX's examples), negative and out-of-range
// indices, and random cases against naive implementations written here.
#include <gtest/gtest.h>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

GatherAttrs gather_mode(GatherMode mode, int32_t axis, int32_t batch = 0) {
  GatherAttrs a;
  a.mode = mode;
  a.axis = axis;
  a.num_elementwise_dims = batch;
  return a;
}

Dims infer_dims(const GatherAttrs& a, const Dims& data, const Dims& indices) {
  return infer(a, {{DataType::kFLOAT, data}, {DataType::kINT64, indices}}, "g")[0].dims;
}

std::string infer_error(const GatherAttrs& a, const Dims& data, const Dims& indices) {
  return error_of([&] { infer_dims(a, data, indices); });
}

HostTensor i64(const Dims& dims, const std::vector<int64_t>& v) {
  return HostTensor::of<int64_t>(DataType::kINT64, dims, v);
}

TEST(GatherElementsInfer, ShapeIsTheIndices) {
  GatherAttrs a = gather_mode(GatherMode::kELEMENT, 1);
  EXPECT_EQ(infer_dims(a, {3, 4}, {3, 7}), (Dims{3, 7}));
  EXPECT_EQ(infer_dims(a, {3, 4}, {2, 1}), (Dims{2, 1}));
  EXPECT_EQ(infer_dims(a, {-1, 4}, {-1, 9}), (Dims{-1, 9}));
  EXPECT_EQ(infer_dims(gather_mode(GatherMode::kELEMENT, -2), {3, 4}, {5, 4}), (Dims{5, 4}));
}

TEST(GatherElementsInfer, Errors) {
  GatherAttrs a = gather_mode(GatherMode::kELEMENT, 1);
  std::string msg = infer_error(a, {3, 4}, {3});
  EXPECT_TRUE(contains(msg, "[gather 'g'] kELEMENT mode: indices [3] must have the data's rank 2"))
      << msg;
  msg = infer_error(a, {3, 4}, {4, 4});
  EXPECT_TRUE(contains(msg, "larger than data [3,4] in dimension 0")) << msg;
  msg = infer_error(gather_mode(GatherMode::kELEMENT, 2), {3, 4}, {3, 4});
  EXPECT_TRUE(contains(msg, "[gather 'g'] axis 2 is out of range for rank 2")) << msg;
}

TEST(GatherElements, OnnxExamples) {
  HostTensor data = HostTensor::f32({2, 2}, {1, 2, 3, 4});
  HostTensor y =
      run_cpu(gather_mode(GatherMode::kELEMENT, 1), {data, i64({2, 2}, {0, 0, 1, 0})})[0];
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1, 4, 3}));
  HostTensor d3 = HostTensor::f32({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  y = run_cpu(gather_mode(GatherMode::kELEMENT, 0), {d3, i64({2, 3}, {1, 2, 0, 2, 0, 0})})[0];
  EXPECT_EQ(y.values<float>(), (std::vector<float>{4, 8, 3, 7, 2, 3}));
  // Negative indices count from the back.
  y = run_cpu(gather_mode(GatherMode::kELEMENT, 0), {d3, i64({2, 3}, {-1, -2, 0, -3, 0, 0})})[0];
  EXPECT_EQ(y.values<float>(), (std::vector<float>{7, 5, 3, 1, 2, 3}));
}

TEST(GatherElements, OutOfRangeIndexIsAnError) {
  HostTensor data = HostTensor::f32({2, 2}, {1, 2, 3, 4});
  expect_error(
      [&] {
        run_cpu(gather_mode(GatherMode::kELEMENT, 1), {data, i64({1, 1}, {2})});
      },
      {"[gather 'op'] index 2 is out of range for axis 1 of size 2"});
  expect_error(
      [&] {
        run_cpu(gather_mode(GatherMode::kELEMENT, 1), {data, i64({1, 1}, {-3})});
      },
      {"index -3 is out of range"});
}

TEST(GatherElements, MatchesReference) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    std::mt19937 gen(seed);
    int32_t rank = 1 + static_cast<int32_t>(gen() % 4);
    int32_t axis = static_cast<int32_t>(gen() % rank);
    Dims dims = Dims::filled(rank, 1), idims = Dims::filled(rank, 1);
    for (int32_t i = 0; i < rank; ++i) {
      dims.d[i] = 1 + gen() % 4;
      idims.d[i] = i == axis ? 1 + gen() % 5 : 1 + gen() % dims.d[i];
    }
    HostTensor data = HostTensor::f32(dims, random_floats(volume(dims), seed));
    std::vector<int64_t> idx(static_cast<size_t>(volume(idims)));
    for (int64_t& v : idx) v = static_cast<int64_t>(gen() % (2 * dims.d[axis])) - dims.d[axis];
    DataType itype = seed % 2 ? DataType::kINT32 : DataType::kINT64;
    HostTensor indices = HostTensor::of<int64_t>(itype, idims, idx);
    HostTensor y = run_cpu(gather_mode(GatherMode::kELEMENT, axis), {data, indices})[0];
    ASSERT_EQ(y.dims, idims);
    std::vector<float> x = data.values<float>(), expected;
    for (int64_t lin = 0; lin < volume(idims); ++lin) {
      int64_t c[Dims::kMaxDims], rest = lin;
      for (int32_t i = rank - 1; i >= 0; --i) {
        c[i] = rest % idims.d[i];
        rest /= idims.d[i];
      }
      c[axis] = idx[lin] < 0 ? idx[lin] + dims.d[axis] : idx[lin];
      int64_t src = 0;
      for (int32_t i = 0; i < rank; ++i) src = src * dims.d[i] + c[i];
      expected.push_back(x[src]);
    }
    EXPECT_EQ(y.values<float>(), expected) << "seed " << seed;
  }
}

TEST(GatherNDInfer, Shapes) {
  GatherAttrs a = gather_mode(GatherMode::kND, 0);
  EXPECT_EQ(infer_dims(a, {2, 2}, {2, 2}), (Dims{2}));
  EXPECT_EQ(infer_dims(a, {2, 2}, {2, 1}), (Dims{2, 2}));
  EXPECT_EQ(infer_dims(a, {2, 3, 4}, {5, 6, 1}), (Dims{5, 6, 3, 4}));
  EXPECT_EQ(infer_dims(a, {-1, 3, 4}, {-1, 2}), (Dims{-1, 4}));
  GatherAttrs b = gather_mode(GatherMode::kND, 0, 1);
  EXPECT_EQ(infer_dims(b, {2, 2, 2}, {2, 1}), (Dims{2, 2}));
  EXPECT_EQ(infer_dims(b, {2, 3, 4}, {-1, 7, 2}), (Dims{2, 7}));  // batch dim from data
}

TEST(GatherNDInfer, Errors) {
  GatherAttrs a = gather_mode(GatherMode::kND, 0);
  std::string msg = infer_error(a, {2, 2}, {2, 3});
  EXPECT_TRUE(contains(msg, "[gather 'g'] kND mode: the last dimension of indices [2,3] is 3"))
      << msg;
  msg = infer_error(a, {2, 2}, {2, -1});
  EXPECT_TRUE(contains(msg, "must be known at build time")) << msg;
  msg = infer_error(gather_mode(GatherMode::kND, 0, 1), {2, 2}, {3, 1});
  EXPECT_TRUE(contains(msg, "kND mode: batch dimension 0 is 2 in data [2,2] but 3")) << msg;
  msg = infer_error(gather_mode(GatherMode::kND, 0, 2), {2, 2}, {2, 1});
  EXPECT_TRUE(contains(msg, "num_elementwise_dims 2 must be below")) << msg;
}

TEST(GatherND, OnnxExamples) {
  HostTensor d = HostTensor::of<int32_t>(DataType::kINT32, {2, 2}, {0, 1, 2, 3});
  GatherAttrs a = gather_mode(GatherMode::kND, 0);
  EXPECT_EQ(run_cpu(a, {d, i64({2, 2}, {0, 0, 1, 1})})[0].values<int32_t>(),
            (std::vector<int32_t>{0, 3}));
  EXPECT_EQ(run_cpu(a, {d, i64({2, 1}, {1, 0})})[0].values<int32_t>(),
            (std::vector<int32_t>{2, 3, 0, 1}));
  HostTensor d3 = HostTensor::of<int32_t>(DataType::kINT32, {2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  HostTensor y = run_cpu(a, {d3, i64({2, 1, 2}, {0, 1, 1, 0})})[0];
  EXPECT_EQ(y.dims, (Dims{2, 1, 2}));
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{2, 3, 4, 5}));
  // batch_dims = 1.
  y = run_cpu(gather_mode(GatherMode::kND, 0, 1), {d3, i64({2, 1}, {1, 0})})[0];
  EXPECT_EQ(y.dims, (Dims{2, 2}));
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{2, 3, 4, 5}));
  // Negative indices; out of range is an error.
  EXPECT_EQ(run_cpu(a, {d, i64({1, 2}, {-1, -2})})[0].values<int32_t>(), (std::vector<int32_t>{2}));
  expect_error(
      [&] {
        run_cpu(a, {d, i64({1, 2}, {0, 2})});
      },
      {"[gather 'op'] index 2 is out of range for axis 1 of size 2"});
}

TEST(GatherND, MatchesReference) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    std::mt19937 gen(seed);
    int32_t r = 1 + static_cast<int32_t>(gen() % 4);
    int32_t batch = static_cast<int32_t>(gen() % r);
    int32_t k = 1 + static_cast<int32_t>(gen() % (r - batch));
    Dims dims = Dims::filled(r, 1);
    for (int32_t i = 0; i < r; ++i) dims.d[i] = 1 + gen() % 4;
    int32_t q = batch + 1 + static_cast<int32_t>(gen() % 2);
    Dims idims = Dims::filled(q, 1);
    for (int32_t i = 0; i < q - 1; ++i) idims.d[i] = i < batch ? dims.d[i] : 1 + gen() % 3;
    idims.d[q - 1] = k;
    std::vector<int64_t> idx(static_cast<size_t>(volume(idims)));
    for (size_t j = 0; j < idx.size(); ++j) {
      int64_t n = dims.d[batch + static_cast<int32_t>(j % k)];
      idx[j] = static_cast<int64_t>(gen() % (2 * n)) - n;
    }
    HostTensor data = HostTensor::f32(dims, random_floats(volume(dims), seed));
    GatherAttrs a = gather_mode(GatherMode::kND, 0, batch);
    HostTensor y = run_cpu(a, {data, i64(idims, idx)})[0];
    // Naive: output index = (indices position, rest of data); read data at (batch, tuple, rest).
    Dims out = y.dims;
    std::vector<float> x = data.values<float>(), expected;
    for (int64_t lin = 0; lin < volume(out); ++lin) {
      int64_t c[Dims::kMaxDims], rest = lin;
      for (int32_t i = out.nb_dims - 1; i >= 0; --i) {
        c[i] = rest % out.d[i];
        rest /= out.d[i];
      }
      int64_t row = 0;
      for (int32_t i = 0; i < q - 1; ++i) row = row * idims.d[i] + c[i];
      int64_t src = 0;
      for (int32_t i = 0; i < r; ++i) {
        int64_t at;
        if (i < batch) {
          at = c[i];
        } else if (i < batch + k) {
          at = idx[row * k + (i - batch)];
          if (at < 0) at += dims.d[i];
        } else {
          at = c[q - 1 + (i - batch - k)];
        }
        src = src * dims.d[i] + at;
      }
      expected.push_back(x[src]);
    }
    EXPECT_EQ(y.values<float>(), expected) << "seed " << seed;
  }
}

}  // namespace
}  // namespace kiln::test
