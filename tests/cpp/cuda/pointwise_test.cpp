// Differential tests of the CUDA pointwise tactics (activation, unary, elementwise, select) against
// the CPU backend, on random inputs in each operation's domain and on edge values (NaN, inf, -0).
//
// Tolerances. float32: atol 1e-6, rtol 1e-5 for everything. Arithmetic, comparisons, sqrt, 1/x,
// floor/ceil/round match bit for bit; exp, log, sin, cos, tan, erf, tanh, expm1, log1p and pow are
// CUDA's full-precision functions (never fast math), 1 to 4 ulp (<= 5e-7 relative) from glibc's.
// float16: atol = rtol = 1e-3, one fp16 ulp (2^-11 to 2^-10 relative), since a float32 result a few
// ulp off can round to the neighbouring fp16 value. bfloat16: 1e-2, one bf16 ulp (2^-8 to 2^-7).
// Integers and bool: exact.
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

DiffOptions tolerance(double atol, double rtol) {
  DiffOptions o;
  o.tol = {atol, rtol};
  return o;
}
DiffOptions exact() {
  return tolerance(0.0, 0.0);
}
// The documented tolerance of a floating-point type's results (see the file comment).
DiffOptions float_tolerance(DataType type) {
  if (type == DataType::kHALF) return tolerance(1e-3, 1e-3);
  if (type == DataType::kBF16) return tolerance(1e-2, 1e-2);
  return tolerance(1e-6, 1e-5);
}

DiffInput random_input(const std::string& name, DataType type, const Dims& dims, double lo,
                       double hi) {
  DiffInput in;
  in.name = name;
  in.type = type;
  in.dims = dims;
  in.lo = lo;
  in.hi = hi;
  return in;
}
DiffInput values_input(const std::string& name, DataType type, const std::vector<double>& values) {
  DiffInput in;
  in.name = name;
  in.type = type;
  in.dims = Dims{static_cast<int64_t>(values.size())};
  in.values = values;
  return in;
}

// Small whole numbers, so that equal / greater / less see ties in every type.
std::vector<double> small_ints(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(-3, 3);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = dist(gen);
  return v;
}

const std::vector<double> kEdgeFloats = {kNaN,  kInf,  -kInf,  0.0,  -0.0, 1e-8,  -1e-8,
                                         0.5,   -0.5,  1.5,    -2.5, 30.0, -30.0, 88.7,
                                         -88.7, 100.0, -100.0, 1e30, -1e30};

constexpr DataType kFloatTypes[] = {DataType::kFLOAT, DataType::kHALF, DataType::kBF16};
constexpr DataType kSignedIntTypes[] = {DataType::kINT8, DataType::kINT32, DataType::kINT64};

// ---- Activation ------------------------------------------------------------------------------

struct ActivationCase {
  ActivationType type;
  float alpha, beta;
};
const ActivationCase kActivations[] = {
    {ActivationType::kRELU, 0.0f, 0.0f},
    {ActivationType::kSIGMOID, 0.0f, 0.0f},
    {ActivationType::kTANH, 0.0f, 0.0f},
    {ActivationType::kLEAKY_RELU, 0.1f, 0.0f},
    {ActivationType::kELU, 1.3f, 0.0f},
    {ActivationType::kSELU, 1.6732632f, 1.0507010f},
    {ActivationType::kSOFTPLUS, 0.7f, 1.9f},
    {ActivationType::kCLIP, -1.25f, 2.5f},
    {ActivationType::kHARD_SIGMOID, 0.2f, 0.5f},
    {ActivationType::kGELU_ERF, 0.0f, 0.0f},
    {ActivationType::kGELU_TANH, 0.0f, 0.0f},
    {ActivationType::kSILU, 0.0f, 0.0f},
    {ActivationType::kTHRESHOLDED_RELU, 0.7f, 0.0f},
    {ActivationType::kSOFTSIGN, 0.0f, 0.0f},
    {ActivationType::kSCALED_TANH, 1.7f, 0.66f},
    {ActivationType::kMISH, 0.0f, 0.0f},
};

void expect_activation(const ActivationCase& c, const DiffInput& x, const DiffOptions& options) {
  SCOPED_TRACE("activation " + std::to_string(static_cast<int>(c.type)) + " " + to_string(x.type));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        ActivationLayer* l = net.add_activation(*in[0], c.type);
        l->set_alpha(c.alpha);
        l->set_beta(c.beta);
        net.mark_output(*l->get_output(0));
      },
      {x}, options);
}

