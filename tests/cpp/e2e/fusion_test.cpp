// The optimizer end to end on the CPU backend: networks with GELU, LayerNorm and pointwise chains
// build into fewer steps (internal ops), give the reference's results in float32 and float16, and
// survive a plan round trip (format version 2 names internal op kinds).
#include <cmath>

#include "e2e/e2e_util.h"
#include "plan/plan.h"

namespace kiln::test {
namespace {

constexpr int64_t kRows = 6, kH = 16;

std::vector<float> ramp(size_t n, float scale, float phase) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(phase + 0.37f * static_cast<float>(i));
  return v;
}

// y = LayerNorm(x + r) * gamma + beta (decomposed), z = gelu_erf(y) (decomposed) + y * 0.25.
std::unique_ptr<NetworkDefinition> block(Builder& builder) {
  static const std::vector<float> gamma = ramp(kH, 1.0f, 0.3f), beta = ramp(kH, 0.5f, 1.1f);
  static const float eps = 1e-5f, two = 2.0f, sqrt2 = 1.41421356f, one = 1.0f, half = 0.5f,
                     quarter = 0.25f;
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{kRows, kH});
  Tensor* r = net->add_input("r", DataType::kFLOAT, Dims{kRows, kH});
  auto scalar = [&](const float* v) {
    return net->add_constant(Dims{1, 1}, Weights{DataType::kFLOAT, v, 1})->get_output(0);
  };
  auto ew = [&](Tensor* a, Tensor* b, ElementWiseOperation op) {
    return net->add_elementwise(*a, *b, op)->get_output(0);
  };
  Tensor* s = ew(x, r, ElementWiseOperation::kSUM);
  Tensor* mean = net->add_reduce(*s, ReduceOperation::kAVG, 2u, true)->get_output(0);
  Tensor* d = ew(s, mean, ElementWiseOperation::kSUB);
  Tensor* d2 = ew(d, scalar(&two), ElementWiseOperation::kPOW);
  Tensor* var = net->add_reduce(*d2, ReduceOperation::kAVG, 2u, true)->get_output(0);
  Tensor* sd =
      net->add_unary(*ew(var, scalar(&eps), ElementWiseOperation::kSUM), UnaryOperation::kSQRT)
          ->get_output(0);
  Tensor* n = ew(d, sd, ElementWiseOperation::kDIV);
  Tensor* g =
      net->add_constant(Dims{1, kH}, Weights{DataType::kFLOAT, gamma.data(), kH})->get_output(0);
  Tensor* b =
      net->add_constant(Dims{1, kH}, Weights{DataType::kFLOAT, beta.data(), kH})->get_output(0);
  Tensor* y = ew(ew(n, g, ElementWiseOperation::kPROD), b, ElementWiseOperation::kSUM);
  Tensor* e =
      net->add_unary(*ew(y, scalar(&sqrt2), ElementWiseOperation::kDIV), UnaryOperation::kERF)
          ->get_output(0);
  Tensor* gelu =
      ew(ew(y, ew(e, scalar(&one), ElementWiseOperation::kSUM), ElementWiseOperation::kPROD),
         scalar(&half), ElementWiseOperation::kPROD);
  Tensor* z =
      ew(gelu, ew(y, scalar(&quarter), ElementWiseOperation::kPROD), ElementWiseOperation::kSUM);
  z->set_name("z");
  net->mark_output(*z);
  return net;
}

std::vector<double> reference(const std::vector<float>& x, const std::vector<float>& r) {
  std::vector<float> gamma = ramp(kH, 1.0f, 0.3f), beta = ramp(kH, 0.5f, 1.1f);
  std::vector<double> out(x.size());
  for (int64_t row = 0; row < kRows; ++row) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < kH; ++i) mean += x[row * kH + i] + r[row * kH + i];
    mean /= kH;
    for (int64_t i = 0; i < kH; ++i) {
      double dv = x[row * kH + i] + r[row * kH + i] - mean;
      var += dv * dv;
    }
    var /= kH;
    for (int64_t i = 0; i < kH; ++i) {
      double y =
          (x[row * kH + i] + r[row * kH + i] - mean) / std::sqrt(var + 1e-5) * gamma[i] + beta[i];
      out[row * kH + i] = 0.5 * y * (1 + std::erf(y / std::sqrt(2.0))) + 0.25 * y;
    }
  }
  return out;
}

