// Plugins: the registry, fields, add_plugin_v3 on the CPU backend with dynamic shapes, plans that
// re-create plugins through the registry, bad plans, plugin libraries and ONNX ops as plugins.
#include <cmath>
#include <cstring>
#include <random>

#include "core/error.h"
#include "e2e/e2e_util.h"
#include "kiln/kiln.h"
#include "onnx/onnx_test_util.h"
#include "plan/plan.h"
#include "plugin/fields.h"
#include "plugin/test_plugins.h"
#include "test_util.h"

namespace kiln::test {
namespace {

// Registers ScaleSum v1 in the global registry for the duration of a test.
class PluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    get_plugin_registry().deregister_creator("ScaleSum", "1");
    ASSERT_TRUE(get_plugin_registry().register_creator(std::make_shared<ScaleSumCreator>("1")));
  }
  void TearDown() override { get_plugin_registry().deregister_creator("ScaleSum", "1"); }

  std::unique_ptr<PluginV3> make_scale_sum(float scale, int32_t fail = 0) {
    PluginFieldCollection fields = {PluginField("scale", std::vector<float>{scale}),
                                    PluginField("fail_in_enqueue", std::vector<int32_t>{fail})};
    return get_plugin_registry().create_plugin("ScaleSum", "1", "", "test", fields,
                                               PluginPhase::kBUILD);
  }

  // x [-1, 3] -> ScaleSum -> (y [-1, 3], s [-1]); profiles: rows 1..2 and 3..5.
  std::vector<uint8_t> build_scale_sum_plan(float scale, int32_t fail = 0) {
    Builder builder(quiet_logger());
    std::unique_ptr<NetworkDefinition> network = builder.create_network();
    Tensor* x = network->add_input("x", DataType::kFLOAT, Dims{-1, 3});
    std::unique_ptr<PluginV3> plugin = make_scale_sum(scale, fail);
    PluginV3Layer* layer = network->add_plugin_v3(&x, 1, nullptr, 0, *plugin);
    layer->set_name("my_plugin");
    EXPECT_EQ(layer->num_outputs(), 2);
    EXPECT_EQ(layer->get_output(0)->dimensions(), (Dims{-1, 3}));
    EXPECT_EQ(layer->get_output(1)->dimensions(), (Dims{-1}));
    layer->get_output(0)->set_name("y");
    layer->get_output(1)->set_name("s");
    network->mark_output(*layer->get_output(0));
    network->mark_output(*layer->get_output(1));
    std::unique_ptr<BuilderConfig> config = builder.create_builder_config();
    config->set_default_device_type(DeviceType::kCPU);
    OptimizationProfile* p0 = builder.create_optimization_profile();
    p0->set_shape("x", Dims{1, 3}, Dims{2, 3}, Dims{2, 3});
    OptimizationProfile* p1 = builder.create_optimization_profile();
    p1->set_shape("x", Dims{3, 3}, Dims{4, 3}, Dims{5, 3});
    config->add_optimization_profile(*p0);
    config->add_optimization_profile(*p1);
    return builder.build_serialized_network(*network, *config);
  }
};

std::unique_ptr<Engine> load(const std::vector<uint8_t>& plan) {
  Runtime runtime(quiet_logger());
  return runtime.deserialize_cuda_engine(plan.data(), plan.size());
}

