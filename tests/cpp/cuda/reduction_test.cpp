// Differential tests of the CUDA reduction tactics (softmax, reduce, normalization, top-k) against
// the CPU backend: every kernel path (warp rows, block rows, columns, split reductions, top-k sorts
// and radix select), first/middle/last/several axes, every accepted type, NaN/inf and ties.
//
// Tolerances. float32: atol 1e-6, rtol 1e-5 (softmax: float32 exp sums, a few ulp from the CPU's
// double sums; reduce and normalization statistics accumulate in double like the CPU, so only the
// final roundings differ). float16 / bfloat16 storage: 1e-3 / 1e-2, one ulp of the type, since
// nearly equal float32 results can round to neighbouring values. Softmax under BuilderFlag::kFP16
// (float32 I/O, float16 inside): rtol 3e-3, the fp16 rounding of the logits (2^-11 relative, at
// most 4.9e-4 absolute for |x| <= 2) moves each output by up to ~1e-3 relative, plus the output's
// own rounding; atol 1e-5 for fp16 subnormals. Integers, top-k values and indices: exact.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cuda/differential.h"

namespace kiln::test {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr DataType kFloatTypes[] = {DataType::kFLOAT, DataType::kHALF, DataType::kBF16};

DiffOptions tolerance(double atol, double rtol) {
  DiffOptions o;
  o.tol = {atol, rtol};
  return o;
}
DiffOptions exact() {
  return tolerance(0.0, 0.0);
}
DiffOptions float_tolerance(DataType type) {
  if (type == DataType::kHALF) return tolerance(1e-3, 1e-3);
  if (type == DataType::kBF16) return tolerance(1e-2, 1e-2);
  if (type == DataType::kFLOAT) return tolerance(1e-6, 1e-5);
  return exact();
}

DiffInput random_input(const std::string& name, DataType type, const Dims& dims, double lo = -2.0,
                       double hi = 2.0) {
  DiffInput in;
  in.name = name;
  in.type = type;
  in.dims = dims;
  in.lo = lo;
  in.hi = hi;
  return in;
}
DiffInput values_input(const std::string& name, DataType type, const Dims& dims,
                       std::vector<double> values) {
  DiffInput in = random_input(name, type, dims);
  in.values = std::move(values);
  return in;
}

// n small whole numbers in [lo, hi]: many ties, exact in every type.
std::vector<double> small_ints(int64_t n, int lo, int hi, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = dist(gen);
  return v;
}

// The harness compares |gpu - cpu|, which is NaN for equal infinities: outputs that may hold them
// pass through a clip to [-60000, 60000] (finite in every float type; NaN stays NaN) first.
Tensor& clipped(NetworkDefinition& net, Tensor& t) {
  ActivationLayer* c = net.add_activation(t, ActivationType::kCLIP);
  c->set_alpha(-60000.0f);
  c->set_beta(60000.0f);
  return *c->get_output(0);
}

std::string trace(const Dims& dims, DataType type, uint32_t axes, const std::string& what = "") {
  return to_string(dims) + " " + to_string(type) + " axes 0x" + std::to_string(axes) + " " + what;
}

// ---- softmax --------------------------------------------------------------------------------

void expect_softmax(const DiffInput& x, uint32_t axes, const DiffOptions& options) {
  SCOPED_TRACE(trace(x.dims, x.type, axes, "softmax"));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        SoftMaxLayer* s = net.add_softmax(*in[0]);
        s->set_axes(axes);
        net.mark_output(*s->get_output(0));
      },
      {x}, options);
}

TEST(CudaReductionSoftMax, LastAxisRowLengths) {
  KILN_REQUIRE_GPU();
  // 1, 10, 1000: warp rows; 5000 (3 rows): split across 2 blocks, then a second pass.
  for (int64_t n : {1, 10, 1000, 5000}) {
    expect_softmax(random_input("x", DataType::kFLOAT, {3, n}), 2u,
                   float_tolerance(DataType::kFLOAT));
  }
  expect_softmax(random_input("x", DataType::kFLOAT, {600, 2000}), 2u,
                 float_tolerance(DataType::kFLOAT));  // a block a row
  expect_softmax(random_input("x", DataType::kFLOAT, {2, 100000}), 2u,
                 float_tolerance(DataType::kFLOAT));  // many splits
  expect_softmax(random_input("x", DataType::kFLOAT, {2, 3, 777}), 4u,
                 float_tolerance(DataType::kFLOAT));
  expect_softmax(random_input("x", DataType::kFLOAT, {4096, 33}), 2u,
                 float_tolerance(DataType::kFLOAT));
  // Wide logits: without the max subtracted, exp would overflow.
  expect_softmax(random_input("x", DataType::kFLOAT, {5, 300}, -200.0, 200.0), 2u,
                 float_tolerance(DataType::kFLOAT));
}

