// Choosing a CUDA tactic and configuration per node: the autotuner.
//
// Candidates are every configuration (Tactic::configs) of every tactic whose source the config
// allows and which supports the node, minus those needing more workspace than the limit at any
// profile's max shapes. Optimization level 0 takes the first candidate (library sources first)
// and times nothing. Higher levels time each candidate at every profile's opt shapes unless the
// timing cache knows it (warm-up, then the median of event-timed runs with the inputs rotated over
// enough copies that the L2 cache does not hold them), then the selector may narrow the set and
// the fastest kept candidate wins. A node with one candidate is not timed; a candidate whose first
// run takes more than 8x the best time so far is not run again (its time is that first run).
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "backends/cuda/check.h"
#include "backends/cuda/tactic.h"
#include "backends/device.h"
#include "core/error.h"
#include "core/half.h"

namespace kiln {

namespace {

int priority(TacticSource source) {
  switch (source) {
    case TacticSource::kCUBLAS_LT:
      return 0;
    case TacticSource::kCUDNN:
      return 1;
    case TacticSource::kCUBLAS:
      return 2;
    case TacticSource::kKILN:
      return 3;
  }
  return 4;
}

// Configurations per tactic and timed runs per candidate at each optimization level.
int32_t configs_at(int32_t level) {
  static constexpr int32_t kConfigs[] = {1, 1, 2, 4, 8, 16};
  return kConfigs[level];
}
int32_t runs_at(int32_t level) {
  static constexpr int32_t kRuns[] = {0, 5, 5, 10, 20, 20};
  return kRuns[level];
}

struct Candidate {
  const cuda::Tactic* tactic = nullptr;
  cuda::TacticConfig config;
  Algorithm algorithm;
};

// The node's part of a timing-cache key (node_signature) and the flags that change what a tactic
// runs (TF32).
std::string signature(const ir::Node& node, std::span<const ir::TensorDesc> in,
                      std::span<const ir::TensorDesc> out, uint32_t flags) {
  return str_cat(node_signature(node, in, out),
                 "|tf32=", (flags >> static_cast<uint32_t>(BuilderFlag::kTF32)) & 1u);
}

class DeviceMemory {
 public:
  DeviceMemory() = default;
  explicit DeviceMemory(size_t bytes) {
    if (bytes > 0) KILN_CUDA_CHECK(cudaMalloc(&data_, bytes));
  }
  ~DeviceMemory() {
    if (data_) cudaFree(data_);
  }
  DeviceMemory(DeviceMemory&& o) noexcept : data_(std::exchange(o.data_, nullptr)) {}
  DeviceMemory& operator=(DeviceMemory&& o) noexcept {
    std::swap(data_, o.data_);
    return *this;
  }
  char* get() const { return static_cast<char*>(data_); }