TEST(PluginRegistryTest, RegisterLookupDuplicateDeregister) {
  PluginRegistry registry;
  auto v1 = std::make_shared<ScaleSumCreator>("1");
  auto v2 = std::make_shared<ScaleSumCreator>("2");
  EXPECT_TRUE(registry.register_creator(v1));
  EXPECT_FALSE(registry.register_creator(std::make_shared<ScaleSumCreator>("1")));  // duplicate
  EXPECT_TRUE(registry.register_creator(v2));
  EXPECT_TRUE(registry.register_creator(std::make_shared<ScaleSumCreator>("1"), "ns"));
  EXPECT_EQ(registry.get_creator("ScaleSum", "1"), v1);
  EXPECT_EQ(registry.get_creator("ScaleSum", "2"), v2);
  ASSERT_NE(registry.get_creator("ScaleSum", "1", "ns"), nullptr);
  EXPECT_NE(registry.get_creator("ScaleSum", "1", "ns"), v1);
  EXPECT_EQ(registry.get_creator("ScaleSum", "1", "ns")->get_plugin_namespace(), "ns");
  EXPECT_EQ(registry.get_creator("ScaleSum", "3"), nullptr);
  EXPECT_EQ(registry.get_creator("ScaleSum", "1", "other"), nullptr);
  EXPECT_EQ(registry.get_creator("Nope", "1"), nullptr);
  EXPECT_EQ(registry.get_all_creators().size(), 3u);
  EXPECT_TRUE(registry.deregister_creator("ScaleSum", "2"));
  EXPECT_FALSE(registry.deregister_creator("ScaleSum", "2"));
  EXPECT_EQ(registry.get_creator("ScaleSum", "2"), nullptr);
  expect_error([&] { registry.register_creator(nullptr); }, {"null"});

  // create_plugin sets the namespace and names the layer when the creator is missing.
  std::unique_ptr<PluginV3> p =
      registry.create_plugin("ScaleSum", "1", "ns", "L", {}, PluginPhase::kBUILD);
  EXPECT_EQ(p->get_plugin_namespace(), "ns");
  expect_error(
      [&] { registry.create_plugin("ScaleSum", "9", "ns", "layer_x", {}, PluginPhase::kBUILD); },
      {"layer_x", "'ScaleSum'", "version '9'", "namespace 'ns'", "not registered"});
  // A creator that throws: the error names the layer and the plugin.
  expect_error(
      [&] {
        registry.create_plugin("ScaleSum", "1", "", "layer_y",
                               {PluginField("scale", std::vector<float>{1, 2})},
                               PluginPhase::kBUILD);
      },
      {"layer_y", "ScaleSum", "scale must be one value"});
}

TEST(PluginFieldTest, TypedValuesAndEncodingRoundTrip) {
  PluginFieldCollection fields = {
      PluginField("f", std::vector<float>{1.5f, -2.0f}), PluginField("i", std::vector<int64_t>{7}),
      PluginField("s", std::string_view("hello")), PluginField("empty", std::vector<int32_t>{})};
  EXPECT_EQ(fields[0].values<float>(), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(fields[2].text(), "hello");
  expect_error([&] { fields[0].values<int32_t>(); }, {"'f'", "float32", "int32"});
  std::vector<uint8_t> bytes = plugin::encode_fields(fields);
  PluginFieldCollection back = plugin::decode_fields(bytes.data(), bytes.size(), "here");
  ASSERT_EQ(back.size(), 4u);
  EXPECT_EQ(back[0].values<float>(), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(back[1].values<int64_t>(), (std::vector<int64_t>{7}));
  EXPECT_EQ(back[2].text(), "hello");
  EXPECT_EQ(back[3].length, 0);
  EXPECT_EQ(find_field(back, "i"), &back[1]);
  EXPECT_EQ(find_field(back, "zz"), nullptr);

  // Truncated, bad type, huge length, trailing bytes: errors, never a crash.
  expect_error([&] { plugin::decode_fields(bytes.data(), bytes.size() - 1, "here"); }, {"here"});
  std::vector<uint8_t> bad = bytes;
  bad[4 + 4 + 1] = 99;  // the first field's type (after count, name length, name "f")
  expect_error([&] { plugin::decode_fields(bad.data(), bad.size(), "here"); },
               {"here", "invalid type 99"});
  bad = bytes;
  bad[4 + 4 + 1 + 4 + 7] = 0x7f;  // the first field's length: huge
  expect_error([&] { plugin::decode_fields(bad.data(), bad.size(), "here"); }, {"here", "claims"});
  bad = bytes;
  bad.push_back(0);
  expect_error([&] { plugin::decode_fields(bad.data(), bad.size(), "here"); }, {"follow"});
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> m = bytes;
    for (int k = 0; k < 3; ++k) m[rng() % m.size()] = static_cast<uint8_t>(rng());
    m.resize(rng() % (m.size() + 1));
    try {
      plugin::decode_fields(m.data(), m.size(), "fuzz");
    } catch (const Error&) {
    }
  }
}

TEST_F(PluginTest, RunsOnCpuWithDynamicShapesAndTwoProfiles) {
  std::vector<uint8_t> plan = build_scale_sum_plan(2.0f);
  std::unique_ptr<Engine> engine = load(plan);
  std::unique_ptr<ExecutionContext> ctx = engine->create_execution_context();
  for (int32_t profile : {0, 1}) {
    ctx->set_optimization_profile_async(profile, nullptr);
    int64_t rows = profile == 0 ? 2 : 5;
    std::vector<float> x(static_cast<size_t>(rows * 3));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) - 4.0f;
    int before = scale_sum_counters().enqueued;
    auto out = run_float(*ctx, *engine, {{"x", {Dims{rows, 3}, x}}});
    EXPECT_EQ(scale_sum_counters().enqueued, before + 1);
    ASSERT_EQ(out["y"].size(), x.size());
    ASSERT_EQ(out["s"].size(), static_cast<size_t>(rows));
    for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(out["y"][i], 2.0f * x[i]);
    for (int64_t r = 0; r < rows; ++r)
      EXPECT_EQ(out["s"][r], x[r * 3] + x[r * 3 + 1] + x[r * 3 + 2]);
  }
}

