// The build pipeline: validate -> shapes per profile -> constant folding -> dead-layer elimination
// -> one step per layer with a tactic -> memory plan per profile.
#include "builder/pipeline.h"

#include "builder/memory_planner.h"
#include "builder/passes.h"
#include "builder/profiles.h"
#include "builder/stream_planner.h"

namespace kiln::builder {

namespace {

void validate(const ir::Graph& graph) {
  if (graph.outputs.empty())
    fail("the network has no outputs; mark at least one tensor with mark_output");
  for (int32_t t : graph.inputs) {
    const ir::Tensor& in = graph.tensors[t];
    bool used = false;
    for (const ir::Node& n : graph.nodes) {
      for (int32_t i : n.inputs) used |= (i == t);
    }
    if (!used) fail("input '", in.name, "' is not used by any layer");
  }
}

// Sizes in bytes of every tensor at one set of input shapes.
std::vector<int64_t> tensor_bytes(const ir::Graph& graph) {
  std::vector<int64_t> bytes;
  for (const ir::Tensor& t : graph.tensors) bytes.push_back(volume(t.dims) * element_size(t.type));
  return bytes;
}

std::vector<runtime::StepData> select_tactics(const ir::Graph& graph, const BuilderConfig& config,
                                              DeviceType device) {
  if (device == DeviceType::kGPU) return select_cuda_tactics(graph, config);
  std::vector<runtime::StepData> steps;
  for (int32_t i = 0; i < static_cast<int32_t>(graph.nodes.size()); ++i) {
    runtime::StepData step;
    step.node = i;
    step.tactic = "cpu.reference";
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace

runtime::EngineData build_engine(const ir::Graph& network, const BuilderConfig& config,
                                 DeviceType device, const DeviceInfo& gpu, Logger& logger) {
  ir::Graph graph = network;
  ir::infer_graph(graph);
  validate(graph);
  std::vector<std::vector<ProfileDims>> profiles = resolve_profiles(graph, config);
  check_profile_shapes(graph, profiles);

  graph = bind_constants(graph);
  graph = fold_constants(graph, logger);
  graph = eliminate_dead_layers(graph, logger);
  if (config.get_flag(BuilderFlag::kFP16)) {
    graph = lower_precision(graph, DataType::kHALF);
  } else if (config.get_flag(BuilderFlag::kBF16)) {
    graph = lower_precision(graph, DataType::kBF16);
  }
  graph = materialize_outputs(graph);
  graph = compact(graph);  // nodes in execution order from here on
  if (logger.enabled(Logger::Severity::kVERBOSE)) {
    logger.report(Logger::Severity::kVERBOSE, "optimized graph:\n" + ir::dump(graph));
  }

  runtime::EngineData engine;
  engine.device = device;
  engine.compute_capability = device == DeviceType::kGPU ? gpu.compute_capability : 0;
  engine.builder_flags = config.flags();
  engine.steps = select_tactics(graph, config, device);
  if (device == DeviceType::kGPU)
    engine.num_aux_streams = plan_streams(graph, engine.steps, config.max_aux_streams());
  std::vector<int32_t> streams;
  for (const runtime::StepData& step : engine.steps) streams.push_back(step.stream);
  for (const std::vector<ProfileDims>& ranges : profiles) {
    std::vector<Dims> max;
    for (const ProfileDims& r : ranges) max.push_back(r.max);
    ir::Graph at_max = with_input_dims(graph, max, "max shapes");
    engine.profiles.push_back({ranges, plan_memory(graph, tensor_bytes(at_max), streams)});
  }
  engine.graph = std::move(graph);
  return engine;
}

}  // namespace kiln::builder
