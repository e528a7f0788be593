// TopK CPU kernel: for each position along the other axes, the k largest (kMAX) or smallest (kMIN)
// values along the axis, ordered, ties to the lower index, NaN above every number.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "backends/cpu/common.h"
#include "ir/op.h"

namespace kiln::cpu {
namespace {

// Comparison key: the value itself, float for fp16/bf16 (exact), so int64 keeps all its bits.
template <typename T>
auto key_of(T v) {
  if constexpr (std::is_same_v<T, half_t> || std::is_same_v<T, bfloat16_t>) {
    return to_float(v);
  } else {
    return v;
  }
}

template <typename K>
bool is_nan(K v) {
  if constexpr (std::is_floating_point_v<K>) {
    return std::isnan(v);
  } else {
    return false;
  }
}

template <typename T>
void topk(const T* x, T* values, int32_t* indices, int64_t outer, int64_t size, int64_t inner,
          int64_t k, bool largest) {
  using K = decltype(key_of(T{}));
  struct Entry {
    K key;
    int64_t index;
  };
  // A strict total order: "a comes before b" in the output.
  auto before = [largest](const Entry& a, const Entry& b) {
    bool na = is_nan(a.key), nb = is_nan(b.key);
    if (na || nb) {
      if (na && nb) return a.index < b.index;
      return largest ? na : nb;  // NaN is the largest value: first for kMAX, last for kMIN
    }
    if (a.key != b.key) return largest ? a.key > b.key : a.key < b.key;
    return a.index < b.index;
  };
  std::vector<Entry> entries(static_cast<size_t>(size));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* src = x + o * size * inner + i;
      for (int64_t j = 0; j < size; ++j) entries[j] = {key_of(src[j * inner]), j};
      std::partial_sort(entries.begin(), entries.begin() + k, entries.end(), before);
      int64_t base = o * k * inner + i;
      for (int64_t j = 0; j < k; ++j) {
        values[base + j * inner] = src[entries[j].index * inner];
        indices[base + j * inner] = static_cast<int32_t>(entries[j].index);
      }
    }
  }
}

}  // namespace

void run_topk(const ir::Node& node, std::span<const TensorView> inputs,
              std::span<const TensorView> outputs) {
  const auto& attrs = node.get<TopKAttrs>();
  const TensorView& x = inputs[0];
  int32_t axis = std::countr_zero(attrs.axes);
  int64_t outer = 1, inner = 1;
  for (int32_t i = 0; i < axis; ++i) outer *= x.dims.d[i];
  for (int32_t i = axis + 1; i < x.dims.nb_dims; ++i) inner *= x.dims.d[i];
  int64_t size = x.dims.d[axis];
  int64_t k = outputs[0].dims.d[axis];
  if (k > size) {
    ir::fail_at(node, "k is ", k, " but the axis has only ", size, " elements");
  }
  if (size > std::numeric_limits<int32_t>::max()) {
    ir::fail_at(node, "axis size ", size, " does not fit the int32 indices");
  }
  dispatch(x.type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int8_t> ||
                  std::is_same_v<T, uint8_t>) {
      ir::fail_at(node, "unsupported input type ", x.type);
    } else {
      topk(static_cast<const T*>(x.data), static_cast<T*>(outputs[0].data),
           static_cast<int32_t*>(outputs[1].data), outer, size, inner, k,
           attrs.op == TopKOperation::kMAX);
    }
  });
}

}  // namespace kiln::cpu
