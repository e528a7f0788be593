// The foundation's end-to-end scenarios (a)-(e), through the public C++ API on the CPU backend,
// checked against references computed independently in the tests.
#include <cmath>
#include <thread>

#include "e2e/mnist_net.h"

namespace kiln::test {
namespace {

struct MnistRun {
  std::vector<float> prob;
  std::vector<int32_t> cls;
};

MnistRun run_mnist(ExecutionContext& ctx, const std::vector<float>& image, int n) {
  MnistRun r;
  r.prob.assign(static_cast<size_t>(n) * 10, -1.0f);
  r.cls.assign(static_cast<size_t>(n), -1);
  ctx.set_input_shape("image", Dims{n, 1, 28, 28});
  EXPECT_EQ(ctx.get_tensor_shape("prob"), (Dims{n, 10}));
  EXPECT_EQ(ctx.get_tensor_shape("class"), (Dims{n, 1}));
  ctx.set_tensor_address("image", const_cast<float*>(image.data()));
  ctx.set_tensor_address("prob", r.prob.data());
  ctx.set_tensor_address("class", r.cls.data());
  ctx.execute_async_v3(nullptr);
  return r;
}

class MnistScenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    weights_ = new MnistWeights();
    Builder builder(quiet_logger());
    auto net = builder.create_network();
    define_mnist(*net, *weights_);
    auto config = builder.create_builder_config();
    OptimizationProfile* profile = builder.create_optimization_profile();
    profile->set_shape("image", Dims{1, 1, 28, 28}, Dims{2, 1, 28, 28}, Dims{4, 1, 28, 28});
    config->add_optimization_profile(*profile);
    config->set_default_device_type(DeviceType::kCPU);
    plan_ = new std::vector<uint8_t>(builder.build_serialized_network(*net, *config));
  }
  static void TearDownTestSuite() {
    delete weights_;
    delete plan_;
  }
  std::unique_ptr<Engine> load() {
    Runtime runtime(quiet_logger());
    return runtime.deserialize_cuda_engine(plan_->data(), plan_->size());
  }
  static MnistWeights* weights_;
  static std::vector<uint8_t>* plan_;
};
MnistWeights* MnistScenario::weights_ = nullptr;
std::vector<uint8_t>* MnistScenario::plan_ = nullptr;

// (a) The MNIST-style CNN at batch 1 and 3 matches a double-precision reference.
TEST_F(MnistScenario, MatchesReferenceAtSeveralBatchSizes) {
  auto engine = load();
  EXPECT_EQ(engine->num_io_tensors(), 3);
  EXPECT_EQ(engine->get_tensor_mode("image"), TensorIOMode::kINPUT);
  EXPECT_EQ(engine->get_tensor_dtype("class"), DataType::kINT32);
  EXPECT_EQ(engine->get_tensor_shape("image"), (Dims{-1, 1, 28, 28}));
  ProfileDims range = engine->get_tensor_profile_shape("image", 0);
  EXPECT_EQ(range.max, (Dims{4, 1, 28, 28}));
  auto ctx = engine->create_execution_context();
  EXPECT_FALSE(ctx->all_input_dimensions_specified());
  for (int n : {1, 3, 4}) {
    std::vector<float> image = uniform(int64_t{n} * 784, 100 + n, 0.0f, 1.0f);
    MnistRun r = run_mnist(*ctx, image, n);
    std::vector<double> ref = ref_mnist(image, n, *weights_);
    EXPECT_LT(max_rel_error(r.prob, ref), 1e-4) << "batch " << n;
    for (int i = 0; i < n; ++i) {
      int best = 0;
      for (int j = 1; j < 10; ++j) {
        if (ref[i * 10 + j] > ref[i * 10 + best]) best = j;
      }
      EXPECT_EQ(r.cls[i], best) << "batch " << n << " item " << i;
    }
  }
}

