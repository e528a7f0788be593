// Convolution on the CPU: im2col per batch item and group, then one gemm (kernel x columns).
// 1-D and 2-D convolutions run as 3-D ones with leading spatial dims of size 1; math in float32.
#include <optional>

#include "backends/cpu/common.h"
#include "backends/cpu/gemm.h"
#include "backends/cpu/thread_pool.h"

namespace kiln::cpu {
namespace {

// Spatial sizes and parameters, padded at the front to three dims (size 1, kernel 1, stride 1,
// no padding, dilation 1), so one im2col serves every rank.
struct Geometry {
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  int64_t kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0};  // pre padding; post padding only shows in the output size
  int64_t dilation[3] = {1, 1, 1};

  int64_t in_volume() const { return in[0] * in[1] * in[2]; }
  int64_t out_volume() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_volume() const { return kernel[0] * kernel[1] * kernel[2]; }
  // A 1x1x1 kernel with stride 1 and no padding reads the input as the column matrix itself.
  bool is_pointwise() const {
    for (int32_t i = 0; i < 3; ++i) {
      if (kernel[i] != 1 || stride[i] != 1 || pad[i] != 0) return false;
    }
    return true;
  }
};

Geometry geometry_of(const ConvolutionAttrs& a, const Dims& x, const Dims& y) {
  Geometry g;
  const int32_t rank = a.kernel_shape.nb_dims;
  for (int32_t i = 0; i < rank; ++i) {
    int32_t j = 3 - rank + i;
    g.in[j] = x.d[2 + i];
    g.out[j] = y.d[2 + i];
    g.kernel[j] = a.kernel_shape.d[i];
    g.stride[j] = a.stride.d[i];
    g.pad[j] = a.pre_padding.d[i];
    g.dilation[j] = a.dilation.d[i];
  }
  return g;
}

// Writes the column matrix of `channels` input planes: row (c, kd, kh, kw) holds, for every output
// position, the input element that kernel tap multiplies there (0 in the padding).
void im2col(const float* src, int64_t channels, const Geometry& g, float* col) {
  const int64_t in_volume = g.in_volume();
  const int64_t out_volume = g.out_volume();
  float* row = col;
  for (int64_t c = 0; c < channels; ++c) {
    const float* plane = src + c * in_volume;
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          // Output columns ow whose input column iw = ow * stride - pad + kw * dilation lies in
          // [0, in): ow in [w_begin, w_end).
          const int64_t w_offset = kw * g.dilation[2] - g.pad[2];
          int64_t w_begin = 0;
          while (w_begin < g.out[2] && w_begin * g.stride[2] + w_offset < 0) ++w_begin;
          int64_t w_end = g.out[2];
          while (w_end > w_begin && (w_end - 1) * g.stride[2] + w_offset >= g.in[2]) --w_end;
          float* line = row;
          for (int64_t od = 0; od < g.out[0]; ++od) {
            const int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dilation[0];
            for (int64_t oh = 0; oh < g.out[1]; ++oh, line += g.out[2]) {
              const int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dilation[1];
              if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
                for (int64_t ow = 0; ow < g.out[2]; ++ow) line[ow] = 0.0f;
                continue;
              }
              const float* in_row = plane + (id * g.in[1] + ih) * g.in[2];
              for (int64_t ow = 0; ow < w_begin; ++ow) line[ow] = 0.0f;
              if (g.stride[2] == 1) {
                for (int64_t ow = w_begin; ow < w_end; ++ow) line[ow] = in_row[ow + w_offset];
              } else {
                for (int64_t ow = w_begin; ow < w_end; ++ow) {
                  line[ow] = in_row[ow * g.stride[2] + w_offset];
                }
              }
              for (int64_t ow = w_end; ow < g.out[2]; ++ow) line[ow] = 0.0f;
            }
          }
          row += out_volume;
        }
      }
    }
  }
}

}  // namespace

void run_convolution(const ir::Node& node, std::span<const TensorView> inputs,
                     std::span<const TensorView> outputs) {
  const ConvolutionAttrs& a = node.get<ConvolutionAttrs>();
  const TensorView& x_view = inputs[0];
  const TensorView& y_view = outputs[0];
  const Geometry g = geometry_of(a, x_view.dims, y_view.dims);
  const int64_t batch = x_view.dims.d[0];
  const int64_t channels = x_view.dims.d[1];
  const int64_t maps = a.num_output_maps;
  const int64_t groups = a.num_groups;
  const int64_t group_channels = channels / groups;
  const int64_t group_maps = maps / groups;
  const int64_t in_volume = g.in_volume();
  const int64_t out_volume = g.out_volume();
  const int64_t depth = group_channels * g.kernel_volume();  // the gemm's inner dimension

  FloatInput x(x_view);
  FloatInput w(inputs[1]);
  std::optional<FloatInput> bias;
  if (inputs.size() > 2 && inputs[2].data != nullptr) bias.emplace(inputs[2]);
  FloatOutput y(y_view);

  const bool pointwise = g.is_pointwise();
  const std::string layer = str_cat("convolution '", node.name, "'");
  // (batch item, group) pairs split over the engine's threads; with fewer pairs than threads the
  // gemm inside splits instead.
  const int64_t item_macs = std::max<int64_t>(1, group_maps * depth * out_volume);
  parallel_for(batch * groups, std::max<int64_t>(1, kParallelMacs / item_macs),
               [&](int64_t first, int64_t last) {
                 std::vector<float> col(pointwise ? 0 : static_cast<size_t>(depth * out_volume));
                 for (int64_t item = first; item < last; ++item) {
                   {
                     const int64_t n = item / groups, grp = item % groups;
                     const float* src =
                         x.data() + (n * channels + grp * group_channels) * in_volume;
                     const float* columns = src;
                     if (!pointwise) {
                       im2col(src, group_channels, g, col.data());
                       columns = col.data();
                     }
                     float* dst = y.data() + (n * maps + grp * group_maps) * out_volume;
                     // Start from the bias (or 0) and accumulate the product onto it.
                     for (int64_t m = 0; m < group_maps; ++m) {
                       const float b = bias ? (*bias)[grp * group_maps + m] : 0.0f;
                       float* plane = dst + m * out_volume;
                       for (int64_t i = 0; i < out_volume; ++i) plane[i] = b;
                     }
                     gemm(false, false, group_maps, out_volume, depth, 1.0f,
                          w.data() + grp * group_maps * depth, depth, columns, out_volume, 1.0f,
                          dst, out_volume);
                     if (a.epilogue.enabled) {
                       apply_activation(a.epilogue.type, a.epilogue.alpha, a.epilogue.beta, dst,
                                        dst, group_maps * out_volume, layer);
                     }
                   }
                 }
               });
  y.commit();
}

}  // namespace kiln::cpu