TEST(CudaPointwise, ActivationEveryTypeAndPrecision) {
  KILN_REQUIRE_GPU();
  for (const ActivationCase& c : kActivations) {
    for (DataType type : kFloatTypes) {
      // 1005 elements: the vectorized loop and a scalar tail.
      expect_activation(c, random_input("x", type, {3, 5, 67}, -6.0, 6.0), float_tolerance(type));
    }
  }
}

TEST(CudaPointwise, ActivationEdgeValues) {
  KILN_REQUIRE_GPU();
  for (const ActivationCase& c : kActivations) {
    expect_activation(c, values_input("x", DataType::kFLOAT, kEdgeFloats),
                      float_tolerance(DataType::kFLOAT));
    expect_activation(c, values_input("x", DataType::kHALF, kEdgeFloats),
                      float_tolerance(DataType::kHALF));
  }
}

// ---- Unary -----------------------------------------------------------------------------------

void expect_unary(UnaryOperation op, const DiffInput& x, const DiffOptions& options) {
  SCOPED_TRACE("unary " + std::to_string(static_cast<int>(op)) + " " + to_string(x.type));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        net.mark_output(*net.add_unary(*in[0], op)->get_output(0));
      },
      {x}, options);
}

struct UnaryCase {
  UnaryOperation op;
  double lo, hi;  // the domain random inputs come from
};
const UnaryCase kFloatUnaries[] = {
    {UnaryOperation::kEXP, -10, 10},   {UnaryOperation::kLOG, 0.01, 100},
    {UnaryOperation::kSQRT, 0, 100},   {UnaryOperation::kRECIP, -10, 10},
    {UnaryOperation::kABS, -10, 10},   {UnaryOperation::kNEG, -10, 10},
    {UnaryOperation::kSIN, -10, 10},   {UnaryOperation::kCOS, -10, 10},
    {UnaryOperation::kTAN, -1.5, 1.5}, {UnaryOperation::kERF, -4, 4},
    {UnaryOperation::kFLOOR, -10, 10}, {UnaryOperation::kCEIL, -10, 10},
    {UnaryOperation::kROUND, -10, 10}, {UnaryOperation::kSIGN, -10, 10},
    {UnaryOperation::kSINH, -10, 10},  {UnaryOperation::kCOSH, -10, 10},
    {UnaryOperation::kASIN, -1, 1},    {UnaryOperation::kACOS, -1, 1},
    {UnaryOperation::kATAN, -10, 10},  {UnaryOperation::kASINH, -10, 10},
    {UnaryOperation::kACOSH, 1, 100},  {UnaryOperation::kATANH, -0.99, 0.99},
};

TEST(CudaPointwise, UnaryFloatOpsEveryPrecision) {
  KILN_REQUIRE_GPU();
  for (const UnaryCase& c : kFloatUnaries) {
    for (DataType type : kFloatTypes) {
      expect_unary(c.op, random_input("x", type, {4, 259}, c.lo, c.hi), float_tolerance(type));
    }
  }
}

TEST(CudaPointwise, UnaryFloatEdgeValues) {
  KILN_REQUIRE_GPU();
  // Round's ties go to even and keep the sign of zero; NaN, inf and -0 go through every op.
  std::vector<double> values = kEdgeFloats;
  for (double v : {-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0.4, 0.4, 2.4999, 8388609.0})
    values.push_back(v);
  for (const UnaryCase& c : kFloatUnaries) {
    expect_unary(c.op, values_input("x", DataType::kFLOAT, values),
                 float_tolerance(DataType::kFLOAT));
    expect_unary(c.op, values_input("x", DataType::kBF16, values),
                 float_tolerance(DataType::kBF16));
  }
}

TEST(CudaPointwise, UnarySignedIntegersWrap) {
  KILN_REQUIRE_GPU();
  const std::vector<double> int8_values = {-128, -127, -1, 0, 1, 5, 127};
  const std::vector<double> int32_values = {-2147483648.0, -2147483647.0, -7, 0, 7, 2147483647.0};
  const std::vector<double> int64_values = {
      -9223372036854775808.0, -4611686018427387904.0, -3, 0, 3, 4611686018427387904.0};
  for (UnaryOperation op : {UnaryOperation::kABS, UnaryOperation::kNEG, UnaryOperation::kSIGN}) {
    expect_unary(op, values_input("x", DataType::kINT8, int8_values), exact());
    expect_unary(op, values_input("x", DataType::kINT32, int32_values), exact());
    expect_unary(op, values_input("x", DataType::kINT64, int64_values), exact());
    for (DataType type : kSignedIntTypes) {
      expect_unary(op, random_input("x", type, {3, 67}, -100, 100), exact());
    }
  }
}