 private:
  void* data_ = nullptr;
};

size_t align256(size_t n) {
  return (n + 255) & ~size_t{255};
}

// Times candidates of one node at one set of concrete shapes.
class Timer {
 public:
  Timer() {
    KILN_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    KILN_CUDA_CHECK(cudaEventCreate(&start_));
    KILN_CUDA_CHECK(cudaEventCreate(&stop_));
    int device = 0, l2 = 0;
    KILN_CUDA_CHECK(cudaGetDevice(&device));
    KILN_CUDA_CHECK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device));
    l2_bytes_ = static_cast<size_t>(l2);
  }
  ~Timer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
    cudaStreamDestroy(stream_);
  }

  // Device copies of the node's inputs and outputs at these shapes: float inputs hold random
  // values in [-1, 1], integer and bool inputs zeros (valid indices, false conditions).
  void prepare(std::span<const ir::TensorDesc> in, std::span<const ir::TensorDesc> out) {
    std::vector<const ir::TensorDesc*> all;
    for (const ir::TensorDesc& d : in) all.push_back(&d);
    for (const ir::TensorDesc& d : out) all.push_back(&d);
    offsets_.clear();
    size_t set = 0;
    for (const ir::TensorDesc* d : all) {
      offsets_.push_back(set);
      if (d->dims.nb_dims >= 0)
        set += align256(static_cast<size_t>(volume(d->dims)) * element_size(d->type));
    }
    set = std::max<size_t>(set, 256);
    // Enough copies that one round of runs streams twice the L2 through, within 1 GiB.
    copies_ = std::clamp<size_t>((2 * l2_bytes_ + set - 1) / set, 1, 16);
    copies_ = std::max<size_t>(1, std::min(copies_, (size_t{1} << 30) / set));
    set_bytes_ = set;
    memory_ = DeviceMemory(set * copies_);
    std::vector<uint8_t> host(set, 0);
    std::mt19937 rng(1234);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (size_t i = 0; i < in.size(); ++i) {
      const ir::TensorDesc& d = in[i];
      if (d.dims.nb_dims < 0) continue;
      int64_t n = volume(d.dims);
      uint8_t* p = host.data() + offsets_[i];
      for (int64_t j = 0; j < n; ++j) {
        float v = uniform(rng);
        if (d.type == DataType::kFLOAT) {
          std::memcpy(p + 4 * j, &v, 4);
        } else if (d.type == DataType::kHALF) {
          half_t h = to_half(v);
          std::memcpy(p + 2 * j, &h, 2);
        } else if (d.type == DataType::kBF16) {
          bfloat16_t h = to_bfloat16(v);
          std::memcpy(p + 2 * j, &h, 2);
        } else {
          break;  // integers and bools stay zero
        }
      }
    }
    for (size_t c = 0; c < copies_; ++c) {
      KILN_CUDA_CHECK(
          cudaMemcpy(memory_.get() + c * set, host.data(), set, cudaMemcpyHostToDevice));
    }
    in_ = in;
    out_ = out;
  }

  // The median time in milliseconds of `runs` runs after two warm-up runs. A candidate whose first
  // (warm-up) run already takes longer than `cutoff_ms` stops there with that time: it has lost.
  float time(const cuda::Tactic& tactic, const cuda::TacticQuery& q, size_t workspace, int32_t runs,
             float cutoff_ms) {
    std::unique_ptr<cuda::TacticState> state = tactic.create_state(q.node, q.params);
    tactic.reshape(state.get(), q);
    if (workspace > workspace_bytes_) {
      workspace_ = DeviceMemory(workspace);
      workspace_bytes_ = workspace;
    }
    std::vector<cuda::DeviceTensor> in(in_.size()), out(out_.size());
    auto launch = [&](size_t copy) {
      char* base = memory_.get() + copy * set_bytes_;
      for (size_t i = 0; i < in_.size(); ++i) {
        in[i] = {in_[i].dims.nb_dims < 0 ? nullptr : base + offsets_[i], in_[i].type, in_[i].dims};
      }
      for (size_t i = 0; i < out_.size(); ++i) {
        out[i] = {base + offsets_[in_.size() + i], out_[i].type, out_[i].dims};
      }
      cuda::LaunchArgs args{q.node, in, out};
      args.workspace = workspace_.get();
      args.workspace_size = workspace;
      args.stream = stream_;
      args.state = state.get();
      args.params = q.params;
      args.builder_flags = q.builder_flags;
      tactic.enqueue(args);
    };
    KILN_CUDA_CHECK(cudaEventRecord(start_, stream_));
    launch(0);
    KILN_CUDA_CHECK(cudaEventRecord(stop_, stream_));
    KILN_CUDA_CHECK(cudaEventSynchronize(stop_));
    float first = 0;
    KILN_CUDA_CHECK(cudaEventElapsedTime(&first, start_, stop_));
    if (first > cutoff_ms) return first;
    launch(1 % copies_);
    std::vector<float> times;
    for (int32_t r = 0; r < runs; ++r) {
      KILN_CUDA_CHECK(cudaEventRecord(start_, stream_));
      launch(static_cast<size_t>(r + 2) % copies_);
      KILN_CUDA_CHECK(cudaEventRecord(stop_, stream_));
      KILN_CUDA_CHECK(cudaEventSynchronize(stop_));
      float ms = 0;
      KILN_CUDA_CHECK(cudaEventElapsedTime(&ms, start_, stop_));
      times.push_back(ms);
    }
    KILN_CUDA_CHECK(cudaStreamSynchronize(stream_));
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    return times[times.size() / 2];
  }

 private:
  cudaStream_t stream_ = nullptr;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
  size_t l2_bytes_ = 0;
  DeviceMemory memory_;
  size_t set_bytes_ = 0, copies_ = 1;
  std::vector<size_t> offsets_;
  std::span<const ir::TensorDesc> in_, out_;
  DeviceMemory workspace_;
  size_t workspace_bytes_ = 0;
};