void check_block(bool fp16, double tolerance) {
  Builder builder(quiet_logger());
  auto net = block(builder);
  auto config = builder.create_builder_config();
  if (fp16) config->set_flag(BuilderFlag::kFP16);
  config->set_default_device_type(DeviceType::kCPU);
  std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
  ASSERT_FALSE(plan.empty());
  EXPECT_EQ(plan::read_header(plan.data(), plan.size()).format_version, 2u);
  Runtime runtime(quiet_logger());
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  ASSERT_NE(engine, nullptr);
  // 24 layers become a skip-LayerNorm and one fused op (GELU, y * 0.25 and their sum: two regions
  // meeting in the add merge); fp16 adds the two input casts (the output cast joins the region).
  EXPECT_LE(engine->num_layers(), fp16 ? 4 : 2);
  std::vector<float> x = ramp(kRows * kH, 2.0f, 0.0f), r = ramp(kRows * kH, 1.0f, 2.0f);
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, {{"x", {Dims{kRows, kH}, x}}, {"r", {Dims{kRows, kH}, r}}});
  EXPECT_LT(max_rel_error(out["z"], reference(x, r)), tolerance);
}

TEST(OptimizerCpu, TransformerBlockPartsFuseAndMatchTheReference) {
  check_block(false, 2e-5);
}

TEST(OptimizerCpu, TransformerBlockPartsInFp16) {
  check_block(true, 2e-2);
}

// scores = q · (k split into heads and transposed): the head split's reshape and transposes merge
// into one shuffle, whose last swap the matrix multiply takes over; results stay exact.
TEST(OptimizerCpu, HeadSplitTransposesFoldAndKeepResults) {
  constexpr int64_t kB = 2, kS = 3, kHeads = 2, kD = 4;
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* q = net->add_input("q", DataType::kFLOAT, Dims{kB, kHeads, kS, kD});
  Tensor* k = net->add_input("k", DataType::kFLOAT, Dims{kB, kS, kHeads * kD});
  auto* split = net->add_shuffle(*k);
  split->set_reshape_dimensions(Dims{kB, kS, kHeads, kD});
  auto* heads = net->add_shuffle(*split->get_output(0));
  heads->set_first_transpose(Permutation{{0, 2, 1, 3, 4, 5, 6, 7}});
  auto* kt = net->add_shuffle(*heads->get_output(0));
  kt->set_first_transpose(Permutation{{0, 1, 3, 2, 4, 5, 6, 7}});
  auto* mm = net->add_matrix_multiply(*q, MatrixOperation::kNONE, *kt->get_output(0),
                                      MatrixOperation::kNONE);
  mm->get_output(0)->set_name("scores");
  net->mark_output(*mm->get_output(0));
  auto config = builder.create_builder_config();
  auto engine = build_cpu_engine(builder, *net, *config);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->num_layers(), 2);  // one shuffle, one multiply
  std::vector<float> vq = ramp(kB * kHeads * kS * kD, 1.0f, 0.2f);
  std::vector<float> vk = ramp(kB * kS * kHeads * kD, 1.5f, 1.3f);
  auto ctx = engine->create_execution_context();
  auto out =
      run_float(*ctx, *engine,
                {{"q", {Dims{kB, kHeads, kS, kD}, vq}}, {"k", {Dims{kB, kS, kHeads * kD}, vk}}});
  std::vector<double> want(kB * kHeads * kS * kS);
  for (int64_t b = 0; b < kB; ++b)
    for (int64_t h = 0; h < kHeads; ++h)
      for (int64_t i = 0; i < kS; ++i)
        for (int64_t j = 0; j < kS; ++j) {
          double acc = 0;
          for (int64_t d = 0; d < kD; ++d)
            acc += static_cast<double>(vq[((b * kHeads + h) * kS + i) * kD + d]) *
                   vk[(b * kS + j) * kHeads * kD + h * kD + d];
          want[((b * kHeads + h) * kS + i) * kS + j] = acc;
        }
  EXPECT_LT(max_rel_error(out["scores"], want), 1e-6);
}

