// The CUDA backend's executor. Per engine: weights uploaded once, every step's tactic resolved.
// Per context: the activation arena and one workspace per stream for the active profile, each
// tactic's state, auxiliary streams and the events that join them. enqueue() only launches work
// and records/waits on events, so it can be captured into a CUDA graph.
#include <cuda_runtime_api.h>
#include <nvtx3/nvToolsExt.h>

#include <algorithm>
#include <map>

#include "backends/cuda/check.h"
#include "backends/cuda/tactic.h"
#include "backends/device.h"
#include "plan/compatibility.h"
#include "runtime/backend.h"
#include "runtime/engine_state.h"

namespace kiln::runtime {

namespace {

constexpr int64_t kAlign = 256;
int64_t align_up(int64_t n) {
  return (n + kAlign - 1) / kAlign * kAlign;
}

// Device memory freed on destruction.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(int64_t bytes) {
    if (bytes > 0) KILN_CUDA_CHECK(cudaMalloc(&ptr_, static_cast<size_t>(bytes)));
    size_ = bytes;
  }
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(o.ptr_), size_(o.size_) {
    o.ptr_ = nullptr;
    o.size_ = 0;
  }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(size_, o.size_);
    return *this;
  }
  ~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);
  }
  uint8_t* get() const { return static_cast<uint8_t*>(ptr_); }
  int64_t size() const { return size_; }

 private:
  void* ptr_ = nullptr;
  int64_t size_ = 0;
};

class CudaEngine;

class CudaContext : public BackendContext {
 public:
  CudaContext(const EngineState& engine, const CudaEngine& backend);
  ~CudaContext() override;
  void select_profile(int32_t profile) override;
  void reshape(std::span<const ir::TensorDesc> descs) override;
  void enqueue(std::span<const ir::TensorDesc> descs, std::span<void* const> io,
               void* stream) override;
  void set_aux_streams(std::span<void* const> streams) override;
  int64_t device_memory_size() const override { return arena_.size() + workspace_.size(); }
  void set_cuda_graph_mode(bool enabled) override;
  void set_profiler(Profiler* profiler) override;
  void set_nvtx(bool enabled) override { nvtx_ = enabled; }

 private:
  // Launches every step; the streams fork from and join back into `main`.
  void enqueue_steps(std::span<const ir::TensorDesc> descs, std::span<void* const> io,
                     cudaStream_t main);
  void clear_graphs();

  // Graph mode: one captured graph per set of input shapes.
  struct Captured {
    int32_t runs = 0;  // eager runs so far (the first one warms up, the next captures)
    cudaGraphExec_t exec = nullptr;
    std::vector<void*> io;  // the addresses the graph was captured with
  };
  bool graph_mode_ = false;
  cudaStream_t capture_stream_ = nullptr;
  std::map<std::vector<int64_t>, Captured> graphs_;

  const EngineState& engine_;
  const CudaEngine& backend_;
  int32_t profile_ = 0;
  DeviceBuffer arena_;
  DeviceBuffer workspace_;  // num_streams slices of workspace_per_stream_ bytes
  int64_t workspace_per_stream_ = 0;
  std::vector<std::unique_ptr<cuda::TacticState>> states_;
  std::vector<cudaStream_t> aux_;            // the streams aux steps run on
  std::vector<cudaStream_t> own_aux_;        // the ones this context created
  std::vector<cudaEvent_t> step_events_;     // per step, recorded when another stream needs it
  std::vector<cudaEvent_t> fork_, join_;     // per aux stream
  std::vector<bool> signals_;                // per step: a step on another stream reads its outputs
  std::vector<std::vector<int32_t>> waits_;  // per step: steps on other streams it waits for
  std::vector<void*> where_;
  std::vector<cuda::DeviceTensor> in_, out_;
  // Profiling: every step on the main stream between timing_[s] and timing_[s + 1].
  Profiler* profiler_ = nullptr;
  std::vector<cudaEvent_t> timing_;
  bool nvtx_ = false;
};

