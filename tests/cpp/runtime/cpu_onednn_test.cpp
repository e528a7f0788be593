// oneDNN tactics of CPU engines (backends/cpu/onednn/): engines built with only oneDNN allowed
// for convolution and matrix multiply against engines of kiln's own kernels, over the shapes and
// attributes the tactics take (strides, dilations, asymmetric padding, groups, 1-D and 3-D, fused
// bias and activations, transposes, broadcast batches), several run-time shapes of one engine,
// the builder's choice and refit. Skipped when kiln was built without oneDNN.
#include <functional>

#include "backends/cpu/tactics.h"
#include "e2e/e2e_util.h"
#include "test_util.h"

namespace kiln {
namespace {

constexpr uint32_t kKilnOnly = 1u << static_cast<int>(TacticSource::kKILN);
constexpr uint32_t kOnednnOnly = 1u << static_cast<int>(TacticSource::kONEDNN);

#define SKIP_WITHOUT_ONEDNN()                      \
  if (cpu::library_tactics().empty())              \
  GTEST_SKIP() << "kiln was built without oneDNN " \
                  "(libdnnl-dev not found)"

struct Case {
  std::function<void(NetworkDefinition&, std::vector<std::vector<float>>&)> define;
  Dims min, max;
  std::vector<Dims> run_shapes;
};

Weights keep(std::vector<std::vector<float>>& store, int64_t n, uint32_t seed) {
  store.push_back(test::uniform(n, seed, -0.5f, 0.5f));
  return test::weights_of(store.back());
}

std::unique_ptr<Engine> build(const Case& c, uint32_t sources, bool refit,
                              std::vector<std::vector<float>>& store) {
  Builder builder(test::quiet_logger());
  auto net = builder.create_network();
  c.define(*net, store);
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  config->set_tactic_sources(sources);
  if (refit) config->set_flag(BuilderFlag::kREFIT);
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("x", c.min, c.max, c.max);
  config->add_optimization_profile(*p);
  std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
  Runtime runtime(test::quiet_logger());
  runtime.set_cpu_threads(2);
  return runtime.deserialize_cuda_engine(plan.data(), plan.size());
}

std::string tactics_of(const Engine& engine) {
  return engine.create_engine_inspector()->get_engine_information(LayerInformationFormat::kONELINE);
}

// Runs both engines at each shape and compares: max |a - b| / max(1, |b|) <= 1e-4.
void compare(const Case& c, const std::string& expected_tactic) {
  std::vector<std::vector<float>> store_a, store_b;
  auto ours = build(c, kKilnOnly, false, store_a);
  auto lib = build(c, kOnednnOnly, false, store_b);
  EXPECT_TRUE(contains(tactics_of(*lib), expected_tactic)) << tactics_of(*lib);
  EXPECT_FALSE(contains(tactics_of(*ours), "onednn")) << tactics_of(*ours);
  auto ctx_a = ours->create_execution_context();
  auto ctx_b = lib->create_execution_context();
  uint32_t seed = 100;
  for (const Dims& shape : c.run_shapes) {
    std::vector<float> x = test::uniform(volume(shape), seed++, -1.0f, 1.0f);
    auto a = test::run_float(*ctx_a, *ours, {{"x", {shape, x}}})["y"];
    auto b = test::run_float(*ctx_b, *lib, {{"x", {shape, x}}})["y"];
    ASSERT_EQ(a.size(), b.size());
    std::vector<double> ref(a.begin(), a.end());
    EXPECT_LE(test::max_rel_error(b, ref), 1e-4) << "shape " << to_string(shape);
  }
}

Tensor* finish(NetworkDefinition& net, Layer* layer) {
  Tensor* y = layer->get_output(0);
  y->set_name("y");
  net.mark_output(*y);
  return y;
}

TEST(CpuOnednn, Convolution2dStridesDilationsPaddingAndFusedRelu) {
  SKIP_WITHOUT_ONEDNN();
  Case c;
  c.define = [](NetworkDefinition& net, std::vector<std::vector<float>>& s) {
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 6, -1, -1});
    auto* conv = net.add_convolution_nd(*x, 10, Dims{3, 3}, keep(s, 10 * 6 * 9, 1), keep(s, 10, 2));
    conv->set_stride_nd(Dims{2, 1});
    conv->set_dilation_nd(Dims{1, 2});
    conv->set_pre_padding(Dims{1, 2});
    conv->set_post_padding(Dims{0, 1});
    finish(net, net.add_activation(*conv->get_output(0), ActivationType::kRELU));
  };
  c.min = Dims{1, 6, 5, 5};
  c.max = Dims{3, 6, 17, 19};
  c.run_shapes = {Dims{3, 6, 17, 19}, Dims{1, 6, 5, 5}, Dims{2, 6, 9, 12}, Dims{3, 6, 17, 19}};
  compare(c, "cpu.onednn.convolution");
}