TEST(CudaPointwise, UnaryNot) {
  KILN_REQUIRE_GPU();
  expect_unary(UnaryOperation::kNOT, random_input("x", DataType::kBOOL, {5, 67}, 0, 1), exact());
  expect_unary(UnaryOperation::kNOT, random_input("x", DataType::kBOOL, {}, 0, 1), exact());
}

// ---- Elementwise -----------------------------------------------------------------------------

constexpr ElementWiseOperation kArithmetic[] = {
    ElementWiseOperation::kSUM, ElementWiseOperation::kPROD,     ElementWiseOperation::kMAX,
    ElementWiseOperation::kMIN, ElementWiseOperation::kSUB,      ElementWiseOperation::kDIV,
    ElementWiseOperation::kPOW, ElementWiseOperation::kFLOOR_DIV};

// Output shape in comments: same shapes (vectorized path with a tail), numpy broadcasting of
// each kind, 0-d against 1-d.
struct ShapePair {
  Dims a, b;
};
const ShapePair kShapes[] = {
    {{7, 37}, {7, 37}},               // [7,37]
    {{2, 3, 4}, {3, 1}},              // [2,3,4]
    {{1}, {4, 5}},                    // [4,5]
    {{}, {3}},                        // [3]
    {{}, {}},                         // []
    {{4, 1, 5}, {1, 3, 1}},           // [4,3,5], both broadcast
    {{2, 1, 3, 1, 2}, {4, 1, 5, 2}},  // [2,4,3,5,2]: ranks 5 and 4
};

void expect_elementwise(ElementWiseOperation op, const DiffInput& a, const DiffInput& b,
                        const DiffOptions& options) {
  SCOPED_TRACE("elementwise " + std::to_string(static_cast<int>(op)) + " " + to_string(a.type) +
               " " + to_string(a.dims) + " " + to_string(b.dims));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        net.mark_output(*net.add_elementwise(*in[0], *in[1], op)->get_output(0));
      },
      {a, b}, options);
}

TEST(CudaPointwise, ElementwiseFloatArithmeticBroadcasts) {
  KILN_REQUIRE_GPU();
  for (ElementWiseOperation op : kArithmetic) {
    // pow: positive bases (a negative base with a fractional exponent is NaN on both sides).
    double a_lo = op == ElementWiseOperation::kPOW ? 0.1 : -4.0;
    for (DataType type : kFloatTypes) {
      for (const ShapePair& s : kShapes) {
        expect_elementwise(op, random_input("a", type, s.a, a_lo, 4.0),
                           random_input("b", type, s.b, -3.0, 3.0), float_tolerance(type));
      }
    }
  }
}

TEST(CudaPointwise, ElementwiseFloatEdgeValues) {
  KILN_REQUIRE_GPU();
  // Every pair of edge values: NaN propagation of max/min, +0 / -0, inf - inf, x / 0, pow's cases.
  std::vector<double> a, b;
  for (double x : kEdgeFloats) {
    for (double y : kEdgeFloats) {
      a.push_back(x);
      b.push_back(y);
    }
  }
  for (ElementWiseOperation op : kArithmetic) {
    expect_elementwise(op, values_input("a", DataType::kFLOAT, a),
                       values_input("b", DataType::kFLOAT, b), float_tolerance(DataType::kFLOAT));
  }
}

TEST(CudaPointwise, ElementwiseIntegerArithmeticWrapsAndDividesByZero) {
  KILN_REQUIRE_GPU();
  for (ElementWiseOperation op : kArithmetic) {
    for (DataType type : kSignedIntTypes) {
      for (const ShapePair& s : kShapes) {
        // [-6, 6] holds zero divisors and negative operands of // and pow.
        expect_elementwise(op, random_input("a", type, s.a, -6, 6),
                           random_input("b", type, s.b, -6, 6), exact());
      }
    }
    // Overflow wraps: full int8 range, int32 near its limits.
    expect_elementwise(op, random_input("a", DataType::kINT8, {9, 31}, -128, 127),
                       random_input("b", DataType::kINT8, {9, 31}, -128, 127), exact());
    expect_elementwise(op, random_input("a", DataType::kINT32, {9, 31}, -2e9, 2e9),
                       random_input("b", DataType::kINT32, {9, 31}, -40000, 40000), exact());
  }
  // The most negative value divided by -1 wraps; by 0 gives 0.
  for (ElementWiseOperation op : {ElementWiseOperation::kDIV, ElementWiseOperation::kFLOOR_DIV}) {
    expect_elementwise(op,
                       values_input("a", DataType::kINT64, {-9223372036854775808.0, -7, 7, 0, -7}),
                       values_input("b", DataType::kINT64, {-1, 0, -2, 0, 2}), exact());
    expect_elementwise(op, values_input("a", DataType::kINT8, {-128, -7, 7, 0, -7}),
                       values_input("b", DataType::kINT8, {-1, 0, -2, 0, 2}), exact());
  }
}

