// Tests of MatrixMultiply: shape inference (transposes, vectors, batch broadcasting, -1 dims,
// errors) and the CPU kernel against a double-precision reference, in fp32, fp16 and bf16.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "op_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using MO = MatrixOperation;
using test::HostTensor;

// op(x) of one batch item as a function (row, col) -> value, for a matrix or vector operand.
struct RefOperand {
  std::vector<int64_t> batch;
  int64_t rows, cols;  // of op(x); a vector of a is 1 x K, a vector of b is K x 1
  int64_t item_size;
  bool trans;
  bool vector;
};

RefOperand ref_operand(const Dims& d, MO op, bool is_b) {
  RefOperand r{};
  int32_t n = d.nb_dims;
  r.vector = op == MO::kVECTOR;
  r.trans = op == MO::kTRANSPOSE;
  int32_t nb = r.vector ? n - 1 : n - 2;
  for (int32_t i = 0; i < nb; ++i) r.batch.push_back(d.d[i]);
  if (r.vector) {
    r.rows = is_b ? d.d[n - 1] : 1;
    r.cols = is_b ? 1 : d.d[n - 1];
    r.item_size = d.d[n - 1];
  } else {
    r.rows = r.trans ? d.d[n - 1] : d.d[n - 2];
    r.cols = r.trans ? d.d[n - 2] : d.d[n - 1];
    r.item_size = d.d[n - 1] * d.d[n - 2];
  }
  return r;
}

// Element (i, j) of op(x) in item `item`, read from the operand's values.
double ref_at(const RefOperand& r, const std::vector<double>& v, int64_t item, int64_t i,
              int64_t j) {
  const double* base = v.data() + item * r.item_size;
  if (r.vector) return base[r.rows == 1 ? j : i];
  // Stored matrix: [rows, cols] or, transposed, [cols, rows].
  return r.trans ? base[j * r.rows + i] : base[i * r.cols + j];
}

// The naive reference: returns the output values; batch broadcasting by explicit index math.
std::vector<double> reference(const HostTensor& a, MO op_a, const HostTensor& b, MO op_b) {
  RefOperand ra = ref_operand(a.dims, op_a, false), rb = ref_operand(b.dims, op_b, true);
  size_t nb = std::max(ra.batch.size(), rb.batch.size());
  std::vector<int64_t> ba(nb, 1), bb(nb, 1), out(nb);
  std::copy(ra.batch.begin(), ra.batch.end(), ba.end() - ra.batch.size());
  std::copy(rb.batch.begin(), rb.batch.end(), bb.end() - rb.batch.size());
  int64_t count = 1;
  for (size_t i = 0; i < nb; ++i) count *= (out[i] = std::max(ba[i], bb[i]));
  std::vector<double> av = a.values<double>(), bv = b.values<double>(), result;
  for (int64_t item = 0; item < count; ++item) {
    int64_t ia = 0, ib = 0, rest = item;
    std::vector<int64_t> idx(nb);
    for (size_t d = nb; d-- > 0;) {
      idx[d] = rest % out[d];
      rest /= out[d];
    }
    for (size_t d = 0; d < nb; ++d) {
      ia = ia * ba[d] + (ba[d] == 1 ? 0 : idx[d]);
      ib = ib * bb[d] + (bb[d] == 1 ? 0 : idx[d]);
    }
    for (int64_t i = 0; i < ra.rows; ++i) {
      for (int64_t j = 0; j < rb.cols; ++j) {
        double s = 0.0;
        for (int64_t p = 0; p < ra.cols; ++p)
          s += ref_at(ra, av, ia, i, p) * ref_at(rb, bv, ib, p, j);
        result.push_back(s);
      }
    }
  }
  return result;
}

// Runs the layer and compares with the reference; tol is relative to sqrt(K) * |values|.
void check(DataType type, const Dims& da, MO op_a, const Dims& db, MO op_b, const Dims& want_dims,
           double tol, uint32_t seed) {
  HostTensor a = HostTensor::of(type, da, test::random_floats(volume(da), seed));
  HostTensor b = HostTensor::of(type, db, test::random_floats(volume(db), seed + 1));
  auto out = test::run_cpu(MatrixMultiplyAttrs{op_a, op_b}, {a, b});
  ASSERT_EQ(out[0].dims, want_dims);
  ASSERT_EQ(out[0].type, type);
  std::vector<double> want = reference(a, op_a, b, op_b);
  std::vector<double> got = out[0].values<double>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], tol * (1.0 + std::abs(want[i]))) << "element " << i;
  }
}

