// kiln_build_bench: how long kiln takes to build engines, cold and with a warm timing cache.
//
// For the MNIST-style CNN (examples/mnist) and a ResNet-50-sized network (bench/resnet50.h), with a
// profile over batch 1..32 (opt 8), it builds: at optimization level 0 (heuristics, nothing
// timed), cold at the default level (an empty timing cache, every candidate timed), warm (the
// cache from the cold build: nothing timed) and checks that the warm plan equals the cold one byte
// for byte. One JSON line per build on stdout, then a table on stderr.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "mnist/mnist_network.h"
#include "resnet50.h"

namespace {

using namespace kiln;

struct Result {
  std::string network, mode;
  double seconds = 0;
  int64_t cache_entries = 0;
  size_t plan_bytes = 0;
};

template <typename Define>
std::vector<uint8_t> build(Logger& logger, Define&& define, const char* input, const Dims& one,
                           int32_t level, TimingCache* cache, double& seconds) {
  Builder builder(logger);
  auto net = builder.create_network();
  define(*net);
  auto config = builder.create_builder_config();
  OptimizationProfile* p = builder.create_optimization_profile();
  Dims opt = one, max = one;
  opt.d[0] = 8;
  max.d[0] = 32;
  p->set_shape(input, one, opt, max);
  config->add_optimization_profile(*p);
  config->set_builder_optimization_level(level);
  if (cache) config->set_timing_cache(cache, false);
  auto start = std::chrono::steady_clock::now();
  std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return plan;
}

}  // namespace

int main() {
  Logger logger(Logger::Severity::kWARNING);
  std::vector<Result> results;
  bool identical = true;
  auto run = [&](const std::string& name, auto define, const char* input, const Dims& one) {
    BuilderConfig factory;
    auto cache = factory.create_timing_cache(nullptr, 0);
    double s = 0;
    std::vector<uint8_t> plan = build(logger, define, input, one, 0, nullptr, s);
    results.push_back({name, "level 0 (no timing)", s, 0, plan.size()});
    std::vector<uint8_t> cold = build(logger, define, input, one, 3, cache.get(), s);
    results.push_back({name, "level 3 cold cache", s, cache->num_entries(), cold.size()});
    std::vector<uint8_t> warm = build(logger, define, input, one, 3, cache.get(), s);
    results.push_back({name, "level 3 warm cache", s, cache->num_entries(), warm.size()});
    if (warm != cold) {
      identical = false;
      std::fprintf(stderr, "build_bench: %s: the warm plan differs from the cold one\n",
                   name.c_str());
    }
  };
  try {
    static const kiln::examples::MnistWeights mnist_weights;
    run(
        "mnist_cnn",
        [&](NetworkDefinition& net) { kiln::examples::define_mnist(net, mnist_weights); }, "image",
        Dims{1, 1, 28, 28});
    // The network copies the weights it is given, so the generator may go out of scope.
    run(
        "resnet50", [](NetworkDefinition& net) { kiln::bench::ResNet50().define(net); }, "image",
        Dims{1, 3, 224, 224});
  } catch (const Error& e) {
    std::fprintf(stderr, "build_bench: %s\n", e.what());
    return 1;
  }
  for (const Result& r : results) {
    std::printf(
        "{\"bench\":\"build\",\"network\":\"%s\",\"mode\":\"%s\",\"seconds\":%.3f,"
        "\"cache_entries\":%lld,\"plan_bytes\":%zu}\n",
        r.network.c_str(), r.mode.c_str(), r.seconds, static_cast<long long>(r.cache_entries),
        r.plan_bytes);
  }
  std::fprintf(stderr,
               "\n| network | build | seconds | timing-cache entries |\n|---|---|---|---|\n");
  for (const Result& r : results) {
    std::fprintf(stderr, "| %s | %s | %.2f | %lld |\n", r.network.c_str(), r.mode.c_str(),
                 r.seconds, static_cast<long long>(r.cache_entries));
  }
  std::fprintf(stderr, "warm plans identical to cold: %s\n", identical ? "yes" : "NO");
  return identical ? 0 : 1;
}
