// Helpers for the end-to-end tests: building a network into an engine through the public API,
// and running it on host buffers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kiln/kiln.h"
#include "mnist/mnist_network.h"

namespace kiln::test {

inline Logger& quiet_logger() {
  static Logger logger(Logger::Severity::kERROR);
  return logger;
}

using examples::uniform;
using examples::weights_of;

inline std::unique_ptr<Engine> build_cpu_engine(Builder& builder, NetworkDefinition& network,
                                                BuilderConfig& config) {
  config.set_default_device_type(DeviceType::kCPU);
  std::vector<uint8_t> plan = builder.build_serialized_network(network, config);
  Runtime runtime(quiet_logger());
  return runtime.deserialize_cuda_engine(plan.data(), plan.size());
}

// Sets every input's shape and address, allocates float32 outputs, runs, and returns the outputs.
inline std::map<std::string, std::vector<float>> run_float(
    ExecutionContext& ctx, const Engine& engine,
    const std::map<std::string, std::pair<Dims, std::vector<float>>>& inputs) {
  for (const auto& [name, value] : inputs) {
    ctx.set_input_shape(name, value.first);
    ctx.set_tensor_address(name, const_cast<float*>(value.second.data()));
  }
  std::map<std::string, std::vector<float>> outputs;
  for (int32_t i = 0; i < engine.num_io_tensors(); ++i) {
    const std::string& name = engine.get_tensor_name(i);
    if (engine.get_tensor_mode(name) != TensorIOMode::kOUTPUT) continue;
    EXPECT_EQ(engine.get_tensor_dtype(name), DataType::kFLOAT) << name;
    Dims shape = ctx.get_tensor_shape(name);
    outputs[name].assign(static_cast<size_t>(volume(shape)), -12345.0f);
  }
  for (auto& [name, buffer] : outputs) ctx.set_tensor_address(name, buffer.data());
  ctx.execute_async_v3(nullptr);
  return outputs;
}

// max |a - b| / max(1, |b|) over all elements.
inline double max_rel_error(const std::vector<float>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    double e = std::abs(a[i] - b[i]) / std::max(1.0, std::abs(b[i]));
    if (!(e <= worst)) worst = e;  // NaN sticks
  }
  return worst;
}

}  // namespace kiln::test
