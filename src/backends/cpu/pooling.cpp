// Pooling on the CPU: each output reads its window clipped to the input, so padding never takes
// part in a maximum; averages divide by the clipped or the full window volume. Math in float32.
#include <algorithm>
#include <cmath>

#include "backends/cpu/common.h"
#include "backends/cpu/thread_pool.h"

namespace kiln::cpu {
namespace {

// Spatial sizes and parameters, padded at the front to three dims (size 1, window 1, stride 1,
// no padding), so one loop nest serves every rank.
struct Geometry {
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  int64_t window[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0};  // pre padding
};

Geometry geometry_of(const PoolingAttrs& a, const Dims& x, const Dims& y) {
  Geometry g;
  const int32_t rank = a.window.nb_dims;
  for (int32_t i = 0; i < rank; ++i) {
    int32_t j = 3 - rank + i;
    g.in[j] = x.d[2 + i];
    g.out[j] = y.d[2 + i];
    g.window[j] = a.window.d[i];
    g.stride[j] = a.stride.d[i];
    g.pad[j] = a.pre_padding.d[i];
  }
  return g;
}

// The window of output position o along dim i, clipped to the input: [begin, end).
struct Range {
  int64_t begin, end;
};
Range window_range(const Geometry& g, int32_t i, int64_t o) {
  int64_t start = o * g.stride[i] - g.pad[i];
  return {std::max<int64_t>(start, 0), std::min(start + g.window[i], g.in[i])};
}

// Pools one [in...] plane into one [out...] plane.
void pool_plane(const float* src, float* dst, const Geometry& g, PoolingType type,
                bool count_excludes_padding) {
  const float full_count = static_cast<float>(g.window[0] * g.window[1] * g.window[2]);
  for (int64_t od = 0; od < g.out[0]; ++od) {
    const Range d = window_range(g, 0, od);
    for (int64_t oh = 0; oh < g.out[1]; ++oh) {
      const Range h = window_range(g, 1, oh);
      for (int64_t ow = 0; ow < g.out[2]; ++ow) {
        const Range w = window_range(g, 2, ow);
        float result;
        if (type == PoolingType::kMAX) {
          result = -INFINITY;
          for (int64_t id = d.begin; id < d.end; ++id) {
            for (int64_t ih = h.begin; ih < h.end; ++ih) {
              const float* row = src + (id * g.in[1] + ih) * g.in[2];
              for (int64_t iw = w.begin; iw < w.end; ++iw) {
                // NaN propagates: once result is NaN, no comparison replaces it.
                if (row[iw] > result || std::isnan(row[iw])) result = row[iw];
              }
            }
          }
        } else {
          float sum = 0.0f;
          for (int64_t id = d.begin; id < d.end; ++id) {
            for (int64_t ih = h.begin; ih < h.end; ++ih) {
              const float* row = src + (id * g.in[1] + ih) * g.in[2];
              for (int64_t iw = w.begin; iw < w.end; ++iw) sum += row[iw];
            }
          }
          const float count =
              count_excludes_padding
                  ? static_cast<float>((d.end - d.begin) * (h.end - h.begin) * (w.end - w.begin))
                  : full_count;
          result = sum / count;
        }
        *dst++ = result;
      }
    }
  }
}

}  // namespace

void run_pooling(const ir::Node& node, std::span<const TensorView> inputs,
                 std::span<const TensorView> outputs) {
  const PoolingAttrs& a = node.get<PoolingAttrs>();
  const TensorView& x_view = inputs[0];
  const TensorView& y_view = outputs[0];
  const Geometry g = geometry_of(a, x_view.dims, y_view.dims);
  const int64_t planes = x_view.dims.d[0] * x_view.dims.d[1];
  const int64_t in_volume = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_volume = g.out[0] * g.out[1] * g.out[2];

  FloatInput x(x_view);
  FloatOutput y(y_view);
  // Planes split over the engine's threads.
  parallel_for(planes, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(out_volume, 1)),
               [&](int64_t first, int64_t last) {
                 for (int64_t p = first; p < last; ++p) {
                   pool_plane(x.data() + p * in_volume, y.data() + p * out_volume, g, a.type,
                              a.average_count_excludes_padding);
                 }
               });
  y.commit();
}

}  // namespace kiln::cpu