class CudaEngine : public BackendEngine {
 public:
  explicit CudaEngine(const EngineState& engine) {
    const EngineData& data = engine.data;
    DeviceInfo device = query_cuda_device();
    if (!device.available) {
      fail("this plan was built for the GPU and no usable GPU is present (", device.reason, ")");
    }
    std::string refusal = plan::load_refusal(data.hardware_compatibility, data.compute_capability,
                                             device.compute_capability, device.name);
    if (refusal.empty()) refusal = cuda_kernels_refusal(device);
    if (!refusal.empty()) fail(refusal);
    for (const StepData& step : data.steps) {
      const ir::Node& node = data.graph.nodes[step.node];
      const cuda::Tactic* t = cuda::find_tactic(step.tactic);
      if (t == nullptr) {
        fail("plan step for '", node.name, "' uses tactic '", step.tactic,
             "', which the CUDA backend of this kiln does not have (plans built with "
             "BuilderFlag::kVERSION_COMPATIBLE get another tactic at load)");
      }
      if (t->layer() != node.kind()) {
        fail("plan is corrupted: tactic '", step.tactic, "' runs ", to_string(t->layer()),
             " layers, not ", to_string(node.kind()), " ('", node.name, "')");
      }
      tactics.push_back(t);
    }
    // Weights: one device buffer, each blob 256-byte aligned, uploaded once.
    int64_t total = 0;
    for (const ir::WeightsData& w : data.graph.weights) {
      weight_offsets.push_back(total);
      total += align_up(static_cast<int64_t>(w.bytes->size()));
    }
    weights = DeviceBuffer(total);
    for (size_t i = 0; i < data.graph.weights.size(); ++i) {
      const auto& bytes = *data.graph.weights[i].bytes;
      if (!bytes.empty()) {
        KILN_CUDA_CHECK(cudaMemcpy(weights.get() + weight_offsets[i], bytes.data(), bytes.size(),
                                   cudaMemcpyHostToDevice));
      }
    }
    // Workspace per stream, per profile: the largest any step needs at the profile's max shapes.
    std::vector<ir::TensorDesc> in, out;
    for (size_t p = 0; p < data.profiles.size(); ++p) {
      int64_t need = 0;
      for (size_t s = 0; s < data.steps.size(); ++s) {
        const ir::Node& node = data.graph.nodes[data.steps[s].node];
        ir::node_descs(node, engine.max_descs[p], in, out);
        cuda::TacticQuery q{node, in, out, data.steps[s].params, data.builder_flags};
        need = std::max<int64_t>(need, static_cast<int64_t>(tactics[s]->workspace_size(q)));
      }
      workspace_per_stream.push_back(align_up(need));
    }
  }

  std::unique_ptr<BackendContext> create_context(const EngineState& engine) const override {
    return std::make_unique<CudaContext>(engine, *this);
  }

  int64_t device_memory_size(const EngineState& engine) const override {
    int64_t most = 0;
    int32_t streams = 1 + engine.data.num_aux_streams;
    for (size_t p = 0; p < engine.data.profiles.size(); ++p) {
      most = std::max(
          most, engine.data.profiles[p].memory.arena_size + streams * workspace_per_stream[p]);
    }
    return most;
  }

  // Refit: the weights keep their device addresses (captured CUDA graphs stay valid); only the
  // bytes change.
  void refit(std::span<const WeightsCopy> copies, void* stream_ptr, bool sync) const override {
    auto stream = static_cast<cudaStream_t>(stream_ptr);
    if (sync) KILN_CUDA_CHECK(cudaDeviceSynchronize());
    for (const WeightsCopy& c : copies) {
      KILN_CHECK(c.weights >= 0 && c.weights < static_cast<int32_t>(weight_offsets.size()),
                 "refit of weights ", c.weights, " out of range");
      int64_t next = c.weights + 1 < static_cast<int32_t>(weight_offsets.size())
                         ? weight_offsets[c.weights + 1]
                         : weights.size();
      KILN_CHECK(static_cast<int64_t>(c.bytes->size()) <= next - weight_offsets[c.weights],
                 "refit of weights ", c.weights, " larger than its device buffer");
      if (c.bytes->empty()) continue;
      KILN_CUDA_CHECK(cudaMemcpyAsync(weights.get() + weight_offsets[c.weights], c.bytes->data(),
                                      c.bytes->size(), cudaMemcpyHostToDevice, stream));
    }
    if (sync) KILN_CUDA_CHECK(cudaStreamSynchronize(stream));
  }

  std::vector<const cuda::Tactic*> tactics;  // per step
  DeviceBuffer weights;
  std::vector<int64_t> weight_offsets;
  std::vector<int64_t> workspace_per_stream;  // per profile
};

