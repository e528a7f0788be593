// Tests of the shuffle layer: shape inference (0 and -1 in reshapes, unknown dims, errors) and the
// CPU kernel, by hand-checked values and against a naive byte-level reference for every type.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <optional>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

constexpr DataType kAllTypes[] = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                                  DataType::kINT8,  DataType::kUINT8, DataType::kINT32,
                                  DataType::kINT64, DataType::kBOOL};

Permutation perm_of(const std::vector<int32_t>& order) {
  Permutation p;
  for (size_t i = 0; i < order.size(); ++i) p.order[i] = order[i];
  return p;
}

ShuffleAttrs shuffle_attrs(const std::vector<int32_t>& first,
                           std::optional<Dims> reshape = std::nullopt,
                           const std::vector<int32_t>& second = {},
                           bool zero_is_placeholder = true) {
  ShuffleAttrs a;
  a.first_transpose = perm_of(first);
  a.has_reshape = reshape.has_value();
  if (reshape) a.reshape_dims = *reshape;
  a.zero_is_placeholder = zero_is_placeholder;
  a.second_transpose = perm_of(second);
  return a;
}

Dims infer_dims(const ShuffleAttrs& a, const Dims& in) {
  return infer(a, {{DataType::kFLOAT, in}}, "shuf")[0].dims;
}

std::string infer_error(const ShuffleAttrs& a, const Dims& in) {
  return error_of([&] { infer_dims(a, in); });
}

HostTensor random_tensor(DataType type, const Dims& dims, std::mt19937& gen) {
  HostTensor t{type, dims, {}};
  t.bytes.resize(static_cast<size_t>(volume(dims) * element_size(type)));
  for (uint8_t& b : t.bytes) b = static_cast<uint8_t>(type == DataType::kBOOL ? gen() & 1 : gen());
  return t;
}

// Naive transpose of dense bytes: out[i] = in[perm[i]], one element at a time.
std::vector<uint8_t> ref_permute(const std::vector<uint8_t>& src, const Dims& dims,
                                 const Permutation& perm, int64_t esize, Dims* out_dims) {
  Dims out;
  out.nb_dims = dims.nb_dims;
  for (int32_t i = 0; i < dims.nb_dims; ++i) out.d[i] = dims.d[perm.order[i]];
  std::vector<uint8_t> dst(src.size());
  int64_t n = volume(dims);
  for (int64_t lin = 0; lin < n; ++lin) {
    int64_t out_index[Dims::kMaxDims], in_index[Dims::kMaxDims];
    int64_t rest = lin;
    for (int32_t i = out.nb_dims - 1; i >= 0; --i) {
      out_index[i] = rest % out.d[i];
      rest /= out.d[i];
    }
    for (int32_t i = 0; i < out.nb_dims; ++i) in_index[perm.order[i]] = out_index[i];
    int64_t src_lin = 0;
    for (int32_t i = 0; i < dims.nb_dims; ++i) src_lin = src_lin * dims.d[i] + in_index[i];
    std::memcpy(&dst[lin * esize], &src[src_lin * esize], static_cast<size_t>(esize));
  }
  if (out_dims) *out_dims = out;
  return dst;
}

std::vector<int32_t> random_order(int32_t rank, std::mt19937& gen) {
  std::vector<int32_t> order(static_cast<size_t>(rank));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), gen);
  return order;
}

// A random shape of the same volume as `dims`: its prime factors spread over 1 to 5 dimensions.
Dims random_reshape(const Dims& dims, std::mt19937& gen) {
  int32_t rank = 1 + static_cast<int32_t>(gen() % 5);
  if (volume(dims) == 0) {
    Dims out = Dims::filled(rank, 1 + static_cast<int64_t>(gen() % 3));
    out.d[gen() % rank] = 0;
    return out;
  }
  std::vector<int64_t> factors;
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    int64_t v = dims.d[i];
    for (int64_t p = 2; v > 1; ++p) {
      while (v % p == 0) {
        factors.push_back(p);
        v /= p;
      }
    }
  }
  Dims out = Dims::filled(rank, 1);
  for (int64_t f : factors) out.d[gen() % rank] *= f;
  return out;
}