TEST(MatrixMultiply, HandChecked) {
  HostTensor a = HostTensor::f32({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor b = HostTensor::f32({3, 2}, {7, 8, 9, 10, 11, 12});
  auto out = test::run_cpu(MatrixMultiplyAttrs{}, {a, b});
  EXPECT_EQ(out[0].dims, Dims({2, 2}));
  EXPECT_EQ(out[0].values<float>(), (std::vector<float>{58, 64, 139, 154}));
  // a^T * b with a stored as [3, 2].
  HostTensor at = HostTensor::f32({3, 2}, {1, 4, 2, 5, 3, 6});
  out = test::run_cpu(MatrixMultiplyAttrs{MO::kTRANSPOSE, MO::kNONE}, {at, b});
  EXPECT_EQ(out[0].values<float>(), (std::vector<float>{58, 64, 139, 154}));
}

TEST(MatrixMultiply, HandCheckedVectors) {
  HostTensor m = HostTensor::f32({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor v = HostTensor::f32({3}, {1, 0, -1});
  auto mv = test::run_cpu(MatrixMultiplyAttrs{MO::kNONE, MO::kVECTOR}, {m, v});
  EXPECT_EQ(mv[0].dims, Dims({2}));
  EXPECT_EQ(mv[0].values<float>(), (std::vector<float>{-2, -2}));
  HostTensor u = HostTensor::f32({2}, {1, 2});
  auto um = test::run_cpu(MatrixMultiplyAttrs{MO::kVECTOR, MO::kNONE}, {u, m});
  EXPECT_EQ(um[0].dims, Dims({3}));
  EXPECT_EQ(um[0].values<float>(), (std::vector<float>{9, 12, 15}));
  auto dot = test::run_cpu(MatrixMultiplyAttrs{MO::kVECTOR, MO::kVECTOR}, {v, v});
  EXPECT_EQ(dot[0].dims.nb_dims, 0);
  EXPECT_EQ(dot[0].values<float>(), (std::vector<float>{2}));
}

TEST(MatrixMultiply, RandomTransposes) {
  const MO ops[] = {MO::kNONE, MO::kTRANSPOSE};
  uint32_t seed = 1;
  for (MO op_a : ops) {
    for (MO op_b : ops) {
      Dims da = op_a == MO::kNONE ? Dims{7, 33} : Dims{33, 7};
      Dims db = op_b == MO::kNONE ? Dims{33, 13} : Dims{13, 33};
      check(DataType::kFLOAT, da, op_a, db, op_b, {7, 13}, 1e-5, seed += 2);
    }
  }
}

TEST(MatrixMultiply, BatchBroadcasting) {
  check(DataType::kFLOAT, {2, 1, 4, 5}, MO::kNONE, {3, 5, 6}, MO::kNONE, {2, 3, 4, 6}, 1e-5, 11);
  check(DataType::kFLOAT, {5, 4}, MO::kTRANSPOSE, {3, 2, 6, 5}, MO::kTRANSPOSE, {3, 2, 4, 6}, 1e-5,
        12);
  check(DataType::kFLOAT, {3, 1, 9, 1}, MO::kNONE, {1, 4, 1, 8}, MO::kNONE, {3, 4, 9, 8}, 1e-5, 13);
}

TEST(MatrixMultiply, VectorsWithBatch) {
  check(DataType::kFLOAT, {2, 5}, MO::kVECTOR, {3, 1, 5, 4}, MO::kNONE, {3, 2, 4}, 1e-5, 21);
  check(DataType::kFLOAT, {4, 6, 5}, MO::kNONE, {5}, MO::kVECTOR, {4, 6}, 1e-5, 22);
  check(DataType::kFLOAT, {4, 5, 6}, MO::kTRANSPOSE, {4, 1, 5}, MO::kVECTOR, {4, 4, 6}, 1e-5, 23);
  check(DataType::kFLOAT, {3, 1, 7}, MO::kVECTOR, {2, 7}, MO::kVECTOR, {3, 2}, 1e-5, 24);
}

// fp16/bf16 inputs are rounded by the test's HostTensor first, so the reference sees the same
// values; the remaining error is the output's rounding: 2^-11 (fp16), 2^-8 (bf16) relative.
TEST(MatrixMultiply, HalfAndBfloat16) {
  check(DataType::kHALF, {3, 17, 9}, MO::kNONE, {9, 13}, MO::kNONE, {3, 17, 13}, 1e-3, 31);
  check(DataType::kBF16, {2, 9, 17}, MO::kTRANSPOSE, {13, 9}, MO::kTRANSPOSE, {2, 17, 13}, 8e-3,
        32);
}

TEST(MatrixMultiply, InferenceWithUnknownDims) {
  auto out = test::infer(MatrixMultiplyAttrs{},
                         {{DataType::kFLOAT, {-1, 4, 5}}, {DataType::kFLOAT, {5, 6}}});
  EXPECT_EQ(out[0].dims, Dims({-1, 4, 6}));
  out = test::infer(MatrixMultiplyAttrs{MO::kNONE, MO::kTRANSPOSE},
                    {{DataType::kHALF, {2, -1, -1}}, {DataType::kHALF, {-1, 1, 7, 5}}});
  EXPECT_EQ(out[0].dims, Dims({-1, 2, -1, 7}));
  EXPECT_EQ(out[0].type, DataType::kHALF);
  out = test::infer(MatrixMultiplyAttrs{MO::kVECTOR, MO::kNONE},
                    {{DataType::kFLOAT, {-1}}, {DataType::kFLOAT, {3, 8}}});
  EXPECT_EQ(out[0].dims, Dims({8}));
}

TEST(MatrixMultiply, Errors) {
  auto run = [](MO op_a, MO op_b, ir::TensorDesc a, ir::TensorDesc b) {
    return error_of([&] { test::infer(MatrixMultiplyAttrs{op_a, op_b}, {a, b}, "mm1"); });
  };
  std::string e = run(MO::kNONE, MO::kNONE, {DataType::kFLOAT, {2, 3}}, {DataType::kFLOAT, {4, 5}});
  EXPECT_TRUE(contains(e, "[matrix_multiply 'mm1']") && contains(e, "inner dimensions") &&
              contains(e, "[2,3]") && contains(e, "[4,5]"))
      << e;
  e = run(MO::kNONE, MO::kTRANSPOSE, {DataType::kFLOAT, {2, 3}}, {DataType::kFLOAT, {5, 4}});
  EXPECT_TRUE(contains(e, "'mm1'") && contains(e, "contributes 3") && contains(e, "contributes 4"))
      << e;
  e = run(MO::kNONE, MO::kNONE, {DataType::kFLOAT, {2, 4, 3}}, {DataType::kFLOAT, {3, 3, 5}});
  EXPECT_TRUE(contains(e, "'mm1'") && contains(e, "batch")) << e;
  e = run(MO::kNONE, MO::kNONE, {DataType::kFLOAT, {3}}, {DataType::kFLOAT, {3, 5}});
  EXPECT_TRUE(contains(e, "'mm1'") && contains(e, "rank >= 2")) << e;
  e = run(MO::kNONE, MO::kVECTOR, {DataType::kFLOAT, {3, 3}}, {DataType::kFLOAT, {}});
  EXPECT_TRUE(contains(e, "'mm1'") && contains(e, "rank >= 1")) << e;
  e = run(MO::kNONE, MO::kNONE, {DataType::kFLOAT, {2, 3}}, {DataType::kHALF, {3, 5}});
  EXPECT_TRUE(contains(e, "'mm1'") && contains(e, "float32") && contains(e, "float16")) << e;
  e = run(MO::kNONE, MO::kNONE, {DataType::kINT32, {2, 3}}, {DataType::kINT32, {3, 5}});
  EXPECT_TRUE(contains(e, "'mm1'") && contains(e, "int32")) << e;
}

}  // namespace
}  // namespace kiln
