// Deconvolution (transposed convolution) on the CPU: every input element scatters input x kernel
// into the output positions it reaches, i * stride + k * dilation - pre_padding; math in float32.
// 1-D and 2-D run as 3-D with leading spatial dims of size 1.
#include <optional>

#include "backends/cpu/common.h"

namespace kiln::cpu {

void run_deconvolution(const ir::Node& node, std::span<const TensorView> inputs,
                       std::span<const TensorView> outputs) {
  const DeconvolutionAttrs& a = node.get<DeconvolutionAttrs>();
  const TensorView& x_view = inputs[0];
  const TensorView& y_view = outputs[0];
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1},
          pad[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
  const int32_t rank = a.kernel_shape.nb_dims;
  for (int32_t i = 0; i < rank; ++i) {
    int32_t j = 3 - rank + i;
    in[j] = x_view.dims.d[2 + i];
    out[j] = y_view.dims.d[2 + i];
    kernel[j] = a.kernel_shape.d[i];
    stride[j] = a.stride.d[i];
    pad[j] = a.pre_padding.d[i];
    dilation[j] = a.dilation.d[i];
  }
  const int64_t batch = x_view.dims.d[0];
  const int64_t channels = x_view.dims.d[1];
  const int64_t maps = a.num_output_maps;
  const int64_t group_channels = channels / a.num_groups;
  const int64_t group_maps = maps / a.num_groups;
  const int64_t in_volume = in[0] * in[1] * in[2];
  const int64_t out_volume = out[0] * out[1] * out[2];
  const int64_t kernel_volume = kernel[0] * kernel[1] * kernel[2];

  FloatInput x(x_view);
  FloatInput w(inputs[1]);
  FloatOutput y(y_view);
  std::optional<FloatInput> bias;
  if (inputs.size() > 2 && inputs[2].data != nullptr) bias.emplace(inputs[2]);
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t m = 0; m < maps; ++m) {
      float b = bias ? (*bias)[m] : 0.0f;
      float* plane = y.data() + (n * maps + m) * out_volume;
      for (int64_t o = 0; o < out_volume; ++o) plane[o] = b;
    }
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t g = c / group_channels;
      const float* src = x.data() + (n * channels + c) * in_volume;
      for (int64_t gm = 0; gm < group_maps; ++gm) {
        const int64_t m = g * group_maps + gm;
        const float* taps = w.data() + (c * group_maps + gm) * kernel_volume;
        float* dst = y.data() + (n * maps + m) * out_volume;
        for (int64_t id = 0; id < in[0]; ++id) {
          for (int64_t ih = 0; ih < in[1]; ++ih) {
            for (int64_t iw = 0; iw < in[2]; ++iw) {
              const float v = src[(id * in[1] + ih) * in[2] + iw];
              for (int64_t kd = 0; kd < kernel[0]; ++kd) {
                const int64_t od = id * stride[0] + kd * dilation[0] - pad[0];
                if (od < 0 || od >= out[0]) continue;
                for (int64_t kh = 0; kh < kernel[1]; ++kh) {
                  const int64_t oh = ih * stride[1] + kh * dilation[1] - pad[1];
                  if (oh < 0 || oh >= out[1]) continue;
                  for (int64_t kw = 0; kw < kernel[2]; ++kw) {
                    const int64_t ow = iw * stride[2] + kw * dilation[2] - pad[2];
                    if (ow < 0 || ow >= out[2]) continue;
                    dst[(od * out[1] + oh) * out[2] + ow] +=
                        v * taps[(kd * kernel[1] + kh) * kernel[2] + kw];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  y.commit();
}

}  // namespace kiln::cpu
