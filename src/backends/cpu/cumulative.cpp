// CPU kernel of the cumulative layer: a running sum along the axis, front to back or back to
// front, in float32 for floating types (fp16/bf16 converted) and int64 for integers.
#include "backends/cpu/common.h"

namespace kiln::cpu {
namespace {

template <typename Acc, typename Load, typename Store>
void running_sum(const CumulativeAttrs& a, const Dims& dims, Load load, Store store) {
  int32_t rank = dims.nb_dims;
  int32_t axis = a.axis < 0 ? a.axis + rank : a.axis;
  int64_t outer = 1, n = dims.d[axis], inner = 1;
  for (int32_t i = 0; i < axis; ++i) outer *= dims.d[i];
  for (int32_t i = axis + 1; i < rank; ++i) inner *= dims.d[i];
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t e = 0; e < inner; ++e) {
      Acc sum = 0;
      for (int64_t s = 0; s < n; ++s) {
        int64_t j = a.reverse ? n - 1 - s : s;
        int64_t at = (o * n + j) * inner + e;
        Acc v = load(at);
        if (!a.exclusive) sum += v;
        store(at, sum);
        if (a.exclusive) sum += v;
      }
    }
  }
}

}  // namespace

void run_cumulative(const ir::Node& node, std::span<const TensorView> inputs,
                    std::span<const TensorView> outputs) {
  const CumulativeAttrs& a = node.get<CumulativeAttrs>();
  const TensorView& x = inputs[0];
  const TensorView& y = outputs[0];
  if (numel(y) == 0) return;
  if (x.type == DataType::kINT32 || x.type == DataType::kINT64) {
    dispatch(x.type, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_integral_v<T>) {
        const T* src = static_cast<const T*>(x.data);
        T* dst = static_cast<T*>(y.data);
        running_sum<int64_t>(
            a, x.dims, [&](int64_t i) { return static_cast<int64_t>(src[i]); },
            [&](int64_t i, int64_t v) { dst[i] = static_cast<T>(v); });
      }
    });
    return;
  }
  FloatInput in(x);
  FloatOutput out(y);
  running_sum<float>(
      a, x.dims, [&](int64_t i) { return in[i]; }, [&](int64_t i, float v) { out[i] = v; });
  out.commit();
}

}  // namespace kiln::cpu
