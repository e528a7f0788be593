// Tactic selection for CPU engines: every layer has kiln's own kernel (cpu.reference); layers a
// library tactic supports (oneDNN's convolution and matrix multiply) get those as candidates too,
// timed at profile 0's opt shapes on the build's own thread pool (BuilderConfig::cpu_threads),
// and the fastest kept one wins (builder/selection.h). At optimization level 0 nothing is timed:
// the first candidate wins (library tactics come first). Measured times are kept for the process
// (keyed by the layer's kind, attributes, shapes, tactic and thread count), so building the same
// network again in one process picks the same tactics, as a warm timing cache does on the GPU.
#include "builder/cpu_selection.h"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <random>

#include "backends/cpu/tactics.h"
#include "backends/cpu/thread_pool.h"
#include "builder/timing_cache.h"
#include "core/error.h"

namespace kiln::builder {

namespace {

// Buffers for one node's inputs and outputs at `descs`: weights are the graph's bytes,
// activations random in [-1, 1] (fixed seed).
struct NodeBuffers {
  std::vector<std::vector<uint8_t>> storage;
  std::vector<cpu::TensorView> inputs, outputs;
};

NodeBuffers buffers_for(const ir::Graph& graph, const ir::Node& node,
                        std::span<const ir::TensorDesc> descs) {
  NodeBuffers b;
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  b.storage.reserve(node.inputs.size() + node.outputs.size());
  auto allocate = [&](int32_t t, bool random) {
    const ir::TensorDesc& d = descs[t];
    b.storage.emplace_back(static_cast<size_t>(volume(d.dims) * element_size(d.type)));
    if (random && d.type == DataType::kFLOAT) {
      auto* f = reinterpret_cast<float*>(b.storage.back().data());
      for (int64_t i = 0; i < volume(d.dims); ++i) f[i] = dist(rng);
    }
    return cpu::TensorView{b.storage.back().data(), d.type, d.dims};
  };
  for (int32_t t : node.inputs) {
    if (t < 0) {
      cpu::TensorView absent;
      absent.dims.nb_dims = -1;
      b.inputs.push_back(absent);
    } else if (graph.tensors[t].weights >= 0) {
      const ir::WeightsData& w = graph.weights[graph.tensors[t].weights];
      b.inputs.push_back({const_cast<uint8_t*>(w.bytes->data()), w.type, w.dims});
    } else {
      b.inputs.push_back(allocate(t, true));
    }
  }
  for (int32_t t : node.outputs) b.outputs.push_back(allocate(t, false));
  return b;
}

// The best of a few runs after a warm-up (which also creates a library's primitives), in ms.
template <typename Run>
float time_ms(Run&& run) {
  using clock = std::chrono::steady_clock;
  run();
  float best = -1.0f;
  auto start = clock::now();
  for (int i = 0; i < 5; ++i) {
    auto t0 = clock::now();
    run();
    float ms = std::chrono::duration<float, std::milli>(clock::now() - t0).count();
    if (best < 0.0f || ms < best) best = ms;
    // Slow layers get fewer runs: 3 at least, then stop past 200 ms in all.
    if (i >= 2 && std::chrono::duration<float, std::milli>(clock::now() - start).count() > 200) {
      break;
    }
  }
  return best;
}

// The process's CPU timings (builds may run on several threads at once).
std::mutex g_timings_mutex;
std::map<std::string, float> g_timings;

}  // namespace

std::vector<runtime::StepData> select_cpu_tactics(const ir::Graph& graph,
                                                  const BuilderConfig& config,
                                                  std::span<const std::vector<ir::TensorDesc>> opt,
                                                  Logger& logger, ProgressPhase& phase,
                                                  SelectionRecord& record) {
  const uint32_t sources = config.tactic_sources();
  const bool library = (sources >> static_cast<uint32_t>(TacticSource::kONEDNN)) & 1u;
  const bool own = (sources >> static_cast<uint32_t>(TacticSource::kKILN)) & 1u;
  const bool timed = config.builder_optimization_level() > 0;
  std::unique_ptr<cpu::ThreadPool> pool;  // made when the first layer is timed
  std::vector<runtime::StepData> steps;
  for (int32_t i = 0; i < static_cast<int32_t>(graph.nodes.size()); ++i) {
    const ir::Node& node = graph.nodes[i];
    std::vector<ir::TensorDesc> in, out;
    for (int32_t t : node.inputs) {
      ir::TensorDesc absent;
      absent.dims.nb_dims = -1;
      in.push_back(t >= 0 ? opt[0][t] : absent);
    }
    for (int32_t t : node.outputs) out.push_back(opt[0][t]);
    std::vector<Algorithm> candidates;
    std::vector<const cpu::Tactic*> tactics;
    if (library) {
      for (const cpu::Tactic& t : cpu::library_tactics()) {
        if (!t.supports(node, in, out)) continue;
        Algorithm a;
        a.implementation = std::string(t.name);
        a.source = t.source;
        candidates.push_back(a);
        tactics.push_back(&t);
      }
    }
    // kiln's kernel runs every layer: it stays a candidate unless KILN is off and another is.
    if (own || candidates.empty()) {
      Algorithm reference;
      reference.implementation = std::string(cpu::kReferenceTactic);
      reference.source = TacticSource::kKILN;
      candidates.push_back(reference);
      tactics.push_back(nullptr);
    }
    if (timed && candidates.size() > 1) {
      if (!pool) {
        std::string warning;
        pool =
            std::make_unique<cpu::ThreadPool>(cpu::resolve_threads(config.cpu_threads(), &warning));
        if (!warning.empty()) logger.report(Logger::Severity::kWARNING, warning);
      }
      cpu::ScopedPool scope(pool.get());
      const std::string sig =
          str_cat(node_signature(node, in, out), "|threads=", pool->size(), "|");
      std::optional<NodeBuffers> b;
      const std::vector<bool> constant = cpu::constant_inputs(graph, node);
      for (size_t c = 0; c < candidates.size(); ++c) {
        const std::string key = sig + candidates[c].implementation;
        {
          std::lock_guard<std::mutex> lock(g_timings_mutex);
          auto hit = g_timings.find(key);
          if (hit != g_timings.end()) {
            candidates[c].time_ms = hit->second;
            continue;
          }
        }
        if (!b) b = buffers_for(graph, node, opt[0]);
        try {
          if (tactics[c] == nullptr) {
            cpu::KernelFn fn = cpu::kernel(node.kind());
            candidates[c].time_ms = time_ms([&] { fn(node, b->inputs, b->outputs); });
          } else {
            std::unique_ptr<cpu::StepKernel> k = tactics[c]->create(node, constant);
            candidates[c].time_ms = time_ms([&] { k->run(node, b->inputs, b->outputs); });
          }
        } catch (const Error& e) {
          fail("layer '", node.name, "': timing tactic '", candidates[c].implementation,
               "' failed: ", e.what());
        }
        std::lock_guard<std::mutex> lock(g_timings_mutex);
        g_timings.emplace(key, candidates[c].time_ms);
      }
    }
    AlgorithmContext context = algorithm_context(graph, node, opt[0], 0);
    size_t chosen = choose_algorithm(context, candidates, config.algorithm_selector(), logger);
    record.contexts.push_back(std::move(context));
    record.choices.push_back(candidates[chosen]);
    runtime::StepData step;
    step.node = i;
    step.tactic = candidates[chosen].implementation;
    steps.push_back(std::move(step));
    phase.step(i);
  }
  return steps;
}

}  // namespace kiln::builder
