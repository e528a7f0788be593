// An example plugin library: "ScaledTanh" version "1", y = alpha * tanh(beta * x) on float32, on
// the CPU backend. Built as a shared library that kiln loads with load_plugin_library().
#include <cmath>
#include <stdexcept>

#include "kiln/plugin.h"

namespace {

class ScaledTanh final : public kiln::PluginV3 {
 public:
  ScaledTanh(float alpha, float beta) : alpha_(alpha), beta_(beta) {}

  std::string get_plugin_name() const override { return "ScaledTanh"; }
  std::string get_plugin_version() const override { return "1"; }
  std::unique_ptr<kiln::PluginV3> clone() const override {
    return std::make_unique<ScaledTanh>(*this);
  }
  int32_t get_nb_outputs() const override { return 1; }
  std::vector<kiln::DataType> get_output_data_types(
      std::span<const kiln::DataType> inputs) const override {
    if (inputs.size() != 1) throw std::runtime_error("ScaledTanh takes one input");
    return {inputs[0]};
  }
  // Same shape as the input; -1 (dynamic) dimensions stay -1.
  std::vector<kiln::Dims> get_output_shapes(std::span<const kiln::Dims> inputs,
                                            std::span<const kiln::Dims>) const override {
    return {inputs[0]};
  }
  bool supports_types(std::span<const kiln::DataType> inputs,
                      std::span<const kiln::DataType>) const override {
    return inputs[0] == kiln::DataType::kFLOAT;
  }
  void enqueue(kiln::DeviceType, std::span<const kiln::PluginTensorDesc> in,
               std::span<const kiln::PluginTensorDesc>, const void* const* inputs,
               void* const* outputs, void*, void*) override {
    int64_t n = kiln::volume(in[0].dims);
    const float* x = static_cast<const float*>(inputs[0]);
    float* y = static_cast<float*>(outputs[0]);
    for (int64_t i = 0; i < n; ++i) y[i] = alpha_ * std::tanh(beta_ * x[i]);
  }
  kiln::PluginFieldCollection get_fields_to_serialize() const override {
    return {kiln::PluginField("alpha", std::vector<float>{alpha_}),
            kiln::PluginField("beta", std::vector<float>{beta_})};
  }

 private:
  float alpha_, beta_;
};

class ScaledTanhCreator final : public kiln::PluginCreator {
 public:
  std::string get_plugin_name() const override { return "ScaledTanh"; }
  std::string get_plugin_version() const override { return "1"; }
  kiln::PluginFieldCollection get_field_names() const override {
    kiln::PluginField alpha, beta;
    alpha.name = "alpha";
    alpha.type = kiln::PluginFieldType::kFLOAT32;
    beta.name = "beta";
    beta.type = kiln::PluginFieldType::kFLOAT32;
    return {alpha, beta};
  }
  std::unique_ptr<kiln::PluginV3> create_plugin(const std::string&,
                                                const kiln::PluginFieldCollection& fields,
                                                kiln::PluginPhase) override {
    float alpha = 1.0f, beta = 1.0f;
    if (const kiln::PluginField* f = kiln::find_field(fields, "alpha"))
      alpha = f->values<float>().at(0);
    if (const kiln::PluginField* f = kiln::find_field(fields, "beta"))
      beta = f->values<float>().at(0);
    return std::make_unique<ScaledTanh>(alpha, beta);
  }
};

}  // namespace

// What load_plugin_library() looks for: the creators this library offers (it keeps them).
KILN_PLUGIN_LIBRARY_ENTRY {
  static ScaledTanhCreator creator;
  static kiln::PluginCreator* const list[] = {&creator};
  *creators = list;
  return 1;
}
