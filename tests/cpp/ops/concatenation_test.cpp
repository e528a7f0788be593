// Tests of the concatenation layer: shape inference (negative axes, unknown dims, mismatches) and
// the CPU kernel, by hand-checked values and against a naive reference for every element size.
#include <gtest/gtest.h>

#include <functional>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

constexpr DataType kAllTypes[] = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                                  DataType::kINT8,  DataType::kUINT8, DataType::kINT32,
                                  DataType::kINT64, DataType::kBOOL};

ConcatenationAttrs concat_axis(int32_t axis) {
  ConcatenationAttrs a;
  a.axis = axis;
  return a;
}

Dims infer_dims(int32_t axis, const std::vector<Dims>& shapes) {
  std::vector<ir::TensorDesc> in;
  for (const Dims& d : shapes) in.push_back({DataType::kFLOAT, d});
  return infer(concat_axis(axis), in, "cat")[0].dims;
}

HostTensor random_tensor(DataType type, const Dims& dims, std::mt19937& gen) {
  HostTensor t{type, dims, {}};
  t.bytes.resize(static_cast<size_t>(volume(dims) * element_size(type)));
  for (uint8_t& b : t.bytes) b = static_cast<uint8_t>(type == DataType::kBOOL ? gen() & 1 : gen());
  return t;
}

// Naive concatenation: each output element finds its input by walking the axis offsets.
std::vector<uint8_t> ref_concat(const std::vector<HostTensor>& inputs, int32_t axis,
                                const Dims& out) {
  int64_t esize = element_size(inputs[0].type);
  int64_t n = volume(out);
  std::vector<uint8_t> dst(static_cast<size_t>(n * esize));
  for (int64_t lin = 0; lin < n; ++lin) {
    int64_t index[Dims::kMaxDims];
    int64_t rest = lin;
    for (int32_t i = out.nb_dims - 1; i >= 0; --i) {
      index[i] = rest % out.d[i];
      rest /= out.d[i];
    }
    size_t k = 0;
    while (index[axis] >= inputs[k].dims.d[axis]) index[axis] -= inputs[k++].dims.d[axis];
    const Dims& dims = inputs[k].dims;
    int64_t src = 0;
    for (int32_t i = 0; i < dims.nb_dims; ++i) src = src * dims.d[i] + index[i];
    std::memcpy(&dst[lin * esize], &inputs[k].bytes[src * esize], static_cast<size_t>(esize));
  }
  return dst;
}

TEST(ConcatenationInfer, SumsAlongTheAxis) {
  EXPECT_EQ(infer_dims(1, {{2, 3}, {2, 5}}), (Dims{2, 8}));
  EXPECT_EQ(infer_dims(-1, {{2, 3}, {2, 5}, {2, 1}}), (Dims{2, 9}));
  EXPECT_EQ(infer_dims(0, {{4, 3}}), (Dims{4, 3}));
  EXPECT_EQ(infer_dims(-2, {{1, 3}, {0, 3}}), (Dims{1, 3}));
}

TEST(ConcatenationInfer, UnknownDims) {
  EXPECT_EQ(infer_dims(1, {{2, -1}, {2, 3}}), (Dims{2, -1}));
  EXPECT_EQ(infer_dims(1, {{-1, 4}, {2, 3}}), (Dims{2, 7}));
  EXPECT_EQ(infer_dims(1, {{2, 4}, {-1, 3}}), (Dims{2, 7}));
  EXPECT_EQ(infer_dims(0, {{-1, 4}, {-1, 4}}), (Dims{-1, 4}));
}

TEST(ConcatenationInfer, OutputKeepsTheType) {
  auto out = infer(concat_axis(0), {{DataType::kHALF, {2}}, {DataType::kHALF, {3}}}, "cat");
  EXPECT_EQ(out[0].type, DataType::kHALF);
  EXPECT_EQ(out[0].dims, (Dims{5}));
}