TEST(CudaPointwise, ElementwiseComparisonsEveryType) {
  KILN_REQUIRE_GPU();
  constexpr DataType kNumeric[] = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                                   DataType::kINT8,  DataType::kUINT8, DataType::kINT32,
                                   DataType::kINT64};
  for (ElementWiseOperation op : {ElementWiseOperation::kEQUAL, ElementWiseOperation::kGREATER,
                                  ElementWiseOperation::kLESS}) {
    for (DataType type : kNumeric) {
      double shift = type == DataType::kUINT8 ? 3.0 : 0.0;  // uint8 takes no negative values
      std::vector<double> a = small_ints(2 * 3 * 4, 7), b = small_ints(3, 8);
      for (double& v : a) v += shift;
      for (double& v : b) v += shift;
      DiffInput da = values_input("a", type, a), db = values_input("b", type, b);
      da.dims = {2, 3, 4};
      db.dims = {3, 1};
      expect_elementwise(op, da, db, exact());
      expect_elementwise(op, values_input("a", type, small_ints(131, 9 + static_cast<int>(type))),
                         values_input("b", type, small_ints(131, 10)), exact());
    }
    std::vector<double> nan_cases = {kNaN, 1.0, kNaN, -0.0, kInf};
    expect_elementwise(op, values_input("a", DataType::kFLOAT, nan_cases),
                       values_input("b", DataType::kFLOAT, {1.0, kNaN, kNaN, 0.0, kInf}), exact());
  }
}

TEST(CudaPointwise, ElementwiseBool) {
  KILN_REQUIRE_GPU();
  for (ElementWiseOperation op : {ElementWiseOperation::kAND, ElementWiseOperation::kOR,
                                  ElementWiseOperation::kXOR, ElementWiseOperation::kEQUAL}) {
    for (const ShapePair& s : kShapes) {
      expect_elementwise(op, random_input("a", DataType::kBOOL, s.a, 0, 1),
                         random_input("b", DataType::kBOOL, s.b, 0, 1), exact());
    }
  }
}

TEST(CudaPointwise, ElementwiseLargeTensors) {
  KILN_REQUIRE_GPU();
  // Many blocks and grid-stride iterations: a contiguous pair and a broadcast row.
  expect_elementwise(ElementWiseOperation::kSUM,
                     random_input("a", DataType::kFLOAT, {(1 << 22) + 3}, -1, 1),
                     random_input("b", DataType::kFLOAT, {(1 << 22) + 3}, -1, 1), exact());
  expect_elementwise(ElementWiseOperation::kPROD,
                     random_input("a", DataType::kHALF, {1025, 1031}, -1, 1),
                     random_input("b", DataType::kHALF, {1031}, -1, 1), exact());
}

TEST(CudaPointwise, ElementwiseZeroSizeLaunchesNothing) {
  KILN_REQUIRE_GPU();
  expect_elementwise(ElementWiseOperation::kSUM, random_input("a", DataType::kFLOAT, {0, 3}, -1, 1),
                     random_input("b", DataType::kFLOAT, {3}, -1, 1), exact());
}

// ---- Select ----------------------------------------------------------------------------------

void expect_select(DataType type, const Dims& c, const Dims& t, const Dims& e) {
  SCOPED_TRACE(std::string("select ") + to_string(type) + " " + to_string(c) + " " + to_string(t) +
               " " + to_string(e));
  double lo = type == DataType::kUINT8 ? 0 : -100;
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        net.mark_output(*net.add_select(*in[0], *in[1], *in[2])->get_output(0));
      },
      {random_input("c", DataType::kBOOL, c, 0, 1), random_input("t", type, t, lo, 100),
       random_input("e", type, e, lo, 100)},
      exact());
}

TEST(CudaPointwise, SelectEveryTypeAndBroadcast) {
  KILN_REQUIRE_GPU();
  constexpr DataType kAll[] = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                               DataType::kINT8,  DataType::kUINT8, DataType::kINT32,
                               DataType::kINT64, DataType::kBOOL};
  for (DataType type : kAll) {
    expect_select(type, {5, 67}, {5, 67}, {5, 67});
    expect_select(type, {2, 3, 1}, {3, 4}, {1});
    expect_select(type, {}, {4, 5}, {});
    expect_select(type, {6, 1}, {}, {1, 7});
  }
}

