// Tests of the scatter layer (ONNX ScatterElements / ScatterND): shape inference with -1 and
// errors, ONNX's examples, reductions, negative and out-of-range indices, and random cases against
// naive implementations written here.
#include <gtest/gtest.h>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

ScatterAttrs scatter(ScatterMode mode, int32_t axis = 0,
                     ScatterReduction r = ScatterReduction::kNONE) {
  ScatterAttrs a;
  a.mode = mode;
  a.axis = axis;
  a.reduction = r;
  return a;
}

HostTensor i64(const Dims& dims, const std::vector<int64_t>& v) {
  return HostTensor::of<int64_t>(DataType::kINT64, dims, v);
}

Dims infer_dims(const ScatterAttrs& a, const Dims& data, const Dims& indices, const Dims& updates) {
  return infer(a,
               {{DataType::kFLOAT, data}, {DataType::kINT32, indices}, {DataType::kFLOAT, updates}},
               "sc")[0]
      .dims;
}

TEST(ScatterInfer, ShapesAndErrors) {
  ScatterAttrs e = scatter(ScatterMode::kELEMENT, 1);
  EXPECT_EQ(infer_dims(e, {3, 4}, {3, 7}, {3, 7}), (Dims{3, 4}));
  EXPECT_EQ(infer_dims(e, {-1, 4}, {-1, 2}, {3, -1}), (Dims{-1, 4}));
  expect_error(
      [&] {
        infer_dims(e, {3, 4}, {3, 2}, {3, 3});
      },
      {"[scatter 'sc'] kELEMENT mode: indices [3,2] and updates [3,3] must have the same "
       "shape"});
  expect_error([&] { infer_dims(e, {3, 4}, {3}, {3}); }, {"must have the data's rank 2"});
  ScatterAttrs nd = scatter(ScatterMode::kND);
  EXPECT_EQ(infer_dims(nd, {4, 5, 6}, {2, 3, 2}, {2, 3, 6}), (Dims{4, 5, 6}));
  EXPECT_EQ(infer_dims(nd, {-1, 5, 6}, {-1, 1}, {-1, 5, 6}), (Dims{-1, 5, 6}));
  expect_error(
      [&] {
        infer_dims(nd, {4, 5, 6}, {2, 2}, {2, 5});
      },
      {"[scatter 'sc'] kND mode: updates [2,5] must have shape indices[:-1] + data[2:] = "
       "[2,6]"});
  expect_error(
      [&] {
        infer_dims(nd, {4}, {2, 2}, {2});
      },
      {"is 2; expected 1 to the data's rank 1"});
  expect_error(
      [&] {
        infer(e, {{DataType::kFLOAT, {2}}, {DataType::kFLOAT, {2}}, {DataType::kFLOAT, {2}}}, "sc");
      },
      {"[scatter 'sc'] indices have type float32"});
}