TEST(ShuffleInfer, TransposeOnly) {
  EXPECT_EQ(infer_dims(shuffle_attrs({2, 0, 1}), {2, 3, 4}), (Dims{4, 2, 3}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}), {2, 3, 4}), (Dims{2, 3, 4}));  // identity by default
}

TEST(ShuffleInfer, ReshapeCopiesZeroAndInfersMinusOne) {
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{0, -1}), {2, 3, 4}), (Dims{2, 12}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{-1, 0, 2}), {2, 3, 4}), (Dims{4, 3, 2}));
  // The 0 copies the dimension of the transposed input.
  EXPECT_EQ(infer_dims(shuffle_attrs({2, 0, 1}, Dims{0, -1}), {2, 3, 4}), (Dims{4, 6}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{-1, 2}), {0, 4}), (Dims{0, 2}));
  // A copied dimension cancels, even a copied 0.
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{0, -1}), {0, 4}), (Dims{0, 4}));
}

TEST(ShuffleInfer, ZeroIsLiteralWhenNotPlaceholder) {
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{0, 5}, {}, false), {2, 0, 3}), (Dims{0, 5}));
  // The same dims with 0 as a placeholder copy the 2: 10 elements, not 0.
  std::string msg = infer_error(shuffle_attrs({}, Dims{0, 5}, {}, true), {2, 0, 3});
  EXPECT_TRUE(contains(msg, "[shuffle 'shuf']")) << msg;
  EXPECT_TRUE(contains(msg, "[2,0,3]")) << msg;
  msg = infer_error(shuffle_attrs({}, Dims{0, -1}, {}, false), {2, 3});
  EXPECT_TRUE(contains(msg, "-1 cannot be inferred")) << msg;
}

TEST(ShuffleInfer, SecondTransposeAppliesToTheReshapedDims) {
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{6, 4}, {1, 0}), {2, 3, 4}), (Dims{4, 6}));
  EXPECT_EQ(infer_dims(shuffle_attrs({1, 0}, std::nullopt, {1, 0}), {2, 3}), (Dims{2, 3}));
}

TEST(ShuffleInfer, UnknownDims) {
  EXPECT_EQ(infer_dims(shuffle_attrs({1, 0}), {-1, 3}), (Dims{3, -1}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{0, -1}), {-1, 3, 4}), (Dims{-1, 12}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{0, 0, -1}), {-1, 3, 4}), (Dims{-1, 3, 4}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{0, -1, 2}), {-1, 3, 4}), (Dims{-1, 6, 2}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{0, -1}), {-1, -1, 4}), (Dims{-1, -1}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{0, -1}, {}, false), {-1, 3, 4}), (Dims{0, -1}));
  std::string msg = infer_error(shuffle_attrs({}, Dims{0, -1, 2}), {-1, 3, 5});
  EXPECT_TRUE(contains(msg, "[shuffle 'shuf'] cannot reshape [-1,3,5] to [0,-1,2]")) << msg;
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{-1}), {2, -1}), (Dims{-1}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{0, -1}), {3, -1}), (Dims{3, -1}));
  // Volumes cannot be compared yet: accepted now, checked at run time.
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{4, 5}), {-1, 3}), (Dims{4, 5}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{-1, 3}), {2, 3}), (Dims{2, 3}));
}

TEST(ShuffleInfer, ScalarsAndEmptyReshapes) {
  EXPECT_EQ(infer_dims(shuffle_attrs({}), Dims{}), Dims{});
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{1, 1, 1}), Dims{}), (Dims{1, 1, 1}));
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{}), Dims{1, 1}), Dims{});
  EXPECT_EQ(infer_dims(shuffle_attrs({}, Dims{-1}), Dims{}), (Dims{1}));
}

TEST(ShuffleErrors, BadFirstPermutation) {
  std::string msg = infer_error(shuffle_attrs({0, 0, 2}), {2, 3, 4});
  EXPECT_TRUE(contains(msg, "[shuffle 'shuf']")) << msg;
  EXPECT_TRUE(contains(msg, "first_transpose (0,0,2) is not a permutation of 0..2")) << msg;
  msg = infer_error(shuffle_attrs({0, 3}), {2, 3});
  EXPECT_TRUE(contains(msg, "first_transpose (0,3)")) << msg;
}

