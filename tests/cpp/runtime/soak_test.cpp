// A short CPU soak (docs/reliability.md): many threads, each with its own execution contexts of
// two engines, run for a while at changing batch sizes; every output must equal, bit for bit, a
// serial run of the same input, and the heap in use must not grow between rounds.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "e2e/e2e_util.h"

namespace kiln::test {
namespace {

// Sanitizers keep freed memory in quarantine, so heap figures mean nothing under them.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

constexpr int kThreads = 8;
constexpr int kInputs = 12;  // distinct inputs per engine, batch 1..4

struct Model {
  std::vector<uint8_t> plan;
  std::string input;
  Dims item;  // one batch item's dims
  std::vector<std::vector<float>> keep;  // weights live until the build is done
};

// conv 3->8 3x3 + relu + max pool 2 + flatten + matmul 128->10 + softmax: convolution, pooling,
// shuffle, matrix multiply and softmax kernels.
Model conv_model() {
  Model m{{}, "image", Dims{3, 8, 8}, {}};
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  m.keep = {uniform(8 * 3 * 9, 11, -0.3f, 0.3f), uniform(8, 12, -0.1f, 0.1f),
            uniform(128 * 10, 13, -0.2f, 0.2f)};
  Tensor* x = net->add_input("image", DataType::kFLOAT, Dims{-1, 3, 8, 8});
  auto* conv = net->add_convolution_nd(*x, 8, Dims{3, 3}, weights_of(m.keep[0]),
                                       weights_of(m.keep[1]));
  conv->set_padding_nd(Dims{1, 1});
  auto* relu = net->add_activation(*conv->get_output(0), ActivationType::kRELU);
  auto* pool = net->add_pooling_nd(*relu->get_output(0), PoolingType::kMAX, Dims{2, 2});
  auto* flat = net->add_shuffle(*pool->get_output(0));
  flat->set_reshape_dimensions(Dims{-1, 128});
  auto* w = net->add_constant(Dims{128, 10}, weights_of(m.keep[2]));
  auto* mm = net->add_matrix_multiply(*flat->get_output(0), MatrixOperation::kNONE,
                                      *w->get_output(0), MatrixOperation::kNONE);
  auto* sm = net->add_softmax(*mm->get_output(0));
  sm->set_axes(1u << 1);
  sm->get_output(0)->set_name("prob");
  net->mark_output(*sm->get_output(0));
  auto config = builder.create_builder_config();
  OptimizationProfile* profile = builder.create_optimization_profile();
  profile->set_shape("image", Dims{1, 3, 8, 8}, Dims{2, 3, 8, 8}, Dims{4, 3, 8, 8});
  config->add_optimization_profile(*profile);
  config->set_default_device_type(DeviceType::kCPU);
  m.plan = builder.build_serialized_network(*net, *config);
  return m;
}

// matmul 32->64 + bias + GELU + matmul 64->16, then x * sigmoid(x) and a sum over the last axis:
// matrix multiply, fused pointwise regions and reduction kernels.
Model mlp_model() {
  Model m{{}, "x", Dims{32}, {}};
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  m.keep = {uniform(32 * 64, 21, -0.2f, 0.2f), uniform(64, 22, -0.1f, 0.1f),
            uniform(64 * 16, 23, -0.2f, 0.2f)};
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{-1, 32});
  auto* w1 = net->add_constant(Dims{32, 64}, weights_of(m.keep[0]));
  auto* b1 = net->add_constant(Dims{1, 64}, weights_of(m.keep[1]));
  auto* w2 = net->add_constant(Dims{64, 16}, weights_of(m.keep[2]));
  auto* mm1 = net->add_matrix_multiply(*x, MatrixOperation::kNONE, *w1->get_output(0),
                                       MatrixOperation::kNONE);
  auto* add = net->add_elementwise(*mm1->get_output(0), *b1->get_output(0),
                                   ElementWiseOperation::kSUM);
  auto* gelu = net->add_activation(*add->get_output(0), ActivationType::kGELU_ERF);
  auto* mm2 = net->add_matrix_multiply(*gelu->get_output(0), MatrixOperation::kNONE,
                                       *w2->get_output(0), MatrixOperation::kNONE);
  auto* sig = net->add_activation(*mm2->get_output(0), ActivationType::kSIGMOID);
  auto* swish = net->add_elementwise(*mm2->get_output(0), *sig->get_output(0),
                                     ElementWiseOperation::kPROD);
  auto* sum = net->add_reduce(*swish->get_output(0), ReduceOperation::kSUM, 1u << 1, true);
  swish->get_output(0)->set_name("y");
  sum->get_output(0)->set_name("s");
  net->mark_output(*swish->get_output(0));
  net->mark_output(*sum->get_output(0));
  auto config = builder.create_builder_config();
  OptimizationProfile* profile = builder.create_optimization_profile();
  profile->set_shape("x", Dims{1, 32}, Dims{2, 32}, Dims{4, 32});
  config->add_optimization_profile(*profile);
  config->set_default_device_type(DeviceType::kCPU);
  m.plan = builder.build_serialized_network(*net, *config);
  return m;
}

using Outputs = std::map<std::string, std::vector<float>>;

struct Case {
  Dims shape;
  std::vector<float> data;
};

std::vector<Case> cases_for(const Model& m, uint32_t seed) {
  std::vector<Case> cases;
  for (int i = 0; i < kInputs; ++i) {
    Dims shape{1 + i % 4};
    int64_t n = shape.d[0];
    for (int32_t d = 0; d < m.item.nb_dims; ++d) {
      shape.d[shape.nb_dims++] = m.item.d[d];
      n *= m.item.d[d];
    }
    cases.push_back({shape, uniform(n, seed + static_cast<uint32_t>(i), -2.0f, 2.0f)});
  }
  return cases;
}

Outputs run_case(ExecutionContext& ctx, const Engine& engine, const Model& m, const Case& c) {
  return run_float(ctx, engine, {{m.input, {c.shape, c.data}}});
}

bool same_bits(const Outputs& a, const Outputs& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, values] : a) {
    auto it = b.find(name);
    if (it == b.end() || it->second.size() != values.size()) return false;
    if (std::memcmp(values.data(), it->second.data(), values.size() * sizeof(float)) != 0)
      return false;
  }
  return true;
}

