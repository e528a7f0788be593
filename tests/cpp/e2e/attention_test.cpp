// Attention end to end on the CPU backend: the exported pattern (q.k^T, scale, additive mask,
// softmax, times v) builds into one attention step and gives a double-precision reference's
// results, with masks that differ per batch row (padding), broadcast batch dims, odd sequence
// lengths, float16, and a causal constant mask.
#include <cmath>
#include <limits>

#include "e2e/e2e_util.h"
#include "ir/text.h"

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
std::vector<double> reference(const Case& c, const std::vector<float>& q,
                              const std::vector<float>& k, const std::vector<float>& v,
                              const std::vector<float>& mask, double scale) {
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
    Tensor* m = net->add_constant(Dims{c.sq, c.sk}, Weights{DataType::kFLOAT, causal.data(),
                                                            static_cast<int64_t>(c.sq * c.sk)})
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

// BERT's layout: q, k, v arrive as [B, S, H*D], are split into heads by reshape + transpose and
// merged back after the product. The op reads and writes the heads in place (views around it).
TEST(AttentionCpu, HeadSplitAndMergeReadInPlace) {
  constexpr int64_t B = 2, S = 6, H = 3, D = 4;
  static const float scale = 0.5f;
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  auto split = [&](Tensor* x, bool transposed_k) {
    auto* sh = net->add_shuffle(*x);
    sh->set_reshape_dimensions(Dims{B, S, H, D});
    sh->set_second_transpose(transposed_k ? Permutation{{0, 2, 3, 1, 4, 5, 6, 7}}
                                          : Permutation{{0, 2, 1, 3, 4, 5, 6, 7}});
    return sh->get_output(0);
  };
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{B, S, H * D});
  Tensor* y = net->add_input("y", DataType::kFLOAT, Dims{B, S, H * D});
  Tensor* z = net->add_input("z", DataType::kFLOAT, Dims{B, S, H * D});
  Tensor* s = net->add_matrix_multiply(*split(x, false), MatrixOperation::kNONE, *split(y, true),
                                       MatrixOperation::kNONE)
                  ->get_output(0);
  Tensor* c =
      net->add_constant(Dims{1, 1, 1, 1}, Weights{DataType::kFLOAT, &scale, 1})->get_output(0);
  s = net->add_elementwise(*s, *c, ElementWiseOperation::kPROD)->get_output(0);
  Tensor* p = net->add_softmax(*s)->get_output(0);
  Tensor* o =
      net->add_matrix_multiply(*p, MatrixOperation::kNONE, *split(z, false), MatrixOperation::kNONE)
          ->get_output(0);
  auto* merge = net->add_shuffle(*o);
  merge->set_first_transpose(Permutation{{0, 2, 1, 3, 4, 5, 6, 7}});
  merge->set_reshape_dimensions(Dims{B, S, H * D});
  merge->get_output(0)->set_name("out");
  net->mark_output(*merge->get_output(0));
  auto config = builder.create_builder_config();
  auto engine = build_cpu_engine(builder, *net, *config);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->num_layers(), 5);  // 3 reshape views, the attention, 1 view (copies nothing)
  std::vector<float> vx = ramp(B * S * H * D, 1.5f, 0.1f), vy = ramp(B * S * H * D, 1.2f, 0.9f),
                     vz = ramp(B * S * H * D, 1.0f, 2.3f);
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine,
                       {{"x", {Dims{B, S, H * D}, vx}},
                        {"y", {Dims{B, S, H * D}, vy}},
                        {"z", {Dims{B, S, H * D}, vz}}});
  // Heads first for the reference, then the result back to [B, S, H*D].
  auto heads = [&](const std::vector<float>& t) {
    std::vector<float> r(t.size());
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < S; ++i)
        for (int64_t h = 0; h < H; ++h)
          for (int64_t d = 0; d < D; ++d)
            r[((b * H + h) * S + i) * D + d] = t[(b * S + i) * H * D + h * D + d];
    return r;
  };
  Case c4;
  c4.b = B;
  c4.h = H;
  c4.sq = c4.sk = S;
  c4.d = c4.dv = D;
  c4.mask = false;
  std::vector<double> ref = reference(c4, heads(vx), heads(vy), heads(vz), {}, scale);
  std::vector<double> want(ref.size());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < S; ++i)
        for (int64_t d = 0; d < D; ++d)
          want[(b * S + i) * H * D + h * D + d] = ref[((b * H + h) * S + i) * D + d];
  EXPECT_LT(max_rel_error(out["out"], want), 1e-5);
}