TEST(ShuffleErrors, BadSecondPermutation) {
  std::string msg = infer_error(shuffle_attrs({}, Dims{6, 4}, {1, 1}), {2, 3, 4});
  EXPECT_TRUE(contains(msg, "[shuffle 'shuf'] second_transpose (1,1)")) << msg;
}

TEST(ShuffleErrors, VolumeMismatchNamesBothShapes) {
  std::string msg = infer_error(shuffle_attrs({}, Dims{4, 2}), {2, 3});
  EXPECT_TRUE(contains(msg, "[shuffle 'shuf']")) << msg;
  EXPECT_TRUE(contains(msg, "[2,3]") && contains(msg, "[4,2]")) << msg;
  msg = infer_error(shuffle_attrs({}, Dims{4, -1}), {2, 3});
  EXPECT_TRUE(contains(msg, "[2,3]") && contains(msg, "[4,-1]")) << msg;
}

TEST(ShuffleErrors, TwoMinusOnes) {
  std::string msg = infer_error(shuffle_attrs({}, Dims{-1, -1}), {2, 3});
  EXPECT_TRUE(contains(msg, "[shuffle 'shuf']")) << msg;
  EXPECT_TRUE(contains(msg, "more than one -1")) << msg;
}

TEST(ShuffleErrors, BadReshapeEntries) {
  std::string msg = infer_error(shuffle_attrs({}, Dims{1, 0, 0}), {2, 3});
  EXPECT_TRUE(contains(msg, "[shuffle 'shuf'] reshape dimension 2 is 0")) << msg;
  msg = infer_error(shuffle_attrs({}, Dims{-2, 3}), {2, 3});
  EXPECT_TRUE(contains(msg, "reshape dimension 0 is -2")) << msg;
}

TEST(Shuffle, TransposeHandChecked) {
  HostTensor x = HostTensor::f32({2, 3}, {0, 1, 2, 3, 4, 5});
  HostTensor y = run_cpu(shuffle_attrs({1, 0}), {x})[0];
  EXPECT_EQ(y.dims, (Dims{3, 2}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));

  // [2,2,2] with order (2,0,1): out[a][b][c] = in[b][c][a].
  HostTensor z = HostTensor::of<int32_t>(DataType::kINT32, {2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(run_cpu(shuffle_attrs({2, 0, 1}), {z})[0].values<int32_t>(),
            (std::vector<int32_t>{0, 2, 4, 6, 1, 3, 5, 7}));
}

TEST(Shuffle, TransposeReshapeTransposeHandChecked) {
  // [2,3] -T-> [3,2] = 0 3 1 4 2 5 -reshape-> [2,3] = (0 3 1)(4 2 5) -T-> [3,2].
  HostTensor x = HostTensor::of<int64_t>(DataType::kINT64, {2, 3}, {0, 1, 2, 3, 4, 5});
  HostTensor y = run_cpu(shuffle_attrs({1, 0}, Dims{2, 3}, {1, 0}), {x})[0];
  EXPECT_EQ(y.dims, (Dims{3, 2}));
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{0, 4, 3, 2, 1, 5}));
}

TEST(Shuffle, ReshapeKeepsTheOrder) {
  std::vector<int32_t> v(24);
  std::iota(v.begin(), v.end(), 0);
  HostTensor x = HostTensor::of<int32_t>(DataType::kINT8, {2, 3, 4}, v);
  HostTensor y = run_cpu(shuffle_attrs({}, Dims{0, -1}), {x})[0];
  EXPECT_EQ(y.dims, (Dims{2, 12}));
  EXPECT_EQ(y.values<int32_t>(), v);
  // Reshape then transpose: [2,12] -> [12,2].
  HostTensor z = run_cpu(shuffle_attrs({}, Dims{0, -1}, {1, 0}), {x})[0];
  EXPECT_EQ(z.dims, (Dims{12, 2}));
  std::vector<int32_t> expected;
  for (int32_t i = 0; i < 12; ++i) expected.insert(expected.end(), {i, 12 + i});
  EXPECT_EQ(z.values<int32_t>(), expected);
}

