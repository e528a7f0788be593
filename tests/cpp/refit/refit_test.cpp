// Refit on the CPU backend: a refitted engine computes what an engine built from the new weights
// computes, under the names the network gave its weights; bad weights change nothing.
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/e2e_util.h"
#include "kiln/kiln.h"
#include "onnx/onnx_test_util.h"
#include "plan/format.h"
#include "plan/plan.h"
#include "test_util.h"

namespace kiln::test {
namespace {

struct NetWeights {
  std::vector<float> conv_w, conv_b, fc_w, fc_b, scale_a, scale_b;
  explicit NetWeights(uint32_t seed)
      : conv_w(uniform(4 * 3 * 3 * 3, seed, -0.5f, 0.5f)),
        conv_b(uniform(4, seed + 1, -0.2f, 0.2f)),
        fc_w(uniform(16 * 5, seed + 2, -0.5f, 0.5f)),
        fc_b(uniform(5, seed + 3, -0.2f, 0.2f)),
        scale_a(uniform(5, seed + 4, 0.5f, 1.5f)),
        scale_b(uniform(5, seed + 5, 0.5f, 1.5f)) {}
};

// x [N, 3, 4, 4] -> conv "conv1" (4 maps, 3x3, padding 0) + relu -> [N, 16] -> matmul with
// constant "fc_w" [16, 5] + constant bias "fc_b" [1, 5] -> * ("scale_a" * "scale_b"), a
// constant-only product the builder folds without kREFIT -> "y" [N, 5].
void define(NetworkDefinition& net, const NetWeights& w, int64_t batch) {
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{batch, 3, 4, 4});
  auto* conv =
      net.add_convolution_nd(*x, 4, Dims{3, 3}, weights_of(w.conv_w), weights_of(w.conv_b));
  conv->set_name("conv1");
  auto* relu = net.add_activation(*conv->get_output(0), ActivationType::kRELU);
  auto* flat = net.add_shuffle(*relu->get_output(0));
  flat->set_reshape_dimensions(Dims{-1, 16});
  auto* fc_w = net.add_constant(Dims{16, 5}, weights_of(w.fc_w));
  fc_w->set_name("fc_w");
  auto* mm = net.add_matrix_multiply(*flat->get_output(0), MatrixOperation::kNONE,
                                     *fc_w->get_output(0), MatrixOperation::kNONE);
  mm->set_name("fc");
  auto* fc_b = net.add_constant(Dims{1, 5}, weights_of(w.fc_b));
  fc_b->set_name("fc_b");
  auto* biased =
      net.add_elementwise(*mm->get_output(0), *fc_b->get_output(0), ElementWiseOperation::kSUM);
  auto* a = net.add_constant(Dims{1, 5}, weights_of(w.scale_a));
  a->set_name("scale_a");
  auto* b = net.add_constant(Dims{1, 5}, weights_of(w.scale_b));
  b->set_name("scale_b");
  auto* ab = net.add_elementwise(*a->get_output(0), *b->get_output(0), ElementWiseOperation::kPROD);
  auto* y =
      net.add_elementwise(*biased->get_output(0), *ab->get_output(0), ElementWiseOperation::kPROD);
  y->get_output(0)->set_name("y");
  net.mark_output(*y->get_output(0));
}

struct BuildOptions {
  bool refit = true;
  bool fp16 = false;
  bool dynamic = false;
};

std::vector<uint8_t> build_plan(const NetWeights& w, BuildOptions o) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  define(*net, w, o.dynamic ? -1 : 2);
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  if (o.refit) config->set_flag(BuilderFlag::kREFIT);
  if (o.fp16) config->set_flag(BuilderFlag::kFP16);
  if (o.dynamic) {
    OptimizationProfile* p = builder.create_optimization_profile();
    p->set_shape("x", Dims{1, 3, 4, 4}, Dims{2, 3, 4, 4}, Dims{4, 3, 4, 4});
    config->add_optimization_profile(*p);
  }
  return builder.build_serialized_network(*net, *config);
}