TEST(CudaReductionSoftMax, MiddleAndFirstAxes) {
  KILN_REQUIRE_GPU();
  const DiffOptions tol = float_tolerance(DataType::kFLOAT);
  expect_softmax(random_input("x", DataType::kFLOAT, {4, 1000, 3}), 2u, tol);  // columns
  expect_softmax(random_input("x", DataType::kFLOAT, {2, 10, 70}), 2u, tol);
  expect_softmax(random_input("x", DataType::kFLOAT, {2, 5000, 2}), 2u, tol);
  expect_softmax(random_input("x", DataType::kFLOAT, {1000, 5}), 1u, tol);
  expect_softmax(random_input("x", DataType::kFLOAT, {5000, 40}), 1u, tol);
  expect_softmax(random_input("x", DataType::kFLOAT, {10, 1}), 1u, tol);
  expect_softmax(random_input("x", DataType::kFLOAT, {1, 7, 9}), 1u, tol);  // a size-1 axis: all 1
}

TEST(CudaReductionSoftMax, SeveralAxes) {
  KILN_REQUIRE_GPU();
  const DiffOptions tol = float_tolerance(DataType::kFLOAT);
  expect_softmax(random_input("x", DataType::kFLOAT, {4, 6, 8, 10}), 0b0110u,
                 tol);  // contiguous middle
  expect_softmax(random_input("x", DataType::kFLOAT, {4, 6, 8, 10}), 0b1010u,
                 tol);  // split, last in
  expect_softmax(random_input("x", DataType::kFLOAT, {4, 6, 8, 10}), 0b0101u,
                 tol);  // split, last out
  expect_softmax(random_input("x", DataType::kFLOAT, {4, 6, 8, 10}), 0b1111u, tol);  // everything
  expect_softmax(random_input("x", DataType::kFLOAT, {3, 40, 2, 50}), 0b1010u, tol);
}

TEST(CudaReductionSoftMax, HalfTypes) {
  KILN_REQUIRE_GPU();
  for (DataType type : {DataType::kHALF, DataType::kBF16}) {
    expect_softmax(random_input("x", type, {3, 10}), 2u, float_tolerance(type));
    expect_softmax(random_input("x", type, {3, 5000}), 2u, float_tolerance(type));
    expect_softmax(random_input("x", type, {6, 700, 5}), 2u, float_tolerance(type));
    expect_softmax(random_input("x", type, {4, 6, 8, 10}), 0b1010u, float_tolerance(type));
  }
}

TEST(CudaReductionSoftMax, Fp16Precision) {
  KILN_REQUIRE_GPU();
  DiffOptions o = tolerance(1e-5, 3e-3);
  o.fp16 = true;
  expect_softmax(random_input("x", DataType::kFLOAT, {8, 1000}), 2u, o);
  expect_softmax(random_input("x", DataType::kFLOAT, {4, 300, 6}), 2u, o);
}

TEST(CudaReductionSoftMax, NanAndInfinities) {
  KILN_REQUIRE_GPU();
  // Rows: NaN -> all NaN; +inf -> all NaN; only -inf -> all NaN; some -inf -> 0 there.
  const std::vector<double> v = {1,     kNaN,  2,     3, kInf, 1,     2,  3,  -kInf, -kInf,
                                 -kInf, -kInf, -kInf, 0, 1,    -kInf, -1, -1, -1,    -1};
  for (DataType type : kFloatTypes) {
    expect_softmax(values_input("x", type, {5, 4}, v), 2u, float_tolerance(type));
    expect_softmax(values_input("x", type, {4, 5}, v), 1u, float_tolerance(type));  // as columns
  }
}

// ---- reduce ---------------------------------------------------------------------------------

