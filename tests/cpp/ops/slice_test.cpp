// Tests of the slice layer: shape inference (bounds, unknown dims, errors) and the CPU kernel, by
// hand-checked values (negative strides included) and against a naive reference for every type.
#include <gtest/gtest.h>

#include <functional>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

constexpr DataType kAllTypes[] = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                                  DataType::kINT8,  DataType::kUINT8, DataType::kINT32,
                                  DataType::kINT64, DataType::kBOOL};

SliceAttrs slice_attrs(const Dims& start, const Dims& size, const Dims& stride) {
  SliceAttrs a;
  a.start = start;
  a.size = size;
  a.stride = stride;
  return a;
}

Dims infer_dims(const SliceAttrs& a, const Dims& in) {
  return infer(a, {{DataType::kFLOAT, in}}, "sl")[0].dims;
}

std::string infer_error(const SliceAttrs& a, const Dims& in) {
  return error_of([&] { infer_dims(a, in); });
}

HostTensor random_tensor(DataType type, const Dims& dims, std::mt19937& gen) {
  HostTensor t{type, dims, {}};
  t.bytes.resize(static_cast<size_t>(volume(dims) * element_size(type)));
  for (uint8_t& b : t.bytes) b = static_cast<uint8_t>(type == DataType::kBOOL ? gen() & 1 : gen());
  return t;
}

// Naive slice: each output element reads input element start + i * stride per dimension.
std::vector<uint8_t> ref_slice(const HostTensor& x, const SliceAttrs& a) {
  int64_t esize = element_size(x.type);
  int64_t n = volume(a.size);
  std::vector<uint8_t> dst(static_cast<size_t>(n * esize));
  for (int64_t lin = 0; lin < n; ++lin) {
    int64_t index[Dims::kMaxDims];
    int64_t rest = lin;
    for (int32_t i = a.size.nb_dims - 1; i >= 0; --i) {
      index[i] = rest % a.size.d[i];
      rest /= a.size.d[i];
    }
    int64_t src = 0;
    for (int32_t i = 0; i < x.dims.nb_dims; ++i) {
      src = src * x.dims.d[i] + a.start.d[i] + index[i] * a.stride.d[i];
    }
    std::memcpy(&dst[lin * esize], &x.bytes.at(src * esize), static_cast<size_t>(esize));
  }
  return dst;
}

TEST(SliceInfer, OutputHasTheSize) {
  EXPECT_EQ(infer_dims(slice_attrs({0, 1}, {2, 2}, {1, 2}), {4, 5}), (Dims{2, 2}));
  EXPECT_EQ(infer_dims(slice_attrs({3, 4}, {4, 5}, {-1, -1}), {4, 5}), (Dims{4, 5}));
  EXPECT_EQ(infer_dims(slice_attrs(Dims{}, Dims{}, Dims{}), Dims{}), Dims{});
}

TEST(SliceInfer, SizeZeroSkipsTheBoundsCheck) {
  EXPECT_EQ(infer_dims(slice_attrs({9, 0}, {0, 2}, {1, 1}), {4, 5}), (Dims{0, 2}));
  EXPECT_EQ(infer_dims(slice_attrs({0}, {0}, {1}), {0}), (Dims{0}));
}

TEST(SliceInfer, UnknownDims) {
  EXPECT_EQ(infer_dims(slice_attrs({0, 1}, {100, 2}, {1, 1}), {-1, 4}), (Dims{100, 2}));
  EXPECT_EQ(infer_dims(slice_attrs({5, 0}, {3, 4}, {-2, 1}), {-1, 4}), (Dims{3, 4}));
  // Below 0 is out of bounds whatever the dimension turns out to be.
  std::string msg = infer_error(slice_attrs({1, 0}, {3, 4}, {-1, 1}), {-1, 4});
  EXPECT_TRUE(contains(msg, "[slice 'sl'] dimension 0 reads elements 1 to -1")) << msg;
}

TEST(SliceErrors, OutOfBounds) {
  std::string msg = infer_error(slice_attrs({0, 3}, {2, 2}, {1, 1}), {4, 4});
  EXPECT_TRUE(contains(msg, "[slice 'sl'] dimension 1 reads elements 3 to 4")) << msg;
  EXPECT_TRUE(contains(msg, "[0, 3]") && contains(msg, "dimension 4")) << msg;
  msg = infer_error(slice_attrs({4}, {1}, {1}), {4});
  EXPECT_TRUE(contains(msg, "[slice 'sl'] dimension 0 reads elements 4 to 4")) << msg;
  msg = infer_error(slice_attrs({2}, {4}, {-1}), {4});
  EXPECT_TRUE(contains(msg, "[slice 'sl'] dimension 0 reads elements 2 to -1")) << msg;
  msg = infer_error(slice_attrs({-1}, {1}, {1}), {4});
  EXPECT_TRUE(contains(msg, "[slice 'sl'] dimension 0 reads elements -1 to -1")) << msg;
  msg = infer_error(slice_attrs({0}, {3}, {2}), {4});
  EXPECT_TRUE(contains(msg, "[slice 'sl'] dimension 0 reads elements 0 to 4")) << msg;
}

