// The library's Profiler and EngineInspector on the CPU backend: every step reported once per
// run under the inspector's step names, and the inspector's JSON and one-line formats.
#include <gtest/gtest.h>

#include <numeric>

#include "e2e/mnist_net.h"
#include "json.h"

namespace kiln::test {
namespace {

std::unique_ptr<Engine> mnist_cpu_engine() {
  static const MnistWeights weights;
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  define_mnist(*net, weights);
  auto config = builder.create_builder_config();
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("image", Dims{1, 1, 28, 28}, Dims{2, 1, 28, 28}, Dims{8, 1, 28, 28});
  config->add_optimization_profile(*p);
  return build_cpu_engine(builder, *net, *config);
}

class Recorder : public Profiler {
 public:
  void report_layer_time(const char* name, float ms) override {
    names.emplace_back(name);
    times.push_back(ms);
  }
  std::vector<std::string> names;
  std::vector<float> times;
};

struct Bindings {
  std::vector<float> image = uniform(2 * 784, 7, 0.0f, 1.0f);
  std::vector<float> prob = std::vector<float>(20);
  std::vector<int32_t> cls = std::vector<int32_t>(2);
  void bind(ExecutionContext& ctx) {
    ctx.set_input_shape("image", Dims{2, 1, 28, 28});
    ctx.set_tensor_address("image", image.data());
    ctx.set_tensor_address("prob", prob.data());
    ctx.set_tensor_address("class", cls.data());
  }
};

std::vector<std::string> inspector_names(const Engine& engine) {
  cli::json::Value info = cli::json::parse(
      engine.create_engine_inspector()->get_engine_information(LayerInformationFormat::kJSON),
      "engine information");
  std::vector<std::string> names;
  for (const cli::json::Value& l : info["layers"].array) names.push_back(l["name"].string);
  return names;
}

TEST(Profiler, CpuReportsEveryStepOncePerRunUnderTheInspectorsNames) {
  auto engine = mnist_cpu_engine();
  auto ctx = engine->create_execution_context();
  Bindings run;
  run.bind(*ctx);
  Recorder recorder;
  EXPECT_EQ(ctx->get_profiler(), nullptr);
  ctx->set_profiler(&recorder);
  EXPECT_EQ(ctx->get_profiler(), &recorder);
  ctx->execute_async_v3(nullptr);
  std::vector<std::string> steps = inspector_names(*engine);
  ASSERT_EQ(static_cast<int32_t>(steps.size()), engine->num_layers());
  EXPECT_EQ(recorder.names, steps);
  for (float ms : recorder.times) EXPECT_GE(ms, 0.0f);
  ctx->execute_async_v3(nullptr);
  EXPECT_EQ(recorder.names.size(), 2 * steps.size());
  // Removing the profiler stops the reports; results are the same with and without it.
  std::vector<float> profiled = run.prob;
  ctx->set_profiler(nullptr);
  ctx->execute_async_v3(nullptr);
  EXPECT_EQ(recorder.names.size(), 2 * steps.size());
  EXPECT_EQ(run.prob, profiled);
}

TEST(Profiler, NvtxSwitchIsKeptAndHarmlessOnTheCpu) {
  auto engine = mnist_cpu_engine();
  auto ctx = engine->create_execution_context();
  EXPECT_FALSE(ctx->get_nvtx());
  ctx->set_nvtx(true);
  EXPECT_TRUE(ctx->get_nvtx());
  Bindings run;
  run.bind(*ctx);
  ctx->execute_async_v3(nullptr);
  EXPECT_NEAR(std::accumulate(run.prob.begin(), run.prob.begin() + 10, 0.0f), 1.0f, 1e-4f);
}

TEST(EngineInspector, JsonDescribesEveryStep) {
  auto engine = mnist_cpu_engine();
  auto inspector = engine->create_engine_inspector();
  ASSERT_EQ(inspector->num_layers(), engine->num_layers());
  cli::json::Value info = cli::json::parse(
      inspector->get_engine_information(LayerInformationFormat::kJSON), "engine information");
  EXPECT_EQ(info["device"].string, "cpu");
  EXPECT_EQ(info["num_profiles"].number, 1.0);
  ASSERT_EQ(info["io"].array.size(), 3u);
  const cli::json::Value& image = info["io"].array[0];
  EXPECT_EQ(image["name"].string, "image");
  EXPECT_EQ(image["mode"].string, "input");
  EXPECT_EQ(image["type"].string, "float32");
  ASSERT_EQ(image["dims"].array.size(), 4u);
  EXPECT_EQ(image["dims"].array[0].number, -1.0);
  ASSERT_EQ(image["profiles"].array.size(), 1u);
  EXPECT_EQ(image["profiles"].array[0]["min"].array[0].number, 1.0);
  EXPECT_EQ(image["profiles"].array[0]["opt"].array[0].number, 2.0);
  EXPECT_EQ(image["profiles"].array[0]["max"].array[0].number, 8.0);
  EXPECT_EQ(info["io"].array[1]["mode"].string, "output");

  const auto& layers = info["layers"].array;
  ASSERT_EQ(static_cast<int32_t>(layers.size()), engine->num_layers());
  bool saw_conv = false;
  for (size_t i = 0; i < layers.size(); ++i) {
    const cli::json::Value& l = layers[i];
    EXPECT_EQ(l["index"].number, static_cast<double>(i));
    EXPECT_FALSE(l["name"].string.empty());
    // kiln's own kernel, or a oneDNN tactic for the convolutions and matrix multiplies.
    EXPECT_TRUE(l["tactic"].string == "cpu.reference" ||
                l["tactic"].string.rfind("cpu.onednn.", 0) == 0)
        << l["tactic"].string;
    EXPECT_EQ(l["stream"].number, 0.0);
    ASSERT_GE(l["parts"].array.size(), 1u);
    // A fused step lists its parts ("a + b"): the first part starts the step's name.
    EXPECT_EQ(l["name"].string.rfind(l["parts"].array[0].string, 0), 0u);
    EXPECT_TRUE(l["outputs"].is_array());
    EXPECT_FALSE(l["outputs"].array.empty());
    // The step's own JSON is the same object.
    cli::json::Value one = cli::json::parse(
        inspector->get_layer_information(static_cast<int32_t>(i), LayerInformationFormat::kJSON),
        "layer information");
    EXPECT_EQ(one["name"].string, l["name"].string);
    if (l["type"].string == "convolution") {
      saw_conv = true;
      EXPECT_EQ(l["precision"].string, "float32");
      const auto& ins = l["inputs"].array;
      ASSERT_GE(ins.size(), 2u);
      EXPECT_FALSE(ins[0]["constant"].boolean);
      EXPECT_TRUE(ins[1]["constant"].boolean);  // the kernel weights
      // A dynamic activation carries its per-profile range.
      ASSERT_EQ(l["outputs"].array[0]["profiles"].array.size(), 1u);
      EXPECT_EQ(l["outputs"].array[0]["profiles"].array[0]["max"].array[0].number, 8.0);
    }
  }
  EXPECT_TRUE(saw_conv);
}

TEST(EngineInspector, OneLinePerStepAndErrors) {
  auto engine = mnist_cpu_engine();
  auto inspector = engine->create_engine_inspector();
  std::string all = inspector->get_engine_information(LayerInformationFormat::kONELINE);
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), engine->num_layers());
  std::string first = inspector->get_layer_information(0, LayerInformationFormat::kONELINE);
  EXPECT_NE(first.find("tactic=cpu."), std::string::npos) << first;
  EXPECT_NE(first.find("image[-1,1,28,28]"), std::string::npos) << first;
  try {
    inspector->get_layer_information(engine->num_layers(), LayerInformationFormat::kJSON);
    FAIL() << "no error for an out-of-range layer";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "get_layer_information: layer index " +
                                         std::to_string(engine->num_layers()) +
                                         " is out of range; the engine has " +
                                         std::to_string(engine->num_layers()) + " layers");
  }
  // The inspector keeps the engine's state alive.
  engine.reset();
  EXPECT_FALSE(inspector->get_engine_information(LayerInformationFormat::kJSON).empty());
}

}  // namespace
}  // namespace kiln::test