// (a) A batch outside the profile is refused, naming the dimension and the range, and the
// context keeps working afterwards.
TEST_F(MnistScenario, RefusesShapeOutsideProfile) {
  auto engine = load();
  auto ctx = engine->create_execution_context();
  try {
    ctx->set_input_shape("image", Dims{5, 1, 28, 28});
    FAIL() << "batch 5 should be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dimension 0 is 5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1..4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ctx->set_input_shape("image", Dims{1, 1, 28}), Error);
  EXPECT_THROW(ctx->set_input_shape("nope", Dims{1, 1, 28, 28}), Error);
  std::vector<float> image = uniform(784, 7, 0.0f, 1.0f);
  MnistRun r = run_mnist(*ctx, image, 1);
  EXPECT_LT(max_rel_error(r.prob, ref_mnist(image, 1, *weights_)), 1e-4);
}

// (e) Loading a plan and serializing the engine gives back the same bytes.
TEST_F(MnistScenario, PlanRoundTripIsByteIdentical) {
  auto engine = load();
  EXPECT_EQ(engine->serialize(), *plan_);
}

// (e) Two contexts of one engine driven from two threads at once give the results of one
// context run serially.
TEST_F(MnistScenario, TwoContextsOnTwoThreadsMatchSerialRuns) {
  auto engine = load();
  constexpr int kIterations = 6;
  std::vector<std::vector<float>> images;
  for (int i = 0; i < 2 * kIterations; ++i) images.push_back(uniform(2 * 784, 500 + i, 0.0f, 1.0f));
  std::vector<MnistRun> serial;
  {
    auto ctx = engine->create_execution_context();
    for (const auto& image : images) serial.push_back(run_mnist(*ctx, image, 2));
  }
  std::vector<MnistRun> parallel(images.size());
  auto worker = [&](int which) {
    auto ctx = engine->create_execution_context();
    for (int i = which; i < static_cast<int>(images.size()); i += 2)
      parallel[i] = run_mnist(*ctx, images[i], 2);
  };
  std::thread t0(worker, 0), t1(worker, 1);
  t0.join();
  t1.join();
  for (size_t i = 0; i < images.size(); ++i) {
    EXPECT_EQ(parallel[i].prob, serial[i].prob) << "run " << i;
    EXPECT_EQ(parallel[i].cls, serial[i].cls) << "run " << i;
  }
}

// (b) Two profiles on the sum of two fully dynamic 4-D inputs; shapes from each profile's range
// on one context.
TEST(Scenario, TwoProfilesOnOneContext) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* a = net->add_input("a", DataType::kFLOAT, Dims{-1, -1, -1, -1});
  Tensor* b = net->add_input("b", DataType::kFLOAT, Dims{-1, -1, -1, -1});
  auto* sum = net->add_elementwise(*a, *b, ElementWiseOperation::kSUM);
  sum->get_output(0)->set_name("sum");
  net->mark_output(*sum->get_output(0));
  auto config = builder.create_builder_config();
  for (auto [lo, hi] : {std::pair{1, 3}, std::pair{4, 6}}) {
    OptimizationProfile* p = builder.create_optimization_profile();
    for (const char* name : {"a", "b"})
      p->set_shape(name, Dims{lo, lo, lo, lo}, Dims{hi, hi, hi, hi}, Dims{hi, hi, hi, hi});
    config->add_optimization_profile(*p);
  }
  auto engine = build_cpu_engine(builder, *net, *config);
  ASSERT_EQ(engine->num_optimization_profiles(), 2);
  EXPECT_EQ(engine->get_tensor_profile_shape("a", 1).min, (Dims{4, 4, 4, 4}));
  auto ctx = engine->create_execution_context();
  struct Case {
    int profile;
    Dims shape;
  };
  uint32_t seed = 1;
  for (const Case& c : {Case{0, Dims{1, 2, 3, 3}}, Case{1, Dims{4, 6, 5, 4}},
                        Case{0, Dims{3, 3, 3, 3}}, Case{1, Dims{6, 6, 6, 6}}}) {
    if (ctx->optimization_profile() != c.profile)
      ctx->set_optimization_profile_async(c.profile, nullptr);
    std::vector<float> va = uniform(volume(c.shape), seed++, -1, 1),
                       vb = uniform(volume(c.shape), seed++, -1, 1);
    auto out = run_float(*ctx, *engine, {{"a", {c.shape, va}}, {"b", {c.shape, vb}}});
    EXPECT_EQ(ctx->get_tensor_shape("sum"), c.shape);
    ASSERT_EQ(out["sum"].size(), va.size());
    for (size_t i = 0; i < va.size(); ++i) ASSERT_EQ(out["sum"][i], va[i] + vb[i]) << i;
  }
  // A shape from profile 1's range is refused while profile 0 is active.
  ctx->set_optimization_profile_async(0, nullptr);
  EXPECT_THROW(ctx->set_input_shape("a", Dims{5, 5, 5, 5}), Error);
}

