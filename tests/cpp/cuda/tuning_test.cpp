// The autotuner on the GPU: timed candidates, the timing cache (warm builds time nothing and give
// byte-identical plans), algorithm-selector strategies with each chosen candidate checked against
// the CPU, the workspace limit, tactic sources, TF32, and plans from another library version.
// Skipped without a GPU.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "builder/timing_cache.h"
#include "cuda/differential.h"
#include "e2e/e2e_util.h"
#include "e2e/mnist_net.h"
#include "plan/plan.h"
#include "test_util.h"

namespace kiln::test {
namespace {

constexpr uint32_t bit(TacticSource s) {
  return 1u << static_cast<uint32_t>(s);
}

// Keeps what the strategy picks and records every layer's candidates and final choice.
class StrategySelector : public AlgorithmSelector {
 public:
  enum Strategy { kAll, kSlowest, kSmallestWorkspace, kFixed };
  explicit StrategySelector(Strategy s = kAll) : strategy(s) {}

  std::vector<int32_t> select_algorithms(const AlgorithmContext& context,
                                         std::span<const Algorithm> c) override {
    candidates.emplace_back(c.begin(), c.end());
    layers.push_back(context.layer_name);
    std::vector<int32_t> keep;
    if (strategy == kSlowest) {
      keep.push_back(static_cast<int32_t>(
          std::max_element(c.begin(), c.end(),
                           [](auto& a, auto& b) { return a.time_ms < b.time_ms; }) -
          c.begin()));
    } else if (strategy == kSmallestWorkspace) {
      keep.push_back(static_cast<int32_t>(
          std::min_element(c.begin(), c.end(),
                           [](auto& a, auto& b) { return a.workspace_size < b.workspace_size; }) -
          c.begin()));
    } else if (strategy == kFixed) {
      for (size_t i = 0; i < c.size(); ++i) {
        if (c[i].implementation == fixed_implementation && c[i].tactic_id == fixed_id)
          keep.push_back(static_cast<int32_t>(i));
      }
      EXPECT_FALSE(keep.empty()) << fixed_implementation << " #" << fixed_id << " not offered for "
                                 << context.layer_name;
    }
    kept.push_back(keep);
    return keep;
  }
  void report_algorithms(std::span<const AlgorithmContext> contexts,
                         std::span<const Algorithm> choices) override {
    chosen.assign(choices.begin(), choices.end());
  }

