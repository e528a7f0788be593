// The CPU backend's thread pool (backends/cpu/thread_pool.h) and the engine-level thread count:
// every index run once, concurrent callers, exceptions, nested splits, the thread-count rules, and
// engines whose outputs do not depend on how many threads ran them.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "backends/cpu/thread_pool.h"
#include "e2e/e2e_util.h"
#include "test_util.h"

namespace kiln {
namespace {

TEST(CpuThreadPool, RunsEveryIndexOnceFromConcurrentCallers) {
  cpu::ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3);
  std::vector<std::thread> callers;
  std::vector<std::vector<std::atomic<int>>> hits(4);
  for (auto& h : hits) h = std::vector<std::atomic<int>>(1000);
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&, c] {
      for (int round = 0; round < 20; ++round) {
        pool.run(1000 / 20, [&](int64_t i) { hits[c][round * 50 + i].fetch_add(1); });
      }
    });
  }
  for (std::thread& t : callers) t.join();
  for (auto& h : hits) {
    for (auto& v : h) EXPECT_EQ(v.load(), 1);
  }
}

TEST(CpuThreadPool, RethrowsTheFirstErrorAfterEveryTaskFinished) {
  cpu::ThreadPool pool(2);
  std::atomic<int> ran{0};
  expect_error(
      [&] {
        pool.run(64, [&](int64_t i) {
          ran.fetch_add(1);
          if (i == 7) throw Error("task 7 failed");
        });
      },
      {"task 7 failed"});
  EXPECT_EQ(ran.load(), 64);
  // The pool still works afterwards.
  std::atomic<int> again{0};
  pool.run(10, [&](int64_t) { again.fetch_add(1); });
  EXPECT_EQ(again.load(), 10);
}

TEST(CpuThreadPool, ParallelForSplitsOnlyWithAPoolAndNotWhenNested) {
  EXPECT_EQ(cpu::parallel_chunks(1000, 1), 1);  // no pool installed
  cpu::ThreadPool pool(4);
  cpu::ScopedPool scope(&pool);
  EXPECT_EQ(cpu::parallel_chunks(1000, 1), 4);
  EXPECT_EQ(cpu::parallel_chunks(1000, 400), 2);
  EXPECT_EQ(cpu::parallel_chunks(10, 100), 1);
  std::vector<int> covered(1000, 0);
  std::atomic<int> nested_chunks{0};
  cpu::parallel_for(1000, 1, [&](int64_t b, int64_t e) {
    nested_chunks.fetch_add(static_cast<int>(cpu::parallel_chunks(1000, 1)));
    for (int64_t i = b; i < e; ++i) covered[i] += 1;
  });
  for (int v : covered) EXPECT_EQ(v, 1);
  EXPECT_EQ(nested_chunks.load(), 4);  // each of the 4 chunks saw 1: nested splits run inline
}

TEST(CpuThreads, CountsAreCheckedAndClamped) {
  std::string warning;
  const int32_t cores = cpu::available_cores();
  EXPECT_GE(cores, 1);
  unsetenv("KILN_CPU_THREADS");
  EXPECT_EQ(cpu::resolve_threads(0, &warning), cores);
  EXPECT_TRUE(warning.empty());
  EXPECT_EQ(cpu::resolve_threads(1, &warning), 1);
  EXPECT_EQ(cpu::resolve_threads(cores + 5, &warning), cores);
  EXPECT_TRUE(contains(warning, "more than the")) << warning;
  expect_error([] { cpu::resolve_threads(-1, nullptr); }, {"cpu_threads must be >= 1"});
  setenv("KILN_CPU_THREADS", "1", 1);
  EXPECT_EQ(cpu::resolve_threads(0, nullptr), 1);
  setenv("KILN_CPU_THREADS", "two", 1);
  expect_error([] { cpu::resolve_threads(0, nullptr); }, {"KILN_CPU_THREADS", "'two'"});
  unsetenv("KILN_CPU_THREADS");

  Runtime runtime(test::quiet_logger());
  expect_error([&] { runtime.set_cpu_threads(-3); }, {"cpu_threads must be >= 1", "-3"});
  BuilderConfig config;
  expect_error([&] { config.set_cpu_threads(-1); }, {"cpu_threads"});
}