TEST(SliceErrors, BadAttributes) {
  std::string msg = infer_error(slice_attrs({0}, {1}, {1}), {4, 4});
  EXPECT_TRUE(contains(msg, "[slice 'sl']") && contains(msg, "rank 2")) << msg;
  msg = infer_error(slice_attrs({0}, {-2}, {1}), {4});
  EXPECT_TRUE(contains(msg, "[slice 'sl'] size of dimension 0 is -2")) << msg;
}

TEST(Slice, HandChecked) {
  HostTensor x = HostTensor::of<int32_t>(DataType::kINT32, {10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(run_cpu(slice_attrs({1}, {3}, {3}), {x})[0].values<int32_t>(),
            (std::vector<int32_t>{1, 4, 7}));
  EXPECT_EQ(run_cpu(slice_attrs({8}, {4}, {-2}), {x})[0].values<int32_t>(),
            (std::vector<int32_t>{8, 6, 4, 2}));
  EXPECT_EQ(run_cpu(slice_attrs({9}, {10}, {-1}), {x})[0].values<int32_t>(),
            (std::vector<int32_t>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));

  // 3x4: rows 2, 0 reversed; columns 1 to 3.
  HostTensor m = HostTensor::f32({3, 4}, {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
  HostTensor y = run_cpu(slice_attrs({2, 1}, {2, 3}, {-2, 1}), {m})[0];
  EXPECT_EQ(y.dims, (Dims{2, 3}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{21, 22, 23, 1, 2, 3}));
  // Column 3 to 0 of row 1.
  y = run_cpu(slice_attrs({1, 3}, {1, 4}, {1, -1}), {m})[0];
  EXPECT_EQ(y.values<float>(), (std::vector<float>{13, 12, 11, 10}));
}

TEST(Slice, ScalarAndZeroSize) {
  HostTensor s = HostTensor::of<int64_t>(DataType::kINT64, Dims{}, {42});
  HostTensor y = run_cpu(slice_attrs(Dims{}, Dims{}, Dims{}), {s})[0];
  EXPECT_EQ(y.dims, Dims{});
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{42}));

  HostTensor x = HostTensor::f32({2, 3}, {1, 2, 3, 4, 5, 6});
  y = run_cpu(slice_attrs({0, 5}, {2, 0}, {1, 1}), {x})[0];
  EXPECT_EQ(y.dims, (Dims{2, 0}));
  EXPECT_TRUE(y.bytes.empty());
}

TEST(Slice, EveryElementSizeMatchesReference) {
  for (uint32_t seed = 0; seed < 400; ++seed) {
    DataType type = kAllTypes[seed % 8];
    std::mt19937 gen(seed);
    int32_t rank = static_cast<int32_t>(gen() % 6);
    Dims dims = Dims::filled(rank, 1);
    for (int32_t i = 0; i < rank; ++i) dims.d[i] = 1 + gen() % 6;
    SliceAttrs a = slice_attrs(Dims::filled(rank, 0), Dims::filled(rank, 0), Dims::filled(rank, 1));
    for (int32_t i = 0; i < rank; ++i) {
      int64_t stride = 1 + gen() % 3;
      if (gen() % 3 == 0) stride = -stride;
      if (gen() % 5 == 0) stride = 1;
      int64_t start = gen() % dims.d[i];
      int64_t room = stride > 0 ? (dims.d[i] - 1 - start) / stride : start / -stride;
      a.start.d[i] = start;
      a.stride.d[i] = stride;
      a.size.d[i] = gen() % 12 == 0 ? 0 : 1 + static_cast<int64_t>(gen() % (room + 1));
    }
    HostTensor x = random_tensor(type, dims, gen);
    SCOPED_TRACE(testing::Message()
                 << "seed " << seed << " type " << type << " input " << dims << " start " << a.start
                 << " size " << a.size << " stride " << a.stride);
    HostTensor y = run_cpu(a, {x})[0];
    ASSERT_EQ(y.dims, a.size);
    EXPECT_EQ(y.bytes, ref_slice(x, a));
  }
}

// --- stride 0 and sample modes

SliceAttrs mode_attrs(const Dims& start, const Dims& size, const Dims& stride, SampleMode mode,
                      double fill = 0.0) {
  SliceAttrs a = slice_attrs(start, size, stride);
  a.mode = mode;
  a.fill_value = fill;
  return a;
}

TEST(Slice, StrideZeroRepeatsOneElement) {
  // ONNX Expand of [3, 1] to [3, 4]: stride 0 along the broadcast dimension.
  HostTensor x = HostTensor::f32({3, 1}, {1, 2, 3});
  HostTensor y = run_cpu(slice_attrs({0, 0}, {3, 4}, {1, 0}), {x})[0];
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}));
  // Stride 0 still reads inside the input in kSTRICT_BOUNDS mode.
  std::string msg = infer_error(slice_attrs({0, 1}, {3, 4}, {1, 0}), {3, 1});
  EXPECT_TRUE(contains(msg, "[slice 'sl'] dimension 1 reads elements 1 to 1")) << msg;
}

