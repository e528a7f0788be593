// kiln — looking inside an engine: the per-step profiler and the engine inspector (TensorRT's
// IProfiler and IEngineInspector). Included by runtime.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace kiln {

class ExecutionContext;
namespace runtime {
struct EngineState;
}  // namespace runtime

// Receives the time of every step of an engine, once per execution, in execution order. Set it with
// ExecutionContext::set_profiler. While a profiler is set the context times each step on its own:
// a GPU context runs every step on the main stream (auxiliary streams are not used), replays no
// CUDA graph, and execute_async_v3 synchronizes the stream before it returns and reports. A CPU
// context times each step with the host's steady clock. `layer_name` is the step's name (a fused
// step is named after its parts: "fc1 + bias1 + relu1"); it is valid during the call only.
class Profiler {
 public:
  virtual ~Profiler() = default;
  virtual void report_layer_time(const char* layer_name, float ms) = 0;
};

// kONELINE: one line of text per step; kJSON: a JSON object per step, and for the whole engine a
// JSON object with the engine's properties and a "layers" array (docs/cli.md shows the fields).
enum class LayerInformationFormat : int32_t { kONELINE, kJSON };

// Describes the steps of an engine: name, layer type, fused parts, tactic, precision, input and
// output tensors with their shapes (-1 where dynamic, and each profile's min/opt/max), stream.
// Keeps the engine's state alive, so it may outlive the Engine it came from.
class EngineInspector {
 public:
  ~EngineInspector();
  int32_t num_layers() const;
  // Throws Error when `layer_index` is out of range.
  std::string get_layer_information(int32_t layer_index, LayerInformationFormat format) const;
  std::string get_engine_information(LayerInformationFormat format) const;

 private:
  friend class Engine;
  explicit EngineInspector(std::shared_ptr<const runtime::EngineState> state);
  std::shared_ptr<const runtime::EngineState> state_;
};

}  // namespace kiln
