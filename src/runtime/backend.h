// The runtime's backend interface: what a backend does for an engine (load weights, kernels) and
// for each context (activation memory, running the steps).
#pragma once

#include <memory>
#include <span>

#include "ir/graph.h"

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
};

class BackendEngine {
 public:
  virtual ~BackendEngine() = default;
  // `engine` outlives the context (the context keeps it alive).
  virtual std::unique_ptr<BackendContext> create_context(const EngineState& engine) const = 0;
  // Device memory a context needs for its largest profile; 0 on the CPU backend.
  virtual int64_t device_memory_size(const EngineState& engine) const { return 0; }
};

// Defined by each backend; the CUDA one throws when kiln was built without it.
std::unique_ptr<BackendEngine> create_cpu_backend(const EngineState& engine);
std::unique_ptr<BackendEngine> create_cuda_backend(const EngineState& engine);

}  // namespace kiln::runtime
