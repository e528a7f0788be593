// Attention end to end on the CPU backend: the exported pattern (q.k^T, scale, additive mask,
// softmax, times v) builds into one attention step and gives a double-precision reference's
// results, with masks that differ per batch row (padding), broadcast batch dims, odd sequence
// lengths, float16, and a causal constant mask.
#include <cmath>
#include <limits>

#include "e2e/e2e_util.h"

namespace kiln::test {
namespace {

std::vector<float> ramp(size_t n, float scale, float phase) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(phase + 0.61f * static_cast<float>(i));
  return v;
}

struct Case {
  int64_t b = 2, h = 3, sq = 5, sk = 7, d = 8, dv = 8;
  bool mask = true;     // an additive [b, 1, 1, sk] padding mask, different per batch row
  bool causal = false;  // a constant causal [sq, sk] mask (sq == sk)
  bool fp16 = false;
};

// softmax(q.k^T * scale + mask) . v in double.
std::vector<double> reference(const Case& c, const std::vector<float>& q, const std::vector<float>& k,
                              const std::vector<float>& v, const std::vector<float>& mask,
                              double scale) {
  std::vector<double> out(static_cast<size_t>(c.b * c.h * c.sq * c.dv));
  for (int64_t b = 0; b < c.b; ++b)
    for (int64_t h = 0; h < c.h; ++h)
      for (int64_t i = 0; i < c.sq; ++i) {
        std::vector<double> s(c.sk);
        double mx = -INFINITY;
        for (int64_t j = 0; j < c.sk; ++j) {
          double acc = 0;
          for (int64_t x = 0; x < c.d; ++x)
            acc += static_cast<double>(q[((b * c.h + h) * c.sq + i) * c.d + x]) *
                   k[((b * c.h + h) * c.sk + j) * c.d + x];
          s[j] = acc * scale + (c.mask ? mask[b * c.sk + j] : 0.0) +
                 (c.causal && j > i ? -INFINITY : 0.0);
          mx = std::max(mx, s[j]);
        }
        double z = 0;
        for (double& x : s) z += (x = std::exp(x - mx));
        for (int64_t y = 0; y < c.dv; ++y) {
          double acc = 0;
          for (int64_t j = 0; j < c.sk; ++j)
            acc += s[j] / z * v[((b * c.h + h) * c.sk + j) * c.dv + y];
          out[((b * c.h + h) * c.sq + i) * c.dv + y] = acc;
        }
      }
  return out;
}

void check(const Case& c, double tolerance) {
  static const float scale = 0.3f;
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* q = net->add_input("q", DataType::kFLOAT, Dims{c.b, c.h, c.sq, c.d});
  Tensor* k = net->add_input("k", DataType::kFLOAT, Dims{c.b, c.h, c.sk, c.d});
  Tensor* v = net->add_input("v", DataType::kFLOAT, Dims{c.b, c.h, c.sk, c.dv});
  Tensor* s = net->add_matrix_multiply(*q, MatrixOperation::kNONE, *k, MatrixOperation::kTRANSPOSE)
                  ->get_output(0);
  Tensor* sc =
      net->add_constant(Dims{1, 1, 1, 1}, Weights{DataType::kFLOAT, &scale, 1})->get_output(0);
  s = net->add_elementwise(*s, *sc, ElementWiseOperation::kPROD)->get_output(0);
  if (c.mask) {
    Tensor* m = net->add_input("mask", DataType::kFLOAT, Dims{c.b, 1, 1, c.sk});
    s = net->add_elementwise(*s, *m, ElementWiseOperation::kSUM)->get_output(0);
  }
  static std::vector<float> causal;
  if (c.causal) {
    causal.assign(static_cast<size_t>(c.sq * c.sk), 0.0f);
    for (int64_t i = 0; i < c.sq; ++i)
      for (int64_t j = i + 1; j < c.sk; ++j)
        causal[i * c.sk + j] = -std::numeric_limits<float>::infinity();
    Tensor* m =
        net->add_constant(Dims{c.sq, c.sk},
                          Weights{DataType::kFLOAT, causal.data(), static_cast<int64_t>(c.sq * c.sk)})
            ->get_output(0);
    s = net->add_elementwise(*s, *m, ElementWiseOperation::kSUM)->get_output(0);
  }
  Tensor* p = net->add_softmax(*s)->get_output(0);
  Tensor* y = net->add_matrix_multiply(*p, MatrixOperation::kNONE, *v, MatrixOperation::kNONE)
                  ->get_output(0);
  y->set_name("y");
  net->mark_output(*y);
  auto config = builder.create_builder_config();
  if (c.fp16) config->set_flag(BuilderFlag::kFP16);
  auto engine = build_cpu_engine(builder, *net, *config);
  ASSERT_NE(engine, nullptr);
  // One attention step (fp16 adds casts of the float32 inputs and output).
  EXPECT_EQ(engine->num_layers(), c.fp16 ? (c.mask ? 6 : 5) : 1);
  std::vector<float> vq = ramp(c.b * c.h * c.sq * c.d, 1.5f, 0.1f);
  std::vector<float> vk = ramp(c.b * c.h * c.sk * c.d, 1.2f, 0.7f);
  std::vector<float> vv = ramp(c.b * c.h * c.sk * c.dv, 1.0f, 1.9f);
  // Row b masks its last b keys (padding), with a finite bias on the others.
  std::vector<float> vm(static_cast<size_t>(c.b * c.sk));
  for (int64_t b = 0; b < c.b; ++b)
    for (int64_t j = 0; j < c.sk; ++j)
      vm[b * c.sk + j] = j >= c.sk - b ? -std::numeric_limits<float>::infinity() : 0.1f * j;
  std::map<std::string, std::pair<Dims, std::vector<float>>> in = {
      {"q", {Dims{c.b, c.h, c.sq, c.d}, vq}},
      {"k", {Dims{c.b, c.h, c.sk, c.d}, vk}},
      {"v", {Dims{c.b, c.h, c.sk, c.dv}, vv}}};
  if (c.mask) in["mask"] = {Dims{c.b, 1, 1, c.sk}, vm};
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, in);
  EXPECT_LT(max_rel_error(out["y"], reference(c, vq, vk, vv, vm, scale)), tolerance);
}

TEST(AttentionCpu, PaddingMaskPerBatchRow) {
  check(Case{}, 1e-5);
}

TEST(AttentionCpu, OddSizesAndADifferentValueHeadSize) {
  Case c;
  c.b = 3;
  c.h = 1;
  c.sq = 13;
  c.sk = 9;
  c.d = 5;
  c.dv = 11;
  check(c, 1e-5);
}

TEST(AttentionCpu, ConstantCausalMaskBecomesTheCausalFlag) {
  Case c;
  c.sq = c.sk = 6;
  c.mask = false;
  c.causal = true;
  check(c, 1e-5);
}

TEST(AttentionCpu, Float16) {
  Case c;
  c.fp16 = true;
  check(c, 1e-2);
}

}  // namespace
}  // namespace kiln::test
