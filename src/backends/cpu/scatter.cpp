// CPU kernel of the scatter layer: copies data, then applies the updates in order (so with
// repeated indices and no reduction the last one wins). Indices are checked (negative ones count
// from the back); an out-of-range one is an Error. Reductions compute in the data's type (float32
// for fp16/bf16).
#include <algorithm>
#include <cstring>

#include "backends/cpu/common.h"

namespace kiln::cpu {
namespace {

int64_t index_at(const TensorView& indices, int64_t j) {
  return indices.type == DataType::kINT64 ? static_cast<const int64_t*>(indices.data)[j]
                                          : static_cast<const int32_t*>(indices.data)[j];
}

int64_t checked(const ir::Node& node, int64_t v, int64_t n, int32_t axis) {
  if (v < -n || v >= n) {
    fail("[scatter '", node.name, "'] index ", v, " is out of range for axis ", axis, " of size ",
         n);
  }
  return v < 0 ? v + n : v;
}

template <typename T>
T combine(ScatterReduction r, T old, T update) {
  if constexpr (std::is_same_v<T, bool>) {
    return update;
  } else if constexpr (std::is_same_v<T, half_t> || std::is_same_v<T, bfloat16_t>) {
    return from_f32<T>(combine(r, to_f32(old), to_f32(update)));
  } else {
    switch (r) {
      case ScatterReduction::kADD:
        return static_cast<T>(old + update);
      case ScatterReduction::kMUL:
        return static_cast<T>(old * update);
      case ScatterReduction::kMAX:
        return std::max(old, update);
      case ScatterReduction::kMIN:
        return std::min(old, update);
      default:
        return update;
    }
  }
}

template <typename T>
void scatter(const ir::Node& node, std::span<const TensorView> inputs, const TensorView& out) {
  const ScatterAttrs& a = node.get<ScatterAttrs>();
  const TensorView& data = inputs[0];
  const TensorView& indices = inputs[1];
  const TensorView& updates = inputs[2];
  T* y = static_cast<T*>(out.data);
  const T* u = static_cast<const T*>(updates.data);
  std::memcpy(y, data.data, static_cast<size_t>(numel(data)) * sizeof(T));
  int32_t rank = data.dims.nb_dims;
  Dims strides = strides_of(data.dims);
  if (a.mode == ScatterMode::kELEMENT) {
    int32_t axis = a.axis < 0 ? a.axis + rank : a.axis;
    int64_t count = numel(indices);
    int64_t coord[Dims::kMaxDims] = {};
    for (int64_t j = 0; j < count; ++j) {
      int64_t offset = 0;
      for (int32_t i = 0; i < rank; ++i) {
        int64_t c =
            i == axis ? checked(node, index_at(indices, j), data.dims.d[axis], axis) : coord[i];
        offset += c * strides.d[i];
      }
      y[offset] = combine(a.reduction, y[offset], u[j]);
      for (int32_t i = rank - 1; i >= 0; --i) {
        if (++coord[i] < indices.dims.d[i]) break;
        coord[i] = 0;
      }
    }
    return;
  }
  int32_t q = indices.dims.nb_dims;
  int32_t k = static_cast<int32_t>(indices.dims.d[q - 1]);
  int64_t tuples = 1, block = 1;
  for (int32_t i = 0; i < q - 1; ++i) tuples *= indices.dims.d[i];
  for (int32_t i = k; i < rank; ++i) block *= data.dims.d[i];
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t offset = 0;
    for (int32_t j = 0; j < k; ++j) {
      offset += checked(node, index_at(indices, t * k + j), data.dims.d[j], j) * strides.d[j];
    }
    for (int64_t e = 0; e < block; ++e) {
      y[offset + e] = combine(a.reduction, y[offset + e], u[t * block + e]);
    }
  }
}

}  // namespace

void run_scatter(const ir::Node& node, std::span<const TensorView> inputs,
                 std::span<const TensorView> outputs) {
  dispatch(inputs[0].type, [&](auto tag) { scatter<decltype(tag)>(node, inputs, outputs[0]); });
}

}  // namespace kiln::cpu