// PyTorch's nn.MultiheadAttention export (torchvision's ViT): [S,B,E] -> view [S,B*H,D] ->
// transpose(0,1) -> view [B,H,S,D]; q and k^T each times sqrt(scale) (k transposed on its own);
// the result permuted (2,0,1,3) and viewed [S*B,E]. Everything around the product becomes views.
TEST(AttentionCpu, TorchMultiheadAttentionLayout) {
  constexpr int64_t S = 7, B = 2, H = 3, D = 8, E = H * D;
  static const float root = 0.59460356f;  // sqrt(1/sqrt(8))
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  auto heads = [&](Tensor* x) {
    auto* a = net->add_shuffle(*x);
    a->set_reshape_dimensions(Dims{S, B * H, D});
    a->set_second_transpose(Permutation{{1, 0, 2, 3, 4, 5, 6, 7}});
    auto* b = net->add_shuffle(*a->get_output(0));
    b->set_reshape_dimensions(Dims{B, H, S, D});
    return b->get_output(0);
  };
  auto scaled = [&](Tensor* t) {
    Tensor* c =
        net->add_constant(Dims{1, 1, 1, 1}, Weights{DataType::kFLOAT, &root, 1})->get_output(0);
    return net->add_elementwise(*t, *c, ElementWiseOperation::kPROD)->get_output(0);
  };
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{S, B, E});
  Tensor* y = net->add_input("y", DataType::kFLOAT, Dims{S, B, E});
  Tensor* z = net->add_input("z", DataType::kFLOAT, Dims{S, B, E});
  auto* kt = net->add_shuffle(*heads(y));
  kt->set_first_transpose(Permutation{{0, 1, 3, 2, 4, 5, 6, 7}});
  Tensor* s = net->add_matrix_multiply(*scaled(heads(x)), MatrixOperation::kNONE,
                                       *scaled(kt->get_output(0)), MatrixOperation::kNONE)
                  ->get_output(0);
  Tensor* p = net->add_softmax(*s)->get_output(0);
  Tensor* o =
      net->add_matrix_multiply(*p, MatrixOperation::kNONE, *heads(z), MatrixOperation::kNONE)
          ->get_output(0);
  auto* merge = net->add_shuffle(*o);
  merge->set_first_transpose(Permutation{{2, 0, 1, 3, 4, 5, 6, 7}});
  merge->set_reshape_dimensions(Dims{S * B, E});
  merge->get_output(0)->set_name("out");
  net->mark_output(*merge->get_output(0));
  auto config = builder.create_builder_config();
  auto engine = build_cpu_engine(builder, *net, *config);
  ASSERT_NE(engine, nullptr);
  // Three head-split views, the attention, the merge's view: nothing is copied.
  EXPECT_EQ(engine->num_layers(), 5);
  std::vector<float> vx = ramp(S * B * E, 1.5f, 0.1f), vy = ramp(S * B * E, 1.2f, 0.9f),
                     vz = ramp(S * B * E, 1.0f, 2.3f);
  auto ctx = engine->create_execution_context();
  auto out = run_float(
      *ctx, *engine,
      {{"x", {Dims{S, B, E}, vx}}, {"y", {Dims{S, B, E}, vy}}, {"z", {Dims{S, B, E}, vz}}});
  // [S,B,E] -> [B,H,S,D] for the reference; its [B,H,S,D] result -> [S*B, E].
  auto to_heads = [&](const std::vector<float>& t) {
    std::vector<float> r(t.size());
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t i = 0; i < S; ++i)
          for (int64_t d = 0; d < D; ++d)
            r[((b * H + h) * S + i) * D + d] = t[(i * B + b) * E + h * D + d];
    return r;
  };
  Case c;
  c.b = B;
  c.h = H;
  c.sq = c.sk = S;
  c.d = c.dv = D;
  c.mask = false;
  std::vector<double> ref =
      reference(c, to_heads(vx), to_heads(vy), to_heads(vz), {}, static_cast<double>(root) * root);
  std::vector<double> want(ref.size());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < S; ++i)
        for (int64_t d = 0; d < D; ++d)
          want[(i * B + b) * E + h * D + d] = ref[((b * H + h) * S + i) * D + d];
  EXPECT_LT(max_rel_error(out["out"], want), 1e-5);
}

