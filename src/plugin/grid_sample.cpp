// kiln's built-in GridSample plugin (version "1"), ONNX GridSample on the CPU and the GPU (as
// TensorRT shipped GridSample as a plugin before its grid-sample layer). Fields (int32 or int64):
// "mode" 0 linear, 1 nearest, 2 cubic (2-D only); "padding_mode" 0 zeros, 1 border,
// 2 reflection; "align_corners" 0 or 1. Inputs: X [N, C, spatial...] (1 to 3 spatial dims) and
// grid [N, out spatial..., rank] (float32); output [N, C, out spatial...].
#include "core/error.h"
#include "core/grid_sample_math.h"
#include "kiln/logger.h"
#include "plugin/builtin.h"

#if KILN_HAVE_CUDA
#include "backends/cuda/kernels/grid_sample.h"
#endif

namespace kiln::plugin {
namespace {

constexpr const char* kName = "GridSample";
constexpr const char* kVersion = "1";

class GridSample final : public PluginV3 {
 public:
  GridSample(int32_t mode, int32_t padding, int32_t align)
      : mode_(mode), padding_(padding), align_(align) {}
  std::string get_plugin_name() const override { return kName; }
  std::string get_plugin_version() const override { return kVersion; }
  std::unique_ptr<PluginV3> clone() const override { return std::make_unique<GridSample>(*this); }
  int32_t get_nb_outputs() const override { return 1; }
  std::vector<DataType> get_output_data_types(std::span<const DataType> in) const override {
    if (in.size() != 2) fail("GridSample takes X and grid, got ", in.size(), " inputs");
    return {in[0]};
  }
  std::vector<Dims> get_output_shapes(std::span<const Dims> in,
                                      std::span<const Dims>) const override {
    if (in.size() != 2) fail("GridSample takes X and grid, got ", in.size(), " inputs");
    const Dims& x = in[0];
    const Dims& g = in[1];
    int32_t rank = x.nb_dims - 2;
    if (rank < 1 || rank > grid_sample::kMaxSpatial)
      fail("GridSample: X must have 1 to 3 spatial dims ([N, C, ...]), got ", x);
    if (g.nb_dims != x.nb_dims) fail("GridSample: grid ", g, " must have the rank of X ", x);
    if (g.d[g.nb_dims - 1] >= 0 && g.d[g.nb_dims - 1] != rank)
      fail("GridSample: grid's last dimension must be ", rank, " for X ", x, ", got ", g);
    if (x.d[0] >= 0 && g.d[0] >= 0 && x.d[0] != g.d[0])
      fail("GridSample: X ", x, " and grid ", g, " differ in batch");
    if (mode_ == grid_sample::kCUBIC && rank != 2)
      fail("GridSample: cubic mode needs 2 spatial dims, X is ", x);
    Dims out = x;
    for (int32_t i = 0; i < rank; ++i) out.d[i + 2] = g.d[i + 1];
    return {out};
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
    const Dims& x = in[0].dims;
    grid_sample::Params p;
    p.mode = mode_;
    p.padding = padding_;
    p.align_corners = align_ != 0;
    p.rank = x.nb_dims - 2;
    int64_t plane = 1;
    for (int32_t i = 0; i < p.rank; ++i) plane *= p.size[i] = x.d[i + 2];
    int64_t batch = x.d[0], channels = x.d[1];
    int64_t points = batch * channels > 0 ? volume(out[0].dims) / (batch * channels) : 0;
    const float* xs = static_cast<const float*>(inputs[0]);
    const float* grid = static_cast<const float*>(inputs[1]);
    float* y = static_cast<float*>(outputs[0]);
    if (device == DeviceType::kGPU) {
#if KILN_HAVE_CUDA
      cuda::grid_sample(y, xs, grid, batch, channels, points, p, static_cast<cudaStream_t>(stream));
      return;
#else
      fail("GridSample: this kiln has no CUDA backend");
#endif
    }
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t c = 0; c < channels; ++c) {
        const float* src = xs + (b * channels + c) * plane;
        float* dst = y + (b * channels + c) * points;
        for (int64_t q = 0; q < points; ++q)
          dst[q] = grid_sample::sample(src, p, grid + (b * points + q) * p.rank);
      }
    }
  }
  PluginFieldCollection get_fields_to_serialize() const override {
    return {PluginField("mode", std::vector<int32_t>{mode_}),
            PluginField("padding_mode", std::vector<int32_t>{padding_}),
            PluginField("align_corners", std::vector<int32_t>{align_})};
  }

 private:
  int32_t mode_, padding_, align_;
};

class GridSampleCreator final : public PluginCreator {
 public:
  std::string get_plugin_name() const override { return kName; }
  std::string get_plugin_version() const override { return kVersion; }
  PluginFieldCollection get_field_names() const override {
    PluginFieldCollection names;
    for (const char* n : {"mode", "padding_mode", "align_corners"}) {
      PluginField f;
      f.name = n;
      f.type = PluginFieldType::kINT32;
      names.push_back(f);
    }
    return names;
  }
  std::unique_ptr<PluginV3> create_plugin(const std::string&, const PluginFieldCollection& fields,
                                          PluginPhase) override {
    int32_t v[3] = {0, 0, 0};
    const char* names[3] = {"mode", "padding_mode", "align_corners"};
    const int32_t limit[3] = {2, 2, 1};
    for (const PluginField& f : fields) {
      int32_t k = 0;
      while (k < 3 && f.name != names[k]) ++k;
      if (k == 3) fail("GridSample: unknown field '", f.name.substr(0, 64), "'");
      std::vector<int64_t> values;
      if (f.type == PluginFieldType::kINT64) {
        values = f.values<int64_t>();
      } else {
        for (int32_t x : f.values<int32_t>()) values.push_back(x);
      }
      if (values.size() != 1 || values[0] < 0 || values[0] > limit[k])
        fail("GridSample: '", names[k], "' must be one value from 0 to ", limit[k]);
      v[k] = static_cast<int32_t>(values[0]);
    }
    return std::make_unique<GridSample>(v[0], v[1], v[2]);
  }
};

}  // namespace

std::shared_ptr<PluginCreator> make_grid_sample_creator() {
  return std::make_shared<GridSampleCreator>();
}

}  // namespace kiln::plugin