std::unique_ptr<Engine> load(const std::vector<uint8_t>& plan) {
  Runtime runtime(quiet_logger());
  return runtime.deserialize_cuda_engine(plan.data(), plan.size());
}

std::vector<float> run(Engine& engine, int64_t batch = 2) {
  auto ctx = engine.create_execution_context();
  std::vector<float> x = uniform(batch * 48, 99, -1.0f, 1.0f);
  return run_float(*ctx, engine, {{"x", {Dims{batch, 3, 4, 4}, x}}})["y"];
}

void set_all(Refitter& refitter, const NetWeights& w) {
  refitter.set_named_weights("conv1.kernel", weights_of(w.conv_w));
  refitter.set_named_weights("conv1.bias", weights_of(w.conv_b));
  refitter.set_named_weights("fc_w", weights_of(w.fc_w));
  refitter.set_named_weights("fc_b", weights_of(w.fc_b));
  refitter.set_named_weights("scale_a", weights_of(w.scale_a));
  refitter.set_named_weights("scale_b", weights_of(w.scale_b));
}

TEST(Refit, RefittedEngineMatchesEngineBuiltFromNewWeights) {
  NetWeights w1(1), w2(100);
  auto engine = load(build_plan(w1, {}));
  std::vector<float> before = run(*engine);
  Refitter refitter(*engine, quiet_logger());
  set_all(refitter, w2);
  EXPECT_TRUE(refitter.refit_cuda_engine());
  std::vector<float> after = run(*engine);
  EXPECT_NE(after, before);
  EXPECT_EQ(after, run(*load(build_plan(w2, {}))));  // the same kernels: bit-exact
  // And within rounding of an engine built without kREFIT (which folds scale_a * scale_b).
  std::vector<float> plain = run(*load(build_plan(w2, {.refit = false})));
  ASSERT_EQ(after.size(), plain.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_NEAR(after[i], plain[i], 1e-5f) << i;
}

TEST(Refit, ListsTheNetworkNamesAndRoles) {
  auto engine = load(build_plan(NetWeights(1), {}));
  Refitter refitter(*engine, quiet_logger());
  std::vector<std::string> names = refitter.get_all_weights();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"conv1.bias", "conv1.kernel", "fc_b", "fc_w",
                                             "scale_a", "scale_b"}));
  EXPECT_TRUE(refitter.get_missing_weights().empty());
  auto all = refitter.get_all();
  auto has = [&](const std::string& layer, WeightsRole role) {
    return std::find(all.begin(), all.end(), std::make_pair(layer, role)) != all.end();
  };
  EXPECT_TRUE(has("conv1", WeightsRole::kKERNEL));
  EXPECT_TRUE(has("conv1", WeightsRole::kBIAS));
  EXPECT_TRUE(has("fc", WeightsRole::kKERNEL));
  EXPECT_TRUE(has("fc_b", WeightsRole::kCONSTANT));
}

TEST(Refit, PartialRefitByLayerRole) {
  NetWeights w1(1), w2(100);
  NetWeights mixed = w1;
  mixed.conv_w = w2.conv_w;
  mixed.fc_w = w2.fc_w;
  auto engine = load(build_plan(w1, {}));
  Refitter refitter(*engine, quiet_logger());
  refitter.set_weights("conv1", WeightsRole::kKERNEL, weights_of(w2.conv_w));
  refitter.set_weights("fc", WeightsRole::kANY, weights_of(w2.fc_w));
  refitter.refit_cuda_engine();
  EXPECT_EQ(run(*engine), run(*load(build_plan(mixed, {}))));
}

TEST(Refit, Float16BuildRecomputesTheLowPrecisionCopies) {
  NetWeights w1(1), w2(100);
  auto engine = load(build_plan(w1, {.fp16 = true}));
  Refitter refitter(*engine, quiet_logger());
  set_all(refitter, w2);  // float32, as the network gave them
  refitter.refit_cuda_engine();
  EXPECT_EQ(run(*engine), run(*load(build_plan(w2, {.fp16 = true}))));
}

