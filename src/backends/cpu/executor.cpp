// The CPU backend's executor: activations in a host arena, steps run one after the other on the
// calling thread (execute_async_v3 is synchronous here); kernels split their work over the
// engine's thread pool (backends/cpu/thread_pool.h), which every context of the engine shares.
#include <chrono>

#include "backends/cpu/kernels.h"
#include "backends/cpu/tactics.h"
#include "backends/cpu/thread_pool.h"
#include "runtime/backend.h"
#include "runtime/engine_state.h"

namespace kiln::runtime {

namespace {

// What the engine's contexts share: the thread pool and the library tactics' step kernels.
struct CpuShared {
  std::unique_ptr<cpu::ThreadPool> pool;
  std::vector<std::unique_ptr<cpu::StepKernel>> step_kernels;  // null: kiln's own kernel
};

class CpuContext : public BackendContext {
 public:
  CpuContext(const EngineState& engine, CpuShared& shared) : engine_(engine), shared_(shared) {
    for (const StepData& step : engine.data.steps) {
      kernels_.push_back(cpu::kernel(engine.data.graph.nodes[step.node].kind()));
    }
  }

  void select_profile(int32_t profile) override {
    profile_ = profile;
    int64_t size = engine_.data.profiles[profile].memory.arena_size;
    storage_.assign(static_cast<size_t>(size + 256), 0);
    auto base = reinterpret_cast<uintptr_t>(storage_.data());
    arena_ = storage_.data() + ((256 - base % 256) % 256);
  }

  void enqueue(std::span<const ir::TensorDesc> descs, std::span<void* const> io, void*) override {
    const ir::Graph& graph = engine_.data.graph;
    const MemoryPlan& memory = engine_.data.profiles[profile_].memory;
    where_.assign(graph.tensors.size(), nullptr);
    for (size_t i = 0; i < engine_.io.size(); ++i) where_[engine_.io[i]] = io[i];
    for (size_t t = 0; t < graph.tensors.size(); ++t) {
      if (graph.tensors[t].weights >= 0) {
        where_[t] = const_cast<uint8_t*>(graph.weights[graph.tensors[t].weights].bytes->data());
      } else if (where_[t] == nullptr && memory.offsets[t] >= 0) {
        where_[t] = arena_ + memory.offsets[t];
      }
    }
    ir::alias_views(graph, where_);
    cpu::ScopedPool scope(shared_.pool.get());
    for (size_t s = 0; s < engine_.data.steps.size(); ++s) {
      const ir::Node& node = graph.nodes[engine_.data.steps[s].node];
      in_.clear();
      out_.clear();
      for (int32_t t : node.inputs) {
        if (t < 0) {
          cpu::TensorView absent;
          absent.dims.nb_dims = -1;
          in_.push_back(absent);
        } else {
          in_.push_back({where_[t], descs[t].type, descs[t].dims});
        }
      }
      for (int32_t t : node.outputs) out_.push_back({where_[t], descs[t].type, descs[t].dims});
      if (profiler_ == nullptr) {
        run_step(s, node);
        continue;
      }
      auto start = std::chrono::steady_clock::now();
      run_step(s, node);
      step_ms_[s] =
          std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
    }
    if (profiler_ == nullptr) return;
    for (size_t s = 0; s < engine_.data.steps.size(); ++s) {
      profiler_->report_layer_time(graph.nodes[engine_.data.steps[s].node].name.c_str(),
                                   step_ms_[s]);
    }
  }

  void set_profiler(Profiler* profiler) override {
    profiler_ = profiler;
    step_ms_.assign(engine_.data.steps.size(), 0.0f);
  }

 private:
  void run_step(size_t s, const ir::Node& node) {
    if (cpu::StepKernel* k = shared_.step_kernels[s].get()) {
      k->run(node, in_, out_);
    } else {
      kernels_[s](node, in_, out_);
    }
  }

  const EngineState& engine_;
  CpuShared& shared_;
  std::vector<cpu::KernelFn> kernels_;
  int32_t profile_ = 0;
  std::vector<uint8_t> storage_;
  uint8_t* arena_ = nullptr;
  std::vector<void*> where_;
  std::vector<cpu::TensorView> in_, out_;
  Profiler* profiler_ = nullptr;
  std::vector<float> step_ms_;  // per step, while profiling
};

class CpuEngine : public BackendEngine {
 public:
  explicit CpuEngine(const EngineState& engine) {
    shared_.pool = std::make_unique<cpu::ThreadPool>(engine.cpu_threads);
    const ir::Graph& graph = engine.data.graph;
    for (const StepData& step : engine.data.steps) {
      const ir::Node& node = graph.nodes[step.node];
      const cpu::Tactic* tactic = cpu::find_tactic(step.tactic);
      if (tactic == nullptr) {
        shared_.step_kernels.push_back(nullptr);
        continue;
      }
      shared_.step_kernels.push_back(tactic->create(node, cpu::constant_inputs(graph, node)));
    }
  }

  std::unique_ptr<BackendContext> create_context(const EngineState& engine) const override {
    return std::make_unique<CpuContext>(engine, shared_);
  }

  // The graph's host bytes were replaced: kernels that keep reordered copies drop them.
  void refit(std::span<const WeightsCopy>, void*, bool) const override {
    for (const auto& k : shared_.step_kernels) {
      if (k) k->weights_changed();
    }
  }

 private:
  mutable CpuShared shared_;
};

bool known_cpu_tactic(const std::string& name) {
  return name == cpu::kReferenceTactic || cpu::find_tactic(name) != nullptr;
}

}  // namespace

std::vector<std::string> rechoose_cpu_tactics(EngineData& data) {
  std::vector<std::string> changed;
  for (StepData& step : data.steps) {
    if (known_cpu_tactic(step.tactic)) continue;
    changed.push_back(str_cat("'", data.graph.nodes[step.node].name, "': tactic '", step.tactic,
                              "' -> 'cpu.reference'"));
    step.tactic = "cpu.reference";
    step.params.clear();
  }
  return changed;
}

std::unique_ptr<BackendEngine> create_cpu_backend(const EngineState& engine) {
  for (const StepData& step : engine.data.steps) {
    if (!known_cpu_tactic(step.tactic)) {
      fail("plan step for '", engine.data.graph.nodes[step.node].name, "' uses tactic '",
           step.tactic, "', which the CPU backend of this kiln does not have (",
           cpu::library_version().empty() ? "it was built without oneDNN; " : "",
           "plans built with BuilderFlag::kVERSION_COMPATIBLE get another tactic at load)");
    }
  }
  return std::make_unique<CpuEngine>(engine);
}

}  // namespace kiln::runtime
