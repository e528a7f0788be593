// A plugin library for load_plugin_library tests (built as a MODULE by tests/cpp/CMakeLists.txt):
// "AddConst" version "1" in namespace "test_lib": y = x + value (field "value", float32), CPU.
#include <stdexcept>

#include "kiln/plugin.h"

namespace {

class AddConst final : public kiln::PluginV3 {
 public:
  explicit AddConst(float value) : value_(value) {}
  std::string get_plugin_name() const override { return "AddConst"; }
  std::string get_plugin_version() const override { return "1"; }
  std::unique_ptr<kiln::PluginV3> clone() const override {
    return std::make_unique<AddConst>(*this);
  }
  int32_t get_nb_outputs() const override { return 1; }
  std::vector<kiln::DataType> get_output_data_types(
      std::span<const kiln::DataType> in) const override {
    return {in[0]};
  }
  std::vector<kiln::Dims> get_output_shapes(std::span<const kiln::Dims> in,
                                            std::span<const kiln::Dims>) const override {
    return {in[0]};
  }
  bool supports_types(std::span<const kiln::DataType> in,
                      std::span<const kiln::DataType>) const override {
    return in.size() == 1 && in[0] == kiln::DataType::kFLOAT;
  }
  void enqueue(kiln::DeviceType, std::span<const kiln::PluginTensorDesc> in,
               std::span<const kiln::PluginTensorDesc>, const void* const* inputs,
               void* const* outputs, void*, void*) override {
    int64_t n = 1;
    for (int32_t i = 0; i < in[0].dims.nb_dims; ++i) n *= in[0].dims.d[i];
    const float* x = static_cast<const float*>(inputs[0]);
    float* y = static_cast<float*>(outputs[0]);
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] + value_;
  }
  kiln::PluginFieldCollection get_fields_to_serialize() const override {
    return {kiln::PluginField("value", std::vector<float>{value_})};
  }

 private:
  float value_;
};

class AddConstCreator final : public kiln::PluginCreator {
 public:
  AddConstCreator() { set_plugin_namespace("test_lib"); }
  std::string get_plugin_name() const override { return "AddConst"; }
  std::string get_plugin_version() const override { return "1"; }
  std::unique_ptr<kiln::PluginV3> create_plugin(const std::string&,
                                                const kiln::PluginFieldCollection& fields,
                                                kiln::PluginPhase) override {
    const kiln::PluginField* f = kiln::find_field(fields, "value");
    if (!f) throw std::runtime_error("AddConst needs a 'value' field");
    return std::make_unique<AddConst>(f->values<float>().at(0));
  }
};

}  // namespace

KILN_PLUGIN_LIBRARY_ENTRY {
  static AddConstCreator creator;
  static kiln::PluginCreator* const list[] = {&creator};
  *creators = list;
  return 1;
}