constexpr ReduceOperation kAllReduceOps[] = {ReduceOperation::kSUM, ReduceOperation::kPROD,
                                             ReduceOperation::kMAX, ReduceOperation::kMIN,
                                             ReduceOperation::kAVG};

void expect_reduce(const DiffInput& x, ReduceOperation op, uint32_t axes, bool keep,
                   const DiffOptions& options, bool clip = false) {
  SCOPED_TRACE(
      trace(x.dims, x.type, axes,
            "reduce op " + std::to_string(static_cast<int>(op)) + (keep ? " keep_dims" : "")));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        ReduceLayer* r = net.add_reduce(*in[0], op, axes, keep);
        net.mark_output(clip ? clipped(net, *r->get_output(0)) : *r->get_output(0));
      },
      {x}, options);
}

// Values for `op`: products stay within float range near 1.
DiffInput reduce_input(DataType type, const Dims& dims, ReduceOperation op) {
  if (op == ReduceOperation::kPROD) return random_input("x", type, dims, 0.5, 1.5);
  return random_input("x", type, dims);
}

TEST(CudaReductionReduce, EveryOpAndAxisMask) {
  KILN_REQUIRE_GPU();
  const Dims dims{4, 5, 6, 7};
  for (ReduceOperation op : kAllReduceOps) {
    for (uint32_t axes : {0b0001u, 0b0010u, 0b1000u, 0b0110u, 0b1010u, 0b0101u, 0b1001u, 0b1111u}) {
      for (bool keep : {false, true}) {
        expect_reduce(reduce_input(DataType::kFLOAT, dims, op), op, axes, keep,
                      float_tolerance(DataType::kFLOAT));
      }
    }
  }
}

TEST(CudaReductionReduce, HalfTypes) {
  KILN_REQUIRE_GPU();
  for (DataType type : {DataType::kHALF, DataType::kBF16}) {
    for (ReduceOperation op : kAllReduceOps) {
      expect_reduce(reduce_input(type, {6, 50, 9}, op), op, 0b010u, false, float_tolerance(type));
      expect_reduce(reduce_input(type, {6, 50, 9}, op), op, 0b101u, true, float_tolerance(type));
      expect_reduce(reduce_input(type, {3, 3000}, op), op, 0b10u, false, float_tolerance(type));
    }
  }
}

TEST(CudaReductionReduce, LargeReductionsSplitAcrossBlocks) {
  KILN_REQUIRE_GPU();
  const DiffOptions tol = float_tolerance(DataType::kFLOAT);
  for (ReduceOperation op : kAllReduceOps) {
    expect_reduce(reduce_input(DataType::kFLOAT, {1, 200000}, op), op, 0b10u, false,
                  tol);  // rows, split
    expect_reduce(reduce_input(DataType::kFLOAT, {100000, 3}, op), op, 0b01u, false,
                  tol);  // columns, split
    expect_reduce(reduce_input(DataType::kFLOAT, {3, 70000, 5}, op), op, 0b010u, true, tol);
    expect_reduce(reduce_input(DataType::kFLOAT, {2, 3000, 64}, op), op, 0b101u, false, tol);
    expect_reduce(reduce_input(DataType::kFLOAT, {50000, 4, 2}, op), op, 0b111u, false,
                  tol);  // one output
  }
  expect_reduce(random_input("x", DataType::kFLOAT, {1000, 7}), ReduceOperation::kSUM, 0b10u, false,
                tol);
  expect_reduce(random_input("x", DataType::kFLOAT, {300, 2000}), ReduceOperation::kAVG, 0b10u,
                false, tol);
}

TEST(CudaReductionReduce, Integers) {
  KILN_REQUIRE_GPU();
  for (DataType type : {DataType::kINT32, DataType::kINT64}) {
    for (ReduceOperation op : {ReduceOperation::kSUM, ReduceOperation::kPROD, ReduceOperation::kMAX,
                               ReduceOperation::kMIN}) {
      // Wide values: sums and products wrap around, which must match exactly.
      for (uint32_t axes : {0b001u, 0b010u, 0b100u, 0b101u, 0b111u}) {
        expect_reduce(random_input("x", type, {5, 30, 7}, -1e9, 1e9), op, axes, axes == 0b101u,
                      exact());
      }
      expect_reduce(random_input("x", type, {2, 100000}, -1e9, 1e9), op, 0b10u, false, exact());
      expect_reduce(random_input("x", type, {40000, 3}, -5, 5), op, 0b01u, true, exact());
    }
  }
}

