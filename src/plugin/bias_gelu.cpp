// kiln's built-in BiasGelu plugin (version "1"): y = gelu(x + bias), bias along the last
// dimension, on the CPU and the GPU. Field "approximate" (int32): 0 exact erf form, 1 tanh form.
// Inputs: x (float32, rank >= 1) and optionally bias (float32 [C] or [1], C = x's last dim).
#include <cmath>

#include "core/error.h"
#include "kiln/logger.h"
#include "plugin/builtin.h"

#if KILN_HAVE_CUDA
#include "backends/cuda/kernels/bias_gelu.h"
#endif

namespace kiln::plugin {
namespace {

constexpr const char* kName = "BiasGelu";
constexpr const char* kVersion = "1";

float gelu(float v, bool tanh_approximation) {
  if (tanh_approximation)
    return 0.5f * v * (1.0f + std::tanh(0.7978845608f * (v + 0.044715f * v * v * v)));
  return 0.5f * v * (1.0f + std::erf(v * 0.7071067812f));
}

class BiasGelu final : public PluginV3 {
 public:
  explicit BiasGelu(int32_t approximate) : approximate_(approximate) {}
  std::string get_plugin_name() const override { return kName; }
  std::string get_plugin_version() const override { return kVersion; }
  std::unique_ptr<PluginV3> clone() const override { return std::make_unique<BiasGelu>(*this); }
  int32_t get_nb_outputs() const override { return 1; }
  std::vector<DataType> get_output_data_types(std::span<const DataType> in) const override {
    if (in.empty() || in.size() > 2) fail("BiasGelu takes x and an optional bias, got ", in.size());
    return {in[0]};
  }
  std::vector<Dims> get_output_shapes(std::span<const Dims> in,
                                      std::span<const Dims> shape_inputs) const override {
    if (in.empty() || in.size() > 2) fail("BiasGelu takes x and an optional bias, got ", in.size());
    if (in[0].nb_dims < 1) fail("x must have rank 1 or more");
    if (in.size() == 2) {
      const Dims& b = in[1];
      int64_t c = in[0].d[in[0].nb_dims - 1];
      if (b.nb_dims != 1) fail("bias must have rank 1, got ", b);
      if (b.d[0] >= 0 && c >= 0 && b.d[0] != 1 && b.d[0] != c)
        fail("bias has ", b.d[0], " values; x's last dimension is ", c);
    }
    return {in[0]};
  }
  bool supports_types(std::span<const DataType> in, std::span<const DataType> out) const override {
    for (DataType t : in) {
      if (t != DataType::kFLOAT) return false;
    }
    return out[0] == DataType::kFLOAT;
  }
  bool supports_device(DeviceType device) const override {
#if KILN_HAVE_CUDA
    return true;
#else
    return device == DeviceType::kCPU;
#endif
  }
  void enqueue(DeviceType device, std::span<const PluginTensorDesc> in,
               std::span<const PluginTensorDesc> out, const void* const* inputs,
               void* const* outputs, void*, void* stream) override {
    int64_t n = volume(in[0].dims);
    int64_t channels = in.size() == 2 ? volume(in[1].dims) : 1;
    const float* x = static_cast<const float*>(inputs[0]);
    const float* bias = in.size() == 2 ? static_cast<const float*>(inputs[1]) : nullptr;
    float* y = static_cast<float*>(outputs[0]);
    bool tanh_form = approximate_ != 0;
    if (device == DeviceType::kGPU) {
#if KILN_HAVE_CUDA
      cuda::bias_gelu(y, x, bias, n, std::max<int64_t>(channels, 1), tanh_form,
                      static_cast<cudaStream_t>(stream));
      return;
#else
      fail("BiasGelu: this kiln has no CUDA backend");
#endif
    }
    for (int64_t i = 0; i < n; ++i)
      y[i] = gelu(x[i] + (bias ? bias[channels > 0 ? i % channels : 0] : 0.0f), tanh_form);
  }
  PluginFieldCollection get_fields_to_serialize() const override {
    return {PluginField("approximate", std::vector<int32_t>{approximate_})};
  }

 private:
  int32_t approximate_ = 0;
};

class BiasGeluCreator final : public PluginCreator {
 public:
  std::string get_plugin_name() const override { return kName; }
  std::string get_plugin_version() const override { return kVersion; }
  PluginFieldCollection get_field_names() const override {
    PluginField f;
    f.name = "approximate";
    f.type = PluginFieldType::kINT32;
    return {f};
  }
  std::unique_ptr<PluginV3> create_plugin(const std::string&, const PluginFieldCollection& fields,
                                          PluginPhase) override {
    int32_t approximate = 0;
    for (const PluginField& f : fields) {
      if (f.name == "approximate") {
        // ONNX attributes arrive as int64; accept either width.
        std::vector<int64_t> v;
        if (f.type == PluginFieldType::kINT64) {
          v = f.values<int64_t>();
        } else {
          for (int32_t x : f.values<int32_t>()) v.push_back(x);
        }
        if (v.size() != 1 || (v[0] != 0 && v[0] != 1))
          fail("BiasGelu: 'approximate' must be one value, 0 or 1");
        approximate = static_cast<int32_t>(v[0]);
      } else {
        fail("BiasGelu: unknown field '", f.name.substr(0, 64), "'");
      }
    }
    return std::make_unique<BiasGelu>(approximate);
  }
};

}  // namespace

std::shared_ptr<PluginCreator> make_bias_gelu_creator() {
  return std::make_shared<BiasGeluCreator>();
}

}  // namespace kiln::plugin