CudaContext::CudaContext(const EngineState& engine, const CudaEngine& backend)
    : engine_(engine), backend_(backend) {
  const EngineData& data = engine.data;
  for (size_t s = 0; s < data.steps.size(); ++s) {
    const StepData& step = data.steps[s];
    states_.push_back(backend.tactics[s]->create_state(data.graph.nodes[step.node], step.params));
  }
  // Which steps signal and wait across streams: a step waits for the last writer of each input
  // that ran on another stream.
  std::vector<int32_t> writer(data.graph.tensors.size(), -1);
  for (size_t s = 0; s < data.steps.size(); ++s) {
    for (int32_t t : data.graph.nodes[data.steps[s].node].outputs)
      writer[t] = static_cast<int32_t>(s);
  }
  signals_.assign(data.steps.size(), false);
  waits_.resize(data.steps.size());
  for (size_t s = 0; s < data.steps.size(); ++s) {
    for (int32_t t : data.graph.nodes[data.steps[s].node].inputs) {
      if (t < 0 || writer[t] < 0) continue;
      int32_t w = writer[t];
      if (data.steps[w].stream == data.steps[s].stream) continue;
      signals_[w] = true;
      if (std::find(waits_[s].begin(), waits_[s].end(), w) == waits_[s].end())
        waits_[s].push_back(w);
    }
  }
  step_events_.assign(data.steps.size(), nullptr);
  for (size_t s = 0; s < data.steps.size(); ++s) {
    if (signals_[s])
      KILN_CUDA_CHECK(cudaEventCreateWithFlags(&step_events_[s], cudaEventDisableTiming));
  }
  for (int32_t i = 0; i < data.num_aux_streams; ++i) {
    cudaStream_t s;
    KILN_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    own_aux_.push_back(s);
    cudaEvent_t f, j;
    KILN_CUDA_CHECK(cudaEventCreateWithFlags(&f, cudaEventDisableTiming));
    KILN_CUDA_CHECK(cudaEventCreateWithFlags(&j, cudaEventDisableTiming));
    fork_.push_back(f);
    join_.push_back(j);
  }
  aux_ = own_aux_;
}

CudaContext::~CudaContext() {
  clear_graphs();
  if (capture_stream_) cudaStreamDestroy(capture_stream_);
  for (cudaEvent_t e : step_events_) {
    if (e) cudaEventDestroy(e);
  }
  for (cudaEvent_t e : timing_) cudaEventDestroy(e);
  for (cudaEvent_t e : fork_) cudaEventDestroy(e);
  for (cudaEvent_t e : join_) cudaEventDestroy(e);
  for (cudaStream_t s : own_aux_) cudaStreamDestroy(s);
}

void CudaContext::set_aux_streams(std::span<void* const> streams) {
  int32_t n = engine_.data.num_aux_streams;
  for (int32_t i = 0; i < n; ++i) {
    aux_[i] = i < static_cast<int32_t>(streams.size()) && streams[i]
                  ? static_cast<cudaStream_t>(streams[i])
                  : own_aux_[i];
  }
}

void CudaContext::set_cuda_graph_mode(bool enabled) {
  graph_mode_ = enabled;
  if (enabled && capture_stream_ == nullptr) {
    KILN_CUDA_CHECK(cudaStreamCreateWithFlags(&capture_stream_, cudaStreamNonBlocking));
  }
  if (!enabled) clear_graphs();
}

void CudaContext::set_profiler(Profiler* profiler) {
  profiler_ = profiler;
  if (profiler && timing_.empty()) {
    timing_.assign(engine_.data.steps.size() + 1, nullptr);
    for (cudaEvent_t& e : timing_) KILN_CUDA_CHECK(cudaEventCreate(&e));
  }
}

void CudaContext::clear_graphs() {
  for (auto& [key, g] : graphs_) {
    if (g.exec) cudaGraphExecDestroy(g.exec);
  }
  graphs_.clear();
}

void CudaContext::select_profile(int32_t profile) {
  clear_graphs();  // captured graphs point into the old arena
  profile_ = profile;
  arena_ = DeviceBuffer();
  workspace_ = DeviceBuffer();
  arena_ = DeviceBuffer(engine_.data.profiles[profile].memory.arena_size);
  workspace_per_stream_ = backend_.workspace_per_stream[profile];
  workspace_ = DeviceBuffer(workspace_per_stream_ * (1 + engine_.data.num_aux_streams));
}