TEST(CudaReductionReduce, NanPropagatesThroughMaxAndMin) {
  KILN_REQUIRE_GPU();
  const std::vector<double> v = {1, kNaN, 3, -kInf, 2, kInf, -1, 0, kNaN, 5, 6, 7};
  for (ReduceOperation op : kAllReduceOps) {
    expect_reduce(values_input("x", DataType::kFLOAT, {3, 4}, v), op, 0b10u, false,
                  float_tolerance(DataType::kFLOAT), true);
    expect_reduce(values_input("x", DataType::kFLOAT, {3, 4}, v), op, 0b01u, false,
                  float_tolerance(DataType::kFLOAT), true);
  }
}

TEST(CudaReductionReduce, EmptyReductionsAndOutputs) {
  KILN_REQUIRE_GPU();
  for (ReduceOperation op : kAllReduceOps) {
    // Nothing to reduce: every output is the identity (max/min: -inf/+inf, avg: NaN).
    expect_reduce(random_input("x", DataType::kFLOAT, {3, 0}), op, 0b10u, false,
                  float_tolerance(DataType::kFLOAT), true);
    expect_reduce(random_input("x", DataType::kFLOAT, {3, 0, 4}), op, 0b010u, true,
                  float_tolerance(DataType::kFLOAT), true);
    // No outputs: nothing launched.
    expect_reduce(random_input("x", DataType::kFLOAT, {0, 5}), op, 0b10u, false,
                  float_tolerance(DataType::kFLOAT));
  }
  expect_reduce(random_input("x", DataType::kINT32, {3, 0}), ReduceOperation::kMAX, 0b10u, false,
                exact());
  expect_reduce(random_input("x", DataType::kINT64, {3, 0}), ReduceOperation::kMIN, 0b10u, false,
                exact());
}

// ---- normalization --------------------------------------------------------------------------

void expect_normalization(DataType type, const Dims& x, const Dims& affine, uint32_t axes,
                          int64_t groups, const DiffOptions& options) {
  SCOPED_TRACE(trace(x, type, axes, "normalization, groups " + std::to_string(groups)));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        NormalizationLayer* n = net.add_normalization(*in[0], *in[1], *in[2], axes);
        if (groups > 1) n->set_nb_groups(groups);
        net.mark_output(*n->get_output(0));
      },
      {random_input("x", type, x), random_input("scale", type, affine),
       random_input("bias", type, affine)},
      options);
}

TEST(CudaReductionNormalization, LayerNorm) {
  KILN_REQUIRE_GPU();
  for (DataType type : kFloatTypes) {
    expect_normalization(type, {4, 6, 32}, {32}, 0b100u, 1, float_tolerance(type));
    expect_normalization(type, {4, 6, 32}, {6, 32}, 0b110u, 1, float_tolerance(type));
    expect_normalization(type, {3, 5000}, {5000}, 0b10u, 1, float_tolerance(type));  // block rows
    expect_normalization(type, {2, 7, 768}, {1, 1, 768}, 0b100u, 1, float_tolerance(type));
  }
  // One group of 200000: split across blocks.
  expect_normalization(DataType::kFLOAT, {2, 200000}, {200000}, 0b10u, 1,
                       float_tolerance(DataType::kFLOAT));
  // Values far from zero: the statistics must not cancel.
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        net.mark_output(*net.add_normalization(*in[0], *in[1], *in[2], 0b10u)->get_output(0));
      },
      {random_input("x", DataType::kFLOAT, {4, 1000}, 999.0, 1001.0),
       random_input("scale", DataType::kFLOAT, {1000}),
       random_input("bias", DataType::kFLOAT, {1000})},
      tolerance(1e-5, 1e-4));
}