TEST(CpuOnednn, GroupedDepthwiseOneAndThreeDimensionalConvolutions) {
  SKIP_WITHOUT_ONEDNN();
  Case grouped;
  grouped.define = [](NetworkDefinition& net, std::vector<std::vector<float>>& s) {
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 8, 12, 12});
    auto* g = net.add_convolution_nd(*x, 16, Dims{3, 3}, keep(s, 16 * 2 * 9, 3), keep(s, 16, 4));
    g->set_num_groups(4);
    g->set_padding_nd(Dims{1, 1});
    auto* dw = net.add_convolution_nd(*g->get_output(0), 16, Dims{3, 3}, keep(s, 16 * 9, 5),
                                      Weights{DataType::kFLOAT, nullptr, 0});
    dw->set_num_groups(16);
    finish(net, net.add_activation(*dw->get_output(0), ActivationType::kSIGMOID));
  };
  grouped.min = Dims{1, 8, 12, 12};
  grouped.max = Dims{2, 8, 12, 12};
  grouped.run_shapes = {Dims{2, 8, 12, 12}, Dims{1, 8, 12, 12}};
  compare(grouped, "cpu.onednn.convolution");

  Case one_d;
  one_d.define = [](NetworkDefinition& net, std::vector<std::vector<float>>& s) {
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 4, 30});
    auto* conv = net.add_convolution_nd(*x, 6, Dims{5}, keep(s, 6 * 4 * 5, 6), keep(s, 6, 7));
    conv->set_padding_nd(Dims{2});
    conv->set_stride_nd(Dims{3});
    finish(net, conv);
  };
  one_d.min = Dims{1, 4, 30};
  one_d.max = Dims{2, 4, 30};
  one_d.run_shapes = {Dims{2, 4, 30}};
  compare(one_d, "cpu.onednn.convolution");

  Case three_d;
  three_d.define = [](NetworkDefinition& net, std::vector<std::vector<float>>& s) {
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 3, 6, 7, 8});
    auto* conv =
        net.add_convolution_nd(*x, 5, Dims{3, 3, 3}, keep(s, 5 * 3 * 27, 8), keep(s, 5, 9));
    conv->set_padding_nd(Dims{1, 0, 1});
    finish(net, net.add_activation(*conv->get_output(0), ActivationType::kTANH));
  };
  three_d.min = Dims{1, 3, 6, 7, 8};
  three_d.max = Dims{1, 3, 6, 7, 8};
  three_d.run_shapes = {Dims{1, 3, 6, 7, 8}};
  compare(three_d, "cpu.onednn.convolution");
}

TEST(CpuOnednn, MatrixMultiplyTransposesBroadcastsAndFusedBiasGelu) {
  SKIP_WITHOUT_ONEDNN();
  Case c;
  c.define = [](NetworkDefinition& net, std::vector<std::vector<float>>& s) {
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, -1, 24});
    // x [B, S, 24] * w [1, 24, 40] (constant, broadcast over B) + bias, GELU (fused epilogue).
    auto* w = net.add_constant(Dims{1, 24, 40}, keep(s, 24 * 40, 10));
    auto* mm = net.add_matrix_multiply(*x, MatrixOperation::kNONE, *w->get_output(0),
                                       MatrixOperation::kNONE);
    auto* b = net.add_constant(Dims{1, 1, 40}, keep(s, 40, 11));
    auto* add =
        net.add_elementwise(*mm->get_output(0), *b->get_output(0), ElementWiseOperation::kSUM);
    auto* gelu = net.add_activation(*add->get_output(0), ActivationType::kGELU_ERF);
    // y = h [B, S, 40] * h^T: an activation times the transpose of itself (batched, no weights).
    auto* self = net.add_matrix_multiply(*gelu->get_output(0), MatrixOperation::kNONE,
                                         *gelu->get_output(0), MatrixOperation::kTRANSPOSE);
    // and a transposed-A product with a weight [40, 7]: (h^T)^T... as x^T [B, 24, S]^T.
    auto* wt = net.add_constant(Dims{1, 7, 24}, keep(s, 7 * 24, 12));
    auto* tb = net.add_matrix_multiply(*x, MatrixOperation::kNONE, *wt->get_output(0),
                                       MatrixOperation::kTRANSPOSE);
    auto* ta = net.add_matrix_multiply(*self->get_output(0), MatrixOperation::kTRANSPOSE,
                                       *tb->get_output(0), MatrixOperation::kNONE);
    finish(net, ta);
  };
  c.min = Dims{1, 1, 24};
  c.max = Dims{4, 33, 24};
  c.run_shapes = {Dims{4, 33, 24}, Dims{1, 1, 24}, Dims{2, 9, 24}};
  compare(c, "cpu.onednn.matrix_multiply");
}