// ---- Cast and identity ------------------------------------------------------------------------

constexpr DataType kAllTypes[] = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                                  DataType::kINT8,  DataType::kUINT8, DataType::kINT32,
                                  DataType::kINT64, DataType::kBOOL};

// Values each type holds, wide enough that converting into a narrower type saturates.
DiffInput wide_input(DataType type, const Dims& dims) {
  switch (type) {
    case DataType::kINT8:
      return random_input("x", type, dims, -128, 127);
    case DataType::kUINT8:
      return random_input("x", type, dims, 0, 255);
    case DataType::kINT32:
    case DataType::kINT64:
      return random_input("x", type, dims, -100000, 100000);
    case DataType::kBOOL:
      return random_input("x", type, dims, 0, 1);
    default:
      return random_input("x", type, dims, -300, 300);
  }
}

// Conversions have exactly one right answer, so every one is compared exactly.
void expect_cast(const DiffInput& x, DataType to) {
  SCOPED_TRACE(std::string("cast ") + to_string(x.type) + " -> " + to_string(to));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        net.mark_output(*net.add_cast(*in[0], to)->get_output(0));
      },
      {x}, exact());
}

TEST(CudaPointwise, CastEveryTypePair) {
  KILN_REQUIRE_GPU();
  for (DataType from : kAllTypes) {
    for (DataType to : kAllTypes) expect_cast(wide_input(from, {3, 43}), to);
  }
}

TEST(CudaPointwise, CastFloatEdgeValuesSaturate) {
  KILN_REQUIRE_GPU();
  // NaN -> 0 (true into bool), truncation, each integer type's limits and just past them, fp16's
  // overflow and subnormals, bf16 ties.
  const std::vector<double> values = {
      kNaN,   kInf,   -kInf,        0.0,          -0.0,          0.5,           -0.5,  0.99,
      -0.99,  2.7,    -2.7,         127.5,        128,           -128.9,        -129,  255.9,
      256,    -1,     2147483520.0, 2147483648.0, -2147483648.0, -2147483904.0, 3e9,   -3e9,
      9.2e18, 9.3e18, -9.3e18,      1e-8,         6e-8,          65504,         65519, 65520,
      1e5,    3.4e38, 1.00390625,   1.01171875};
  for (DataType from : kFloatTypes) {
    for (DataType to : kAllTypes) {
      if (to != from) expect_cast(values_input("x", from, values), to);
    }
  }
}

TEST(CudaPointwise, CastIntegersSaturateAndRoundOnce) {
  KILN_REQUIRE_GPU();
  // Saturation into narrower integers; into fp16/bf16 one rounding (257 and 259 are bf16 ties,
  // 16777217 would round twice through float32), 65520 overflows fp16.
  const std::vector<double> int64_values = {-1e10,
                                            1e10,
                                            -9223372036854775808.0,
                                            4611686018427387904.0,
                                            4503599627370497.0,
                                            -1,
                                            0,
                                            1,
                                            127,
                                            128,
                                            255,
                                            256,
                                            -129,
                                            2147483647.0,
                                            2147483648.0,
                                            -2147483649.0,
                                            16777217,
                                            33554435,
                                            257,
                                            259,
                                            65519,
                                            65520};
  const std::vector<double> int32_values = {-2147483648.0, 2147483647.0, 16777217, 16777219, -129,
                                            300,           65520,        257,      0};
  for (DataType to : kAllTypes) {
    if (to != DataType::kINT64) expect_cast(values_input("x", DataType::kINT64, int64_values), to);
    if (to != DataType::kINT32) expect_cast(values_input("x", DataType::kINT32, int32_values), to);
  }
}

TEST(CudaPointwise, IdentityConvertsToItsOutputType) {
  KILN_REQUIRE_GPU();
  struct Case {
    DataType from, to;
  };
  for (Case c :
       {Case{DataType::kFLOAT, DataType::kHALF}, Case{DataType::kHALF, DataType::kFLOAT},
        Case{DataType::kFLOAT, DataType::kINT32}, Case{DataType::kINT64, DataType::kINT64},
        Case{DataType::kBOOL, DataType::kBOOL}, Case{DataType::kFLOAT, DataType::kFLOAT}}) {
    SCOPED_TRACE(std::string("identity ") + to_string(c.from) + " -> " + to_string(c.to));
    expect_gpu_matches_cpu(
        [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
          IdentityLayer* l = net.add_identity(*in[0]);
          l->set_output_type(c.to);
          net.mark_output(*l->get_output(0));
        },
        {wide_input(c.from, {5, 67})}, exact());
  }
}

}  // namespace
}  // namespace kiln::test
