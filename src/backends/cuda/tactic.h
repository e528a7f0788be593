// A tactic: one way to run one layer kind on the GPU. Tactics come from sources a builder config
// can switch off (kiln's own kernels, cuBLASLt, cuDNN); plans name the tactic of every step.
//
// Life of a tactic in an engine: the builder asks supports() and picks one per node; at context
// creation create_state() makes what the tactic needs per context (handles, descriptors); when the
// input shapes change reshape() does host-side preparation for the new shapes; enqueue() only
// launches work on the given stream: no allocation, no synchronisation, no host reads of device
// data, so it can be captured into a CUDA graph.
#pragma once

#include <cuda_runtime_api.h>

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "kiln/builder.h"

namespace kiln::cuda {

// Dense row-major tensor in device memory. Absent optional inputs: data == nullptr, nb_dims == -1.
struct DeviceTensor {
  void* data = nullptr;
  DataType type = DataType::kFLOAT;
  Dims dims;
};

// What a tactic is asked about: a node with the types and dims of its inputs and outputs. Dims
// may hold -1 in supports(); they are concrete everywhere else. `params` are the configuration's
// bytes (empty in supports() and configs()); `builder_flags` the BuilderFlag bits of the build
// (kTF32 lets float32 products use TF32).
struct TacticQuery {
  const ir::Node& node;
  std::span<const ir::TensorDesc> inputs;
  std::span<const ir::TensorDesc> outputs;
  std::span<const uint8_t> params = {};
  uint32_t builder_flags = 0;

  bool allows(BuilderFlag flag) const {
    return (builder_flags >> static_cast<uint32_t>(flag)) & 1u;
  }
};

// One configuration of a tactic: an id unique within the tactic for these shapes, and the bytes
// the plan stores for it (an algorithm blob, a kernel configuration).
struct TacticConfig {
  int64_t id = 0;
  std::vector<uint8_t> params;
};

// Per-context state of one step (library descriptors, chosen algorithms).
class TacticState {
 public:
  virtual ~TacticState() = default;
};

struct LaunchArgs {
  const ir::Node& node;
  std::span<const DeviceTensor> inputs;
  std::span<const DeviceTensor> outputs;
  void* workspace = nullptr;  // workspace_size() bytes at the current shapes, 256-byte aligned
  size_t workspace_size = 0;
  cudaStream_t stream = nullptr;
  TacticState* state = nullptr;          // from create_state(), may be null
  std::span<const uint8_t> params = {};  // the step's configuration (plan bytes)
  uint32_t builder_flags = 0;            // BuilderFlag bits of the build (kTF32)
};

class Tactic {
 public:
  virtual ~Tactic() = default;
  virtual std::string_view name() const = 0;  // stored in plans: "cuda.kiln.elementwise"
  virtual LayerType layer() const = 0;
  virtual TacticSource source() const = 0;
  virtual bool supports(const TacticQuery& q) const = 0;
  // The configurations worth timing at the concrete shapes of `q`, best guess first, at most
  // `max_configs`; each becomes a candidate of the autotuner. One plain configuration by default.
  virtual std::vector<TacticConfig> configs(const TacticQuery& q, int32_t max_configs) const {
    return {TacticConfig{}};
  }
  // Bytes of workspace at these concrete shapes for the configuration in q.params.
  virtual size_t workspace_size(const TacticQuery& q) const { return 0; }
  // Per-context state; may allocate and create library handles. `params` are the step's plan bytes.
  virtual std::unique_ptr<TacticState> create_state(const ir::Node& node,
                                                    std::span<const uint8_t> params) const {
    return nullptr;
  }
  // Host-side preparation for new concrete shapes; called outside enqueue.
  virtual void reshape(TacticState* state, const TacticQuery& q) const {}
  virtual void enqueue(const LaunchArgs& args) const = 0;
};

// The registry, filled by KILN_REGISTER_TACTIC at library load (libkiln is a shared library, so
// every registration runs).
bool register_tactic(std::unique_ptr<Tactic> tactic);
const Tactic* find_tactic(std::string_view name);  // nullptr when unknown
std::vector<const Tactic*> tactics_for(LayerType layer);

}  // namespace kiln::cuda

#define KILN_REGISTER_TACTIC(Class)           \
  static const bool kiln_registered_##Class = \
      ::kiln::cuda::register_tactic(std::make_unique<Class>())