TEST(ScatterElements, OnnxExamples) {
  HostTensor data = HostTensor::f32({3, 3}, std::vector<float>(9, 0.0f));
  HostTensor upd = HostTensor::f32({2, 3}, {1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f});
  HostTensor y =
      run_cpu(scatter(ScatterMode::kELEMENT, 0), {data, i64({2, 3}, {1, 0, 2, 0, 2, 1}), upd})[0];
  EXPECT_EQ(y.values<float>(),
            (std::vector<float>{2.0f, 1.1f, 0.0f, 1.0f, 0.0f, 2.2f, 0.0f, 2.1f, 1.2f}));
  HostTensor d1 = HostTensor::f32({1, 5}, {1, 2, 3, 4, 5});
  y = run_cpu(scatter(ScatterMode::kELEMENT, 1),
              {d1, i64({1, 2}, {1, -2}), HostTensor::f32({1, 2}, {1.1f, 2.1f})})[0];
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1.1f, 3, 2.1f, 5}));
  // Reductions on repeated indices (scatter_elements_with_duplicate_indices: add).
  y = run_cpu(scatter(ScatterMode::kELEMENT, 1, ScatterReduction::kADD),
              {d1, i64({1, 2}, {1, 1}), HostTensor::f32({1, 2}, {1.1f, 2.1f})})[0];
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2 + 1.1f + 2.1f, 3, 4, 5}));
  y = run_cpu(scatter(ScatterMode::kELEMENT, 1, ScatterReduction::kMUL),
              {d1, i64({1, 2}, {1, 1}), HostTensor::f32({1, 2}, {1.5f, 2.0f})})[0];
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 6, 3, 4, 5}));
  y = run_cpu(scatter(ScatterMode::kELEMENT, 1, ScatterReduction::kMAX),
              {d1, i64({1, 2}, {1, 3}), HostTensor::f32({1, 2}, {1.5f, 7.0f})})[0];
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2, 3, 7, 5}));
  y = run_cpu(scatter(ScatterMode::kELEMENT, 1, ScatterReduction::kMIN),
              {d1, i64({1, 2}, {1, 3}), HostTensor::f32({1, 2}, {1.5f, 7.0f})})[0];
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1.5f, 3, 4, 5}));
  expect_error(
      [&] {
        run_cpu(scatter(ScatterMode::kELEMENT, 1),
                {d1, i64({1, 1}, {5}), HostTensor::f32({1, 1}, {0})});
      },
      {"[scatter 'op'] index 5 is out of range for axis 1 of size 5"});
}

TEST(ScatterND, OnnxExamples) {
  HostTensor d = HostTensor::of<int32_t>(DataType::kINT32, {8}, {1, 2, 3, 4, 5, 6, 7, 8});
  HostTensor y = run_cpu(scatter(ScatterMode::kND),
                         {d, i64({4, 1}, {4, 3, 1, 7}),
                          HostTensor::of<int32_t>(DataType::kINT32, {4}, {9, 10, 11, 12})})[0];
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{1, 11, 3, 10, 9, 6, 7, 12}));
  // data [4, 4, 4]: replace slices 0 and 2 of the first axis.
  std::vector<float> base(64);
  for (int i = 0; i < 64; ++i) base[i] = static_cast<float>(i);
  std::vector<float> upd(32);
  for (int i = 0; i < 32; ++i) upd[i] = 100.0f + i;
  y = run_cpu(scatter(ScatterMode::kND), {HostTensor::f32({4, 4, 4}, base), i64({2, 1}, {0, -2}),
                                          HostTensor::f32({2, 4, 4}, upd)})[0];
  std::vector<float> want = base;
  for (int i = 0; i < 16; ++i) want[i] = 100.0f + i, want[32 + i] = 116.0f + i;
  EXPECT_EQ(y.values<float>(), want);
  y = run_cpu(scatter(ScatterMode::kND, 0, ScatterReduction::kADD),
              {d, i64({2, 1}, {0, 0}), HostTensor::of<int32_t>(DataType::kINT32, {2}, {5, 6})})[0];
  EXPECT_EQ(y.values<int32_t>()[0], 12);
  expect_error(
      [&] {
        run_cpu(scatter(ScatterMode::kND),
                {d, i64({1, 1}, {-9}), HostTensor::of<int32_t>(DataType::kINT32, {1}, {0})});
      },
      {"[scatter 'op'] index -9 is out of range for axis 0 of size 8"});
}

