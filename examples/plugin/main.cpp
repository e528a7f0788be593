// Loads the ScaledTanh plugin library, builds x [-1, 4] -> ScaledTanh for the CPU, saves and
// reloads the plan (the plugin is re-created through the registry), and runs it.
//   plugin_demo <path to libscaled_tanh_plugin.so>
#include <cmath>
#include <cstdio>

#include "kiln/kiln.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <plugin library>\n", argv[0]);
    return 2;
  }
  try {
    kiln::Logger logger(kiln::Logger::Severity::kWARNING);
    kiln::load_plugin_library(argv[1]);
    kiln::PluginFieldCollection fields = {kiln::PluginField("alpha", std::vector<float>{2.0f}),
                                          kiln::PluginField("beta", std::vector<float>{0.5f})};
    std::unique_ptr<kiln::PluginV3> plugin = kiln::get_plugin_registry().create_plugin(
        "ScaledTanh", "1", "", "scaled_tanh", fields, kiln::PluginPhase::kBUILD);

    kiln::Builder builder(logger);
    std::unique_ptr<kiln::NetworkDefinition> network = builder.create_network();
    kiln::Tensor* x = network->add_input("x", kiln::DataType::kFLOAT, kiln::Dims{-1, 4});
    kiln::PluginV3Layer* layer = network->add_plugin_v3(&x, 1, nullptr, 0, *plugin);
    layer->get_output(0)->set_name("y");
    network->mark_output(*layer->get_output(0));

    std::unique_ptr<kiln::BuilderConfig> config = builder.create_builder_config();
    config->set_default_device_type(kiln::DeviceType::kCPU);
    kiln::OptimizationProfile* profile = builder.create_optimization_profile();
    profile->set_shape("x", kiln::Dims{1, 4}, kiln::Dims{2, 4}, kiln::Dims{8, 4});
    config->add_optimization_profile(*profile);
    std::vector<uint8_t> plan = builder.build_serialized_network(*network, *config);

    kiln::Runtime runtime(logger);
    std::unique_ptr<kiln::Engine> engine =
        runtime.deserialize_cuda_engine(plan.data(), plan.size());
    std::unique_ptr<kiln::ExecutionContext> context = engine->create_execution_context();
    std::vector<float> in = {-2, -1, 0, 1, 2, 3, 4, 5}, out(8);
    context->set_input_shape("x", kiln::Dims{2, 4});
    context->set_tensor_address("x", in.data());
    context->set_tensor_address("y", out.data());
    context->execute_async_v3(nullptr);
    for (size_t i = 0; i < in.size(); ++i) {
      float expected = 2.0f * std::tanh(0.5f * in[i]);
      std::printf("x=%5.1f  y=%8.5f\n", in[i], out[i]);
      if (std::fabs(out[i] - expected) > 1e-6f) {
        std::fprintf(stderr, "mismatch at %zu: expected %f\n", i, expected);
        return 1;
      }
    }
    std::printf("ok\n");
    return 0;
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