TEST_F(PluginTest, PlanLoadRecreatesThePluginThroughTheRegistry) {
  std::vector<uint8_t> plan = build_scale_sum_plan(3.0f);
  int runtime_before = scale_sum_counters().created_runtime;
  std::unique_ptr<Engine> engine = load(plan);
  EXPECT_EQ(scale_sum_counters().created_runtime, runtime_before + 1);
  std::unique_ptr<ExecutionContext> ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, {{"x", {Dims{1, 3}, {1, 2, 3}}}});
  EXPECT_EQ(out["y"], (std::vector<float>{3, 6, 9}));  // the scale came from the plan's fields
  EXPECT_EQ(out["s"], (std::vector<float>{6}));
  // Equal networks give equal plans (fields are serialized deterministically).
  EXPECT_EQ(build_scale_sum_plan(3.0f), plan);
}

TEST_F(PluginTest, PlanLoadWithoutTheCreatorNamesThePluginAndLayer) {
  std::vector<uint8_t> plan = build_scale_sum_plan(1.0f);
  get_plugin_registry().deregister_creator("ScaleSum", "1");
  expect_error([&] { load(plan); }, {"my_plugin", "'ScaleSum'", "version '1'", "namespace ''",
                                     "not registered", "load_plugin_library"});
}

TEST_F(PluginTest, CorruptPluginFieldsInAPlanAreAnErrorNotACrash) {
  std::vector<uint8_t> plan = build_scale_sum_plan(1.0f);
  // Find the encoded fields (count 2, then "scale") and break the first field's type.
  std::vector<uint8_t> fields =
      plugin::encode_fields({PluginField("scale", std::vector<float>{1.0f}),
                             PluginField("fail_in_enqueue", std::vector<int32_t>{0})});
  auto it = std::search(plan.begin(), plan.end(), fields.begin(), fields.end());
  ASSERT_NE(it, plan.end());
  size_t at = static_cast<size_t>(it - plan.begin());
  std::vector<uint8_t> bad = plan;
  bad[at + 4 + 4 + 5] = 42;  // type of "scale"
  plan::refresh_checksum(bad);
  expect_error([&] { load(bad); }, {"corrupted", "my_plugin", "invalid type 42"});
  // A field of the right type but the wrong size reaches the creator, which refuses it by name.
  bad = plan;
  bad[at + 4 + 4 + 5 + 4] = 2;  // "scale" claims 2 floats: eats into the next field
  plan::refresh_checksum(bad);
  EXPECT_NE(error_of([&] { load(bad); }), "(no error)");
  // Random damage to the field bytes: errors only.
  std::mt19937 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> m = plan;
    m[at + rng() % fields.size()] = static_cast<uint8_t>(rng());
    plan::refresh_checksum(m);
    try {
      load(m);
    } catch (const Error&) {
    }
  }
}

TEST_F(PluginTest, AThrowingPluginNamesTheLayer) {
  std::vector<uint8_t> plan = build_scale_sum_plan(1.0f, /*fail=*/1);
  std::unique_ptr<Engine> engine = load(plan);
  std::unique_ptr<ExecutionContext> ctx = engine->create_execution_context();
  expect_error(
      [&] {
        run_float(*ctx, *engine, {{"x", {Dims{1, 3}, {1, 2, 3}}}});
      },
      {"my_plugin", "ScaleSum", "told to fail"});
}

