// Plugins on the GPU: the built-in BiasGelu plugin through the cuda.plugin tactic against the CPU
// backend, and a CPU-only plugin refused by a GPU build with a message naming the layer.
#include "kiln/plugin.h"
#include "cuda/differential.h"
#include "plugin/test_plugins.h"
#include "test_util.h"

namespace kiln::test {
namespace {

void add_bias_gelu(NetworkDefinition& net, std::vector<Tensor*>& in, int32_t approximate) {
  ASSERT_TRUE(init_kiln_plugins());
  std::unique_ptr<PluginV3> plugin = get_plugin_registry().create_plugin(
      "BiasGelu", "1", "", "gelu", {PluginField("approximate", std::vector<int32_t>{approximate})},
      PluginPhase::kBUILD);
  PluginV3Layer* layer =
      net.add_plugin_v3(in.data(), static_cast<int32_t>(in.size()), nullptr, 0, *plugin);
  net.mark_output(*layer->get_output(0));
}

TEST(CudaPlugin, BiasGeluMatchesCpu) {
  KILN_REQUIRE_GPU();
  for (int32_t approximate : {0, 1}) {
    expect_gpu_matches_cpu([&](NetworkDefinition& net,
                               std::vector<Tensor*>& in) { add_bias_gelu(net, in, approximate); },
                           {{"x", DataType::kFLOAT, Dims{3, 5, 64}, -4, 4},
                            {"bias", DataType::kFLOAT, Dims{64}, -1, 1}},
                           {Tolerance{1e-5, 1e-5}});
    expect_gpu_matches_cpu([&](NetworkDefinition& net,
                               std::vector<Tensor*>& in) { add_bias_gelu(net, in, approximate); },
                           {{"x", DataType::kFLOAT, Dims{100003}, -6, 6}}, {Tolerance{1e-5, 1e-5}});
  }
}

TEST(CudaPlugin, CpuOnlyPluginIsRefusedByAGpuBuild) {
  KILN_REQUIRE_GPU();
  get_plugin_registry().deregister_creator("ScaleSum", "1");
  ASSERT_TRUE(get_plugin_registry().register_creator(std::make_shared<ScaleSumCreator>("1")));
  Logger logger(Logger::Severity::kINTERNAL_ERROR);
  Builder builder(logger);
  std::unique_ptr<NetworkDefinition> network = builder.create_network();
  Tensor* x = network->add_input("x", DataType::kFLOAT, Dims{2, 3});
  std::unique_ptr<PluginV3> plugin =
      get_plugin_registry().create_plugin("ScaleSum", "1", "", "ss", {}, PluginPhase::kBUILD);
  PluginV3Layer* layer = network->add_plugin_v3(&x, 1, nullptr, 0, *plugin);
  layer->set_name("cpu_only");
  network->mark_output(*layer->get_output(0));
  std::unique_ptr<BuilderConfig> config = builder.create_builder_config();
  expect_error([&] { builder.build_serialized_network(*network, *config); },
               {"cpu_only", "ScaleSum", "does not run on the GPU"});
  get_plugin_registry().deregister_creator("ScaleSum", "1");
}

}  // namespace
}  // namespace kiln::test