void CudaContext::reshape(std::span<const ir::TensorDesc> descs) {
  const EngineData& data = engine_.data;
  std::vector<ir::TensorDesc> in, out;
  for (size_t s = 0; s < data.steps.size(); ++s) {
    const ir::Node& node = data.graph.nodes[data.steps[s].node];
    ir::node_descs(node, descs, in, out);
    cuda::TacticQuery q{node, in, out, data.steps[s].params, data.builder_flags};
    if (backend_.tactics[s]->workspace_size(q) > static_cast<size_t>(workspace_per_stream_)) {
      fail("[", to_string(node.kind()), " '", node.name,
           "'] needs more workspace at these shapes than the ", workspace_per_stream_,
           " bytes planned at the profile's max shapes");
    }
    backend_.tactics[s]->reshape(states_[s].get(), q);
  }
}

void CudaContext::enqueue(std::span<const ir::TensorDesc> descs, std::span<void* const> io,
                          void* stream_ptr) {
  auto stream = static_cast<cudaStream_t>(stream_ptr);
  if (profiler_ != nullptr) {
    // Profiling runs eagerly, every step on the main stream, and reports once the steps are done.
    enqueue_steps(descs, io, stream);
    KILN_CUDA_CHECK(cudaEventSynchronize(timing_.back()));
    const EngineData& data = engine_.data;
    for (size_t s = 0; s < data.steps.size(); ++s) {
      float ms = 0.0f;
      KILN_CUDA_CHECK(cudaEventElapsedTime(&ms, timing_[s], timing_[s + 1]));
      profiler_->report_layer_time(data.graph.nodes[data.steps[s].node].name.c_str(), ms);
    }
    return;
  }
  if (!graph_mode_) {
    enqueue_steps(descs, io, stream);
    return;
  }
  std::vector<int64_t> key;
  for (int32_t t : engine_.data.graph.inputs) {
    const Dims& d = descs[t].dims;
    key.insert(key.end(), d.d, d.d + d.nb_dims);
    key.push_back(-1);
  }
  Captured& g = graphs_[key];
  std::vector<void*> addresses(io.begin(), io.end());
  if (g.exec == nullptr && g.runs == 0) {
    // The first run at new shapes is eager: it warms up every tactic outside any capture.
    enqueue_steps(descs, io, stream);
    ++g.runs;
    return;
  }
  if (g.exec == nullptr || g.io != addresses) {
    // Capture on the context's own stream (the user's may be the legacy stream, which cannot be
    // captured), then launch the graph on the user's stream.
    cudaGraph_t captured = nullptr;
    KILN_CUDA_CHECK(cudaStreamBeginCapture(capture_stream_, cudaStreamCaptureModeThreadLocal));
    try {
      enqueue_steps(descs, io, capture_stream_);
    } catch (...) {
      cudaStreamEndCapture(capture_stream_, &captured);
      if (captured) cudaGraphDestroy(captured);
      throw;
    }
    KILN_CUDA_CHECK(cudaStreamEndCapture(capture_stream_, &captured));
    bool updated = false;
    if (g.exec != nullptr) {
      cudaGraphExecUpdateResultInfo info{};
      updated = cudaGraphExecUpdate(g.exec, captured, &info) == cudaSuccess;
      if (!updated) {
        cudaGetLastError();
        cudaGraphExecDestroy(g.exec);
        g.exec = nullptr;
      }
    }
    if (!updated) {
      cudaError_t status = cudaGraphInstantiate(&g.exec, captured, 0);
      cudaGraphDestroy(captured);
      KILN_CUDA_CHECK(status);
    } else {
      cudaGraphDestroy(captured);
    }
    g.io = addresses;
  }
  KILN_CUDA_CHECK(cudaGraphLaunch(g.exec, stream));
}

