// The CUDA runtime: the foundation's scenarios on the GPU, CUDA-graph capture of
// execute_async_v3 (by the user and by the context's graph mode), many contexts on many threads,
// auxiliary streams and FP16 accuracy. Skipped without a GPU.
#include <cuda_runtime_api.h>

#include <thread>

#include "cuda/differential.h"
#include "e2e/mnist_net.h"

namespace kiln::test {
namespace {

#define TEST_CUDA(call) ASSERT_EQ((call), cudaSuccess) << #call

// A device copy of a host vector; freed on destruction.
template <typename T>
struct DeviceVec {
  T* ptr = nullptr;
  size_t n = 0;
  explicit DeviceVec(size_t count) : n(count) {
    EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&ptr), std::max<size_t>(n, 1) * sizeof(T)),
              cudaSuccess);
  }
  explicit DeviceVec(const std::vector<T>& v) : DeviceVec(v.size()) { upload(v); }
  ~DeviceVec() { cudaFree(ptr); }
  void upload(const std::vector<T>& v) {
    EXPECT_EQ(cudaMemcpy(ptr, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  }
  std::vector<T> download() const {
    std::vector<T> v(n);
    EXPECT_EQ(cudaMemcpy(v.data(), ptr, n * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
    return v;
  }
};

std::vector<uint8_t> mnist_plan(DeviceType device, bool fp16 = false) {
  static const MnistWeights weights;
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  define_mnist(*net, weights);
  auto config = builder.create_builder_config();
  // float32 exactly and the heuristic choice (library first): the tolerances and tactic
  // expectations below assume both; tuning_test.cpp covers TF32 and timed selection.
  config->clear_flag(BuilderFlag::kTF32);
  config->set_builder_optimization_level(0);
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("image", Dims{1, 1, 28, 28}, Dims{2, 1, 28, 28}, Dims{8, 1, 28, 28});
  config->add_optimization_profile(*p);
  config->set_default_device_type(device);
  if (fp16) config->set_flag(BuilderFlag::kFP16);
  return builder.build_serialized_network(*net, *config);
}

const MnistWeights& mnist_weights() {
  static const MnistWeights weights;
  return weights;
}

struct GpuMnist {
  std::unique_ptr<Engine> engine;
  explicit GpuMnist(bool fp16 = false) {
    std::vector<uint8_t> plan = mnist_plan(DeviceType::kGPU, fp16);
    Runtime runtime(quiet_logger());
    engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  }
};

// Runs one batch on a GPU context: copies in, enqueues on `stream`, copies out.
std::vector<float> run_gpu_mnist(ExecutionContext& ctx, const std::vector<float>& image, int n,
                                 cudaStream_t stream, std::vector<int32_t>* classes = nullptr) {
  DeviceVec<float> in(image), prob(static_cast<size_t>(n) * 10);
  DeviceVec<int32_t> cls(static_cast<size_t>(n));
  ctx.set_input_shape("image", Dims{n, 1, 28, 28});
  ctx.set_tensor_address("image", in.ptr);
  ctx.set_tensor_address("prob", prob.ptr);
  ctx.set_tensor_address("class", cls.ptr);
  ctx.execute_async_v3(stream);
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  if (classes) *classes = cls.download();
  return prob.download();
}

// (a) on the GPU: the MNIST-style CNN matches the double-precision reference.
TEST(GpuScenario, MnistMatchesReference) {
  KILN_REQUIRE_GPU();
  GpuMnist m;
  EXPECT_EQ(m.engine->device_type(), DeviceType::kGPU);
  EXPECT_GT(m.engine->device_memory_size(), 0);
  auto ctx = m.engine->create_execution_context();
  EXPECT_GT(ctx->device_memory_size(), 0);
  cudaStream_t stream;
  TEST_CUDA(cudaStreamCreate(&stream));
  for (int n : {1, 3, 8}) {
    std::vector<float> image = uniform(int64_t{n} * 784, 40 + n, 0.0f, 1.0f);
    std::vector<int32_t> cls;
    std::vector<float> prob = run_gpu_mnist(*ctx, image, n, stream, &cls);
    std::vector<double> ref = ref_mnist(image, n, mnist_weights());
    EXPECT_LT(max_rel_error(prob, ref), 1e-4) << "batch " << n;
    for (int i = 0; i < n; ++i) {
      int best = 0;
      for (int j = 1; j < 10; ++j) best = ref[i * 10 + j] > ref[i * 10 + best] ? j : best;
      EXPECT_EQ(cls[i], best);
    }
  }
  cudaStreamDestroy(stream);
}

// (a) with FP16: inputs and outputs stay float32; the probabilities stay within the accuracy
// documented in docs/perf/fp16-accuracy.md.
TEST(GpuScenario, MnistFp16Accuracy) {
  KILN_REQUIRE_GPU();
  GpuMnist m(/*fp16=*/true);
  EXPECT_EQ(m.engine->get_tensor_dtype("image"), DataType::kFLOAT);
  EXPECT_EQ(m.engine->get_tensor_dtype("prob"), DataType::kFLOAT);
  auto ctx = m.engine->create_execution_context();
  std::vector<float> image = uniform(4 * 784, 77, 0.0f, 1.0f);
  std::vector<float> prob = run_gpu_mnist(*ctx, image, 4, nullptr);
  double err = max_rel_error(prob, ref_mnist(image, 4, mnist_weights()));
  std::printf("MNIST fp16 max abs error of probabilities vs fp64 reference: %.3g\n", err);
  EXPECT_LT(err, 5e-3);
}

// (e) on the GPU: plan round trip, and N threads with their own context and stream give the
// results of serial runs, bit for bit.
TEST(GpuScenario, ManyContextsOnManyThreadsMatchSerialRuns) {
  KILN_REQUIRE_GPU();
  GpuMnist m;
  std::vector<uint8_t> again = m.engine->serialize();
  Runtime runtime(quiet_logger());
  EXPECT_EQ(runtime.deserialize_cuda_engine(again.data(), again.size())->serialize(), again);
  constexpr int kThreads = 4, kRuns = 5;
  std::vector<std::vector<float>> images;
  for (int i = 0; i < kThreads * kRuns; ++i)
    images.push_back(uniform(3 * 784, 300 + i, 0.0f, 1.0f));
  std::vector<std::vector<float>> serial;
  {
    auto ctx = m.engine->create_execution_context();
    for (const auto& image : images) serial.push_back(run_gpu_mnist(*ctx, image, 3, nullptr));
  }
  std::vector<std::vector<float>> parallel(images.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto ctx = m.engine->create_execution_context();
      cudaStream_t stream;
      cudaStreamCreate(&stream);
      for (int r = 0; r < kRuns; ++r) {
        int i = t * kRuns + r;
        parallel[i] = run_gpu_mnist(*ctx, images[i], 3, stream);
      }
      cudaStreamDestroy(stream);
    });
  }
  for (auto& th : threads) th.join();
  for (size_t i = 0; i < images.size(); ++i) EXPECT_EQ(parallel[i], serial[i]) << "run " << i;
}

// (b) and (c) on the GPU, through the differential harness's comparison with the CPU backend.
TEST(GpuScenario, SumOfDynamicInputsAndIdentity) {
  KILN_REQUIRE_GPU();
  expect_gpu_matches_cpu(
      [](NetworkDefinition& net, std::vector<Tensor*>& in) {
        net.mark_output(
            *net.add_elementwise(*in[0], *in[1], ElementWiseOperation::kSUM)->get_output(0));
        net.mark_output(*net.add_identity(*in[2])->get_output(0));
      },
      {{"a", DataType::kFLOAT, Dims{2, 3, 4, 5}},
       {"b", DataType::kFLOAT, Dims{2, 1, 4, 1}},
       {"c", DataType::kFLOAT, Dims{7, 1, 5}}},
      {Tolerance{0, 0}});
}

// (b) and (c) with FP16: the only error is rounding the float32 inputs (values in [-2, 2]) and the
// sum to float16, 2^-11 relative each: at most 4 * 2^-11 + 4 * 2^-11 ~ 3.9e-3 for the sum, 2 *
// 2^-11 ~ 9.8e-4 for the identity (docs/perf/fp16-accuracy.md).
TEST(GpuScenario, SumAndIdentityFp16Accuracy) {
  KILN_REQUIRE_GPU();
  DiffOptions o;
  o.fp16 = true;
  o.tol = Tolerance{4e-3, 0};
  expect_gpu_matches_cpu(
      [](NetworkDefinition& net, std::vector<Tensor*>& in) {
        net.mark_output(
            *net.add_elementwise(*in[0], *in[1], ElementWiseOperation::kSUM)->get_output(0));
      },
      {{"a", DataType::kFLOAT, Dims{2, 3, 4, 5}}, {"b", DataType::kFLOAT, Dims{2, 1, 4, 1}}}, o);
  o.tol = Tolerance{9.8e-4, 0};
  expect_gpu_matches_cpu(
      [](NetworkDefinition& net, std::vector<Tensor*>& in) {
        net.mark_output(*net.add_identity(*in[0])->get_output(0));
      },
      {{"c", DataType::kFLOAT, Dims{7, 1, 5}}}, o);
}

Tensor* matmul_chains(NetworkDefinition& net, std::vector<Tensor*>& x) {
  Tensor* chain0 = x[0];
  Tensor* chain1 = x[0];
  for (int i = 1; i <= 10; ++i) {
    chain0 = net.add_matrix_multiply(*chain0, MatrixOperation::kNONE, *x[i], MatrixOperation::kNONE)
                 ->get_output(0);
    chain1 =
        net.add_matrix_multiply(*chain1, MatrixOperation::kNONE, *x[11 - i], MatrixOperation::kNONE)
            ->get_output(0);
  }
  chain0->set_name("out0");
  chain1->set_name("out1");
  net.mark_output(*chain0);
  net.mark_output(*chain1);
  return chain0;
}

// (d) with one auxiliary stream: the engine uses it, and the results equal the one-stream engine's.
TEST(GpuScenario, MatmulChainsOnAuxiliaryStream) {
  KILN_REQUIRE_GPU();
  std::vector<std::unique_ptr<Engine>> engines;
  for (int aux : {0, 1}) {
    Builder builder(quiet_logger());
    auto net = builder.create_network();
    std::vector<Tensor*> x;
    for (int i = 0; i <= 10; ++i)
      x.push_back(net->add_input("x" + std::to_string(i), DataType::kFLOAT, Dims{-1, 4, 128, 128}));
    matmul_chains(*net, x);
    auto config = builder.create_builder_config();
    // float32 exactly and the heuristic choice (library first): the tolerances and tactic
    // expectations below assume both; tuning_test.cpp covers TF32 and timed selection.
    config->clear_flag(BuilderFlag::kTF32);
    config->set_builder_optimization_level(0);
    OptimizationProfile* p = builder.create_optimization_profile();
    for (int i = 0; i <= 10; ++i)
      p->set_shape("x" + std::to_string(i), Dims{1, 4, 128, 128}, Dims{4, 4, 128, 128},
                   Dims{8, 4, 128, 128});
    config->add_optimization_profile(*p);
    config->set_max_aux_streams(aux);
    std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
    Runtime runtime(quiet_logger());
    engines.push_back(runtime.deserialize_cuda_engine(plan.data(), plan.size()));
  }
  EXPECT_EQ(engines[0]->num_aux_streams(), 0);
  EXPECT_EQ(engines[1]->num_aux_streams(), 1);
  const Dims shape{2, 4, 128, 128};
  const size_t n = static_cast<size_t>(volume(shape));
  const float a = std::sqrt(3.0f / 128.0f);
  std::vector<std::unique_ptr<DeviceVec<float>>> inputs;
  for (int i = 0; i <= 10; ++i)
    inputs.push_back(
        std::make_unique<DeviceVec<float>>(uniform(static_cast<int64_t>(n), 70 + i, -a, a)));
  std::vector<std::vector<float>> results;
  for (auto& engine : engines) {
    auto ctx = engine->create_execution_context();
    DeviceVec<float> out0(n), out1(n);
    for (int i = 0; i <= 10; ++i) {
      ctx->set_input_shape("x" + std::to_string(i), shape);
      ctx->set_tensor_address("x" + std::to_string(i), inputs[i]->ptr);
    }
    ctx->set_tensor_address("out0", out0.ptr);
    ctx->set_tensor_address("out1", out1.ptr);
    ctx->execute_async_v3(nullptr);
    TEST_CUDA(cudaDeviceSynchronize());
    std::vector<float> r = out0.download(), r1 = out1.download();
    r.insert(r.end(), r1.begin(), r1.end());
    results.push_back(std::move(r));
  }
  EXPECT_EQ(results[0], results[1]);
}

// execute_async_v3 captured into a CUDA graph by the user: replay with new input data, then a new
// input shape: one eager run, re-capture, replay. Checked against the CPU engine each time.
TEST(GpuGraph, CaptureReplayAndRecapture) {
  KILN_REQUIRE_GPU();
  GpuMnist m;
  std::vector<uint8_t> cpu_plan = mnist_plan(DeviceType::kCPU);
  Runtime runtime(quiet_logger());
  auto cpu_engine = runtime.deserialize_cuda_engine(cpu_plan.data(), cpu_plan.size());
  auto cpu_ctx = cpu_engine->create_execution_context();
  auto ctx = m.engine->create_execution_context();
  cudaStream_t stream;
  TEST_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  for (int n : {2, 5}) {
    DeviceVec<float> in(static_cast<size_t>(n) * 784), prob(static_cast<size_t>(n) * 10);
    DeviceVec<int32_t> cls(static_cast<size_t>(n));
    ctx->set_input_shape("image", Dims{n, 1, 28, 28});
    ctx->set_tensor_address("image", in.ptr);
    ctx->set_tensor_address("prob", prob.ptr);
    ctx->set_tensor_address("class", cls.ptr);
    in.upload(uniform(n * 784, 1, 0, 1));
    ctx->execute_async_v3(stream);  // eager run first: nothing is initialised inside the capture
    TEST_CUDA(cudaStreamSynchronize(stream));
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    TEST_CUDA(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal));
    ctx->execute_async_v3(stream);
    TEST_CUDA(cudaStreamEndCapture(stream, &graph));
    TEST_CUDA(cudaGraphInstantiate(&exec, graph, 0));
    for (uint32_t seed : {11u, 12u}) {
      std::vector<float> image = uniform(n * 784, seed, 0, 1);
      in.upload(image);
      TEST_CUDA(cudaGraphLaunch(exec, stream));
      TEST_CUDA(cudaStreamSynchronize(stream));
      std::vector<float> expected(static_cast<size_t>(n) * 10);
      std::vector<int32_t> expected_cls(static_cast<size_t>(n));
      cpu_ctx->set_input_shape("image", Dims{n, 1, 28, 28});
      cpu_ctx->set_tensor_address("image", image.data());
      cpu_ctx->set_tensor_address("prob", expected.data());
      cpu_ctx->set_tensor_address("class", expected_cls.data());
      cpu_ctx->execute_async_v3(nullptr);
      std::vector<float> got = prob.download();
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_NEAR(got[i], expected[i], 1e-4) << "batch " << n << " seed " << seed;
      EXPECT_EQ(cls.download(), expected_cls);
    }
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
  }
  cudaStreamDestroy(stream);
}

// The context's own graph mode gives the eager results, across new data, new addresses and a new
// shape.
TEST(GpuGraph, ContextGraphModeMatchesEager) {
  KILN_REQUIRE_GPU();
  GpuMnist m;
  auto eager = m.engine->create_execution_context();
  auto graphed = m.engine->create_execution_context();
  graphed->set_cuda_graph_mode(true);
  int run = 0;
  for (int n : {2, 2, 2, 4, 4, 2}) {
    std::vector<float> image = uniform(n * 784, 900 + run++, 0, 1);
    EXPECT_EQ(run_gpu_mnist(*graphed, image, n, nullptr), run_gpu_mnist(*eager, image, n, nullptr))
        << "run " << run;
  }
}

}  // namespace
}  // namespace kiln::test