// PyTorch's multi-head attention head split, view [S,B*H,D] -> transpose(0,1) -> view
// [B,H,S,D], merges into one shuffle (the split moves before the transpose) with the same values.
TEST(OptimizerCpu, HeadSplitThroughTwoReshapesMergesAndKeepsResults) {
  constexpr int64_t S = 5, B = 2, H = 3, D = 4;
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{S, B, H * D});
  auto* a = net->add_shuffle(*x);
  a->set_reshape_dimensions(Dims{S, B * H, D});
  a->set_second_transpose(Permutation{{1, 0, 2, 3, 4, 5, 6, 7}});
  auto* b = net->add_shuffle(*a->get_output(0));
  b->set_reshape_dimensions(Dims{B, H, S, D});
  Tensor* y = net->add_unary(*b->get_output(0), UnaryOperation::kNEG)->get_output(0);
  y->set_name("y");
  net->mark_output(*y);
  auto config = builder.create_builder_config();
  auto engine = build_cpu_engine(builder, *net, *config);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->num_layers(), 2);  // one shuffle, the negation
  std::vector<float> vx = ramp(S * B * H * D, 1.0f, 0.3f);
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, {{"x", {Dims{S, B, H * D}, vx}}});
  std::vector<double> want(vx.size());
  for (int64_t bb = 0; bb < B; ++bb)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < S; ++i)
        for (int64_t d = 0; d < D; ++d)
          want[((bb * H + h) * S + i) * D + d] = -vx[(i * B + bb) * H * D + h * D + d];
  EXPECT_LT(max_rel_error(out["y"], want), 1e-7);
}

// Reshapes inside the network copy nothing: the view's output shares its input's memory (no arena
// slot), the input outlives the view's readers, and results are those of copies.
TEST(OptimizerCpu, ReshapeViewsShareMemoryAndKeepResults) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{4, 6});
  Tensor* e = net->add_unary(*x, UnaryOperation::kEXP)->get_output(0);
  auto* r = net->add_shuffle(*e);
  r->set_reshape_dimensions(Dims{2, 12});
  // Two readers of the view, one long after the other: the exp's memory must stay alive.
  Tensor* s = net->add_softmax(*r->get_output(0))->get_output(0);
  Tensor* t = net->add_softmax(*s)->get_output(0);
  Tensor* y =
      net->add_elementwise(*t, *r->get_output(0), ElementWiseOperation::kSUM)->get_output(0);
  y->set_name("y");
  net->mark_output(*y);
  auto config = builder.create_builder_config();
  auto engine = build_cpu_engine(builder, *net, *config);
  ASSERT_NE(engine, nullptr);
  std::vector<float> vx = ramp(24, 1.0f, 0.4f);
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, {{"x", {Dims{4, 6}, vx}}});
  std::vector<double> want(24);
  for (int row = 0; row < 2; ++row) {
    double ex[12], s1[12];
    for (int i = 0; i < 12; ++i) ex[i] = std::exp(static_cast<double>(vx[row * 12 + i]));
    double z = 0;
    for (int i = 0; i < 12; ++i) z += std::exp(ex[i]);
    for (int i = 0; i < 12; ++i) s1[i] = std::exp(ex[i]) / z;
    double z2 = 0;
    for (int i = 0; i < 12; ++i) z2 += std::exp(s1[i]);
    for (int i = 0; i < 12; ++i) want[row * 12 + i] = std::exp(s1[i]) / z2 + ex[i];
  }
  EXPECT_LT(max_rel_error(out["y"], want), 1e-5);
}

}  // namespace
}  // namespace kiln::test
