// The build pipeline: validate -> shapes per profile -> constant folding -> dead-layer elimination
// -> one step per layer with a tactic -> memory plan per profile.
#include "builder/pipeline.h"

#include "backends/device.h"
#include "builder/cpu_selection.h"
#include "builder/memory_planner.h"
#include "builder/pass_manager.h"
#include "builder/passes.h"
#include "builder/profiles.h"
#include "builder/progress.h"
#include "builder/refit_info.h"
#include "builder/rewrites/rewrites.h"
#include "builder/selection.h"
#include "builder/stream_planner.h"
#include "builder/timing_cache.h"

namespace kiln::builder {

namespace {

void validate(const ir::Graph& graph) {
  if (graph.outputs.empty())
    fail("the network has no outputs; mark at least one tensor with mark_output");
  std::vector<bool> used(graph.tensors.size(), false);
  for (const ir::Node& n : graph.nodes) {
    for (int32_t i : n.inputs) {
      if (i >= 0) used[i] = true;
    }
  }
  for (int32_t t : graph.inputs) {
    if (!used[t]) fail("input '", graph.tensors[t].name, "' is not used by any layer");
  }
}

// Sizes in bytes of every tensor at one set of input shapes.
std::vector<int64_t> tensor_bytes(const ir::Graph& graph) {
  std::vector<int64_t> bytes;
  for (const ir::Tensor& t : graph.tensors) bytes.push_back(volume(t.dims) * element_size(t.type));
  return bytes;
}

// The timing cache this build reads and fills: the user's when it fits this device, else (none
// given, a foreign one ignored, or kDISABLE_TIMING_CACHE) one that lives for the build only.
TimingCache::Impl* usable_cache(const BuilderConfig& config, const std::string& device,
                                TimingCache::Impl& local, Logger& logger) {
  TimingCache* user = config.get_timing_cache();
  if (config.get_flag(BuilderFlag::kDISABLE_TIMING_CACHE) || user == nullptr) return &local;
  TimingCache::Impl& cache = user->impl();
  if (!cache.device.empty() && cache.device != device) {
    if (!config.timing_cache_ignores_mismatch()) {
      fail("the timing cache was made on '", cache.device, "', this build runs on '", device,
           "'; set it with ignore_mismatch to build without it");
    }
    logger.report(Logger::Severity::kWARNING,
                  str_cat("ignoring the timing cache: it was made on '", cache.device,
                          "', this build runs on '", device, "'"));
    return &local;
  }
  cache.device = device;
  return &cache;
}

std::vector<runtime::StepData> select_tactics(const ir::Graph& graph, const BuilderConfig& config,
                                              DeviceType device,
                                              const std::vector<std::vector<ProfileDims>>& profiles,
                                              Logger& logger, const ProgressPhase& build) {
  ProgressPhase phase(config.progress_monitor(), "Selecting tactics", &build,
                      static_cast<int32_t>(graph.nodes.size()));
  std::vector<std::vector<ir::TensorDesc>> opt, max;
  for (const std::vector<ProfileDims>& ranges : profiles) {
    std::vector<Dims> o, m;
    for (const ProfileDims& r : ranges) {
      o.push_back(r.opt);
      m.push_back(r.max);
    }
    opt.push_back(ir::tensor_descs(with_input_dims(graph, o, "opt shapes")));
    max.push_back(ir::tensor_descs(with_input_dims(graph, m, "max shapes")));
  }
  SelectionRecord record;
  std::vector<runtime::StepData> steps;
  if (device == DeviceType::kGPU) {
    TimingCache::Impl local;
    TimingCache::Impl* cache = usable_cache(config, device_fingerprint(), local, logger);
    TacticSelection selection{graph, config, opt, max, *cache, logger, record, phase};
    steps = select_cuda_tactics(selection);
  } else {
    steps = select_cpu_tactics(graph, config, opt, logger, phase, record);
  }
  if (AlgorithmSelector* selector = config.algorithm_selector()) {
    selector->report_algorithms(record.contexts, record.choices);
  }
  return steps;
}

// The graph passes, in order, through the pass manager (KILN_VERIFY_IR, KILN_DUMP_IR). With
// kREFIT, floating-point weights stay weights (not folded into others or baked into fused
// programs) so that a refit can replace them (docs/refit.md).
ir::Graph optimize(ir::Graph graph, const BuilderConfig& config, DeviceType device,
                   const std::vector<std::vector<ProfileDims>>& profiles, Logger& logger,
                   ProgressPhase& phase, bool pointwise_fusion) {
  const bool refit = config.get_flag(BuilderFlag::kREFIT);
  PassManager pm(logger);
  pm.run("bind_constants", graph, bind_constants);
  pm.run("fold_constants", graph,
         [&](const ir::Graph& g) { return fold_constants(g, logger, profiles, refit); });
  pm.run("eliminate_dead_layers", graph,
         [&](const ir::Graph& g) { return eliminate_dead_layers(g, logger); });
  phase.step(0);
  pm.run("remove_identities", graph,
         [&](const ir::Graph& g) { return remove_identities(g, logger); });
  pm.run("merge_shuffles", graph, [&](const ir::Graph& g) { return merge_shuffles(g, logger); });
  pm.run("fold_transpose_into_matmul", graph,
         [&](const ir::Graph& g) { return fold_transpose_into_matmul(g, logger); });
  pm.run("fuse_attention", graph,
         [&](const ir::Graph& g) { return fuse_attention(g, logger, refit); });
  pm.run("fuse_gelu", graph, [&](const ir::Graph& g) { return fuse_gelu(g, logger); });
  pm.run("fuse_layer_norm", graph,
         [&](const ir::Graph& g) { return fuse_layer_norm(g, logger, refit); });
  pm.run("fold_scale_into_conv", graph,
         [&](const ir::Graph& g) { return fold_scale_into_conv(g, logger, refit); });
  phase.step(1);
  if (config.get_flag(BuilderFlag::kFP16)) {
    pm.run("lower_precision", graph,
           [&](const ir::Graph& g) { return lower_precision(g, DataType::kHALF); });
  } else if (config.get_flag(BuilderFlag::kBF16)) {
    pm.run("lower_precision", graph,
           [&](const ir::Graph& g) { return lower_precision(g, DataType::kBF16); });
  }
  phase.step(2);
  // Bias and activation epilogues: cuBLASLt/cuDNN epilogues on the GPU, oneDNN post-ops (or the
  // reference kernels' own loops) on the CPU.
  pm.run("fuse_epilogues", graph, [&](const ir::Graph& g) { return fuse_epilogues(g, logger); });
  phase.step(3);
  if (pointwise_fusion) {
    std::vector<std::vector<Dims>> instances;
    for (const std::vector<ProfileDims>& ranges : profiles) {
      for (int which = 0; which < 3; ++which) {
        std::vector<Dims> dims;
        for (const ProfileDims& r : ranges)
          dims.push_back(which == 0 ? r.min : which == 1 ? r.opt : r.max);
        ir::Graph at = with_input_dims(graph, dims, "profile shapes");
        std::vector<Dims> per_tensor;
        for (const ir::Tensor& t : at.tensors) per_tensor.push_back(t.dims);
        instances.push_back(std::move(per_tensor));
      }
    }
    pm.run("fuse_pointwise", graph,
           [&](const ir::Graph& g) { return fuse_pointwise(g, logger, refit, instances); });
  }
  phase.step(4);
  pm.run("make_views", graph, [&](const ir::Graph& g) { return make_views(g, logger); });
  pm.run("materialize_outputs", graph, materialize_outputs);
  pm.run("compact", graph, compact);  // nodes in execution order from here on
  phase.step(5);
  return graph;
}

}  // namespace

runtime::EngineData build_engine(const ir::Graph& network, const BuilderConfig& config,
                                 DeviceType device, const DeviceInfo& gpu, Logger& logger) {
  ProgressPhase build(config.progress_monitor(), "Building engine", nullptr, 4);
  ir::Graph graph = network;
  std::vector<std::vector<ProfileDims>> profiles;
  {
    ProgressPhase phase(config.progress_monitor(), "Checking network and profiles", &build, 3);
    ir::infer_graph(graph);
    validate(graph);
    phase.step(0);
    profiles = resolve_profiles(graph, config);
    phase.step(1);
    check_profile_shapes(graph, profiles);
    phase.step(2);
  }
  build.step(0);
  {
    ProgressPhase phase(config.progress_monitor(), "Optimizing graph", &build, 6);
    ir::Graph checked = graph;
    // Generated kernels are compiled for this GPU's architecture only, so plans meant for other
    // GPUs (hardware compatibility levels) keep the layers unfused.
    const bool portable = device == DeviceType::kGPU && config.hardware_compatibility_level() !=
                                                            HardwareCompatibilityLevel::kNONE;
    graph = optimize(checked, config, device, profiles, logger, phase, !portable);
    if (device == DeviceType::kGPU) {
      // Generated kernels are compiled now, all in one program; if that fails the engine is
      // built from unfused layers instead (the message names the fused op and its source).
      std::string failure = compile_generated_kernels(graph, gpu, logger);
      if (!failure.empty()) {
        logger.report(Logger::Severity::kWARNING,
                      failure + "; building without pointwise fusion instead");
        graph = optimize(checked, config, device, profiles, logger, phase, false);
      }
    }
  }
  build.step(1);
  if (logger.enabled(Logger::Severity::kVERBOSE)) {
    logger.report(Logger::Severity::kVERBOSE, "optimized graph:\n" + ir::dump(graph));
  }
  runtime::EngineData engine;
  engine.device = device;
  engine.compute_capability = device == DeviceType::kGPU ? gpu.compute_capability : 0;
  engine.builder_flags = config.flags();
  if (device == DeviceType::kGPU)
    engine.hardware_compatibility = static_cast<uint32_t>(config.hardware_compatibility_level());
  engine.steps = select_tactics(graph, config, device, profiles, logger, build);
  build.step(2);
  if (device == DeviceType::kGPU)
    engine.num_aux_streams = plan_streams(graph, engine.steps, config.max_aux_streams());
  {
    ProgressPhase phase(config.progress_monitor(), "Planning memory", &build,
                        static_cast<int32_t>(profiles.size()));
    std::vector<int32_t> streams;
    for (const runtime::StepData& step : engine.steps) streams.push_back(step.stream);
    for (size_t p = 0; p < profiles.size(); ++p) {
      std::vector<Dims> max;
      for (const ProfileDims& r : profiles[p]) max.push_back(r.max);
      ir::Graph at_max = with_input_dims(graph, max, "max shapes");
      engine.profiles.push_back({profiles[p], plan_memory(graph, tensor_bytes(at_max), streams)});
      phase.step(static_cast<int32_t>(p));
    }
  }
  build.step(3);
  if (config.get_flag(BuilderFlag::kREFIT)) engine.refit = refit_data(network, graph);
  engine.graph = std::move(graph);
  return engine;
}

}  // namespace kiln::builder
