// The Profiler, NVTX switch and EngineInspector on the GPU: every step reported once per run under
// the inspector's names (also with CUDA-graph mode and auxiliary streams, which profiling turns
// off), results unchanged, fused steps listing their parts. Skipped without a GPU.
#include <cuda_runtime_api.h>

#include "cuda/differential.h"
#include "e2e/mnist_net.h"
#include "json.h"

namespace kiln::test {
namespace {

class Recorder : public Profiler {
 public:
  void report_layer_time(const char* name, float ms) override {
    names.emplace_back(name);
    times.push_back(ms);
  }
  std::vector<std::string> names;
  std::vector<float> times;
};

std::unique_ptr<Engine> gpu_mnist(int32_t aux_streams) {
  static const MnistWeights weights;
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  define_mnist(*net, weights);
  auto config = builder.create_builder_config();
  config->set_builder_optimization_level(0);
  config->set_max_aux_streams(aux_streams);
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("image", Dims{1, 1, 28, 28}, Dims{2, 1, 28, 28}, Dims{4, 1, 28, 28});
  config->add_optimization_profile(*p);
  config->set_default_device_type(DeviceType::kGPU);
  std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
  Runtime runtime(quiet_logger());
  return runtime.deserialize_cuda_engine(plan.data(), plan.size());
}

TEST(GpuProfiler, EveryStepOncePerRunWithGraphModeAndNvtx) {
  KILN_REQUIRE_GPU();
  auto engine = gpu_mnist(2);
  cli::json::Value info = cli::json::parse(
      engine->create_engine_inspector()->get_engine_information(LayerInformationFormat::kJSON),
      "engine information");
  std::vector<std::string> steps;
  bool fused = false;
  for (const cli::json::Value& l : info["layers"].array) {
    steps.push_back(l["name"].string);
    EXPECT_EQ(l["tactic"].string.rfind("cuda.", 0), 0u) << l["tactic"].string;
    if (l["parts"].array.size() > 1) {
      fused = true;  // "conv1 + relu1": the parts in order, joined by " + "
      std::string joined;
      for (const cli::json::Value& part : l["parts"].array) {
        joined += (joined.empty() ? "" : " + ") + part.string;
      }
      EXPECT_EQ(joined, l["name"].string);
    }
  }
  EXPECT_TRUE(fused) << "the GPU build fuses convolution + relu and matmul + bias + relu";

  auto ctx = engine->create_execution_context();
  std::vector<float> image = uniform(2 * 784, 5, 0.0f, 1.0f);
  void *in = nullptr, *prob = nullptr, *cls = nullptr;
  ASSERT_EQ(cudaMalloc(&in, image.size() * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&prob, 20 * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&cls, 2 * 4), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(in, image.data(), image.size() * 4, cudaMemcpyHostToDevice), cudaSuccess);
  ctx->set_input_shape("image", Dims{2, 1, 28, 28});
  ctx->set_tensor_address("image", in);
  ctx->set_tensor_address("prob", prob);
  ctx->set_tensor_address("class", cls);
  ctx->set_cuda_graph_mode(true);
  ctx->set_nvtx(true);
  cudaStream_t stream;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  for (int i = 0; i < 3; ++i) ctx->execute_async_v3(stream);  // warm-up, capture, replay
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  std::vector<float> expected(20), got(20);
  ASSERT_EQ(cudaMemcpy(expected.data(), prob, 80, cudaMemcpyDeviceToHost), cudaSuccess);

  Recorder recorder;
  ctx->set_profiler(&recorder);
  ctx->execute_async_v3(stream);  // reports before it returns
  EXPECT_EQ(recorder.names, steps);
  for (float ms : recorder.times) EXPECT_GT(ms, 0.0f);
  ctx->execute_async_v3(stream);
  EXPECT_EQ(recorder.names.size(), 2 * steps.size());
  ASSERT_EQ(cudaMemcpy(got.data(), prob, 80, cudaMemcpyDeviceToHost), cudaSuccess);
  EXPECT_EQ(got, expected);
  ctx->set_profiler(nullptr);
  ctx->execute_async_v3(stream);
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  EXPECT_EQ(recorder.names.size(), 2 * steps.size());
  cudaStreamDestroy(stream);
  cudaFree(in);
  cudaFree(prob);
  cudaFree(cls);
}

}  // namespace
}  // namespace kiln::test