TEST(ConcatenationErrors, Mismatches) {
  std::string msg = error_of([] { infer_dims(1, {{2, 3}, {3, 3}}); });
  EXPECT_TRUE(contains(msg, "[concatenation 'cat']")) << msg;
  EXPECT_TRUE(contains(msg, "[3,3]")) << msg;
  msg = error_of([] { infer_dims(0, {{2, 3}, {2, 3, 1}}); });
  EXPECT_TRUE(contains(msg, "[concatenation 'cat']") && contains(msg, "rank")) << msg;
  msg = error_of([] {
    infer(concat_axis(0), {{DataType::kFLOAT, {2}}, {DataType::kINT32, {2}}}, "cat");
  });
  EXPECT_TRUE(contains(msg, "[concatenation 'cat']") && contains(msg, "int32")) << msg;
  msg = error_of([] { infer_dims(2, {{2, 3}, {2, 3}}); });
  EXPECT_TRUE(contains(msg, "[concatenation 'cat'] axis 2 is out of range")) << msg;
  msg = error_of([] { infer_dims(0, {}); });
  EXPECT_TRUE(contains(msg, "[concatenation 'cat']")) << msg;
  msg = error_of([] { infer_dims(0, {Dims{}}); });
  EXPECT_TRUE(contains(msg, "[concatenation 'cat']")) << msg;
}

TEST(Concatenation, HandChecked) {
  HostTensor a = HostTensor::f32({2, 2}, {1, 2, 3, 4});
  HostTensor b = HostTensor::f32({2, 1}, {5, 6});
  HostTensor y = run_cpu(concat_axis(1), {a, b})[0];
  EXPECT_EQ(y.dims, (Dims{2, 3}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2, 5, 3, 4, 6}));

  HostTensor c = HostTensor::f32({1, 2}, {7, 8});
  y = run_cpu(concat_axis(-2), {a, c, a})[0];
  EXPECT_EQ(y.dims, (Dims{5, 2}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2, 3, 4, 7, 8, 1, 2, 3, 4}));
}

TEST(Concatenation, ZeroSizeInputsAndOutputs) {
  HostTensor a = HostTensor::of<int64_t>(DataType::kINT64, {2, 1}, {1, 2});
  HostTensor empty = HostTensor::of<int64_t>(DataType::kINT64, {2, 0}, {});
  HostTensor y = run_cpu(concat_axis(1), {empty, a, empty, a})[0];
  EXPECT_EQ(y.dims, (Dims{2, 2}));
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{1, 1, 2, 2}));

  HostTensor none = HostTensor::of<int64_t>(DataType::kINT64, {0, 3}, {});
  y = run_cpu(concat_axis(1), {none, none})[0];
  EXPECT_EQ(y.dims, (Dims{0, 6}));
  EXPECT_TRUE(y.bytes.empty());
}

TEST(Concatenation, EveryElementSizeMatchesReference) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    DataType type = kAllTypes[seed % 8];
    std::mt19937 gen(seed);
    int32_t rank = 1 + static_cast<int32_t>(gen() % 4);
    int32_t axis = static_cast<int32_t>(gen() % rank);
    Dims base = Dims::filled(rank, 1);
    for (int32_t i = 0; i < rank; ++i) base.d[i] = 1 + gen() % 4;
    int32_t count = 1 + static_cast<int32_t>(gen() % 4);
    std::vector<HostTensor> inputs;
    Dims out = base;
    out.d[axis] = 0;
    for (int32_t k = 0; k < count; ++k) {
      Dims d = base;
      d.d[axis] = gen() % 4;  // 0 to 3, empty inputs included
      out.d[axis] += d.d[axis];
      inputs.push_back(random_tensor(type, d, gen));
    }
    SCOPED_TRACE(testing::Message() << "seed " << seed << " type " << type << " out " << out);
    HostTensor y = run_cpu(concat_axis(gen() % 2 ? axis : axis - rank), inputs)[0];
    ASSERT_EQ(y.dims, out);
    EXPECT_EQ(y.bytes, ref_concat(inputs, axis, out));
  }
}

}  // namespace
}  // namespace kiln::test