TEST(CudaReductionNormalization, InstanceNorm) {
  KILN_REQUIRE_GPU();
  for (DataType type : kFloatTypes) {
    expect_normalization(type, {2, 3, 8, 8}, {1, 3, 1, 1}, 0b1100u, 1, float_tolerance(type));
    expect_normalization(type, {2, 16, 33, 17}, {1, 16, 1, 1}, 0b1100u, 1, float_tolerance(type));
    expect_normalization(type, {2, 4, 40}, {4, 1}, 0b100u, 1, float_tolerance(type));
  }
  // Normalized over the first axis (columns), affine per element.
  expect_normalization(DataType::kFLOAT, {300, 5}, {300, 5}, 0b01u, 1,
                       float_tolerance(DataType::kFLOAT));
  expect_normalization(DataType::kFLOAT, {6, 7, 8}, {1}, 0b101u, 1,
                       float_tolerance(DataType::kFLOAT));
}

TEST(CudaReductionNormalization, GroupNorm) {
  KILN_REQUIRE_GPU();
  for (DataType type : kFloatTypes) {
    expect_normalization(type, {2, 6, 5, 5}, {1, 6, 1, 1}, 0b1100u, 3, float_tolerance(type));
    expect_normalization(type, {3, 32, 9, 11}, {1, 32, 1, 1}, 0b1100u, 8, float_tolerance(type));
    expect_normalization(type, {2, 8, 20}, {1, 8, 1}, 0b100u, 2, float_tolerance(type));
  }
  // One channel per group (instance norm), and many groups.
  expect_normalization(DataType::kFLOAT, {2, 4, 6, 6}, {1, 4, 1, 1}, 0b1100u, 4,
                       float_tolerance(DataType::kFLOAT));
  expect_normalization(DataType::kFLOAT, {1, 64, 64, 64}, {1, 64, 1, 1}, 0b1100u, 32,
                       float_tolerance(DataType::kFLOAT));
}

// ---- top-k ----------------------------------------------------------------------------------

void expect_topk(const DiffInput& x, TopKOperation op, int32_t k, uint32_t axes,
                 bool clip = false) {
  SCOPED_TRACE(
      trace(x.dims, x.type, axes,
            std::string(op == TopKOperation::kMAX ? "top" : "bottom") + "-" + std::to_string(k)));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        TopKLayer* t = net.add_topk(*in[0], op, k, axes);
        net.mark_output(clip ? clipped(net, *t->get_output(0)) : *t->get_output(0));
        net.mark_output(*t->get_output(1));
      },
      {x}, exact());
}

TEST(CudaReductionTopK, LastAxisEveryPath) {
  KILN_REQUIRE_GPU();
  for (TopKOperation op : {TopKOperation::kMAX, TopKOperation::kMIN}) {
    // 10, 1000: sorted in shared memory; 5000, 20000: radix select (k <= 4096) or the workspace
    // sort (k = the whole row).
    for (int64_t n : {1, 10, 1000, 5000, 20000}) {
      for (int64_t k : {int64_t{1}, int64_t{5}, n}) {
        if (k > n) continue;
        expect_topk(random_input("x", DataType::kFLOAT, {3, n}), op, static_cast<int32_t>(k), 2u);
      }
    }
    expect_topk(random_input("x", DataType::kFLOAT, {2, 9000}), op, 4096,
                2u);  // select at capacity
    expect_topk(random_input("x", DataType::kFLOAT, {2, 9000}), op, 4097, 2u);  // workspace sort
    expect_topk(random_input("x", DataType::kFLOAT, {1, 300000}), op, 1, 2u);   // top-1, split
    expect_topk(random_input("x", DataType::kFLOAT, {20000, 10}), op, 1, 2u);   // many short rows
    expect_topk(random_input("x", DataType::kFLOAT, {20000, 10}), op, 3, 2u);   // a warp a row
    expect_topk(random_input("x", DataType::kFLOAT, {1001, 3}), op, 2, 2u);     // 2 lanes a row
    expect_topk(random_input("x", DataType::kFLOAT, {333, 17}), op, 17, 2u);
    expect_topk(random_input("x", DataType::kFLOAT, {500, 32}), op, 32, 2u);
    expect_topk(random_input("x", DataType::kFLOAT, {500, 33}), op, 31, 2u);  // shared-memory sort
  }
}