TEST(Refit, DynamicShapes) {
  NetWeights w1(1), w2(100);
  auto engine = load(build_plan(w1, {.dynamic = true}));
  auto rebuilt = load(build_plan(w2, {.dynamic = true}));
  Refitter refitter(*engine, quiet_logger());
  set_all(refitter, w2);
  refitter.refit_cuda_engine();
  for (int64_t batch : {1, 3, 4}) EXPECT_EQ(run(*engine, batch), run(*rebuilt, batch)) << batch;
}

TEST(Refit, SerializeAfterRefitKeepsTheNewWeights) {
  NetWeights w1(1), w2(100);
  auto engine = load(build_plan(w1, {.fp16 = true}));
  Refitter refitter(*engine, quiet_logger());
  set_all(refitter, w2);
  refitter.refit_cuda_engine();
  std::vector<uint8_t> plan = engine->serialize();
  EXPECT_EQ(plan, build_plan(w2, {.fp16 = true}));  // byte for byte
  auto reloaded = load(plan);
  EXPECT_EQ(run(*reloaded), run(*engine));
  Refitter again(*reloaded, quiet_logger());  // still refittable
  set_all(again, w1);
  again.refit_cuda_engine();
  EXPECT_EQ(run(*reloaded), run(*load(build_plan(w1, {.fp16 = true}))));
}

TEST(Refit, BadWeightsAreRefusedAndChangeNothing) {
  NetWeights w1(1), w2(100);
  auto engine = load(build_plan(w1, {}));
  std::vector<float> before = run(*engine);
  Refitter refitter(*engine, quiet_logger());
  expect_error([&] { refitter.set_named_weights("nope", weights_of(w2.fc_b)); },
               {"no refittable weights named 'nope'", "get_all_weights"});
  expect_error([&] { refitter.set_named_weights("fc_w", weights_of(w2.fc_b)); },
               {"'fc_w'", "[16,5]", "80 values", "got 5"});
  std::vector<uint16_t> halves(5, 0);
  expect_error(
      [&] {
        refitter.set_named_weights("fc_b", Weights{DataType::kHALF, halves.data(), 5});
      },
      {"'fc_b'", "float32", "got float16"});
  expect_error(
      [&] {
        refitter.set_named_weights("fc_b", Weights{DataType::kFLOAT, nullptr, 5});
      },
      {"'fc_b'", "null"});
  expect_error([&] { refitter.set_weights("conv2", WeightsRole::kKERNEL, weights_of(w2.conv_w)); },
               {"no refittable weights of a layer named 'conv2'"});
  expect_error([&] { refitter.set_weights("conv1", WeightsRole::kSCALE, weights_of(w2.conv_w)); },
               {"layer 'conv1'", "role SCALE", "KERNEL", "BIAS"});
  expect_error([&] { refitter.set_weights("conv1", WeightsRole::kANY, weights_of(w2.conv_w)); },
               {"it has several"});
  EXPECT_TRUE(refitter.refit_cuda_engine());  // nothing was set
  EXPECT_EQ(run(*engine), before);
}

TEST(Refit, EngineWithoutRefitFlagIsRefused) {
  auto engine = load(build_plan(NetWeights(1), {.refit = false}));
  expect_error([&] { Refitter refitter(*engine, quiet_logger()); },
               {"built without BuilderFlag::kREFIT"});
}

TEST(Refit, PlanWithoutRefitFlagHasNoRefitSection) {
  // Plans built without kREFIT keep the 7-section layout that earlier kilns read.
  std::vector<uint8_t> plan = build_plan(NetWeights(1), {.refit = false});
  EXPECT_EQ(plan[56], 7);
  std::vector<uint8_t> refit_plan = build_plan(NetWeights(1), {});
  EXPECT_EQ(refit_plan[56], 8);
}