TEST_F(PluginTest, ShapeErrorsAndUnsupportedTypesNameTheLayer) {
  Builder builder(quiet_logger());
  std::unique_ptr<NetworkDefinition> network = builder.create_network();
  Tensor* x = network->add_input("x", DataType::kINT32, Dims{2, 3});
  std::unique_ptr<PluginV3> plugin = make_scale_sum(1.0f);
  expect_error([&] { network->add_plugin_v3(&x, 1, nullptr, 0, *plugin); },
               {"plugin_v3", "ScaleSum", "does not support inputs (int32)"});
  Tensor* s = network->add_input("s", DataType::kFLOAT, Dims{});
  expect_error([&] { network->add_plugin_v3(&s, 1, nullptr, 0, *plugin); },
               {"plugin_v3", "ScaleSum", "rank >= 1"});
  Tensor* two[] = {s, s};
  expect_error([&] { network->add_plugin_v3(two, 2, nullptr, 0, *plugin); },
               {"ScaleSum takes one input"});
  EXPECT_EQ(network->num_layers(), 0);  // failed adds leave nothing behind
  expect_error([&] { network->add_plugin_v3(nullptr, 1, nullptr, 0, *plugin); }, {"add_plugin_v3"});
}

TEST_F(PluginTest, ShapeInputsReachTheShapeFunctionOnly) {
  Builder builder(quiet_logger());
  std::unique_ptr<NetworkDefinition> network = builder.create_network();
  Tensor* x = network->add_input("x", DataType::kFLOAT, Dims{2, 3});
  Tensor* shape = network->add_input("shape", DataType::kINT64, Dims{2});
  std::unique_ptr<PluginV3> plugin = make_scale_sum(1.0f);
  PluginV3Layer* layer = network->add_plugin_v3(&x, 1, &shape, 1, *plugin);
  EXPECT_EQ(layer->num_inputs(), 2);
  EXPECT_EQ(layer->get_output(1)->dimensions(), (Dims{2}));
  EXPECT_EQ(layer->get_plugin().get_plugin_name(), "ScaleSum");
}

TEST_F(PluginTest, PluginNodesAreNotConstantFolded) {
  Builder builder(quiet_logger());
  std::unique_ptr<NetworkDefinition> network = builder.create_network();
  std::vector<float> values = {1, 2, 3};
  ConstantLayer* c = network->add_constant(Dims{1, 3}, Weights{DataType::kFLOAT, values.data(), 3});
  Tensor* in = c->get_output(0);
  std::unique_ptr<PluginV3> plugin = make_scale_sum(2.0f);
  PluginV3Layer* layer = network->add_plugin_v3(&in, 1, nullptr, 0, *plugin);
  layer->get_output(0)->set_name("y");
  layer->get_output(1)->set_name("s");
  network->mark_output(*layer->get_output(0));
  network->mark_output(*layer->get_output(1));
  std::unique_ptr<BuilderConfig> config = builder.create_builder_config();
  int before = scale_sum_counters().enqueued;
  std::unique_ptr<Engine> engine = build_cpu_engine(builder, *network, *config);
  EXPECT_EQ(scale_sum_counters().enqueued, before);  // the builder did not run it
  std::unique_ptr<ExecutionContext> ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, {});
  EXPECT_EQ(scale_sum_counters().enqueued, before + 1);
  EXPECT_EQ(out["y"], (std::vector<float>{2, 4, 6}));
}

float gelu_ref(float v, bool tanh_form) {
  double d = v;
  if (tanh_form)
    return static_cast<float>(0.5 * d *
                              (1 + std::tanh(std::sqrt(2 / M_PI) * (d + 0.044715 * d * d * d))));
  return static_cast<float>(0.5 * d * (1 + std::erf(d / std::sqrt(2.0))));
}

