// Everything a plan holds: what the builder produces, the plan stores and the runtime runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace kiln::runtime {

// Where each activation tensor lives in a profile's arena.
struct MemoryPlan {
  int64_t arena_size = 0;        // bytes, for the profile's max shapes
  std::vector<int64_t> offsets;  // per graph tensor: byte offset in the arena, -1 if not in it
};

struct ProfileData {
  std::vector<ProfileDims> inputs;  // one per graph input, in Graph::inputs order
  MemoryPlan memory;
};

// One node to run, with the tactic chosen for it.
struct StepData {
  int32_t node = -1;            // index into Graph::nodes
  std::string tactic;           // e.g. "cpu.reference"
  std::vector<uint8_t> params;  // tactic parameters (an algorithm blob, a kernel config)
  int32_t stream = 0;           // 0 = the main stream, i > 0 = auxiliary stream i - 1
};

// BuilderFlag::kREFIT plans (docs/refit.md): one entry per weights of the network that the
// engine can refit, with the engine weights holding its values. A target holds the same values,
// in the target's own type (float16/bfloat16 copies of float32 weights in reduced-precision
// builds) and dims (a bias fused into a matrix multiply is the same values as a vector).
struct RefitWeights {
  std::string name;  // as the network (or the ONNX file) named it
  DataType type = DataType::kFLOAT;
  Dims dims;
  std::vector<int32_t> targets;  // indices into Graph::weights
};
// Which weights a layer of the network used in a role (WeightsRole), for Refitter::set_weights.
struct RefitRole {
  std::string layer;
  int32_t role = 0;     // WeightsRole
  std::string weights;  // a RefitWeights::name
};
struct RefitData {
  std::vector<RefitWeights> weights;
  std::vector<RefitRole> roles;
};

struct EngineData {
  DeviceType device = DeviceType::kCPU;
  int32_t compute_capability = 0;       // major * 10 + minor of the build device; 0 for CPU plans
  uint32_t builder_flags = 0;           // BuilderFlag bits the build used
  uint32_t hardware_compatibility = 0;  // HardwareCompatibilityLevel of a GPU plan; 0 for CPU plans
  // After the builder's passes: constants are tensors bound to weights (Tensor::weights), and
  // every node is run by exactly one step.
  ir::Graph graph;
  std::vector<StepData> steps;  // in execution order
  std::vector<ProfileData> profiles;
  int32_t num_aux_streams = 0;
  RefitData refit;  // empty unless builder_flags has BuilderFlag::kREFIT
};

}  // namespace kiln::runtime