TEST(Slice, SampleModesHandChecked) {
  HostTensor x = HostTensor::of<int32_t>(DataType::kINT32, {4}, {10, 11, 12, 13});
  auto run = [&](SliceAttrs a) { return run_cpu(a, {x})[0].values<int32_t>(); };
  // Positions -3 .. 6.
  EXPECT_EQ(run(mode_attrs({-3}, {10}, {1}, SampleMode::kWRAP)),
            (std::vector<int32_t>{11, 12, 13, 10, 11, 12, 13, 10, 11, 12}));
  EXPECT_EQ(run(mode_attrs({-3}, {10}, {1}, SampleMode::kCLAMP)),
            (std::vector<int32_t>{10, 10, 10, 10, 11, 12, 13, 13, 13, 13}));
  EXPECT_EQ(run(mode_attrs({-3}, {10}, {1}, SampleMode::kFILL, -7)),
            (std::vector<int32_t>{-7, -7, -7, 10, 11, 12, 13, -7, -7, -7}));
  // Reflect without repeating the edge: ... 13 12 11 | 10 11 12 13 | 12 11 10 ...
  EXPECT_EQ(run(mode_attrs({-3}, {10}, {1}, SampleMode::kREFLECT)),
            (std::vector<int32_t>{13, 12, 11, 10, 11, 12, 13, 12, 11, 10}));
  EXPECT_EQ(run(mode_attrs({-7}, {3}, {7}, SampleMode::kREFLECT)),
            (std::vector<int32_t>{11, 10, 11}));
  // Negative stride and Tile-like wrap of a 2x2 to 4x4.
  EXPECT_EQ(run(mode_attrs({5}, {4}, {-2}, SampleMode::kWRAP)),
            (std::vector<int32_t>{11, 13, 11, 13}));
  HostTensor m = HostTensor::f32({2, 2}, {1, 2, 3, 4});
  HostTensor tiled = run_cpu(mode_attrs({0, 0}, {4, 4}, {1, 1}, SampleMode::kWRAP), {m})[0];
  EXPECT_EQ(tiled.values<float>(),
            (std::vector<float>{1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4}));
  // ONNX Pad constant 0.5 with pads [1, 0, 0, 1] on the 2x2.
  HostTensor padded = run_cpu(mode_attrs({-1, 0}, {3, 3}, {1, 1}, SampleMode::kFILL, 0.5), {m})[0];
  EXPECT_EQ(padded.values<float>(), (std::vector<float>{0.5, 0.5, 0.5, 1, 2, 0.5, 3, 4, 0.5}));
  // Reflect with a 1-long dimension reads its one element.
  HostTensor one = HostTensor::f32({1}, {9});
  EXPECT_EQ(run_cpu(mode_attrs({-2}, {3}, {1}, SampleMode::kREFLECT), {one})[0].values<float>(),
            (std::vector<float>{9, 9, 9}));
}

TEST(Slice, FillValueInEveryType) {
  for (DataType type : kAllTypes) {
    HostTensor x = HostTensor::of<int32_t>(type, {2}, {1, 1});
    HostTensor y = run_cpu(mode_attrs({-1}, {4}, {1}, SampleMode::kFILL, 3), {x})[0];
    std::vector<double> expected = {3, 1, 1, 3};
    if (type == DataType::kBOOL) expected = {1, 1, 1, 1};
    EXPECT_EQ(y.values<double>(), expected) << type;
  }
}