size_t heap_in_use() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
  return mallinfo2().uordblks;
#else
  return 0;
#endif
}

TEST(Soak, ThreadsWithOwnContextsOfTwoEnginesMatchSerialRunsAndKeepTheHeapFlat) {
  const Model models[2] = {conv_model(), mlp_model()};
  Runtime runtime(quiet_logger());
  std::unique_ptr<Engine> engines[2];
  std::vector<Case> cases[2];
  std::vector<Outputs> serial[2];
  for (int e = 0; e < 2; ++e) {
    engines[e] = runtime.deserialize_cuda_engine(models[e].plan.data(), models[e].plan.size());
    ASSERT_NE(engines[e], nullptr);
    cases[e] = cases_for(models[e], 1000u * static_cast<uint32_t>(e + 1));
    auto ctx = engines[e]->create_execution_context();
    for (const Case& c : cases[e]) serial[e].push_back(run_case(*ctx, *engines[e], models[e], c));
  }

  std::atomic<int64_t> runs{0}, mismatches{0}, errors{0};
  // Each thread walks the inputs in its own order, so contexts change batch size between runs
  // and different threads run different shapes at the same time.
  auto round = [&](int iterations) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        try {
          std::unique_ptr<ExecutionContext> ctx[2] = {engines[0]->create_execution_context(),
                                                      engines[1]->create_execution_context()};
          for (int i = 0; i < iterations; ++i) {
            int e = (i + t) % 2;
            int k = (i * (2 * t + 1) + t) % kInputs;
            Outputs out = run_case(*ctx[e], *engines[e], models[e], cases[e][k]);
            if (!same_bits(out, serial[e][k])) ++mismatches;
            ++runs;
          }
        } catch (const std::exception& err) {
          ADD_FAILURE() << "thread " << t << ": " << err.what();
          ++errors;
        }
      });
    }
    for (std::thread& th : threads) th.join();
  };

  round(20);  // warm-up: first-use allocations (thread caches, lazily built tables)
  size_t before = heap_in_use();
  round(1000);
  size_t after = heap_in_use();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0) << "of " << runs.load() << " runs";
  EXPECT_EQ(runs.load(), int64_t{kThreads} * 1020);
  if (!kSanitized && before != 0) {
    // Every context was destroyed at both points; a leak of even a few bytes per run (8000 runs
    // in the second round) would show.
    EXPECT_LT(static_cast<double>(after), static_cast<double>(before) + 64 * 1024)
        << "heap in use grew from " << before << " to " << after << " bytes";
  }
}

}  // namespace
}  // namespace kiln::test