TEST(CudaReductionTopK, MiddleAndFirstAxes) {
  KILN_REQUIRE_GPU();
  for (TopKOperation op : {TopKOperation::kMAX, TopKOperation::kMIN}) {
    expect_topk(random_input("x", DataType::kFLOAT, {4, 100, 3}), op, 1, 2u);
    expect_topk(random_input("x", DataType::kFLOAT, {4, 100, 3}), op, 7, 2u);
    expect_topk(random_input("x", DataType::kFLOAT, {4, 100, 3}), op, 100, 2u);
    expect_topk(random_input("x", DataType::kFLOAT, {2, 6000, 3}), op, 50, 2u);
    expect_topk(random_input("x", DataType::kFLOAT, {1000, 6}), op, 1, 1u);
    expect_topk(random_input("x", DataType::kFLOAT, {1000, 6}), op, 10, 1u);
    expect_topk(random_input("x", DataType::kFLOAT, {5000, 2}), op, 5000, 1u);
  }
}

TEST(CudaReductionTopK, TiesGoToTheLowerIndex) {
  KILN_REQUIRE_GPU();
  for (DataType type :
       {DataType::kFLOAT, DataType::kHALF, DataType::kBF16, DataType::kINT32, DataType::kINT64}) {
    for (TopKOperation op : {TopKOperation::kMAX, TopKOperation::kMIN}) {
      SCOPED_TRACE(to_string(type));
      expect_topk(values_input("x", type, {4, 50}, small_ints(200, -3, 3, 1)), op, 1, 2u);
      expect_topk(values_input("x", type, {4, 50}, small_ints(200, -3, 3, 2)), op, 5, 2u);
      expect_topk(values_input("x", type, {4, 50}, small_ints(200, -3, 3, 3)), op, 50, 2u);
      expect_topk(values_input("x", type, {2, 6000}, small_ints(12000, -3, 3, 4)), op, 1000, 2u);
      expect_topk(values_input("x", type, {2, 6000}, small_ints(12000, 0, 1, 5)), op, 3001, 2u);
      expect_topk(values_input("x", type, {3, 5000}, small_ints(15000, -2, 2, 6)), op, 5000, 2u);
      expect_topk(values_input("x", type, {30, 4, 5}, small_ints(600, -1, 1, 7)), op, 2, 2u);
      expect_topk(values_input("x", type, {1, 100000}, small_ints(100000, -3, 3, 8)), op, 1, 2u);
      expect_topk(values_input("x", type, {3, 100}, std::vector<double>(300, 1.0)), op, 100, 2u);
    }
  }
}

TEST(CudaReductionTopK, IntegersOfEveryRange) {
  KILN_REQUIRE_GPU();
  for (DataType type : {DataType::kINT32, DataType::kINT64}) {
    for (TopKOperation op : {TopKOperation::kMAX, TopKOperation::kMIN}) {
      expect_topk(random_input("x", type, {5, 700}, -2e9, 2e9), op, 1, 2u);
      expect_topk(random_input("x", type, {5, 700}, -2e9, 2e9), op, 17, 2u);
      expect_topk(random_input("x", type, {2, 9000}, -2e9, 2e9), op, 300, 2u);  // radix select
      expect_topk(random_input("x", type, {2, 3000}, -2e9, 2e9), op, 2100,
                  2u);  // int64: workspace sort
    }
  }
}

TEST(CudaReductionTopK, NanSignedZeroAndInfinities) {
  KILN_REQUIRE_GPU();
  std::vector<double> v = {0.0, -0.0, kNaN, 1.0, -kInf, kInf, kNaN, -0.0, 0.0, -1.0, kInf, 2.0};
  std::vector<double> big;
  for (int i = 0; i < 500; ++i) big.insert(big.end(), v.begin(), v.end());  // 6000: radix select
  for (DataType type : kFloatTypes) {
    for (TopKOperation op : {TopKOperation::kMAX, TopKOperation::kMIN}) {
      SCOPED_TRACE(to_string(type));
      for (int32_t k : {1, 4, 12})
        expect_topk(values_input("x", type, {1, 12}, v), op, k, 2u, true);
      expect_topk(values_input("x", type, {2, 6}, v), op, 6, 2u, true);
      expect_topk(values_input("x", type, {1, 6000}, big), op, 1, 2u, true);
      expect_topk(values_input("x", type, {1, 6000}, big), op, 2500, 2u, true);
      expect_topk(values_input("x", type, {1, 6000}, big), op, 6000, 2u, true);
    }
  }
}

}  // namespace
}  // namespace kiln::test