TEST(SliceInfer, ModesAllowAnyStartAndSize) {
  for (SampleMode mode :
       {SampleMode::kWRAP, SampleMode::kCLAMP, SampleMode::kFILL, SampleMode::kREFLECT}) {
    EXPECT_EQ(infer_dims(mode_attrs({-5, 3}, {20, 7}, {1, -2}, mode), {4, 2}), (Dims{20, 7}));
    EXPECT_EQ(infer_dims(mode_attrs({-5, 3}, {20, 7}, {1, -2}, mode), {-1, -1}), (Dims{20, 7}));
  }
  // kFILL may read from an empty dimension; the others have nothing to read.
  EXPECT_EQ(infer_dims(mode_attrs({0}, {3}, {1}, SampleMode::kFILL), {0}), (Dims{3}));
  std::string msg = infer_error(mode_attrs({0}, {3}, {1}, SampleMode::kWRAP), {0});
  EXPECT_TRUE(contains(msg, "[slice 'sl'] dimension 0 of the input [0] is empty")) << msg;
  // The strict mode's error points at the modes.
  msg = infer_error(slice_attrs({-1}, {2}, {1}), {4});
  EXPECT_TRUE(contains(msg, "a sample mode other than kSTRICT_BOUNDS allows that")) << msg;
}

// Naive sample mode mapping, written independently of the kernel: walk p back into range.
int64_t ref_sample(SampleMode mode, int64_t p, int64_t d) {
  if (p >= 0 && p < d) return p;
  if (mode == SampleMode::kFILL) return -1;
  if (mode == SampleMode::kCLAMP) return std::min(std::max<int64_t>(p, 0), d - 1);
  if (mode == SampleMode::kWRAP) {
    while (p < 0) p += d;
    return p % d;
  }
  if (d == 1) return 0;
  while (p < 0 || p >= d) p = p < 0 ? -p : 2 * (d - 1) - p;  // kREFLECT: mirror until inside
  return p;
}

TEST(Slice, SampleModesMatchReference) {
  const SampleMode modes[] = {SampleMode::kWRAP, SampleMode::kCLAMP, SampleMode::kFILL,
                              SampleMode::kREFLECT};
  for (uint32_t seed = 0; seed < 400; ++seed) {
    DataType type = kAllTypes[seed % 8];
    SampleMode mode = modes[(seed / 8) % 4];
    std::mt19937 gen(seed);
    int32_t rank = 1 + static_cast<int32_t>(gen() % 4);
    Dims dims = Dims::filled(rank, 1);
    for (int32_t i = 0; i < rank; ++i) dims.d[i] = 1 + gen() % 5;
    SliceAttrs a =
        mode_attrs(Dims::filled(rank, 0), Dims::filled(rank, 0), Dims::filled(rank, 1), mode, 2.0);
    for (int32_t i = 0; i < rank; ++i) {
      a.start.d[i] = static_cast<int64_t>(gen() % 25) - 12;
      a.stride.d[i] = static_cast<int64_t>(gen() % 7) - 3;
      a.size.d[i] = gen() % 8;
    }
    HostTensor x = random_tensor(type, dims, gen);
    SCOPED_TRACE(testing::Message() << "seed " << seed << " type " << type << " mode "
                                    << static_cast<int>(mode) << " input " << dims << " start "
                                    << a.start << " size " << a.size << " stride " << a.stride);
    HostTensor y = run_cpu(a, {x})[0];
    ASSERT_EQ(y.dims, a.size);
    int64_t esize = element_size(type);
    HostTensor fill = HostTensor::of<double>(type, {1}, {2.0});
    int64_t n = volume(a.size);
    std::vector<uint8_t> expected(static_cast<size_t>(n * esize));
    for (int64_t lin = 0; lin < n; ++lin) {
      int64_t rest = lin, src = 0;
      bool filled = false;
      int64_t index[Dims::kMaxDims];
      for (int32_t i = rank - 1; i >= 0; --i) {
        index[i] = rest % a.size.d[i];
        rest /= a.size.d[i];
      }
      for (int32_t i = 0; i < rank; ++i) {
        int64_t p = ref_sample(mode, a.start.d[i] + index[i] * a.stride.d[i], dims.d[i]);
        filled |= p < 0;
        src = src * dims.d[i] + std::max<int64_t>(p, 0);
      }
      std::memcpy(&expected[lin * esize], filled ? fill.bytes.data() : &x.bytes.at(src * esize),
                  static_cast<size_t>(esize));
    }
    EXPECT_EQ(y.bytes, expected);
  }
}

}  // namespace
}  // namespace kiln::test
