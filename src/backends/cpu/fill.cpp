// CPU kernel of the fill layer: kLINSPACE, element i = alpha + i * beta computed in double and
// converted to the output type.
#include "backends/cpu/common.h"

namespace kiln::cpu {

void run_fill(const ir::Node& node, std::span<const TensorView> inputs,
              std::span<const TensorView> outputs) {
  const FillAttrs& a = node.get<FillAttrs>();
  const TensorView& y = outputs[0];
  int64_t n = numel(y);
  dispatch(y.type, [&](auto tag) {
    using T = decltype(tag);
    T* dst = static_cast<T*>(y.data);
    for (int64_t i = 0; i < n; ++i) {
      double v = a.alpha + static_cast<double>(i) * a.beta;
      if constexpr (std::is_same_v<T, half_t> || std::is_same_v<T, bfloat16_t>) {
        dst[i] = from_f32<T>(static_cast<float>(v));
      } else {
        dst[i] = static_cast<T>(v);
      }
    }
  });
}

}  // namespace kiln::cpu