// (c) Identity on a [-1,-1,-1] input run at two different shapes, one after the other.
TEST(Scenario, IdentityAtTwoShapesOnOneContext) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{-1, -1, -1});
  auto* id = net->add_identity(*x);
  id->get_output(0)->set_name("y");
  net->mark_output(*id->get_output(0));
  auto config = builder.create_builder_config();
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("x", Dims{1, 1, 1}, Dims{4, 4, 4}, Dims{8, 8, 8});
  config->add_optimization_profile(*p);
  auto engine = build_cpu_engine(builder, *net, *config);
  auto ctx = engine->create_execution_context();
  for (Dims shape : {Dims{2, 3, 4}, Dims{7, 1, 5}}) {
    std::vector<float> v = uniform(volume(shape), static_cast<uint32_t>(shape.d[0]), -5, 5);
    auto out = run_float(*ctx, *engine, {{"x", {shape, v}}});
    EXPECT_EQ(ctx->get_tensor_shape("y"), shape);
    EXPECT_EQ(out["y"], v);
  }
}

// (d) Two independent chains of ten batched matmuls over eleven [-1,4,128,128] inputs.
TEST(Scenario, TwoMatmulChains) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  std::vector<Tensor*> x;
  for (int i = 0; i <= 10; ++i)
    x.push_back(net->add_input("x" + std::to_string(i), DataType::kFLOAT, Dims{-1, 4, 128, 128}));
  Tensor* chain0 = x[0];
  Tensor* chain1 = x[0];
  for (int i = 1; i <= 10; ++i) {
    chain0 =
        net->add_matrix_multiply(*chain0, MatrixOperation::kNONE, *x[i], MatrixOperation::kNONE)
            ->get_output(0);
    chain1 = net->add_matrix_multiply(*chain1, MatrixOperation::kNONE, *x[11 - i],
                                      MatrixOperation::kNONE)
                 ->get_output(0);
  }
  chain0->set_name("out0");
  chain1->set_name("out1");
  net->mark_output(*chain0);
  net->mark_output(*chain1);
  auto config = builder.create_builder_config();
  OptimizationProfile* p = builder.create_optimization_profile();
  for (int i = 0; i <= 10; ++i)
    p->set_shape("x" + std::to_string(i), Dims{1, 4, 128, 128}, Dims{4, 4, 128, 128},
                 Dims{8, 4, 128, 128});
  config->add_optimization_profile(*p);
  auto engine = build_cpu_engine(builder, *net, *config);
  EXPECT_EQ(engine->num_layers(), 20);

  constexpr int kBatch = 2;
  const Dims shape{kBatch, 4, 128, 128};
  const int64_t n = volume(shape);
  // Variance 1/128 per element keeps the products' magnitude near 1 along the chain.
  const float a = std::sqrt(3.0f / 128.0f);
  std::map<std::string, std::pair<Dims, std::vector<float>>> inputs;
  for (int i = 0; i <= 10; ++i)
    inputs["x" + std::to_string(i)] = {shape, uniform(n, 900 + i, -a, a)};
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, inputs);

  auto reference = [&](bool reverse) {
    std::vector<double> acc(inputs["x0"].second.begin(), inputs["x0"].second.end());
    std::vector<double> next(acc.size());
    for (int step = 1; step <= 10; ++step) {
      const std::vector<float>& m = inputs["x" + std::to_string(reverse ? 11 - step : step)].second;
      for (int b = 0; b < kBatch * 4; ++b) {
        const size_t base = static_cast<size_t>(b) * 128 * 128;
        for (int i = 0; i < 128; ++i)
          for (int j = 0; j < 128; ++j) {
            double s = 0;
            for (int k = 0; k < 128; ++k) s += acc[base + i * 128 + k] * m[base + k * 128 + j];
            next[base + i * 128 + j] = s;
          }
      }
      std::swap(acc, next);
    }
    return acc;
  };
  EXPECT_LT(max_rel_error(out["out0"], reference(false)), 1e-3);
  EXPECT_LT(max_rel_error(out["out1"], reference(true)), 1e-3);
}

}  // namespace
}  // namespace kiln::test