TEST(BuiltinPluginTest, BiasGeluOnTheCpu) {
  ASSERT_TRUE(init_kiln_plugins(&quiet_logger()));
  ASSERT_TRUE(init_kiln_plugins(&quiet_logger()));  // idempotent
  ASSERT_NE(get_plugin_registry().get_creator("BiasGelu", "1"), nullptr);
  for (int32_t approximate : {0, 1}) {
    Builder builder(quiet_logger());
    std::unique_ptr<NetworkDefinition> network = builder.create_network();
    Tensor* x = network->add_input("x", DataType::kFLOAT, Dims{-1, 4});
    std::vector<float> bias = {0.5f, -1.0f, 0.0f, 2.0f};
    Tensor* b =
        network->add_constant(Dims{4}, Weights{DataType::kFLOAT, bias.data(), 4})->get_output(0);
    std::unique_ptr<PluginV3> plugin = get_plugin_registry().create_plugin(
        "BiasGelu", "1", "", "gelu",
        {PluginField("approximate", std::vector<int32_t>{approximate})}, PluginPhase::kBUILD);
    Tensor* ins[] = {x, b};
    PluginV3Layer* layer = network->add_plugin_v3(ins, 2, nullptr, 0, *plugin);
    layer->get_output(0)->set_name("y");
    network->mark_output(*layer->get_output(0));
    std::unique_ptr<BuilderConfig> config = builder.create_builder_config();
    OptimizationProfile* p = builder.create_optimization_profile();
    p->set_shape("x", Dims{1, 4}, Dims{3, 4}, Dims{8, 4});
    config->add_optimization_profile(*p);
    std::unique_ptr<Engine> engine = build_cpu_engine(builder, *network, *config);
    std::unique_ptr<ExecutionContext> ctx = engine->create_execution_context();
    std::vector<float> xv(12);
    for (size_t i = 0; i < xv.size(); ++i) xv[i] = 0.4f * static_cast<float>(i) - 2.5f;
    auto out = run_float(*ctx, *engine, {{"x", {Dims{3, 4}, xv}}});
    ASSERT_EQ(out["y"].size(), 12u);
    for (size_t i = 0; i < 12; ++i)
      EXPECT_NEAR(out["y"][i], gelu_ref(xv[i] + bias[i % 4], approximate == 1), 1e-5) << i;
  }
  // Bad fields and shapes name the plugin.
  expect_error(
      [] {
        get_plugin_registry().create_plugin("BiasGelu", "1", "", "g",
                                            {PluginField("approximate", std::vector<int32_t>{5})},
                                            PluginPhase::kBUILD);
      },
      {"BiasGelu", "'approximate'"});
  Builder builder(quiet_logger());
  std::unique_ptr<NetworkDefinition> network = builder.create_network();
  Tensor* ins[] = {network->add_input("x", DataType::kFLOAT, Dims{2, 4}),
                   network->add_input("b", DataType::kFLOAT, Dims{3})};
  std::unique_ptr<PluginV3> plugin =
      get_plugin_registry().create_plugin("BiasGelu", "1", "", "g", {}, PluginPhase::kBUILD);
  expect_error([&] { network->add_plugin_v3(ins, 2, nullptr, 0, *plugin); },
               {"BiasGelu", "bias has 3 values"});
}

#ifdef KILN_TEST_PLUGIN_LIBRARY
TEST(PluginLibraryTest, LoadsCreatorsFromASharedLibrary) {
  if (!get_plugin_registry().get_creator("AddConst", "1", "test_lib")) {
    EXPECT_EQ(load_plugin_library(KILN_TEST_PLUGIN_LIBRARY), 1);
  }
  std::shared_ptr<PluginCreator> creator =
      get_plugin_registry().get_creator("AddConst", "1", "test_lib");
  ASSERT_NE(creator, nullptr);
  // Loading it again: its creator's key is taken.
  expect_error([] { load_plugin_library(KILN_TEST_PLUGIN_LIBRARY); },
               {"AddConst", "already registered"});
  expect_error([] { load_plugin_library("/nonexistent/libnothing.so"); },
               {"cannot load", "/nonexistent/libnothing.so"});

  Builder builder(quiet_logger());
  std::unique_ptr<NetworkDefinition> network = builder.create_network();
  Tensor* x = network->add_input("x", DataType::kFLOAT, Dims{4});
  std::unique_ptr<PluginV3> plugin = get_plugin_registry().create_plugin(
      "AddConst", "1", "test_lib", "add", {PluginField("value", std::vector<float>{0.5f})},
      PluginPhase::kBUILD);
  PluginV3Layer* layer = network->add_plugin_v3(&x, 1, nullptr, 0, *plugin);
  layer->get_output(0)->set_name("y");
  network->mark_output(*layer->get_output(0));
  std::unique_ptr<BuilderConfig> config = builder.create_builder_config();
  std::unique_ptr<Engine> engine = build_cpu_engine(builder, *network, *config);
  std::unique_ptr<ExecutionContext> ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, {{"x", {Dims{4}, {1, 2, 3, 4}}}});
  EXPECT_EQ(out["y"], (std::vector<float>{1.5f, 2.5f, 3.5f, 4.5f}));
}
#endif