// A network with every kernel family the pool splits: convolution (groups), pooling, softmax,
// matrix multiply with a broadcast batch, pointwise chains, transposes.
void define_mixed(NetworkDefinition& net, std::vector<std::vector<float>>& keep) {
  auto w = [&](int64_t n, uint32_t seed) -> Weights {
    keep.push_back(test::uniform(n, seed, -0.5f, 0.5f));
    return test::weights_of(keep.back());
  };
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 8, 20, 20});
  auto* c1 = net.add_convolution_nd(*x, 16, Dims{3, 3}, w(16 * 8 * 9, 1), w(16, 2));
  c1->set_padding_nd(Dims{1, 1});
  auto* r1 = net.add_activation(*c1->get_output(0), ActivationType::kRELU);
  auto* c2 = net.add_convolution_nd(*r1->get_output(0), 16, Dims{3, 3}, w(16 * 4 * 9, 3), w(16, 4));
  c2->set_num_groups(4);
  c2->set_padding_nd(Dims{1, 1});
  auto* sum =
      net.add_elementwise(*c2->get_output(0), *c1->get_output(0), ElementWiseOperation::kSUM);
  auto* pool = net.add_pooling_nd(*sum->get_output(0), PoolingType::kAVERAGE, Dims{2, 2});
  auto* flat = net.add_shuffle(*pool->get_output(0));
  flat->set_reshape_dimensions(Dims{0, 16, 100});
  flat->set_second_transpose(Permutation{{0, 2, 1}});
  auto* wm = net.add_constant(Dims{1, 16, 24}, w(16 * 24, 5));
  auto* mm = net.add_matrix_multiply(*flat->get_output(0), MatrixOperation::kNONE,
                                     *wm->get_output(0), MatrixOperation::kNONE);
  auto* act = net.add_activation(*mm->get_output(0), ActivationType::kGELU_ERF);
  auto* sm = net.add_softmax(*act->get_output(0));
  sm->set_axes(1u << 2);
  sm->get_output(0)->set_name("y");
  net.mark_output(*sm->get_output(0));
}

std::vector<float> run_mixed(int32_t threads, uint32_t sources, std::vector<float>* x_out) {
  Builder builder(test::quiet_logger());
  auto net = builder.create_network();
  std::vector<std::vector<float>> keep;
  define_mixed(*net, keep);
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  config->set_tactic_sources(sources);
  config->set_cpu_threads(threads);
  OptimizationProfile* profile = builder.create_optimization_profile();
  profile->set_shape("x", Dims{1, 8, 20, 20}, Dims{3, 8, 20, 20}, Dims{3, 8, 20, 20});
  config->add_optimization_profile(*profile);
  std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
  Runtime runtime(test::quiet_logger());
  runtime.set_cpu_threads(threads);
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  auto ctx = engine->create_execution_context();
  std::vector<float> x = test::uniform(3 * 8 * 20 * 20, 9, -1.0f, 1.0f);
  if (x_out) *x_out = x;
  return test::run_float(*ctx, *engine, {{"x", {Dims{3, 8, 20, 20}, x}}})["y"];
}

TEST(CpuThreads, KilnKernelsGiveBitIdenticalOutputsAtAnyThreadCount) {
  const uint32_t kiln_only = 1u << static_cast<int>(TacticSource::kKILN);
  std::vector<float> one = run_mixed(1, kiln_only, nullptr);
  ASSERT_EQ(one.size(), 3u * 100 * 24);
  for (int32_t threads : {2, 3, 64}) {  // 64: clamped to the processors available
    std::vector<float> many = run_mixed(threads, kiln_only, nullptr);
    ASSERT_EQ(many.size(), one.size());
    EXPECT_EQ(0, std::memcmp(many.data(), one.data(), one.size() * sizeof(float)))
        << threads << " threads";
  }
}

TEST(CpuThreads, ContextsOnSeveralThreadsShareTheEnginePool) {
  Builder builder(test::quiet_logger());
  auto net = builder.create_network();
  std::vector<std::vector<float>> keep;
  define_mixed(*net, keep);
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  OptimizationProfile* profile = builder.create_optimization_profile();
  profile->set_shape("x", Dims{1, 8, 20, 20}, Dims{3, 8, 20, 20}, Dims{3, 8, 20, 20});
  config->add_optimization_profile(*profile);
  std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
  Runtime runtime(test::quiet_logger());
  runtime.set_cpu_threads(2);
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  std::vector<float> x = test::uniform(3 * 8 * 20 * 20, 9, -1.0f, 1.0f);
  auto serial_ctx = engine->create_execution_context();
  std::vector<float> serial =
      test::run_float(*serial_ctx, *engine, {{"x", {Dims{3, 8, 20, 20}, x}}})["y"];
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto ctx = engine->create_execution_context();
      for (int i = 0; i < 5; ++i) {
        std::vector<float> y =
            test::run_float(*ctx, *engine, {{"x", {Dims{3, 8, 20, 20}, x}}})["y"];
        if (y != serial) mismatches.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace kiln