  Strategy strategy;
  std::string fixed_implementation;
  int64_t fixed_id = 0;
  std::vector<std::string> layers;
  std::vector<std::vector<Algorithm>> candidates;
  std::vector<std::vector<int32_t>> kept;
  std::vector<Algorithm> chosen;
};

void define_matmul(NetworkDefinition& net, std::vector<Tensor*>& in) {
  MatrixMultiplyLayer* mm =
      net.add_matrix_multiply(*in[0], MatrixOperation::kNONE, *in[1], MatrixOperation::kNONE);
  mm->set_name("mm");
  net.mark_output(*mm->get_output(0));
}
const std::vector<DiffInput> kMatmulInputs = {
    {"a", DataType::kFLOAT, Dims{192, 256}, -1.0, 1.0, {}},
    {"b", DataType::kFLOAT, Dims{256, 160}, -1.0, 1.0, {}}};
const Tolerance kMatmulTol{1e-4, 1e-4};

TEST(CudaTuning, TimesEveryCandidateAndPicksTheFastest) {
  KILN_REQUIRE_GPU();
  StrategySelector selector;
  DiffOptions o;
  o.tol = kMatmulTol;
  o.optimization_level = 3;
  o.selector = &selector;
  expect_gpu_matches_cpu(define_matmul, kMatmulInputs, o);
  ASSERT_EQ(selector.candidates.size(), 1u);
  const std::vector<Algorithm>& c = selector.candidates[0];
  // cuBLASLt's top algorithms and kiln's two tile sizes, each timed.
  EXPECT_GE(c.size(), 3u);
  bool lt = false, own32 = false;
  for (const Algorithm& a : c) {
    EXPECT_GT(a.time_ms, 0.0f) << a.implementation << " #" << a.tactic_id;
    lt |= a.implementation == "cuda.cublaslt.matrix_multiply";
    own32 |= a.implementation == "cuda.kiln.matrix_multiply" && a.tactic_id == 32;
  }
  EXPECT_TRUE(lt);
  EXPECT_TRUE(own32);
  ASSERT_EQ(selector.chosen.size(), 1u);
  float fastest = std::min_element(c.begin(), c.end(), [](auto& a, auto& b) {
                    return a.time_ms < b.time_ms;
                  })->time_ms;
  EXPECT_EQ(selector.chosen[0].time_ms, fastest);
}

// Each strategy's choice runs and matches the CPU: the slowest, the smallest workspace, and every
// candidate forced in turn (the "one fixed tactic" strategy).
TEST(CudaTuning, SelectorStrategiesAndEveryCandidateRunCorrectly) {
  KILN_REQUIRE_GPU();
  DiffOptions o;
  o.tol = kMatmulTol;
  o.optimization_level = 3;
  StrategySelector all;
  o.selector = &all;
  expect_gpu_matches_cpu(define_matmul, kMatmulInputs, o);
  ASSERT_EQ(all.candidates.size(), 1u);
  std::vector<Algorithm> offered = all.candidates[0];

  StrategySelector slowest(StrategySelector::kSlowest);
  o.selector = &slowest;
  expect_gpu_matches_cpu(define_matmul, kMatmulInputs, o);
  ASSERT_EQ(slowest.chosen.size(), 1u);
  for (const Algorithm& a : slowest.candidates[0]) EXPECT_LE(a.time_ms, slowest.chosen[0].time_ms);

  StrategySelector smallest(StrategySelector::kSmallestWorkspace);
  o.selector = &smallest;
  expect_gpu_matches_cpu(define_matmul, kMatmulInputs, o);
  ASSERT_EQ(smallest.chosen.size(), 1u);
  EXPECT_EQ(smallest.chosen[0].workspace_size, 0);  // kiln's GEMM needs none

  for (const Algorithm& a : offered) {
    SCOPED_TRACE(a.implementation + " #" + std::to_string(a.tactic_id));
    StrategySelector fixed(StrategySelector::kFixed);
    fixed.fixed_implementation = a.implementation;
    fixed.fixed_id = a.tactic_id;
    o.selector = &fixed;
    expect_gpu_matches_cpu(define_matmul, kMatmulInputs, o);
    ASSERT_EQ(fixed.chosen.size(), 1u);
    EXPECT_EQ(fixed.chosen[0].implementation, a.implementation);
    EXPECT_EQ(fixed.chosen[0].tactic_id, a.tactic_id);
  }
}

// Every configuration of kiln's own convolution (shape choice, both implicit GEMMs, direct) and
// of cuDNN, forced one at a time, matches the CPU.
TEST(CudaTuning, EveryConvolutionCandidateRunsCorrectly) {
  KILN_REQUIRE_GPU();
  std::vector<float> kernel(16 * 8 * 3 * 3), bias(16);
  for (size_t i = 0; i < kernel.size(); ++i) kernel[i] = std::sin(0.37f * i) * 0.3f;
  for (size_t i = 0; i < bias.size(); ++i) bias[i] = 0.1f * i - 0.5f;
  auto define = [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
    ConvolutionLayer* conv = net.add_convolution_nd(
        *in[0], 16, Dims{3, 3}, Weights{DataType::kFLOAT, kernel.data(), (int64_t)kernel.size()},
        Weights{DataType::kFLOAT, bias.data(), (int64_t)bias.size()});
    conv->set_padding_nd(Dims{1, 1});
    conv->set_name("conv");
    net.mark_output(*conv->get_output(0));
  };
  const std::vector<DiffInput> inputs = {{"x", DataType::kFLOAT, Dims{2, 8, 12, 12}, -1, 1, {}}};
  DiffOptions o;
  o.tol = {1e-4, 1e-4};
  o.optimization_level = 3;
  StrategySelector all;
  o.selector = &all;
  expect_gpu_matches_cpu(define, inputs, o);
  ASSERT_EQ(all.candidates.size(), 1u);
  int own = 0;
  for (const Algorithm& a : all.candidates[0]) own += a.implementation == "cuda.kiln.convolution";
  EXPECT_EQ(own, 4);
  for (const Algorithm& a : all.candidates[0]) {
    SCOPED_TRACE(a.implementation + " #" + std::to_string(a.tactic_id));
    StrategySelector fixed(StrategySelector::kFixed);
    fixed.fixed_implementation = a.implementation;
    fixed.fixed_id = a.tactic_id;
    o.selector = &fixed;
    expect_gpu_matches_cpu(define, inputs, o);
  }
}

TEST(CudaTuning, WorkspaceLimitExcludesTacticsThatNeedMore) {
  KILN_REQUIRE_GPU();
  StrategySelector selector;
  DiffOptions o;
  o.tol = kMatmulTol;
  o.optimization_level = 3;
  o.selector = &selector;
  o.workspace_limit = 1 << 20;  // cuBLASLt asks for 32 MiB
  expect_gpu_matches_cpu(define_matmul, kMatmulInputs, o);
  ASSERT_EQ(selector.candidates.size(), 1u);
  for (const Algorithm& a : selector.candidates[0]) {
    EXPECT_EQ(a.implementation, "cuda.kiln.matrix_multiply");
    EXPECT_LE(a.workspace_size, 1 << 20);
  }
}

TEST(CudaTuning, VerboseLogListsEveryCandidateAndTheWinner) {
  KILN_REQUIRE_GPU();
  std::vector<std::string> lines;
  Logger logger(Logger::Severity::kVERBOSE);
  logger.set_sink([&](Logger::Severity, std::string_view m) { lines.emplace_back(m); });
  Builder builder(logger);
  auto net = builder.create_network();
  std::vector<Tensor*> in = {net->add_input("a", DataType::kFLOAT, Dims{192, 256}),
                             net->add_input("b", DataType::kFLOAT, Dims{256, 160})};
  define_matmul(*net, in);
  auto config = builder.create_builder_config();
  builder.build_serialized_network(*net, *config);
  std::string log;
  for (const std::string& l : lines) {
    if (contains(l, "tactics for matrix_multiply 'mm'")) log = l;
  }
  ASSERT_FALSE(log.empty());
  EXPECT_TRUE(contains(log, "cuda.cublaslt.matrix_multiply #0 [CUBLAS_LT]")) << log;
  EXPECT_TRUE(contains(log, "cuda.kiln.matrix_multiply #32 [KILN]")) << log;
  EXPECT_TRUE(contains(log, " us, workspace ")) << log;
  EXPECT_TRUE(contains(log, "\n  * ")) << log;  // the winner
}

std::vector<uint8_t> build_mnist(TimingCache* cache, uint32_t sources = 0xF, int32_t level = -1) {
  static const MnistWeights weights;
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  define_mnist(*net, weights);
  auto config = builder.create_builder_config();
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("image", Dims{1, 1, 28, 28}, Dims{8, 1, 28, 28}, Dims{32, 1, 28, 28});
  config->add_optimization_profile(*p);
  config->set_tactic_sources(sources);
  if (level >= 0) config->set_builder_optimization_level(level);
  if (cache) config->set_timing_cache(cache, false);
  return builder.build_serialized_network(*net, *config);
}

// The deterministic build mode (docs/tuning.md): at optimization level 0 nothing is timed, the
// heuristic's first candidate is taken, and two cold builds (no timing cache) give the same bytes.
TEST(CudaTuning, LevelZeroColdBuildsAreByteIdentical) {
  KILN_REQUIRE_GPU();
  const std::vector<uint8_t> first = build_mnist(nullptr, 0xF, 0);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(build_mnist(nullptr, 0xF, 0), first);
}

// What two plans' engines run, layer by layer, where they differ (for a failing comparison).
std::string plan_difference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a == b) return "";
  Runtime runtime(quiet_logger());
  auto ea = runtime.deserialize_cuda_engine(a.data(), a.size());
  auto eb = runtime.deserialize_cuda_engine(b.data(), b.size());
  if (!ea || !eb) return "a plan does not load";
  std::string ia = ea->create_engine_inspector()->get_engine_information(
      LayerInformationFormat::kONELINE);
  std::string ib = eb->create_engine_inspector()->get_engine_information(
      LayerInformationFormat::kONELINE);
  size_t first = 0;
  while (first < a.size() && first < b.size() && a[first] == b[first]) ++first;
  return str_cat("sizes ", a.size(), " and ", b.size(), ", first difference at byte ", first,
                 ia == ib ? "; same layers and tactics" : "\n--- first:\n" + ia + "--- second:\n" + ib);
}