TEST(Refit, PlanRefitSectionMustMatchTheFlag) {
  const uint32_t bit = 1u << static_cast<uint32_t>(BuilderFlag::kREFIT);
  auto flip = [&](std::vector<uint8_t> plan) {
    uint32_t flags;
    std::memcpy(&flags, plan.data() + plan::kOffBuilderFlags, 4);
    flags ^= bit;
    std::memcpy(plan.data() + plan::kOffBuilderFlags, &flags, 4);
    plan::refresh_checksum(plan);
    return plan;
  };
  std::vector<uint8_t> with = flip(build_plan(NetWeights(1), {.refit = false}));
  expect_error([&] { plan::read(with.data(), with.size()); }, {"lacks its refit section"});
  std::vector<uint8_t> without = flip(build_plan(NetWeights(1), {}));
  expect_error([&] { plan::read(without.data(), without.size()); },
               {"refit section in a plan built without"});
}

TEST(Refit, ValidateChecksTheRefitRecord) {
  std::vector<uint8_t> bytes = build_plan(NetWeights(1), {});
  runtime::EngineData data = plan::read(bytes.data(), bytes.size());
  ASSERT_FALSE(data.refit.weights.empty());
  runtime::EngineData bad = data;
  bad.refit.weights[0].targets = {static_cast<int32_t>(bad.graph.weights.size())};
  expect_error([&] { plan::validate(bad); }, {"refit: weights", "target weights", "out of range"});
  bad = data;
  bad.refit.weights[0].dims = Dims{12345};
  expect_error([&] { plan::validate(bad); }, {"cannot fill weights"});
  bad = data;
  bad.refit.roles.push_back({"conv1", 0, "nope"});
  expect_error([&] { plan::validate(bad); }, {"'nope'", "not refittable"});
}

// Executions on other threads see the old weights or the new ones, never a mix: refit waits for
// running executions and holds new ones back until it is done.
TEST(Refit, ConcurrentExecutionsSeeOldOrNewWeights) {
  NetWeights w1(1), w2(100);
  auto engine = load(build_plan(w1, {}));
  const std::vector<float> old_out = run(*engine);
  const std::vector<float> new_out = run(*load(build_plan(w2, {})));
  std::atomic<bool> stop{false};
  std::atomic<int> mixed{0}, runs{0};
  std::thread runner([&] {
    auto ctx = engine->create_execution_context();
    std::vector<float> x = uniform(2 * 48, 99, -1.0f, 1.0f), y(10);
    ctx->set_input_shape("x", Dims{2, 3, 4, 4});
    ctx->set_tensor_address("x", x.data());
    ctx->set_tensor_address("y", y.data());
    while (!stop) {
      ctx->execute_async_v3(nullptr);
      if (y != old_out && y != new_out) ++mixed;
      ++runs;
    }
  });
  Refitter refitter(*engine, quiet_logger());
  for (int i = 0; i < 200; ++i) {
    set_all(refitter, i % 2 ? w1 : w2);
    refitter.refit_cuda_engine();
  }
  while (runs < 10) std::this_thread::yield();
  stop = true;
  runner.join();
  EXPECT_EQ(mixed, 0);
}

// ONNX: Conv + BatchNormalization + Relu; the importer folds the BatchNormalization into a scale
// and a shift, which refit_from_file recomputes from the new model's initializers.
std::string conv_bn_model(uint32_t seed) {
  using namespace pb;
  GraphSpec g;
  g.inputs.push_back(value_info("x", 1, {1, 2, 4, 4}));
  g.outputs.push_back(value_info("y", 1, {1, 3, 2, 2}));
  g.initializers.push_back(tensor("W", {3, 2, 3, 3}, uniform(54, seed, -0.5f, 0.5f)));
  g.initializers.push_back(tensor("B", {3}, uniform(3, seed + 1, -0.2f, 0.2f)));
  g.initializers.push_back(tensor("bn.scale", {3}, uniform(3, seed + 2, 0.5f, 1.5f)));
  g.initializers.push_back(tensor("bn.bias", {3}, uniform(3, seed + 3, -0.5f, 0.5f)));
  g.initializers.push_back(tensor("bn.mean", {3}, uniform(3, seed + 4, -0.5f, 0.5f)));
  g.initializers.push_back(tensor("bn.var", {3}, uniform(3, seed + 5, 0.5f, 2.0f)));
  g.nodes.push_back(
      node("Conv", {"x", "W", "B"}, {"c"}, "conv", {attr_ints("kernel_shape", {3, 3})}));
  g.nodes.push_back(
      node("BatchNormalization", {"c", "bn.scale", "bn.bias", "bn.mean", "bn.var"}, {"n"}, "bn"));
  g.nodes.push_back(node("Relu", {"n"}, {"y"}, "relu"));
  return model(g);
}

