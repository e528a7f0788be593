// A plugin written only for tests: "ScaleSum" takes x [..., C] (float32) and gives
// out0 = x * scale and out1 = the sum of x over its last dimension ([...]). Fields: "scale"
// (float32), "fail_in_enqueue" (int32, 1 makes enqueue throw). Counts its creations and runs.
#pragma once

#include <atomic>

#include "kiln/plugin.h"

namespace kiln::test {

struct ScaleSumCounters {
  std::atomic<int> created_build{0}, created_runtime{0}, enqueued{0};
};
inline ScaleSumCounters& scale_sum_counters() {
  static ScaleSumCounters c;
  return c;
}

class ScaleSum final : public PluginV3 {
 public:
  ScaleSum(std::string version, float scale, int32_t fail_in_enqueue)
      : version_(std::move(version)), scale_(scale), fail_(fail_in_enqueue) {}
  std::string get_plugin_name() const override { return "ScaleSum"; }
  std::string get_plugin_version() const override { return version_; }
  std::unique_ptr<PluginV3> clone() const override { return std::make_unique<ScaleSum>(*this); }
  int32_t get_nb_outputs() const override { return 2; }
  std::vector<DataType> get_output_data_types(std::span<const DataType> in) const override {
    return {in[0], in[0]};
  }
  std::vector<Dims> get_output_shapes(std::span<const Dims> in,
                                      std::span<const Dims>) const override {
    if (in.size() != 1) throw std::runtime_error("ScaleSum takes one input");
    if (in[0].nb_dims < 1) throw std::runtime_error("ScaleSum needs rank >= 1");
    Dims sum = in[0];
    sum.nb_dims -= 1;
    return {in[0], sum};
  }
  bool supports_types(std::span<const DataType> in, std::span<const DataType>) const override {
    return in[0] == DataType::kFLOAT;
  }
  size_t get_workspace_size(std::span<const PluginTensorDesc> in,
                            std::span<const PluginTensorDesc>) const override {
    return static_cast<size_t>(in[0].dims.d[in[0].dims.nb_dims - 1]) * sizeof(float);
  }
  void enqueue(DeviceType device, std::span<const PluginTensorDesc> in,
               std::span<const PluginTensorDesc> out, const void* const* inputs,
               void* const* outputs, void* workspace, void*) override {
    if (device != DeviceType::kCPU) throw std::runtime_error("ScaleSum runs on the CPU only");
    if (fail_) throw std::runtime_error("ScaleSum was told to fail");
    ++scale_sum_counters().enqueued;
    int64_t c = in[0].dims.d[in[0].dims.nb_dims - 1];
    int64_t rows = volume(out[1].dims);
    const float* x = static_cast<const float*>(inputs[0]);
    float* y = static_cast<float*>(outputs[0]);
    float* s = static_cast<float*>(outputs[1]);
    float* scratch = static_cast<float*>(workspace);  // used to prove the workspace is there
    for (int64_t r = 0; r < rows; ++r) {
      float total = 0;
      for (int64_t k = 0; k < c; ++k) {
        scratch[k] = x[r * c + k];
        y[r * c + k] = scratch[k] * scale_;
        total += scratch[k];
      }
      s[r] = total;
    }
  }
  PluginFieldCollection get_fields_to_serialize() const override {
    return {PluginField("scale", std::vector<float>{scale_}),
            PluginField("fail_in_enqueue", std::vector<int32_t>{fail_})};
  }

 private:
  std::string version_;
  float scale_;
  int32_t fail_;
};

class ScaleSumCreator final : public PluginCreator {
 public:
  explicit ScaleSumCreator(std::string version = "1") : version_(std::move(version)) {}
  std::string get_plugin_name() const override { return "ScaleSum"; }
  std::string get_plugin_version() const override { return version_; }
  std::unique_ptr<PluginV3> create_plugin(const std::string&, const PluginFieldCollection& fields,
                                          PluginPhase phase) override {
    float scale = 1.0f;
    int32_t fail_in_enqueue = 0;
    if (const PluginField* f = find_field(fields, "scale")) {
      std::vector<float> v = f->values<float>();
      if (v.size() != 1) throw std::runtime_error("scale must be one value");
      scale = v[0];
    }
    if (const PluginField* f = find_field(fields, "fail_in_enqueue"))
      fail_in_enqueue = f->values<int32_t>().at(0);
    ++(phase == PluginPhase::kBUILD ? scale_sum_counters().created_build
                                    : scale_sum_counters().created_runtime);
    return std::make_unique<ScaleSum>(version_, scale, fail_in_enqueue);
  }

 private:
  std::string version_;
};

}  // namespace kiln::test