// A warm cache answers every timing (no new entries, the selector sees the cached times), and the
// same network + config + cache gives the same plan bytes, also through a serialized cache.
TEST(CudaTuning, WarmTimingCacheSkipsTimingAndGivesIdenticalPlans) {
  KILN_REQUIRE_GPU();
  BuilderConfig factory;
  auto cache = factory.create_timing_cache(nullptr, 0);
  std::vector<uint8_t> cold = build_mnist(cache.get());
  int64_t entries = cache->num_entries();
  EXPECT_GT(entries, 0);
  EXPECT_TRUE(contains(cache->device_description(), "sm_"));
  std::vector<uint8_t> warm = build_mnist(cache.get());
  EXPECT_EQ(cache->num_entries(), entries);
  EXPECT_TRUE(warm == cold) << plan_difference(cold, warm);
  std::vector<uint8_t> bytes = cache->serialize();
  auto loaded = factory.create_timing_cache(bytes.data(), bytes.size());
  std::vector<uint8_t> reloaded = build_mnist(loaded.get());
  EXPECT_TRUE(reloaded == cold) << plan_difference(cold, reloaded);
  EXPECT_EQ(loaded->num_entries(), entries);
}

TEST(CudaTuning, CacheFromAnotherDeviceIsRefusedOrIgnored) {
  KILN_REQUIRE_GPU();
  BuilderConfig config;
  auto foreign = config.create_timing_cache(nullptr, 0);
  foreign->impl().device = "Imaginary GPU sm_99 1 SMs";
  foreign->impl().entries["x"] = {1.0f, 0};
  expect_error([&] { config.set_timing_cache(foreign.get(), false); },
               {"Imaginary GPU", "this build would run on", "ignore_mismatch"});
  config.set_timing_cache(foreign.get(), true);
  EXPECT_EQ(config.get_timing_cache(), foreign.get());
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  std::vector<Tensor*> in = {net->add_input("a", DataType::kFLOAT, Dims{192, 256}),
                             net->add_input("b", DataType::kFLOAT, Dims{256, 160})};
  define_matmul(*net, in);
  EXPECT_FALSE(builder.build_serialized_network(*net, config).empty());
  EXPECT_EQ(foreign->num_entries(), 1);  // neither read nor filled
}