std::unique_ptr<Engine> build_onnx(const std::string& bytes, bool refit) {
  Builder builder(onnx_quiet_logger());
  auto net = builder.create_network();
  OnnxParser parser(*net, onnx_quiet_logger());
  EXPECT_TRUE(parser.parse(bytes.data(), bytes.size()));
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  if (refit) config->set_flag(BuilderFlag::kREFIT);
  return load(builder.build_serialized_network(*net, *config));
}

std::vector<float> run_onnx_engine(Engine& engine) {
  auto ctx = engine.create_execution_context();
  std::vector<float> x = uniform(32, 7, -1.0f, 1.0f);
  return run_float(*ctx, engine, {{"x", {Dims{1, 2, 4, 4}, x}}})["y"];
}

TEST(Refit, OnnxRefitFromFileRecomputesTheFoldedBatchNorm) {
  std::string a = conv_bn_model(1), b = conv_bn_model(50);
  auto engine = build_onnx(a, true);
  std::vector<float> before = run_onnx_engine(*engine);
  std::string path = ::testing::TempDir() + "kiln_refit_conv_bn.onnx";
  std::ofstream(path, std::ios::binary) << b;
  Refitter refitter(*engine, quiet_logger());
  std::vector<std::string> names = refitter.get_all_weights();
  // The importer names a convolution's kernel after the node (docs/refit.md).
  EXPECT_NE(std::find(names.begin(), names.end(), "conv.kernel"), names.end());
  OnnxParserRefitter onnx(refitter, quiet_logger());
  ASSERT_TRUE(onnx.refit_from_file(path));
  refitter.refit_cuda_engine();
  std::vector<float> after = run_onnx_engine(*engine);
  EXPECT_NE(after, before);
  EXPECT_EQ(after, run_onnx_engine(*build_onnx(b, true)));
  std::vector<float> plain = run_onnx_engine(*build_onnx(b, false));
  for (size_t i = 0; i < after.size(); ++i) EXPECT_NEAR(after[i], plain[i], 1e-5f) << i;
  std::remove(path.c_str());
}

TEST(Refit, OnnxModelOfAnotherShapeIsRefusedAndSetsNothing) {
  std::string a = conv_bn_model(1);
  auto engine = build_onnx(a, true);
  std::vector<float> before = run_onnx_engine(*engine);
  // The same graph with a 4-map convolution: W and B have other shapes.
  using namespace pb;
  GraphSpec g;
  g.inputs.push_back(value_info("x", 1, {1, 2, 4, 4}));
  g.outputs.push_back(value_info("y", 1, {1, 4, 2, 2}));
  g.initializers.push_back(tensor("W", {4, 2, 3, 3}, uniform(72, 3, -0.5f, 0.5f)));
  g.initializers.push_back(tensor("B", {4}, uniform(4, 3, -0.2f, 0.2f)));
  g.nodes.push_back(
      node("Conv", {"x", "W", "B"}, {"y"}, "conv", {attr_ints("kernel_shape", {3, 3})}));
  std::string other = model(g);
  Refitter refitter(*engine, quiet_logger());
  OnnxParserRefitter onnx(refitter, quiet_logger());
  EXPECT_FALSE(onnx.refit_from_bytes(other.data(), other.size()));
  EXPECT_FALSE(onnx.refit_from_file("/nonexistent/model.onnx"));
  refitter.refit_cuda_engine();
  EXPECT_EQ(run_onnx_engine(*engine), before);
}

}  // namespace
}  // namespace kiln::test