// Grouped-query attention: 2 K/V heads shared by 6 query heads (a gather repeats them, as the
// ONNX Attention importer writes it); the op reads the shared heads.
TEST(AttentionCpu, GroupedQueryHeads) {
  constexpr int64_t B = 2, H = 6, KV = 2, S = 5, D = 8;
  static const int32_t idx[H] = {0, 0, 0, 1, 1, 1};
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* q = net->add_input("q", DataType::kFLOAT, Dims{B, H, S, D});
  Tensor* k = net->add_input("k", DataType::kFLOAT, Dims{B, KV, S, D});
  Tensor* v = net->add_input("v", DataType::kFLOAT, Dims{B, KV, S, D});
  Tensor* ix = net->add_constant(Dims{H}, Weights{DataType::kINT32, idx, H})->get_output(0);
  Tensor* k6 = net->add_gather(*k, *ix, 1)->get_output(0);
  Tensor* v6 = net->add_gather(*v, *ix, 1)->get_output(0);
  Tensor* s = net->add_matrix_multiply(*q, MatrixOperation::kNONE, *k6, MatrixOperation::kTRANSPOSE)
                  ->get_output(0);
  Tensor* p = net->add_softmax(*s)->get_output(0);
  Tensor* y = net->add_matrix_multiply(*p, MatrixOperation::kNONE, *v6, MatrixOperation::kNONE)
                  ->get_output(0);
  y->set_name("y");
  net->mark_output(*y);
  auto config = builder.create_builder_config();
  auto engine = build_cpu_engine(builder, *net, *config);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->num_layers(), 1);
  std::vector<float> vq = ramp(B * H * S * D, 1.5f, 0.1f), vk = ramp(B * KV * S * D, 1.2f, 0.7f),
                     vv = ramp(B * KV * S * D, 1.0f, 1.9f);
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine,
                       {{"q", {Dims{B, H, S, D}, vq}},
                        {"k", {Dims{B, KV, S, D}, vk}},
                        {"v", {Dims{B, KV, S, D}, vv}}});
  auto repeat = [&](const std::vector<float>& t) {
    std::vector<float> r(static_cast<size_t>(B * H * S * D));
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t x = 0; x < S * D; ++x)
          r[(b * H + h) * S * D + x] = t[(b * KV + idx[h]) * S * D + x];
    return r;
  };
  Case c;
  c.b = B;
  c.h = H;
  c.sq = c.sk = S;
  c.d = c.dv = D;
  c.mask = false;
  EXPECT_LT(max_rel_error(out["y"], reference(c, vq, repeat(vk), repeat(vv), {}, 1.0)), 1e-5);
}

// Inference refuses what the kernels cannot take, naming the node and the tensor.
TEST(AttentionOp, BadInputsGetClearErrors) {
  auto error = [](const std::string& inputs, const std::string& node_inputs,
                  const std::string& perms = "") {
    try {
      ir::parse(inputs + "node att attention(scale=1 causal=false" + perms + ") " + node_inputs +
                " -> y\noutputs y\n");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string qkv =
      "input q float32 [2,3,5,8]\ninput k float32 [2,3,6,8]\ninput v float32 [2,3,6,4]\n";
  EXPECT_EQ(error(qkv, "q, k, v, -"), "no error");
  EXPECT_NE(error(qkv + "input m float32 [2,1,5,7]\n", "q, k, v, m")
                .find("mask [2,1,5,7] does not broadcast to the scores [2,3,5,6]"),
            std::string::npos);
  EXPECT_NE(error(qkv + "input m float16 [2,1,1,6]\n", "q, k, v, m")
                .find("mask has type float16; an additive mask must have q's type float32"),
            std::string::npos);
  EXPECT_NE(error(qkv + "input m float32 [2,3,5,6]\n", "q, v, k, m").find("same head size"),
            std::string::npos);
  EXPECT_NE(
      error("input q float32 [5,8]\ninput k float32 [6,8]\ninput v float32 [6,8]\n", "q, k, v, -")
          .find("rank 3 or 4"),
      std::string::npos);
  EXPECT_NE(error(qkv, "q, k, v, -", " q_perm=(0,1,3,2,4,5,6,7)").find("keep the last dim last"),
            std::string::npos);
  EXPECT_NE(error(qkv, "q, k, v, -", " k_perm=(0,0,2,3,4,5,6,7)").find("no permutation"),
            std::string::npos);
}

}  // namespace
}  // namespace kiln::test