TEST(CpuOnednn, DefaultBuildPicksAmongBothAndRunsCorrectly) {
  SKIP_WITHOUT_ONEDNN();
  Case c;
  c.define = [](NetworkDefinition& net, std::vector<std::vector<float>>& s) {
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 16, 28, 28});
    auto* conv =
        net.add_convolution_nd(*x, 32, Dims{3, 3}, keep(s, 32 * 16 * 9, 20), keep(s, 32, 21));
    conv->set_padding_nd(Dims{1, 1});
    finish(net, net.add_activation(*conv->get_output(0), ActivationType::kRELU));
  };
  c.min = Dims{1, 16, 28, 28};
  c.max = Dims{4, 16, 28, 28};
  std::vector<std::vector<float>> store_a, store_b;
  auto ours = build(c, kKilnOnly, false, store_a);
  auto any = build(c, 0x1Fu, false, store_b);  // every source: the builder times both
  const std::string info = tactics_of(*any);
  EXPECT_TRUE(contains(info, "tactic=cpu.")) << info;
  auto ctx_a = ours->create_execution_context();
  auto ctx_b = any->create_execution_context();
  std::vector<float> x = test::uniform(4 * 16 * 28 * 28, 5, -1.0f, 1.0f);
  auto a = test::run_float(*ctx_a, *ours, {{"x", {Dims{4, 16, 28, 28}, x}}})["y"];
  auto b = test::run_float(*ctx_b, *any, {{"x", {Dims{4, 16, 28, 28}, x}}})["y"];
  EXPECT_LE(test::max_rel_error(b, std::vector<double>(a.begin(), a.end())), 1e-4);
}

TEST(CpuOnednn, RefitReplacesTheReorderedWeights) {
  SKIP_WITHOUT_ONEDNN();
  std::vector<float> w1 = test::uniform(8 * 4 * 9, 30, -0.5f, 0.5f);
  std::vector<float> w2 = test::uniform(8 * 4 * 9, 31, -0.5f, 0.5f);
  std::vector<float> bias = test::uniform(8, 32, -0.5f, 0.5f);
  auto make = [&](const std::vector<float>& w) {
    Case c;
    c.define = [&](NetworkDefinition& net, std::vector<std::vector<float>>&) {
      Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{1, 4, 10, 10});
      auto* conv =
          net.add_convolution_nd(*x, 8, Dims{3, 3}, test::weights_of(w), test::weights_of(bias));
      conv->set_name("conv");
      finish(net, conv);
    };
    c.min = c.max = Dims{1, 4, 10, 10};
    return c;
  };
  std::vector<std::vector<float>> store;
  auto engine = build(make(w1), kOnednnOnly, true, store);
  auto fresh = build(make(w2), kKilnOnly, false, store);
  ASSERT_TRUE(contains(tactics_of(*engine), "cpu.onednn.convolution")) << tactics_of(*engine);
  std::vector<float> x = test::uniform(400, 33, -1.0f, 1.0f);
  auto ctx = engine->create_execution_context();
  auto before = test::run_float(*ctx, *engine, {{"x", {Dims{1, 4, 10, 10}, x}}})["y"];
  Refitter refitter(*engine, test::quiet_logger());
  refitter.set_weights("conv", WeightsRole::kKERNEL, test::weights_of(w2));
  ASSERT_TRUE(refitter.refit_cuda_engine());
  auto after = test::run_float(*ctx, *engine, {{"x", {Dims{1, 4, 10, 10}, x}}})["y"];
  auto fresh_ctx = fresh->create_execution_context();
  auto expected = test::run_float(*fresh_ctx, *fresh, {{"x", {Dims{1, 4, 10, 10}, x}}})["y"];
  EXPECT_NE(before, after);
  EXPECT_LE(test::max_rel_error(after, std::vector<double>(expected.begin(), expected.end())),
            1e-4);
}

}  // namespace
}  // namespace kiln
