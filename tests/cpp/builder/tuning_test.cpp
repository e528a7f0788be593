// The builder's tuning hooks that need no GPU: timing-cache bytes (round trip, corrupt and foreign
// blobs, combine), the algorithm selector on CPU builds, and the progress monitor.
#include <random>

#include "builder/timing_cache.h"
#include "core/error.h"
#include "kiln/kiln.h"
#include "test_util.h"

namespace kiln {
namespace {

Logger& quiet() {
  static Logger logger(Logger::Severity::kERROR);
  return logger;
}

std::unique_ptr<TimingCache> cache_with(
    const BuilderConfig& config, const std::string& device,
    std::initializer_list<std::pair<const char*, float>> items) {
  auto cache = config.create_timing_cache(nullptr, 0);
  cache->impl().device = device;
  for (const auto& [key, ms] : items) cache->impl().entries[key] = {ms, 128};
  return cache;
}

TEST(TimingCache, EmptyBlobMakesAnEmptyCache) {
  BuilderConfig config;
  auto cache = config.create_timing_cache(nullptr, 0);
  EXPECT_EQ(cache->num_entries(), 0);
  EXPECT_EQ(cache->device_description(), "");
  auto again = config.create_timing_cache(cache->serialize().data(), cache->serialize().size());
  EXPECT_EQ(again->num_entries(), 0);
}

TEST(TimingCache, SerializeRoundTripKeepsEveryEntryAndIsDeterministic) {
  BuilderConfig config;
  auto cache = cache_with(config, "GPU A", {{"k1", 0.5f}, {"k2", 1.25f}, {"k0", 3.0f}});
  std::vector<uint8_t> bytes = cache->serialize();
  auto back = config.create_timing_cache(bytes.data(), bytes.size());
  EXPECT_EQ(back->num_entries(), 3);
  EXPECT_EQ(back->device_description(), "GPU A");
  EXPECT_EQ(back->impl().entries.at("k2").time_ms, 1.25f);
  EXPECT_EQ(back->impl().entries.at("k2").workspace, 128);
  EXPECT_EQ(back->serialize(), bytes);
}

TEST(TimingCache, CorruptTruncatedAndForeignBlobsAreRefused) {
  BuilderConfig config;
  auto cache = cache_with(config, "GPU A", {{"k1", 0.5f}});
  std::vector<uint8_t> bytes = cache->serialize();
  expect_error([&] { config.create_timing_cache(bytes.data(), bytes.size() - 1); },
               {"timing cache", "checksum"});
  std::vector<uint8_t> flipped = bytes;
  flipped[20] ^= 0x40;
  expect_error([&] { config.create_timing_cache(flipped.data(), flipped.size()); },
               {"timing cache", "corrupt"});
  const char plan[] = "KILNPLAN and then some bytes of another file";
  expect_error([&] { config.create_timing_cache(plan, sizeof(plan)); },
               {"not a kiln timing cache"});
  expect_error([&] { config.create_timing_cache(nullptr, 10); }, {"null"});
  // Every truncation and many random mutations: an error, never a crash (ASan runs this).
  for (size_t n = 1; n < bytes.size(); ++n) {
    EXPECT_NE(error_of([&] { config.create_timing_cache(bytes.data(), n); }), "(no error)");
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> m = bytes;
    m[rng() % m.size()] = static_cast<uint8_t>(rng());
    error_of([&] { config.create_timing_cache(m.data(), m.size()); });
  }
}

TEST(TimingCache, CombineAddsMissingEntriesAndRefusesAnotherDevice) {
  BuilderConfig config;
  auto a = cache_with(config, "GPU A", {{"k1", 1.0f}, {"k2", 2.0f}});
  auto b = cache_with(config, "GPU A", {{"k2", 9.0f}, {"k3", 3.0f}});
  EXPECT_EQ(a->combine(*b, false), 1);
  EXPECT_EQ(a->num_entries(), 3);
  EXPECT_EQ(a->impl().entries.at("k2").time_ms, 2.0f);  // existing entries win
  auto other = cache_with(config, "GPU B", {{"k9", 1.0f}});
  expect_error([&] { a->combine(*other, false); }, {"GPU B", "GPU A", "ignore_mismatch"});
  EXPECT_EQ(a->combine(*other, true), 0);
  EXPECT_EQ(a->num_entries(), 3);
  auto empty = config.create_timing_cache(nullptr, 0);
  EXPECT_EQ(empty->combine(*a, false), 3);
  EXPECT_EQ(empty->device_description(), "GPU A");
  a->reset();
  EXPECT_EQ(a->num_entries(), 0);
}

TEST(TimingCache, ConfigHoldsTheCache) {
  BuilderConfig config;
  config.set_default_device_type(DeviceType::kCPU);
  auto cache = cache_with(config, "some other GPU", {{"k", 1.0f}});
  config.set_timing_cache(cache.get(), false);  // CPU builds never compare devices
  EXPECT_EQ(config.get_timing_cache(), cache.get());
  config.set_timing_cache(nullptr, false);
  EXPECT_EQ(config.get_timing_cache(), nullptr);
}

// A two-layer network on the CPU backend.
std::unique_ptr<NetworkDefinition> small_network(Builder& builder) {
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{2, 3});
  ActivationLayer* relu = net->add_activation(*x, ActivationType::kRELU);
  relu->set_name("relu");
  // A softmax, not a pointwise layer: relu and it stay two steps (pointwise layers would fuse).
  SoftMaxLayer* softmax = net->add_softmax(*relu->get_output(0));
  softmax->set_name("softmax");
  net->mark_output(*softmax->get_output(0));
  return net;
}

class RecordingSelector : public AlgorithmSelector {
 public:
  std::vector<int32_t> select_algorithms(const AlgorithmContext& context,
                                         std::span<const Algorithm> candidates) override {
    seen.push_back(context);
    counts.push_back(candidates.size());
    return keep;
  }
  void report_algorithms(std::span<const AlgorithmContext> contexts,
                         std::span<const Algorithm> choices) override {
    reported_contexts.assign(contexts.begin(), contexts.end());
    reported.assign(choices.begin(), choices.end());
  }
  std::vector<int32_t> keep;
  std::vector<AlgorithmContext> seen;
  std::vector<size_t> counts;
  std::vector<AlgorithmContext> reported_contexts;
  std::vector<Algorithm> reported;
};

TEST(AlgorithmSelector, SeesEveryLayerOfACpuBuildAndGetsTheChoices) {
  Builder builder(quiet());
  auto net = small_network(builder);
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  RecordingSelector selector;
  config->set_algorithm_selector(&selector);
  builder.build_serialized_network(*net, *config);
  ASSERT_EQ(selector.seen.size(), 2u);
  EXPECT_EQ(selector.seen[0].layer_name, "relu");
  EXPECT_EQ(selector.seen[0].layer_type, LayerType::kACTIVATION);
  ASSERT_EQ(selector.seen[0].inputs.size(), 1u);
  EXPECT_EQ(selector.seen[0].inputs[0].name, "x");
  EXPECT_EQ(selector.seen[0].inputs[0].dims, (Dims{2, 3}));
  EXPECT_EQ(selector.seen[1].layer_name, "softmax");
  EXPECT_EQ(selector.counts, (std::vector<size_t>{1, 1}));
  ASSERT_EQ(selector.reported.size(), 2u);
  EXPECT_EQ(selector.reported[1].implementation, "cpu.reference");
  EXPECT_EQ(selector.reported[1].time_ms, -1.0f);
  EXPECT_EQ(selector.reported_contexts[1].layer_name, "softmax");
}

TEST(AlgorithmSelector, AnIndexOutOfRangeFailsTheBuildNamingTheLayer) {
  Builder builder(quiet());
  auto net = small_network(builder);
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  RecordingSelector selector;
  selector.keep = {3};
  config->set_algorithm_selector(&selector);
  expect_error([&] { builder.build_serialized_network(*net, *config); },
               {"'relu'", "kept candidate 3", "there are 1"});
}

class RecordingMonitor : public ProgressMonitor {
 public:
  void phase_start(const char* name, const char* parent, int32_t steps) override {
    events.push_back(str_cat("start ", name, " < ", parent ? parent : "-", " (", steps, ")"));
  }
  bool step_complete(const char* name, int32_t step) override {
    ++steps;
    if (cancel_in == name && step == cancel_at) return false;
    return true;
  }
  void phase_finish(const char* name) override { events.push_back(str_cat("finish ", name)); }
  std::vector<std::string> events;
  int steps = 0;
  std::string cancel_in;
  int cancel_at = -1;
};

TEST(ProgressMonitor, ReportsNestedPhasesInOrder) {
  Builder builder(quiet());
  auto net = small_network(builder);
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  RecordingMonitor monitor;
  config->set_progress_monitor(&monitor);
  builder.build_serialized_network(*net, *config);
  std::vector<std::string> want = {
      "start Building engine < - (4)",
      "start Checking network and profiles < Building engine (3)",
      "finish Checking network and profiles",
      "start Optimizing graph < Building engine (6)",
      "finish Optimizing graph",
      "start Selecting tactics < Building engine (2)",
      "finish Selecting tactics",
      "start Planning memory < Building engine (1)",
      "finish Planning memory",
      "finish Building engine",
  };
  EXPECT_EQ(monitor.events, want);
  EXPECT_EQ(monitor.steps, 4 + 3 + 6 + 2 + 1);
}

TEST(ProgressMonitor, ReturningFalseCancelsTheBuild) {
  Builder builder(quiet());
  auto net = small_network(builder);
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  RecordingMonitor monitor;
  monitor.cancel_in = "Selecting tactics";
  monitor.cancel_at = 0;
  config->set_progress_monitor(&monitor);
  expect_error([&] { builder.build_serialized_network(*net, *config); },
               {"cancelled", "Selecting tactics"});
  // Every started phase was finished, innermost first.
  ASSERT_GE(monitor.events.size(), 2u);
  EXPECT_EQ(monitor.events[monitor.events.size() - 2], "finish Selecting tactics");
  EXPECT_EQ(monitor.events.back(), "finish Building engine");
  // The builder and network still work.
  config->set_progress_monitor(nullptr);
  EXPECT_FALSE(builder.build_serialized_network(*net, *config).empty());
}

// The node part of timing-cache keys: GPU keys in users' cache files are built on it, so its text
// must stay as it was when it lived in backends/cuda/select.cpp.
TEST(TimingCache, NodeSignatureTextIsStable) {
  ir::Node node;
  node.name = "mm";
  node.attrs = MatrixMultiplyAttrs{};
  ir::TensorDesc a, absent, y;
  a.type = DataType::kFLOAT;
  a.dims = Dims{2, 4};
  absent.dims.nb_dims = -1;
  y.type = DataType::kHALF;
  y.dims = Dims{2, 8};
  std::vector<ir::TensorDesc> in{a, absent}, out{y};
  std::string s = node_signature(node, in, out);
  EXPECT_EQ(s.rfind("matrix_multiply|", 0), 0u) << s;
  EXPECT_TRUE(contains(s, "|float32[2,4];-;->float16[2,8];")) << s;
  EXPECT_EQ(s.back(), ';') << s;
  MatrixMultiplyAttrs transposed;
  transposed.op_a = MatrixOperation::kTRANSPOSE;
  ir::Node other = node;
  other.attrs = transposed;
  EXPECT_NE(node_signature(other, in, out), s);  // attributes are part of the key
}

// The deterministic build mode on the CPU backend: at optimization level 0 the first candidate
// (oneDNN where it runs the layer) is taken without timing, so cold builds give identical bytes.
TEST(Tuning, LevelZeroCpuBuildsAreByteIdentical) {
  auto build = [] {
    Builder builder(quiet());
    auto net = builder.create_network();
    Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{4, 3, 16, 16});
    static const std::vector<float> w(8 * 3 * 3 * 3, 0.25f), b(8, 0.5f), m(8 * 16 * 16 * 10, 0.01f);
    auto* conv =
        net->add_convolution_nd(*x, 8, Dims{3, 3}, Weights{DataType::kFLOAT, w.data(), 216},
                                Weights{DataType::kFLOAT, b.data(), 8});
    conv->set_padding_nd(Dims{1, 1});
    Tensor* r = net->add_activation(*conv->get_output(0), ActivationType::kRELU)->get_output(0);
    auto* flat = net->add_shuffle(*r);
    flat->set_reshape_dimensions(Dims{4, 8 * 16 * 16});
    Tensor* k = net->add_constant(Dims{8 * 16 * 16, 10},
                                  Weights{DataType::kFLOAT, m.data(), 8 * 16 * 16 * 10})
                    ->get_output(0);
    Tensor* y = net->add_matrix_multiply(*flat->get_output(0), MatrixOperation::kNONE, *k,
                                         MatrixOperation::kNONE)
                    ->get_output(0);
    y->set_name("y");
    net->mark_output(*y);
    auto config = builder.create_builder_config();
    config->set_default_device_type(DeviceType::kCPU);
    config->set_builder_optimization_level(0);
    return builder.build_serialized_network(*net, *config);
  };
  const std::vector<uint8_t> first = build();
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(build(), first);
}

}  // namespace
}  // namespace kiln
