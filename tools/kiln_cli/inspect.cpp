// kiln inspect's text summary of an engine.
#include <cstdio>
#include <map>
#include <sstream>

#include "inspect.h"
#include "json.h"

namespace kiln::cli {

std::string engine_summary(const Engine& engine, const StepTimeList* times) {
  std::string out = std::string(engine.device_type() == DeviceType::kCPU ? "CPU" : "GPU") +
                    " engine: " + std::to_string(engine.num_layers()) + " steps, " +
                    std::to_string(engine.num_optimization_profiles()) + " profile(s), " +
                    std::to_string(engine.num_aux_streams()) + " auxiliary stream(s)";
  if (engine.device_type() == DeviceType::kGPU) {
    out +=
        ", " + std::to_string(engine.device_memory_size()) + " bytes of device memory per context";
  }
  out += "\n";
  for (int32_t i = 0; i < engine.num_io_tensors(); ++i) {
    const std::string& name = engine.get_tensor_name(i);
    bool input = engine.get_tensor_mode(name) == TensorIOMode::kINPUT;
    Dims dims = engine.get_tensor_shape(name);
    out += std::string(input ? "  input  " : "  output ") + name + " " +
           to_string(engine.get_tensor_dtype(name)) + " " + to_string(dims);
    if (input && dims.is_dynamic()) {
      for (int32_t p = 0; p < engine.num_optimization_profiles(); ++p) {
        ProfileDims r = engine.get_tensor_profile_shape(name, p);
        out += "  profile " + std::to_string(p) + ": min " + to_string(r.min) + " opt " +
               to_string(r.opt) + " max " + to_string(r.max);
      }
    }
    out += "\n";
  }
  std::map<std::string, double> time_of;
  double total = 0;
  if (times) {
    for (const auto& [name, ms] : *times) {
      time_of[name] += ms;
      total += ms;
    }
  }
  auto inspector = engine.create_engine_inspector();
  out += "steps:\n";
  for (int32_t i = 0; i < inspector->num_layers(); ++i) {
    std::string line = inspector->get_layer_information(i, LayerInformationFormat::kONELINE);
    char prefix[48];
    std::snprintf(prefix, sizeof prefix, "  %3d  ", i);
    out += prefix;
    if (times) {
      std::string name =
          json::parse(inspector->get_layer_information(i, LayerInformationFormat::kJSON),
                      "layer information")["name"]
              .string;
      auto it = time_of.find(name);
      char buf[48];
      if (it != time_of.end()) {
        std::snprintf(buf, sizeof buf, "%9.4f ms %5.1f%%  ", it->second,
                      total > 0 ? 100.0 * it->second / total : 0.0);
      } else {
        std::snprintf(buf, sizeof buf, "%9s    %5s   ", "-", "-");
      }
      out += buf;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace kiln::cli
