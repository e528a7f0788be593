// The CPU backend's tactics: kiln's own kernels ("cpu.reference", every layer) and, where kiln was
// built with oneDNN, oneDNN primitives for convolution and matrix multiply (docs/cpu-backend.md).
// The builder times the candidates that support a node (builder/cpu_selection.cpp); a plan names
// the tactic of each step and the engine creates that tactic's kernel once, shared by contexts.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "backends/cpu/kernels.h"
#include "kiln/tuning.h"

namespace kiln::cpu {

// One step's kernel with state the engine's contexts share (primitives per shape, weights
// reordered once). run() may be called from several threads at once.
class StepKernel {
 public:
  virtual ~StepKernel() = default;
  virtual void run(const ir::Node& node, std::span<const TensorView> inputs,
                   std::span<const TensorView> outputs) = 0;
  // Weights the node reads were replaced (refit): drop what was derived from them.
  virtual void weights_changed() {}
};

struct Tactic {
  std::string_view name;
  TacticSource source;
  // Whether the tactic runs `node` with these input/output types and ranks (any shape the
  // profile allows; a shape a library refuses at run time falls back to kiln's kernel).
  bool (*supports)(const ir::Node& node, std::span<const ir::TensorDesc> inputs,
                   std::span<const ir::TensorDesc> outputs);
  // `constant[i]`: input i is weights (the same bytes at every run until a refit).
  std::unique_ptr<StepKernel> (*create)(const ir::Node& node, const std::vector<bool>& constant);
};

inline constexpr std::string_view kReferenceTactic = "cpu.reference";

// Which inputs of `node` are weights in `graph` (absent inputs: false): Tactic::create's
// `constant`.
std::vector<bool> constant_inputs(const ir::Graph& graph, const ir::Node& node);

// Every tactic beyond cpu.reference this kiln has (none without oneDNN).
std::span<const Tactic> library_tactics();
// The tactic named `name`, or null (cpu.reference is not in the list: it has no state).
const Tactic* find_tactic(std::string_view name);
// The oneDNN version this kiln was built with ("" without oneDNN).
std::string_view library_version();

}  // namespace kiln::cpu
