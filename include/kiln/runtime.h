// kiln — loading and running engines: Runtime, Engine and ExecutionContext.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/error_recorder.h"
#include "kiln/inspector.h"
#include "kiln/logger.h"
#include "kiln/types.h"

namespace kiln {

class ExecutionContext;
namespace runtime {
struct EngineState;
struct ContextState;
}  // namespace runtime

// An engine: immutable after load and shared by any number of execution contexts on any number of
// threads. Contexts keep what they need alive, so an engine may be destroyed before its contexts.
class Engine {
 public:
  ~Engine();

  int32_t num_io_tensors() const;
  // Inputs first, in the order the network declared them, then outputs.
  const std::string& get_tensor_name(int32_t index) const;
  // kNONE for a name that is not an I/O tensor of this engine.
  TensorIOMode get_tensor_mode(const std::string& name) const;
  DataType get_tensor_dtype(const std::string& name) const;
  Dims get_tensor_shape(const std::string& name) const;  // -1 for dynamic dimensions
  int32_t num_optimization_profiles() const;
  ProfileDims get_tensor_profile_shape(const std::string& name, int32_t profile) const;
  int32_t num_layers() const;  // steps the engine runs
  int32_t num_aux_streams() const;
  DeviceType device_type() const;
  // Device memory one context needs for activations and workspaces at the largest profile (the
  // weights, uploaded once per engine, come on top); 0 for CPU engines.
  int64_t device_memory_size() const;

  // The plan bytes; loading them again and serializing gives the same bytes.
  std::vector<uint8_t> serialize() const;
  std::unique_ptr<ExecutionContext> create_execution_context() const;
  // Describes the engine's steps (inspector.h).
  std::unique_ptr<EngineInspector> create_engine_inspector() const;

  // Errors of create_execution_context go to this recorder too (kiln/error_recorder.h); contexts
  // start with it. Set by the Runtime that loaded the engine; not owned; null removes it.
  void set_error_recorder(ErrorRecorder* recorder) { error_recorder_.reset(recorder); }
  ErrorRecorder* get_error_recorder() const { return error_recorder_.get(); }

 private:
  friend class Runtime;
  friend class Refitter;  // the one thing that changes an engine after load (kiln/refit.h)
  explicit Engine(std::shared_ptr<const runtime::EngineState> state);
  std::shared_ptr<const runtime::EngineState> state_;
  ErrorRecorderRef error_recorder_;
};

class Runtime {
 public:
  explicit Runtime(Logger& logger);
  // Loads a plan (GPU or CPU). Throws Error saying what is wrong with a truncated, corrupted,
  // foreign or newer-format plan; nothing is read outside [data, data + size).
  std::unique_ptr<Engine> deserialize_cuda_engine(const void* data, size_t size);

  // Threads of each CPU engine loaded from now on (its pool, shared by its contexts): 0, the
  // default, means the KILN_CPU_THREADS environment variable if set, else one per processor this
  // process may run on; more than that is clamped with a warning. Negative throws Error. GPU
  // engines ignore it. See docs/cpu-backend.md.
  void set_cpu_threads(int32_t n);
  int32_t cpu_threads() const { return cpu_threads_; }

  // Errors of deserialize_cuda_engine go to this recorder too (kiln/error_recorder.h), and the
  // engines it loads start with it. Not owned; null removes it.
  void set_error_recorder(ErrorRecorder* recorder) { error_recorder_.reset(recorder); }
  ErrorRecorder* get_error_recorder() const { return error_recorder_.get(); }

 private:
  Logger& logger_;
  int32_t cpu_threads_ = 0;
  ErrorRecorderRef error_recorder_;
};

// Everything that changes per inference: input shapes, tensor addresses, the active profile and
// the activation memory. A context may be used from one thread at a time; use one context per
// thread (or per stream) to run an engine concurrently.
class ExecutionContext {
 public:
  ~ExecutionContext();

  // Throws Error when `name` is not an input, the rank differs, or a dimension lies outside the
  // active profile (naming the dimension and the allowed range).
  void set_input_shape(const std::string& name, const Dims& dims);
  // Inputs: the shape set (or the static shape). Outputs: inferred from the input shapes, -1
  // where inputs are still unspecified.
  Dims get_tensor_shape(const std::string& name) const;
  bool all_input_dimensions_specified() const;

  // The address of an I/O tensor: host memory for a CPU engine, device memory for a GPU engine.
  void set_tensor_address(const std::string& name, void* address);
  void* get_tensor_address(const std::string& name) const;

  // Makes profile `index` active; input shapes must be set again afterwards.
  void set_optimization_profile_async(int32_t index, void* stream);
  int32_t optimization_profile() const;

  // Runs the engine on `stream` (a cudaStream_t for GPU engines; ignored, and the call synchronous,
  // for CPU engines). Throws Error when an input shape or a tensor address is missing.
  void execute_async_v3(void* stream);
  // Synchronous, with addresses given in I/O tensor order (get_tensor_name).
  void execute_v2(void* const* bindings);

  // The streams auxiliary steps run on (num_aux_streams of them; cudaStream_t values). Without
  // this call the context uses streams of its own. Ignored for CPU engines.
  void set_aux_streams(void* const* streams, int32_t count);
  // Device memory this context holds for activations and workspaces.
  int64_t device_memory_size() const;

  // Beyond TensorRT: with graph mode on, the context captures its work into a CUDA graph the
  // second time it runs a set of input shapes and from then on replays the graph (re-capturing
  // and updating it when tensor addresses change). Off by default; ignored for CPU engines.
  void set_cuda_graph_mode(bool enabled);

  // Per-step timing (inspector.h says what profiling changes). Not owned; null removes it.
  void set_profiler(Profiler* profiler);
  Profiler* get_profiler() const;
  // Beyond TensorRT: an NVTX range named after each step around its launch, so that Nsight
  // Systems timelines show layer names. Off by default; ignored for CPU engines.
  void set_nvtx(bool enabled);
  bool get_nvtx() const;

  // Errors of set_input_shape, set_tensor_address, set_optimization_profile_async,
  // execute_async_v3 and execute_v2 go to this recorder too (kiln/error_recorder.h). Starts as
  // the engine's; not owned; null removes it.
  void set_error_recorder(ErrorRecorder* recorder) { error_recorder_.reset(recorder); }
  ErrorRecorder* get_error_recorder() const { return error_recorder_.get(); }

 private:
  friend class Engine;
  explicit ExecutionContext(std::unique_ptr<runtime::ContextState> state);
  std::unique_ptr<runtime::ContextState> state_;
  ErrorRecorderRef error_recorder_;
};

}  // namespace kiln
