// What an Engine and its ExecutionContexts share and own.
#pragma once

#include <memory>
#include <shared_mutex>
#include <vector>

#include "runtime/backend.h"
#include "runtime/engine_data.h"

namespace kiln::runtime {

// Immutable after load; shared by every context.
struct EngineState {
  EngineData data;
  std::vector<int32_t> io;  // I/O tensors: graph inputs, then graph outputs
  // [profile][tensor]: every tensor's type and dims at the profile's max shapes, inferred once at
  // load; the arena check, the context's size check and the backends' workspace sizing read it.
  std::vector<std::vector<ir::TensorDesc>> max_descs;
  // What loading changed, for the log (tactics re-chosen in a version-compatible plan).
  std::vector<std::string> load_notes;
  // Warnings for the log (a thread count clamped to the processors available).
  std::vector<std::string> warnings;
  // CPU engines: the threads of the engine's pool (resolved from Runtime::set_cpu_threads and
  // KILN_CPU_THREADS; docs/cpu-backend.md). 1 for GPU engines.
  int32_t cpu_threads = 1;
  // Refit (docs/refit.md): executions hold it shared while they run, a refit exclusively while
  // it replaces weights (the engine's only mutation after load; data.graph.weights and the
  // backend's copies change under it).
  mutable std::shared_mutex refit_mutex;
  std::unique_ptr<const BackendEngine>
      backend;  // weights, kernels (declared last: destroyed first)

  int32_t find_io(const std::string& name) const;  // -1 when absent
  bool is_input(int32_t io_index) const {
    return io_index < static_cast<int32_t>(data.graph.inputs.size());
  }
};

// Checks what the plan reader cannot (shapes infer at every profile's extremes, the memory plan
// holds every activation, every step has a kernel) and fills in the derived fields. Throws Error.
// `cpu_threads` (0: the default) sizes a CPU engine's thread pool.
std::shared_ptr<const EngineState> load_engine(EngineData data, int32_t cpu_threads = 0);

struct ContextState {
  std::shared_ptr<const EngineState> engine;
  int32_t profile = 0;
  std::vector<Dims> input_dims;       // per graph input; nb_dims == -1 until set (dynamic inputs)
  std::vector<void*> addresses;       // per I/O tensor
  std::vector<ir::TensorDesc> descs;  // per tensor, valid when shapes_valid
  bool shapes_valid = false;
  Profiler* profiler = nullptr;  // not owned
  bool nvtx = false;
  std::unique_ptr<BackendContext> backend;

  void select_profile(int32_t index);
  void infer_shapes();  // throws Error when an input shape is missing or a layer rejects the shapes
  void execute(void* stream);
};

}  // namespace kiln::runtime