TEST(PluginLibraryTest, ALibraryWithoutTheEntryPointIsRefused) {
  expect_error([] { load_plugin_library("libm.so.6"); }, {"kiln_get_plugin_creators"});
}

TEST_F(PluginTest, OnnxOpWithoutImporterBecomesARegisteredPlugin) {
  ASSERT_TRUE(init_kiln_plugins(&quiet_logger()));
  pb::GraphSpec g;
  g.inputs.push_back(pb::value_info("x", 1, {2, 3}));
  // ScaleSum from a custom domain with a "plugin_version" attribute; BiasGelu from the default.
  pb::Msg scale_sum =
      pb::node("ScaleSum", {"x"}, {"y", "s"}, "ss", {pb::attr_float("scale", 3.0f)});
  scale_sum.str(7, "");
  g.nodes.push_back(scale_sum);
  g.nodes.push_back(pb::node("BiasGelu", {"y"}, {"z"}, "gelu", {pb::attr_int("approximate", 1)}));
  g.outputs.push_back(pb::value_info("z", 1, {2, 3}));
  g.outputs.push_back(pb::value_info("s", 1, {2}));
  std::vector<float> x = {1, -2, 3, 0.5f, 0, -1};
  auto out = run_onnx(pb::model(g), {{"x", {Dims{2, 3}, x}}});
  ASSERT_EQ(out["z"].size(), 6u);
  for (size_t i = 0; i < 6; ++i) EXPECT_NEAR(out["z"][i], gelu_ref(3 * x[i], true), 1e-5);
  EXPECT_EQ(out["s"], (std::vector<float>{2, -0.5f}));

  // An op with neither an importer nor a creator stays unsupported, naming the op.
  pb::GraphSpec h;
  h.inputs.push_back(pb::value_info("x", 1, {2}));
  h.nodes.push_back(pb::node("NoSuchOp", {"x"}, {"y"}, "n"));
  h.outputs.push_back(pb::value_info("y", 1, {2}));
  std::string bytes = pb::model(h);
  Builder builder(quiet_logger());
  std::unique_ptr<NetworkDefinition> network = builder.create_network();
  OnnxParser parser(*network, quiet_logger());
  EXPECT_TRUE(parser.supports_operator("ScaleSum"));
  EXPECT_FALSE(parser.supports_operator("NoSuchOp"));
  EXPECT_FALSE(parser.parse(bytes.data(), bytes.size()));
  ASSERT_GT(parser.num_errors(), 0);
  EXPECT_TRUE(contains(parser.get_error(0).desc(), "NoSuchOp")) << parser.get_error(0).desc();
}

TEST_F(PluginTest, OnnxPluginVersionAndDomainSelectTheCreator) {
  get_plugin_registry().deregister_creator("ScaleSum", "2", "my.domain");
  ASSERT_TRUE(
      get_plugin_registry().register_creator(std::make_shared<ScaleSumCreator>("2"), "my.domain"));
  pb::GraphSpec g;
  g.inputs.push_back(pb::value_info("x", 1, {1, 2}));
  pb::Msg n = pb::node("ScaleSum", {"x"}, {"y", "s"}, "ss",
                       {pb::attr_float("scale", -1.0f), pb::attr_int("plugin_version", 2)});
  n.str(7, "my.domain");
  g.nodes.push_back(n);
  g.outputs.push_back(pb::value_info("y", 1, {1, 2}));
  auto out = run_onnx(pb::model(g), {{"x", {Dims{1, 2}, {4, 5}}}});
  EXPECT_EQ(out["y"], (std::vector<float>{-4, -5}));
  get_plugin_registry().deregister_creator("ScaleSum", "2", "my.domain");
}

}  // namespace
}  // namespace kiln::test