TEST(ScatterElements, MatchesReference) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    std::mt19937 gen(seed);
    int32_t rank = 1 + static_cast<int32_t>(gen() % 4);
    int32_t axis = static_cast<int32_t>(gen() % rank);
    auto red = static_cast<ScatterReduction>(gen() % 5);
    Dims dims = Dims::filled(rank, 1), idims = Dims::filled(rank, 1);
    for (int32_t i = 0; i < rank; ++i) {
      dims.d[i] = 1 + gen() % 4;
      idims.d[i] = 1 + gen() % dims.d[i];
    }
    std::vector<int64_t> idx(static_cast<size_t>(volume(idims)));
    for (int64_t& v : idx) v = static_cast<int64_t>(gen() % (2 * dims.d[axis])) - dims.d[axis];
    HostTensor data = HostTensor::f32(dims, random_floats(volume(dims), seed));
    HostTensor upd = HostTensor::f32(idims, random_floats(volume(idims), seed + 1000));
    HostTensor y =
        run_cpu(scatter(ScatterMode::kELEMENT, axis, red), {data, i64(idims, idx), upd})[0];
    std::vector<float> want = data.values<float>(), u = upd.values<float>();
    for (int64_t lin = 0; lin < volume(idims); ++lin) {
      int64_t c[Dims::kMaxDims], rest = lin;
      for (int32_t i = rank - 1; i >= 0; --i) c[i] = rest % idims.d[i], rest /= idims.d[i];
      c[axis] = idx[lin] < 0 ? idx[lin] + dims.d[axis] : idx[lin];
      int64_t at = 0;
      for (int32_t i = 0; i < rank; ++i) at = at * dims.d[i] + c[i];
      float& w = want[at];
      w = red == ScatterReduction::kADD   ? w + u[lin]
          : red == ScatterReduction::kMUL ? w * u[lin]
          : red == ScatterReduction::kMAX ? std::max(w, u[lin])
          : red == ScatterReduction::kMIN ? std::min(w, u[lin])
                                          : u[lin];
    }
    EXPECT_EQ(y.values<float>(), want) << "seed " << seed;
  }
}

TEST(ScatterND, MatchesReference) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    std::mt19937 gen(seed);
    int32_t r = 1 + static_cast<int32_t>(gen() % 4);
    int32_t k = 1 + static_cast<int32_t>(gen() % r);
    Dims dims = Dims::filled(r, 1);
    for (int32_t i = 0; i < r; ++i) dims.d[i] = 1 + gen() % 4;
    int32_t q = 1 + static_cast<int32_t>(gen() % 3);
    Dims idims = Dims::filled(q, 1);
    for (int32_t i = 0; i < q - 1; ++i) idims.d[i] = 1 + gen() % 3;
    idims.d[q - 1] = k;
    Dims udims;
    udims.nb_dims = q - 1 + r - k;
    for (int32_t i = 0; i < q - 1; ++i) udims.d[i] = idims.d[i];
    for (int32_t i = k; i < r; ++i) udims.d[q - 1 + i - k] = dims.d[i];
    std::vector<int64_t> idx(static_cast<size_t>(volume(idims)));
    for (size_t j = 0; j < idx.size(); ++j) {
      int64_t n = dims.d[j % k];
      idx[j] = static_cast<int64_t>(gen() % (2 * n)) - n;
    }
    HostTensor data = HostTensor::f32(dims, random_floats(volume(dims), seed));
    HostTensor upd = HostTensor::f32(udims, random_floats(volume(udims), seed + 7));
    HostTensor y = run_cpu(scatter(ScatterMode::kND), {data, i64(idims, idx), upd})[0];
    std::vector<float> want = data.values<float>(), u = upd.values<float>();
    int64_t tuples = volume(idims) / k, block = volume(udims) / std::max<int64_t>(tuples, 1);
    for (int64_t t = 0; t < tuples; ++t) {
      for (int64_t e = 0; e < block; ++e) {
        // Data position: the tuple's k indices, then e unravelled over dims[k:].
        int64_t at = 0, rest = e;
        int64_t tail[Dims::kMaxDims];
        for (int32_t i = r - 1; i >= k; --i) tail[i] = rest % dims.d[i], rest /= dims.d[i];
        for (int32_t i = 0; i < r; ++i) {
          int64_t v = i < k ? idx[t * k + i] : tail[i];
          if (v < 0) v += dims.d[i];
          at = at * dims.d[i] + v;
        }
        want[at] = u[t * block + e];
      }
    }
    EXPECT_EQ(y.values<float>(), want) << "seed " << seed;
  }
}

}  // namespace
}  // namespace kiln::test
