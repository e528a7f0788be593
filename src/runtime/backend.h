// The runtime's backend interface: what a backend does for an engine (load weights, kernels) and
// for each context (activation memory, running the steps).
#pragma once

#include <memory>
#include <span>

#include "ir/graph.h"
#include "kiln/inspector.h"
#include "runtime/engine_data.h"

namespace kiln::runtime {

struct EngineState;

class BackendContext {
 public:
  virtual ~BackendContext() = default;
  // The active profile changed: size the activation memory for it. Never called from enqueue.
  virtual void select_profile(int32_t profile) = 0;
  // Input shapes changed and `descs` (every tensor's type and dims) are the new shapes: host-side
  // preparation that depends on shapes happens here, not in enqueue.
  virtual void reshape(std::span<const ir::TensorDesc> descs) {}
  // Runs every step on `stream`. io[i] is the address of I/O tensor i (EngineState::io order).
  virtual void enqueue(std::span<const ir::TensorDesc> descs, std::span<void* const> io,
                       void* stream) = 0;
  // The user's auxiliary streams (null entries: the context's own). Ignored by the CPU backend.
  virtual void set_aux_streams(std::span<void* const> streams) {}
  // Device memory this context holds (activations and workspaces); 0 on the CPU backend.
  virtual int64_t device_memory_size() const { return 0; }
  // Capture each input-shape's enqueue into a CUDA graph and replay it (GPU only).
  virtual void set_cuda_graph_mode(bool enabled) {}
  // Time every step and report to `profiler` after each enqueue (null: stop); see inspector.h.
  virtual void set_profiler(Profiler* profiler) = 0;
  // An NVTX range per step (GPU only).
  virtual void set_nvtx(bool enabled) {}
};

class BackendEngine {
 public:
  virtual ~BackendEngine() = default;
  // `engine` outlives the context (the context keeps it alive).
  virtual std::unique_ptr<BackendContext> create_context(const EngineState& engine) const = 0;
  // Device memory a context needs for its largest profile; 0 on the CPU backend.
  virtual int64_t device_memory_size(const EngineState& engine) const { return 0; }
  // Refit: copies new values (each the size of the plan's) into the backend's copies of graph
  // weights, queued on `stream`. With `sync`, first waits for all work on the device (so nothing
  // enqueued earlier still reads the old values) and returns after the copies are complete.
  // Called with no execution running (EngineState::refit_mutex). The CPU backend reads the
  // graph's host bytes, which the refitter replaces; it only drops the copies its oneDNN steps
  // reordered from them.
  struct WeightsCopy {
    int32_t weights = -1;  // index into Graph::weights
    const std::vector<uint8_t>* bytes = nullptr;
  };
  virtual void refit(std::span<const WeightsCopy> copies, void* stream, bool sync) const {}
};

// Defined by each backend; the CUDA one throws when kiln was built without it.
std::unique_ptr<BackendEngine> create_cpu_backend(const EngineState& engine);
std::unique_ptr<BackendEngine> create_cuda_backend(const EngineState& engine);

// For plans built with BuilderFlag::kVERSION_COMPATIBLE (docs/plan-format.md, "Compatibility"):
// every step whose tactic this kiln's backend does not have gets the backend's first tactic that
// supports its node, with that tactic's first configuration at profile 0's max shapes
// (`max_descs`), so that plans of earlier kiln versions load after tactics were renamed or
// retired. Returns a line per step changed; throws Error naming the layer when no tactic
// supports it. The CUDA one does nothing without the CUDA backend (loading fails later).
std::vector<std::string> rechoose_cpu_tactics(EngineData& data);
std::vector<std::string> rechoose_cuda_tactics(EngineData& data,
                                               std::span<const ir::TensorDesc> max_descs);

}  // namespace kiln::runtime
