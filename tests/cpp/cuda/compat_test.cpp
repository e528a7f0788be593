// Plan compatibility on the GPU (docs/plan-format.md, "Compatibility"): the compute-capability
// check of level-0 plans, AMPERE_PLUS plans built and loaded as if from another GPU, and tactics
// re-chosen in version-compatible GPU plans. Skipped without a GPU. Run AMPERE_PLUS on a kiln
// configured with -DCMAKE_CUDA_ARCHITECTURES="80-virtual;90-real" (scripts/gpu-check.sh does),
// and under CUDA_FORCE_PTX_JIT=1 to run kiln's kernels from their compute_80 PTX: the engines
// then use kiln's own kernels only, since cuBLAS and cuDNN ship machine code without PTX for
// most of theirs (forced JIT makes them fail).
#include <cuda_runtime_api.h>

#include <cstdlib>
#include <cstring>

#include "backends/device.h"
#include "core/error.h"
#include "cuda/differential.h"
#include "e2e/mnist_net.h"
#include "plan/compatibility.h"
#include "plan/format.h"
#include "plan/plan.h"
#include "test_util.h"

namespace kiln::test {
namespace {

// CUDA_FORCE_PTX_JIT=1: the driver compiles every kernel from PTX, as on a GPU the library has no
// machine code for.
bool forced_ptx_jit() {
  const char* v = std::getenv("CUDA_FORCE_PTX_JIT");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

std::vector<uint8_t> gpu_mnist_plan(HardwareCompatibilityLevel level, uint32_t extra_flags = 0) {
  static const MnistWeights weights;
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  define_mnist(*net, weights);
  auto config = builder.create_builder_config();
  config->clear_flag(BuilderFlag::kTF32);
  config->set_builder_optimization_level(0);
  for (int f = 0; f < 32; ++f) {
    if ((extra_flags >> f) & 1u) config->set_flag(static_cast<BuilderFlag>(f));
  }
  config->set_hardware_compatibility_level(level);
  if (forced_ptx_jit())
    config->set_tactic_sources(1u << static_cast<uint32_t>(TacticSource::kKILN));
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("image", Dims{1, 1, 28, 28}, Dims{2, 1, 28, 28}, Dims{4, 1, 28, 28});
  config->add_optimization_profile(*p);
  return builder.build_serialized_network(*net, *config);
}

// Loads `plan` and runs a batch of 3 images; returns "prob".
std::vector<float> run_gpu(const std::vector<uint8_t>& plan, Logger& logger = quiet_logger()) {
  Runtime runtime(logger);
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  auto ctx = engine->create_execution_context();
  std::vector<float> image = uniform(3 * 784, 91, 0.0f, 1.0f), prob(30, -1.0f);
  std::vector<int32_t> cls(3);
  void *d_image = nullptr, *d_prob = nullptr, *d_class = nullptr;
  EXPECT_EQ(cudaMalloc(&d_image, image.size() * 4), cudaSuccess);
  EXPECT_EQ(cudaMalloc(&d_prob, prob.size() * 4), cudaSuccess);
  EXPECT_EQ(cudaMalloc(&d_class, cls.size() * 4), cudaSuccess);
  cudaMemcpy(d_image, image.data(), image.size() * 4, cudaMemcpyHostToDevice);
  ctx->set_input_shape("image", Dims{3, 1, 28, 28});
  ctx->set_tensor_address("image", d_image);
  ctx->set_tensor_address("prob", d_prob);
  ctx->set_tensor_address("class", d_class);
  ctx->execute_async_v3(nullptr);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  cudaMemcpy(prob.data(), d_prob, prob.size() * 4, cudaMemcpyDeviceToHost);
  cudaFree(d_image);
  cudaFree(d_prob);
  cudaFree(d_class);
  return prob;
}

void set_compute_capability(std::vector<uint8_t>& plan, int32_t cc) {
  std::memcpy(plan.data() + plan::kOffComputeCap, &cc, 4);
  plan::refresh_checksum(plan);
}

void expect_near(const std::vector<float>& a, const std::vector<float>& b, float tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol) << "element " << i;
}

TEST(CudaCompat, KilnKernelsRunOnThisGpu) {
  KILN_REQUIRE_GPU();
  DeviceInfo device = query_cuda_device();
  EXPECT_EQ(cuda_kernels_refusal(device), "") << "architectures " << cuda_architectures();
  std::printf("kiln CUDA architectures: %s; device %s (sm_%d)\n", cuda_architectures().c_str(),
              device.name.c_str(), device.compute_capability);
}

TEST(CudaCompat, SameComputeCapabilityPlanFromAnotherGpuIsRefused) {
  KILN_REQUIRE_GPU();
  DeviceInfo device = query_cuda_device();
  std::vector<uint8_t> plan = gpu_mnist_plan(HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY);
  EXPECT_EQ(plan::read_header(plan.data(), plan.size()).hardware_compatibility, 0u);
  int32_t other = device.compute_capability == 80 ? 86 : 80;
  set_compute_capability(plan, other);
  expect_error([&] { run_gpu(plan); },
               {str_cat("built for compute capability ", other / 10, ".", other % 10), device.name,
                "AMPERE_PLUS"});
}

TEST(CudaCompat, AmperePlusPlanLoadsAsIfBuiltOnAnotherGpu) {
  KILN_REQUIRE_GPU();
  DeviceInfo device = query_cuda_device();
  int32_t ptx = plan::oldest_ptx(cuda_architectures());
  if (device.compute_capability < 80 || ptx == 0 || ptx > 80) {
    // This kiln cannot promise AMPERE_PLUS: the build says why.
    expect_error([&] { gpu_mnist_plan(HardwareCompatibilityLevel::kAMPERE_PLUS); },
                 {"AMPERE_PLUS"});
    GTEST_SKIP() << "kiln built for CUDA architectures \"" << cuda_architectures()
                 << "\" (no PTX for compute_80): the AMPERE_PLUS build is refused, as checked; "
                    "configure with -DCMAKE_CUDA_ARCHITECTURES=\"80-virtual;90-real\" to run it";
  }
  if (forced_ptx_jit()) std::printf("CUDA_FORCE_PTX_JIT=1: kiln's kernels from compute_80 PTX\n");
  std::vector<float> reference =
      run_gpu(gpu_mnist_plan(HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY));
  std::vector<uint8_t> plan = gpu_mnist_plan(HardwareCompatibilityLevel::kAMPERE_PLUS);
  EXPECT_EQ(plan::read_header(plan.data(), plan.size()).hardware_compatibility, 1u);
  expect_near(run_gpu(plan), reference, 1e-5f);
  // As if built on an A100 (or on a newer GPU than this one): the library tactics' stored
  // configurations are checked again here and the plan runs.
  for (int32_t cc : {80, 120}) {
    set_compute_capability(plan, cc);
    expect_near(run_gpu(plan), reference, 1e-5f);
  }
}

TEST(CudaCompat, VersionCompatiblePlanGetsAnotherTacticForOneThisKilnLacks) {
  KILN_REQUIRE_GPU();
  constexpr uint32_t kVc = 1u << static_cast<uint32_t>(BuilderFlag::kVERSION_COMPATIBLE);
  for (uint32_t flags : {0u, kVc}) {
    std::vector<uint8_t> bytes =
        gpu_mnist_plan(HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY, flags);
    std::vector<float> reference = run_gpu(bytes);
    runtime::EngineData data = plan::read(bytes.data(), bytes.size());
    int renamed = 0;
    for (runtime::StepData& step : data.steps) {
      LayerType kind = data.graph.nodes[step.node].kind();
      if (kind == LayerType::kCONVOLUTION || kind == LayerType::kMATRIX_MULTIPLY) {
        step.tactic = "cuda.retired_in_a_later_kiln";
        step.params = {9, 9, 9};
        ++renamed;
      }
    }
    ASSERT_GT(renamed, 0);
    std::vector<uint8_t> plan = plan::write(data);
    if (flags == 0) {
      expect_error([&] { run_gpu(plan); },
                   {"cuda.retired_in_a_later_kiln", "does not have", "kVERSION_COMPATIBLE"});
      continue;
    }
    struct Capture : Logger {
      Capture() : Logger(Severity::kWARNING) {}
      void log(Severity, std::string_view message) override {
        lines += message;
        ++count;
      }
      std::string lines;
      int count = 0;
    } logger;
    expect_near(run_gpu(plan, logger), reference, 1e-4f);
    EXPECT_EQ(logger.count, renamed) << logger.lines;
    EXPECT_TRUE(contains(logger.lines, "cuda.retired_in_a_later_kiln")) << logger.lines;
  }
}

}  // namespace
}  // namespace kiln::test
