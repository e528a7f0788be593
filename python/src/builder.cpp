// Builder, IOptimizationProfile and IBuilderConfig. build_serialized_network releases the GIL
// while it builds and returns None, with the reason logged, when the network cannot be built.
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>

#include "bindings.h"
#include "trt_enums.h"

namespace kiln::python {

namespace {

constexpr auto kRef = nb::rv_policy::reference_internal;

struct PyBuilder {
  std::unique_ptr<Builder> builder;
  Logger* logger;
  std::vector<const OptimizationProfile*> profiles;  // registered with the logger
  int32_t max_batch_size = 1;                        // TensorRT 7/8's, no effect

  ~PyBuilder() {
    for (const OptimizationProfile* p : profiles) unregister_logger(p);
  }
};

bool get_flag(const PyConfig& c, trt::BuilderFlag f) {
  kiln::BuilderFlag k;
  if (trt::to_kiln_flag(f, k)) return c.config->get_flag(k);
  return (c.other_flags >> static_cast<int32_t>(f)) & 1u;
}

// Why a TensorRT flag kiln does not implement changes nothing.
const char* unimplemented_flag_reason(trt::BuilderFlag f) {
  using F = trt::BuilderFlag;
  switch (f) {
    case F::INT8:
    case F::FP8:
    case F::INT4:
    case F::FP4:
      return "kiln builds float32/float16/bfloat16 engines only (no quantized precisions)";
    case F::OBEY_PRECISION_CONSTRAINTS:
    case F::PREFER_PRECISION_CONSTRAINTS:
      return "kiln does not honour per-layer precision constraints (ILayer.precision)";
    case F::GPU_FALLBACK:
      return "DLA is not applicable to kiln";
    case F::SAFETY_SCOPE:
      return "kiln has no safety runtime";
    case F::WEIGHT_STREAMING:
      return "kiln does not stream weights";
    default:
      return "kiln does not implement it";
  }
}

void warn_unimplemented_flag(const PyConfig& c, trt::BuilderFlag f) {
  nb::object name = nb::cast(f).attr("name");
  std::string message = "set_flag: BuilderFlag." + nb::cast<std::string>(name) +
                        " is accepted but has no effect: " + unimplemented_flag_reason(f);
  if (c.logger != nullptr) c.logger->report(Logger::Severity::kWARNING, message);
}

PyType_Slot config_slots[] = {{Py_tp_traverse, reinterpret_cast<void*>(config_traverse)},
                              {Py_tp_clear, reinterpret_cast<void*>(config_clear)},
                              {0, nullptr}};

// Tactic-source masks: bit int(trt::TacticSource) <-> bit int(kiln::TacticSource).
uint32_t tactic_mask_to_kiln(uint32_t mask) {
  uint32_t out = 0;
  for (int32_t bit = 0; bit < 32; ++bit) {
    kiln::TacticSource k;
    if (((mask >> bit) & 1u) && trt::to_kiln(static_cast<trt::TacticSource>(bit), k))
      out |= 1u << static_cast<int32_t>(k);
  }
  return out;
}

uint32_t tactic_mask_to_trt(uint32_t mask) {
  uint32_t out = 0;
  for (int32_t bit = 0; bit < 32; ++bit) {
    if ((mask >> bit) & 1u)
      out |= 1u << static_cast<int32_t>(trt::to_trt(static_cast<kiln::TacticSource>(bit)));
  }
  return out;
}

}  // namespace

void bind_builder(nb::module_& m) {
  nb::class_<OptimizationProfile>(
      m, "IOptimizationProfile",
      "min/opt/max shapes for the dynamic inputs; made by Builder.create_optimization_profile().")
      .def(
          "set_shape",
          [](OptimizationProfile& p, const std::string& input, const Dims& min, const Dims& opt,
             const Dims& max) {
            guarded_void(logger_of(&p), "set_shape", [&] { p.set_shape(input, min, opt, max); });
          },
          nb::arg("input"), nb::arg("min"), nb::arg("opt"), nb::arg("max"),
          "Sets the shape range of an input; a bad range is logged and ignored (kiln.Error in "
          "strict mode).")
      .def(
          "get_shape",
          [](const OptimizationProfile& p, const std::string& input) -> nb::object {
            if (!p.has_shape(input)) return nb::list();
            return profile_to_python(p.get_shape(input));
          },
          nb::arg("input"), "[min, opt, max] for an input, [] when none was set.")
      .def("__bool__", [](const OptimizationProfile& p) { return !p.entries().empty(); });

  nb::class_<PyConfig> config(m, "IBuilderConfig",
                              "Build settings; made by Builder.create_builder_config().",
                              nb::type_slots(config_slots), nb::is_weak_referenceable());
  config
      .def(
          "set_flag",
          [](PyConfig& c, trt::BuilderFlag f) {
            kiln::BuilderFlag k;
            if (trt::to_kiln_flag(f, k)) {
              c.config->set_flag(k);
            } else {
              warn_unimplemented_flag(c, f);
              c.other_flags |= 1u << static_cast<int32_t>(f);
            }
          },
          nb::arg("flag"),
          "Sets a flag. Flags kiln does not implement (INT8, FP8, SPARSE_WEIGHTS, "
          "OBEY_PRECISION_CONSTRAINTS, ...) are remembered and logged as having no effect.")
      .def(
          "clear_flag",
          [](PyConfig& c, trt::BuilderFlag f) {
            kiln::BuilderFlag k;
            if (trt::to_kiln_flag(f, k)) {
              c.config->clear_flag(k);
            } else {
              c.other_flags &= ~(1u << static_cast<int32_t>(f));
            }
          },
          nb::arg("flag"))
      .def("get_flag", &get_flag, nb::arg("flag"))
      .def_prop_rw(
          "flags",
          [](const PyConfig& c) {
            uint32_t mask = 0;
            for (int32_t bit = 0; bit < trt::kNumBuilderFlags; ++bit) {
              if (get_flag(c, static_cast<trt::BuilderFlag>(bit))) mask |= 1u << bit;
            }
            return mask;
          },
          [](PyConfig& c, uint32_t flags) {
            for (int32_t bit = 0; bit < trt::kNumBuilderFlags; ++bit) {
              auto flag = static_cast<trt::BuilderFlag>(bit);
              kiln::BuilderFlag k;
              bool on = (flags >> bit) & 1u;
              if (trt::to_kiln_flag(flag, k)) {
                if (on) {
                  c.config->set_flag(k);
                } else {
                  c.config->clear_flag(k);
                }
              } else if (on) {
                if (!((c.other_flags >> bit) & 1u)) warn_unimplemented_flag(c, flag);
                c.other_flags |= 1u << bit;
              } else {
                c.other_flags &= ~(1u << bit);
              }
            }
          },
          "Bitmask of 1 << int(BuilderFlag.X) (TensorRT's bit positions).")
      .def(
          "set_memory_pool_limit",
          [](PyConfig& c, MemoryPoolType pool, uint64_t size) {
            guarded_void(c.logger, "set_memory_pool_limit",
                         [&] { c.config->set_memory_pool_limit(pool, size); });
          },
          nb::arg("pool"), nb::arg("pool_size"))
      .def(
          "get_memory_pool_limit",
          [](const PyConfig& c, MemoryPoolType pool) { return c.config->memory_pool_limit(pool); },
          nb::arg("pool"))
      .def(
          "add_optimization_profile",
          [](PyConfig& c, const OptimizationProfile& p) {
            return guarded<int32_t>(c.logger, "add_optimization_profile", -1,
                                    [&] { return c.config->add_optimization_profile(p); });
          },
          nb::arg("profile"), "Copies the profile; returns its index, or -1 on failure.")
      .def_prop_ro("num_optimization_profiles",
                   [](const PyConfig& c) { return c.config->num_optimization_profiles(); })
      .def_prop_rw(
          "max_aux_streams", [](const PyConfig& c) { return c.config->max_aux_streams(); },
          [](PyConfig& c, int32_t n) {
            guarded_void(c.logger, "max_aux_streams", [&] { c.config->set_max_aux_streams(n); });
          })
      .def_prop_rw(
          "cpu_threads", [](const PyConfig& c) { return c.config->cpu_threads(); },
          [](PyConfig& c, int32_t n) {
            guarded_void(c.logger, "cpu_threads", [&] { c.config->set_cpu_threads(n); });
          },
          "kiln: threads the build times CPU tactics with (0: the default); the engine's own "
          "come from Runtime.cpu_threads.")
      .def_prop_rw(
          "hardware_compatibility_level",
          [](const PyConfig& c) { return c.config->hardware_compatibility_level(); },
          [](PyConfig& c, HardwareCompatibilityLevel level) {
            c.config->set_hardware_compatibility_level(level);
          },
          "Which GPUs a GPU plan may run on: SAME_COMPUTE_CAPABILITY (default) or AMPERE_PLUS.")
      .def_prop_rw(
          "builder_optimization_level",
          [](const PyConfig& c) { return c.config->builder_optimization_level(); },
          [](PyConfig& c, int32_t level) {
            guarded_void(c.logger, "builder_optimization_level",
                         [&] { c.config->set_builder_optimization_level(level); });
          },
          "0 (heuristics only, fastest build) to 5 (time the most candidates); 3 by default.")
      .def(
          "set_tactic_sources",
          [](PyConfig& c, uint32_t mask) {
            c.config->set_tactic_sources(tactic_mask_to_kiln(mask));
            return true;
          },
          nb::arg("tactic_sources"),
          "Bitmask of 1 << int(TacticSource.X); returns True. EDGE_MASK_CONVOLUTIONS and "
          "JIT_CONVOLUTIONS are not applicable to kiln and ignored.")
      .def("get_tactic_sources",
           [](const PyConfig& c) { return tactic_mask_to_trt(c.config->tactic_sources()); })
      .def_prop_rw(
          "default_device_type", [](const PyConfig& c) { return c.config->default_device_type(); },
          [](PyConfig& c, DeviceType type) { c.config->set_default_device_type(type); },
          "DeviceType.GPU (default; CPU with a warning when no GPU is usable) or DeviceType.CPU.");
  bind_config_tuning(config);

  nb::class_<PyBuilder>(m, "Builder", "Builds networks into plans: TensorRT's trt.Builder.",
                        nb::is_weak_referenceable())
      .def(
          "__init__",
          [](PyBuilder* self, Logger& logger) {
            new (self) PyBuilder{std::make_unique<Builder>(logger), &logger};
          },
          nb::arg("logger"), nb::keep_alive<1, 2>())
      .def(
          "create_network",
          [](PyBuilder& b, uint32_t flags) {
            return std::make_unique<PyNetwork>(b.builder->create_network(), b.logger);
          },
          nb::arg("flags") = 0, nb::keep_alive<0, 1>(),
          "A new, empty network. flags: NetworkDefinitionCreationFlag bits; explicit batch is "
          "the only mode, so EXPLICIT_BATCH is accepted and changes nothing.")
      .def(
          "create_builder_config",
          [](PyBuilder& b) {
            auto config = std::make_unique<PyConfig>();
            config->config = b.builder->create_builder_config();
            config->logger = b.logger;
            return config;
          },
          nb::keep_alive<0, 1>())
      .def(
          "create_optimization_profile",
          [](PyBuilder& b) {
            OptimizationProfile* profile = b.builder->create_optimization_profile();
            register_logger(profile, b.logger);
            b.profiles.push_back(profile);
            return profile;
          },
          kRef,
          "A new profile owned by the builder; fill it, then config.add_optimization_profile().")
      .def(
          "build_serialized_network",
          [](PyBuilder& b, PyNetwork& network, PyConfig& config) -> nb::object {
            return guarded<nb::object>(b.logger, "build_serialized_network", nb::none(), [&] {
              std::vector<uint8_t> plan;
              {
                nb::gil_scoped_release release;
                plan = b.builder->build_serialized_network(*network.def, *config.config);
              }
              return make_host_memory(std::move(plan));
            });
          },
          nb::arg("network"), nb::arg("config"),
          "The plan as IHostMemory (buffer protocol), or None with the reason logged when the "
          "network cannot be built.")
      .def_prop_ro(
          "platform_has_fast_fp16", [](const PyBuilder&) { return true; },
          "True: every backend runs float16 layers.")
      .def_prop_ro(
          "platform_has_fast_int8", [](const PyBuilder&) { return false; },
          "False: kiln has no INT8 (quantized) engines.")
      .def_prop_ro(
          "platform_has_tf32", [](const PyBuilder&) { return true; },
          "True: BuilderFlag.TF32 is honoured (on the GPU; the CPU backend computes float32).")
      .def_prop_rw(
          "error_recorder",
          [](const PyBuilder& b) { return error_recorder_to_python(b.builder->get_error_recorder()); },
          [](PyBuilder& b, nb::handle r) { b.builder->set_error_recorder(error_recorder_from_python(r)); },
          nb::arg("recorder").none(),
          "TensorRT's IErrorRecorder: every error this object raises is also reported to it "
          "(report_error(ErrorCodeTRT, desc)); None removes it (docs/reliability.md).")
      .def_prop_ro(
          "logger", [](const PyBuilder& b) { return nb::find(b.logger); },
          "The logger the builder was made with.")
      .def_prop_rw(
          "max_batch_size", [](const PyBuilder& b) { return b.max_batch_size; },
          [](PyBuilder& b, int32_t n) { b.max_batch_size = n; },
          "TensorRT 7/8's implicit-batch size: stored, no effect (kiln networks have an explicit "
          "batch dimension; give it a range with an optimization profile).");
}

}  // namespace kiln::python