TEST(Shuffle, ScalarAndZeroSize) {
  HostTensor s = HostTensor::f32(Dims{}, {7.5f});
  HostTensor y = run_cpu(shuffle_attrs({}, Dims{1, 1}), {s})[0];
  EXPECT_EQ(y.dims, (Dims{1, 1}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{7.5f}));

  HostTensor e = HostTensor::of<float>(DataType::kHALF, {0, 3}, {});
  HostTensor t = run_cpu(shuffle_attrs({1, 0}, Dims{0, -1}, {1, 0}), {e})[0];
  EXPECT_EQ(t.dims, (Dims{0, 3}));
  EXPECT_TRUE(t.bytes.empty());
}

// Runs one random shuffle of `type` and compares with transpose / reshape / transpose done naively.
void check_random_shuffle(DataType type, uint32_t seed) {
  std::mt19937 gen(seed);
  int32_t rank = static_cast<int32_t>(gen() % 6);
  Dims dims = Dims::filled(rank, 1);
  for (int32_t i = 0; i < rank; ++i) dims.d[i] = (gen() % 10 == 0) ? 0 : 1 + gen() % 4;
  HostTensor x = random_tensor(type, dims, gen);
  int64_t esize = element_size(type);

  ShuffleAttrs a = shuffle_attrs(random_order(rank, gen));
  Dims transposed;
  std::vector<uint8_t> expected = ref_permute(x.bytes, dims, a.first_transpose, esize, &transposed);
  Dims reshaped = transposed;
  if (gen() % 4 != 0) {
    reshaped = random_reshape(transposed, gen);
    a.has_reshape = true;
    a.reshape_dims = reshaped;
    // A 0 in the target shape can only be written as a placeholder where it copies a 0.
    for (int32_t i = 0; i < reshaped.nb_dims; ++i) {
      if (reshaped.d[i] == 0 && (i >= transposed.nb_dims || transposed.d[i] != 0)) {
        a.zero_is_placeholder = false;
      }
    }
    if (gen() % 4 == 0) a.zero_is_placeholder = false;
    for (int32_t i = 0; i < reshaped.nb_dims && i < transposed.nb_dims; ++i) {
      if (a.zero_is_placeholder && reshaped.d[i] == transposed.d[i] && gen() % 2) {
        a.reshape_dims.d[i] = 0;
      }
    }
    if (volume(reshaped) > 0 && gen() % 2) a.reshape_dims.d[gen() % reshaped.nb_dims] = -1;
  }
  a.second_transpose = perm_of(random_order(reshaped.nb_dims, gen));
  Dims out_dims;
  expected = ref_permute(expected, reshaped, a.second_transpose, esize, &out_dims);

  SCOPED_TRACE(testing::Message() << "type " << type << " input " << dims << " reshape "
                                  << (a.has_reshape ? to_string(a.reshape_dims) : "none"));
  HostTensor y = run_cpu(a, {x})[0];
  ASSERT_EQ(y.dims, out_dims);
  ASSERT_EQ(y.type, type);
  EXPECT_EQ(y.bytes, expected);
}

TEST(Shuffle, EveryElementSizeMatchesReference) {
  for (DataType type : kAllTypes) {
    for (uint32_t seed = 0; seed < 20; ++seed) check_random_shuffle(type, 1000 + seed);
    // A case that needs both transposes and a reshape that splits and merges dims.
    std::mt19937 gen(7);
    HostTensor x = random_tensor(type, {2, 3, 4, 5}, gen);
    ShuffleAttrs a = shuffle_attrs({3, 1, 0, 2}, Dims{10, 0, 2, -1}, {2, 0, 3, 1});
    Dims t, r;
    std::vector<uint8_t> expected =
        ref_permute(x.bytes, {2, 3, 4, 5}, a.first_transpose, element_size(type), &t);
    EXPECT_EQ(t, (Dims{5, 3, 2, 4}));
    expected = ref_permute(expected, {10, 3, 2, 2}, a.second_transpose, element_size(type), &r);
    HostTensor y = run_cpu(a, {x})[0];
    EXPECT_EQ(y.dims, (Dims{2, 10, 2, 3}));
    EXPECT_EQ(y.bytes, expected) << to_string(type);
  }
}

TEST(Shuffle, RandomMatchesReference) {
  for (uint32_t seed = 0; seed < 300; ++seed) check_random_shuffle(kAllTypes[seed % 8], seed);
}

}  // namespace
}  // namespace kiln::test
