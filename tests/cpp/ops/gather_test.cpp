// Tests of the gather layer: shape inference (0-d indices, negative axes, unknown dims, errors)
// and the CPU kernel: hand-checked values, negative indices, out-of-range indices at run time.
#include <gtest/gtest.h>

#include <functional>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

constexpr DataType kAllTypes[] = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                                  DataType::kINT8,  DataType::kUINT8, DataType::kINT32,
                                  DataType::kINT64, DataType::kBOOL};

GatherAttrs gather_axis(int32_t axis) {
  GatherAttrs a;
  a.axis = axis;
  return a;
}

ir::TensorDesc infer_out(int32_t axis, const Dims& data, const Dims& indices,
                         DataType index_type = DataType::kINT32) {
  return infer(gather_axis(axis), {{DataType::kHALF, data}, {index_type, indices}}, "g1")[0];
}

HostTensor random_tensor(DataType type, const Dims& dims, std::mt19937& gen) {
  HostTensor t{type, dims, {}};
  t.bytes.resize(static_cast<size_t>(volume(dims) * element_size(type)));
  for (uint8_t& b : t.bytes) b = static_cast<uint8_t>(type == DataType::kBOOL ? gen() & 1 : gen());
  return t;
}

// Naive gather: unravel each output index, replace the indices' part by the index value.
std::vector<uint8_t> ref_gather(const HostTensor& data, const std::vector<int64_t>& indices,
                                const Dims& index_dims, int32_t axis, const Dims& out) {
  int64_t esize = element_size(data.type);
  int64_t n = volume(out);
  int32_t k = index_dims.nb_dims;
  std::vector<uint8_t> dst(static_cast<size_t>(n * esize));
  for (int64_t lin = 0; lin < n; ++lin) {
    int64_t index[Dims::kMaxDims];
    int64_t rest = lin;
    for (int32_t i = out.nb_dims - 1; i >= 0; --i) {
      index[i] = rest % out.d[i];
      rest /= out.d[i];
    }
    int64_t which = 0;
    for (int32_t i = 0; i < k; ++i) which = which * index_dims.d[i] + index[axis + i];
    int64_t v = indices[which];
    if (v < 0) v += data.dims.d[axis];
    int64_t src = 0;
    for (int32_t i = 0; i < data.dims.nb_dims; ++i) {
      int64_t at = i < axis ? index[i] : i == axis ? v : index[i - 1 + k];
      src = src * data.dims.d[i] + at;
    }
    std::memcpy(&dst[lin * esize], &data.bytes.at(src * esize), static_cast<size_t>(esize));
  }
  return dst;
}

TEST(GatherInfer, OutputShape) {
  ir::TensorDesc out = infer_out(1, {3, 4, 5}, {2, 6});
  EXPECT_EQ(out.dims, (Dims{3, 2, 6, 5}));
  EXPECT_EQ(out.type, DataType::kHALF);
  EXPECT_EQ(infer_out(0, {3, 4, 5}, Dims{}).dims, (Dims{4, 5}));
  EXPECT_EQ(infer_out(-1, {3, 4, 5}, {7}, DataType::kINT64).dims, (Dims{3, 4, 7}));
  EXPECT_EQ(infer_out(0, {3}, Dims{}).dims, Dims{});
  EXPECT_EQ(infer_out(0, {3}, {0}).dims, (Dims{0}));
}

TEST(GatherInfer, UnknownDims) {
  EXPECT_EQ(infer_out(1, {-1, 4, 5}, {-1}).dims, (Dims{-1, -1, 5}));
  EXPECT_EQ(infer_out(0, {-1, 4}, {2, 2}).dims, (Dims{2, 2, 4}));
}

TEST(GatherErrors, BadInputs) {
  std::string msg = error_of([] { infer_out(0, {3, 4}, {2}, DataType::kFLOAT); });
  EXPECT_TRUE(contains(msg, "[gather 'g1'] indices have type float32")) << msg;
  msg = error_of([] { infer_out(2, {3, 4}, {2}); });
  EXPECT_TRUE(contains(msg, "[gather 'g1'] axis 2 is out of range")) << msg;
  msg = error_of([] { infer_out(0, Dims{}, {2}); });
  EXPECT_TRUE(contains(msg, "[gather 'g1']")) << msg;
  msg = error_of([] { infer_out(0, {2, 2, 2, 2, 2}, {1, 1, 1, 1, 1}); });
  EXPECT_TRUE(contains(msg, "[gather 'g1']") && contains(msg, "rank 9")) << msg;
}

TEST(Gather, HandChecked) {
  HostTensor data = HostTensor::f32({3, 2}, {1, 2, 3, 4, 5, 6});
  HostTensor idx = HostTensor::of<int32_t>(DataType::kINT32, {2, 2}, {0, 2, 2, 1});
  HostTensor y = run_cpu(gather_axis(0), {data, idx})[0];
  EXPECT_EQ(y.dims, (Dims{2, 2, 2}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2, 5, 6, 5, 6, 3, 4}));

  HostTensor cols = HostTensor::of<int64_t>(DataType::kINT64, {3}, {1, 1, 0});
  y = run_cpu(gather_axis(-1), {data, cols})[0];
  EXPECT_EQ(y.dims, (Dims{3, 3}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{2, 2, 1, 4, 4, 3, 6, 6, 5}));
}