// Switching off every library source still builds and runs the MNIST-style CNN.
TEST(CudaTuning, OwnKernelsAloneBuildEveryLayer) {
  KILN_REQUIRE_GPU();
  std::vector<uint8_t> plan = build_mnist(nullptr, bit(TacticSource::kKILN));
  Runtime runtime(quiet_logger());
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  runtime::EngineData data = plan::read(plan.data(), plan.size());
  for (const runtime::StepData& s : data.steps)
    EXPECT_TRUE(s.tactic.starts_with("cuda.kiln.")) << s.tactic;
}

// TF32 (on by default) runs float32 products on tensor cores: within TF32's error, not float32's.
TEST(CudaTuning, Tf32ProductsStayWithinTf32Tolerance) {
  KILN_REQUIRE_GPU();
  DiffOptions o;
  o.tf32 = true;
  // Products of operands rounded to 10 mantissa bits (relative error up to 2^-10 each), summed in
  // float32 over k = 256 terms of |a b| <= 1: typical errors a few 1e-3 (docs/cuda-backend.md).
  o.tol = {2e-2, 5e-3};
  expect_gpu_matches_cpu(define_matmul, kMatmulInputs, o);
}

// A plan whose cuBLASLt algorithm was chosen by another cuBLASLt version re-selects at load
// instead of running the foreign blob, and still computes the right product.
TEST(CudaTuning, PlanFromAnotherLibraryVersionReselects) {
  KILN_REQUIRE_GPU();
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  std::vector<Tensor*> in = {net->add_input("a", DataType::kFLOAT, Dims{192, 256}),
                             net->add_input("b", DataType::kFLOAT, Dims{256, 160})};
  define_matmul(*net, in);
  auto config = builder.create_builder_config();
  config->clear_flag(BuilderFlag::kTF32);
  config->set_builder_optimization_level(0);
  std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
  runtime::EngineData data = plan::read(plan.data(), plan.size());
  ASSERT_EQ(data.steps.size(), 1u);
  ASSERT_EQ(data.steps[0].tactic, "cuda.cublaslt.matrix_multiply");
  ASSERT_GE(data.steps[0].params.size(), 12u);
  uint64_t other_version = 1;  // bytes 4..11: the cuBLASLt version that chose the algorithm
  std::memcpy(data.steps[0].params.data() + 4, &other_version, 8);
  std::vector<uint8_t> edited = plan::write(data);
  Runtime runtime(quiet_logger());
  auto engine = runtime.deserialize_cuda_engine(edited.data(), edited.size());
  auto ctx = engine->create_execution_context();
  std::vector<float> a(192 * 256), b(256 * 160), want(192 * 160, 0.0f), got(192 * 160);
  for (size_t i = 0; i < a.size(); ++i) a[i] = std::sin(0.1f * i);
  for (size_t i = 0; i < b.size(); ++i) b[i] = std::cos(0.07f * i);
  for (int m = 0; m < 192; ++m)
    for (int k = 0; k < 256; ++k)
      for (int n = 0; n < 160; ++n) want[m * 160 + n] += a[m * 256 + k] * b[k * 160 + n];
  void *da, *db, *dy;
  ASSERT_EQ(cudaMalloc(&da, a.size() * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&db, b.size() * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&dy, got.size() * 4), cudaSuccess);
  cudaMemcpy(da, a.data(), a.size() * 4, cudaMemcpyHostToDevice);
  cudaMemcpy(db, b.data(), b.size() * 4, cudaMemcpyHostToDevice);
  ctx->set_tensor_address("a", da);
  ctx->set_tensor_address("b", db);
  ctx->set_tensor_address(engine->get_tensor_name(2), dy);
  ctx->execute_async_v3(nullptr);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  cudaMemcpy(got.data(), dy, got.size() * 4, cudaMemcpyDeviceToHost);
  cudaFree(da);
  cudaFree(db);
  cudaFree(dy);
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-3 + 1e-4 * std::fabs(want[i])) << i;
}

}  // namespace
}  // namespace kiln::test