void CudaContext::enqueue_steps(std::span<const ir::TensorDesc> descs, std::span<void* const> io,
                                cudaStream_t main) {
  const EngineData& data = engine_.data;
  const ir::Graph& graph = data.graph;
  const MemoryPlan& memory = data.profiles[profile_].memory;
  where_.assign(graph.tensors.size(), nullptr);
  for (size_t i = 0; i < engine_.io.size(); ++i) where_[engine_.io[i]] = io[i];
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    int32_t w = graph.tensors[t].weights;
    if (w >= 0) {
      where_[t] = backend_.weights.get() + backend_.weight_offsets[w];
    } else if (where_[t] == nullptr && memory.offsets[t] >= 0) {
      where_[t] = arena_.get() + memory.offsets[t];
    }
  }
  ir::alias_views(graph, where_);
  const bool timed = profiler_ != nullptr;
  // Fork: auxiliary streams start after everything already queued on the main stream.
  for (size_t i = 0; timed == false && i < aux_.size(); ++i) {
    KILN_CUDA_CHECK(cudaEventRecord(fork_[i], main));
    KILN_CUDA_CHECK(cudaStreamWaitEvent(aux_[i], fork_[i], 0));
  }
  for (size_t s = 0; s < data.steps.size(); ++s) {
    const StepData& step = data.steps[s];
    const ir::Node& node = graph.nodes[step.node];
    cudaStream_t stream = step.stream == 0 || timed ? main : aux_[step.stream - 1];
    for (int32_t w : waits_[s]) KILN_CUDA_CHECK(cudaStreamWaitEvent(stream, step_events_[w], 0));
    if (timed) KILN_CUDA_CHECK(cudaEventRecord(timing_[s], stream));
    if (nvtx_) nvtxRangePushA(node.name.c_str());
    in_.clear();
    out_.clear();
    for (int32_t t : node.inputs) {
      if (t < 0) {
        cuda::DeviceTensor absent;
        absent.dims.nb_dims = -1;
        in_.push_back(absent);
      } else {
        in_.push_back({where_[t], descs[t].type, descs[t].dims});
      }
    }
    for (int32_t t : node.outputs) out_.push_back({where_[t], descs[t].type, descs[t].dims});
    cuda::LaunchArgs args{node, in_, out_};
    args.workspace = workspace_per_stream_ > 0
                         ? workspace_.get() + workspace_per_stream_ * (timed ? 0 : step.stream)
                         : nullptr;
    args.workspace_size = static_cast<size_t>(workspace_per_stream_);
    args.stream = stream;
    args.state = states_[s].get();
    args.params = step.params;
    args.builder_flags = data.builder_flags;
    backend_.tactics[s]->enqueue(args);
    if (nvtx_) nvtxRangePop();
    if (signals_[s]) KILN_CUDA_CHECK(cudaEventRecord(step_events_[s], stream));
  }
  if (timed) KILN_CUDA_CHECK(cudaEventRecord(timing_.back(), main));
  // Join: the main stream continues after every auxiliary stream's work.
  for (size_t i = 0; timed == false && i < aux_.size(); ++i) {
    KILN_CUDA_CHECK(cudaEventRecord(join_[i], aux_[i]));
    KILN_CUDA_CHECK(cudaStreamWaitEvent(main, join_[i], 0));
  }
}

}  // namespace

std::vector<std::string> rechoose_cuda_tactics(EngineData& data,
                                               std::span<const ir::TensorDesc> max_descs) {
  std::vector<std::string> changed;
  const ir::Graph& graph = data.graph;
  std::vector<ir::TensorDesc> declared = ir::tensor_descs(graph), in, out, max_in, max_out;
  for (StepData& step : data.steps) {
    if (cuda::find_tactic(step.tactic) != nullptr) continue;
    const ir::Node& node = graph.nodes[step.node];
    ir::node_descs(node, declared, in, out);
    ir::node_descs(node, max_descs, max_in, max_out);
    const cuda::Tactic* chosen = nullptr;
    std::vector<uint8_t> params;
    for (const cuda::Tactic* t : cuda::tactics_for(node.kind())) {
      if (!t->supports(cuda::TacticQuery{node, in, out, {}, data.builder_flags})) continue;
      std::vector<cuda::TacticConfig> configs =
          t->configs(cuda::TacticQuery{node, max_in, max_out, {}, data.builder_flags}, 1);
      if (configs.empty()) continue;
      chosen = t;
      params = std::move(configs.front().params);
      break;
    }
    if (chosen == nullptr) {
      fail("plan step for '", node.name, "' uses tactic '", step.tactic,
           "', which this kiln does not have, and no tactic of this kiln runs the ",
           to_string(node.kind()), " layer it belongs to");
    }
    changed.push_back(
        str_cat("'", node.name, "': tactic '", step.tactic, "' -> '", chosen->name(), "'"));
    step.tactic = std::string(chosen->name());
    step.params = std::move(params);
  }
  return changed;
}

std::unique_ptr<BackendEngine> create_cuda_backend(const EngineState& engine) {
  return std::make_unique<CudaEngine>(engine);
}

}  // namespace kiln::runtime