TEST(Gather, NegativeAndScalarIndices) {
  HostTensor data = HostTensor::of<int32_t>(DataType::kINT8, {4}, {10, 20, 30, 40});
  HostTensor idx = HostTensor::of<int32_t>(DataType::kINT32, {4}, {-1, -4, 0, -2});
  EXPECT_EQ(run_cpu(gather_axis(0), {data, idx})[0].values<int32_t>(),
            (std::vector<int32_t>{40, 10, 10, 30}));

  HostTensor scalar = HostTensor::of<int64_t>(DataType::kINT64, Dims{}, {-3});
  HostTensor y = run_cpu(gather_axis(0), {data, scalar})[0];
  EXPECT_EQ(y.dims, Dims{});
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{20}));

  HostTensor m = HostTensor::of<int32_t>(DataType::kINT64, {2, 3}, {1, 2, 3, 4, 5, 6});
  y = run_cpu(gather_axis(1), {m, HostTensor::of<int32_t>(DataType::kINT32, Dims{}, {2})})[0];
  EXPECT_EQ(y.dims, (Dims{2}));
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{3, 6}));
}

TEST(Gather, ZeroSize) {
  HostTensor data = HostTensor::f32({3, 2}, {1, 2, 3, 4, 5, 6});
  HostTensor none = HostTensor::of<int32_t>(DataType::kINT32, {0}, {});
  HostTensor y = run_cpu(gather_axis(1), {data, none})[0];
  EXPECT_EQ(y.dims, (Dims{3, 0}));
  EXPECT_TRUE(y.bytes.empty());

  HostTensor empty = HostTensor::f32({0, 2}, {});
  HostTensor idx = HostTensor::of<int32_t>(DataType::kINT32, {2}, {1, -2});
  y = run_cpu(gather_axis(1), {empty, idx})[0];
  EXPECT_EQ(y.dims, (Dims{0, 2}));
}

TEST(Gather, IndexOutOfRangeThrowsAtRunTime) {
  HostTensor data = HostTensor::f32({3, 2}, {1, 2, 3, 4, 5, 6});
  for (int64_t bad : {3, -4, 1000000}) {
    HostTensor idx = HostTensor::of<int64_t>(DataType::kINT64, {2}, {0, bad});
    std::string msg = error_of([&] { run_cpu(gather_axis(0), {data, idx}, "g1"); });
    EXPECT_EQ(msg, "[gather 'g1'] index " + std::to_string(bad) +
                       " is out of range for axis 0 of size 3");
  }
  HostTensor idx = HostTensor::of<int32_t>(DataType::kINT32, {1}, {2});
  std::string msg = error_of([&] { run_cpu(gather_axis(-1), {data, idx}, "g1"); });
  EXPECT_EQ(msg, "[gather 'g1'] index 2 is out of range for axis 1 of size 2");
  // Every index is out of range of an empty axis.
  HostTensor empty = HostTensor::f32({0, 2}, {});
  HostTensor zero = HostTensor::of<int32_t>(DataType::kINT32, {1}, {0});
  msg = error_of([&] { run_cpu(gather_axis(0), {empty, zero}, "g1"); });
  EXPECT_EQ(msg, "[gather 'g1'] index 0 is out of range for axis 0 of size 0");
}

TEST(Gather, EveryElementSizeMatchesReference) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    DataType type = kAllTypes[seed % 8];
    DataType index_type = seed % 3 ? DataType::kINT32 : DataType::kINT64;
    std::mt19937 gen(seed);
    int32_t rank = 1 + static_cast<int32_t>(gen() % 4);
    Dims dims = Dims::filled(rank, 1);
    for (int32_t i = 0; i < rank; ++i) dims.d[i] = 1 + gen() % 4;
    int32_t axis = static_cast<int32_t>(gen() % rank);
    int32_t index_rank = static_cast<int32_t>(gen() % 3);
    Dims index_dims = Dims::filled(index_rank, 1);
    for (int32_t i = 0; i < index_rank; ++i) index_dims.d[i] = gen() % 4;
    std::vector<int64_t> indices(static_cast<size_t>(volume(index_dims)));
    int64_t n = dims.d[axis];
    for (int64_t& v : indices) v = static_cast<int64_t>(gen() % (2 * n)) - n;  // [-n, n)
    HostTensor data = random_tensor(type, dims, gen);
    HostTensor idx = HostTensor::of<int64_t>(index_type, index_dims, indices);

    Dims out;
    out.nb_dims = rank - 1 + index_rank;
    for (int32_t i = 0; i < out.nb_dims; ++i) {
      out.d[i] = i < axis                ? dims.d[i]
                 : i < axis + index_rank ? index_dims.d[i - axis]
                                         : dims.d[i - index_rank + 1];
    }
    SCOPED_TRACE(testing::Message() << "seed " << seed << " type " << type << " data " << dims
                                    << " axis " << axis << " indices " << index_dims);
    HostTensor y = run_cpu(gather_axis(gen() % 2 ? axis : axis - rank), {data, idx})[0];
    ASSERT_EQ(y.dims, out);
    ASSERT_EQ(y.type, type);
    EXPECT_EQ(y.bytes, ref_gather(data, indices, index_dims, axis, out));
  }
}

}  // namespace
}  // namespace kiln::test