[[noreturn]] void no_tactic(const ir::Node& node, std::span<const ir::TensorDesc> in,
                            const std::string& considered) {
  std::string types;
  for (const ir::TensorDesc& d : in)
    types += str_cat(types.empty() ? "" : ", ", d.dims.nb_dims < 0 ? "-" : to_string(d.type));
  fail("[", to_string(node.kind()), " '", node.name, "'] no CUDA tactic runs it with inputs (",
       types, "); candidates: ", considered.empty() ? "none" : considered);
}

}  // namespace

std::vector<runtime::StepData> select_cuda_tactics(TacticSelection& sel) {
  const ir::Graph& graph = sel.graph;
  const BuilderConfig& config = sel.config;
  const uint32_t flags = config.flags();
  const int32_t level = config.builder_optimization_level();
  const uint64_t workspace_limit = config.memory_pool_limit(MemoryPoolType::kWORKSPACE);
  std::vector<ir::TensorDesc> descs = ir::tensor_descs(graph), in, out, opt_in, opt_out, max_in,
                              max_out;
  std::unique_ptr<Timer> timer;
  std::vector<runtime::StepData> steps;
  for (int32_t i = 0; i < static_cast<int32_t>(graph.nodes.size()); ++i) {
    const ir::Node& node = graph.nodes[i];
    ir::node_descs(node, descs, in, out);
    ir::node_descs(node, sel.opt[0], opt_in, opt_out);

    // Every allowed, supporting tactic in every configuration, library sources first.
    std::vector<const cuda::Tactic*> tactics;
    std::string considered;
    for (const cuda::Tactic* t : cuda::tactics_for(node.kind())) {
      bool allowed = (config.tactic_sources() >> static_cast<uint32_t>(t->source())) & 1u;
      considered +=
          str_cat(considered.empty() ? "" : ", ", t->name(), allowed ? "" : " (source off)");
      if (allowed && t->supports({node, in, out, {}, flags})) tactics.push_back(t);
    }
    std::stable_sort(tactics.begin(), tactics.end(),
                     [](const cuda::Tactic* a, const cuda::Tactic* b) {
                       return priority(a->source()) < priority(b->source());
                     });
    if (tactics.empty()) no_tactic(node, in, considered);

    std::vector<Candidate> candidates;
    std::string excluded;
    for (const cuda::Tactic* t : tactics) {
      std::vector<cuda::TacticConfig> configs;
      try {
        configs = t->configs({node, opt_in, opt_out, {}, flags}, configs_at(level));
      } catch (const Error& e) {
        sel.logger.report(
            Logger::Severity::kVERBOSE,
            str_cat("[", node.name, "] ", t->name(), " offers no configuration: ", e.what()));
        continue;
      }
      for (cuda::TacticConfig& c : configs) {
        size_t workspace = 0;
        for (size_t p = 0; p < sel.max.size(); ++p) {
          ir::node_descs(node, sel.max[p], max_in, max_out);
          workspace =
              std::max(workspace, t->workspace_size({node, max_in, max_out, c.params, flags}));
        }
        if (workspace > workspace_limit) {
          excluded +=
              str_cat(excluded.empty() ? "" : ", ", t->name(), " #", c.id, " (", workspace, " B)");
          continue;
        }
        Candidate cand;
        cand.tactic = t;
        cand.algorithm.implementation = std::string(t->name());
        cand.algorithm.tactic_id = c.id;
        cand.algorithm.source = t->source();
        cand.algorithm.workspace_size = static_cast<int64_t>(workspace);
        cand.config = std::move(c);
        candidates.push_back(std::move(cand));
      }
    }
    if (candidates.empty()) {
      if (!excluded.empty()) {
        fail("[", to_string(node.kind()), " '", node.name,
             "'] every CUDA tactic needs more than the ", workspace_limit,
             " bytes of workspace the config allows: ", excluded,
             "; raise set_memory_pool_limit(kWORKSPACE, ...)");
      }
      no_tactic(node, in, considered);
    }
    if (!excluded.empty()) {
      sel.logger.report(Logger::Severity::kVERBOSE,
                        str_cat("[", node.name, "] over the workspace limit of ", workspace_limit,
                                " B: ", excluded));
    }

    // Times at every profile's opt shapes, from the cache or measured.
    if (level > 0 && candidates.size() > 1) {
      for (size_t p = 0; p < sel.opt.size(); ++p) {
        ir::node_descs(node, sel.opt[p], opt_in, opt_out);
        std::string sig = signature(node, opt_in, opt_out, flags);
        bool prepared = false;
        float best = -1.0f;  // the fastest time at this profile so far
        for (auto it = candidates.begin(); it != candidates.end();) {
          std::string key = str_cat(sig, "|", it->tactic->name(), "#", it->config.id);
          auto hit = sel.cache.entries.find(key);
          float ms = 0;
          if (hit != sel.cache.entries.end()) {
            ms = hit->second.time_ms;
          } else {
            if (!timer) timer = std::make_unique<Timer>();
            if (!prepared) {
              timer->prepare(opt_in, opt_out);
              prepared = true;
            }
            cuda::TacticQuery q{node, opt_in, opt_out, it->config.params, flags};
            try {
              // Eight times the best so far is a loss whatever the median would be.
              float cutoff = best < 0 ? 1e30f : 8.0f * best;
              ms = timer->time(*it->tactic, q, it->tactic->workspace_size(q), runs_at(level),
                               cutoff);
            } catch (const Error& e) {
              sel.logger.report(
                  Logger::Severity::kVERBOSE,
                  str_cat("[", node.name, "] ", it->tactic->name(), " #", it->config.id,
                          " failed to run and is dropped: ", e.what()));
              it = candidates.erase(it);
              continue;
            }
            sel.cache.entries[key] = {ms, it->algorithm.workspace_size};
          }
          it->algorithm.time_ms = (it->algorithm.time_ms < 0 ? 0.0f : it->algorithm.time_ms) + ms;
          if (best < 0 || ms < best) best = ms;
          ++it;
        }
      }
      if (candidates.empty()) {
        fail("[", to_string(node.kind()), " '", node.name,
             "'] no CUDA tactic ran at the opt shapes (the verbose log says why)");
      }
    }

    std::vector<Algorithm> algorithms;
    for (const Candidate& c : candidates) algorithms.push_back(c.algorithm);
    ir::node_descs(node, sel.opt[0], opt_in, opt_out);
    AlgorithmContext context = builder::algorithm_context(graph, node, sel.opt[0], 0);
    size_t best =
        builder::choose_algorithm(context, algorithms, config.algorithm_selector(), sel.logger);
    sel.record.contexts.push_back(std::move(context));
    sel.record.choices.push_back(algorithms[best]);

    runtime::StepData step;
    step.node = i;
    step.tactic = std::string(candidates[best].tactic->name());
    step.params = candidates[best].config.params;
    steps.push_back(std::move(step));
    sel.phase.step(i);
  }
  return steps;
}

}  // namespace kiln
