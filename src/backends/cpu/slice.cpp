// CPU kernel of the slice layer: one strided copy (strides may be negative or 0) for any element
// size when everything read lies inside the input (bounds checked by shape inference); otherwise
// per-dimension source index tables built by the sample mode, with -1 for kFILL's fill value.
#include <cstring>
#include <vector>

#include "backends/cpu/common.h"
#include "backends/cpu/strided_copy.h"

namespace kiln::cpu {
namespace {

// The input position that position p (possibly outside [0, dim)) reads in `mode`; -1: the fill
// value. dim > 0 except for kFILL.
int64_t sample(SampleMode mode, int64_t p, int64_t dim) {
  if (p >= 0 && p < dim) return p;
  switch (mode) {
    case SampleMode::kWRAP:
      return ((p % dim) + dim) % dim;
    case SampleMode::kCLAMP:
      return p < 0 ? 0 : dim - 1;
    case SampleMode::kREFLECT: {
      if (dim == 1) return 0;
      int64_t period = 2 * (dim - 1);
      int64_t m = ((p % period) + period) % period;
      return m < dim ? m : period - m;
    }
    default:
      return -1;
  }
}

// The fill value as one element of `type`, in `bytes`.
void fill_bytes(DataType type, double value, uint8_t* bytes) {
  dispatch(type, [&](auto tag) {
    using T = decltype(tag);
    T v;
    if constexpr (std::is_same_v<T, half_t> || std::is_same_v<T, bfloat16_t>) {
      v = from_f32<T>(static_cast<float>(value));
    } else if constexpr (std::is_same_v<T, bool>) {
      v = value != 0.0;
    } else {
      v = static_cast<T>(value);
    }
    std::memcpy(bytes, &v, sizeof(T));
  });
}

// `size` is the output's dims (the attribute, or a shape tensor's value).
bool all_inside(const SliceAttrs& a, const Dims& size, const Dims& in) {
  for (int32_t i = 0; i < in.nb_dims; ++i) {
    if (size.d[i] == 0) return true;
    int64_t last = a.start.d[i] + (size.d[i] - 1) * a.stride.d[i];
    if (a.start.d[i] < 0 || last < 0 || a.start.d[i] >= in.d[i] || last >= in.d[i]) return false;
  }
  return true;
}

}  // namespace

void run_slice(const ir::Node& node, std::span<const TensorView> inputs,
               std::span<const TensorView> outputs) {
  const SliceAttrs& attrs = node.get<SliceAttrs>();
  const TensorView& in = inputs[0];
  const TensorView& out = outputs[0];
  int64_t count = numel(out);
  if (count == 0) return;
  int64_t esize = element_size(in.type);
  int32_t rank = in.dims.nb_dims;
  Dims in_strides = strides_of(in.dims);
  const auto* src = static_cast<const uint8_t*>(in.data);
  auto* dst = static_cast<uint8_t*>(out.data);

  if (all_inside(attrs, out.dims, in.dims)) {
    Dims strides;
    strides.nb_dims = rank;
    int64_t base = 0;  // element offset of the first element read
    for (int32_t i = 0; i < rank; ++i) {
      base += attrs.start.d[i] * in_strides.d[i];
      strides.d[i] = attrs.stride.d[i] * in_strides.d[i];
    }
    copy_strided(dst, src + base * esize, out.dims, strides, esize);
    return;
  }

  // offsets[i][j]: element offset along dimension i of output index j, or -1 for the fill value.
  std::vector<std::vector<int64_t>> offsets(static_cast<size_t>(rank));
  for (int32_t i = 0; i < rank; ++i) {
    for (int64_t j = 0; j < out.dims.d[i]; ++j) {
      int64_t p = sample(attrs.mode, attrs.start.d[i] + j * attrs.stride.d[i], in.dims.d[i]);
      offsets[i].push_back(p < 0 ? -1 : p * in_strides.d[i]);
    }
  }
  uint8_t fill[8] = {};
  fill_bytes(in.type, attrs.fill_value, fill);
  int64_t index[Dims::kMaxDims] = {};
  for (int64_t o = 0; o < count; ++o) {
    int64_t offset = 0;
    bool filled = false;
    for (int32_t i = 0; i < rank; ++i) {
      int64_t v = offsets[i][index[i]];
      if (v < 0) filled = true;
      offset += v;
    }
    std::memcpy(dst + o * esize, filled ? fill : src + offset * esize, static_cast<size_t>(esize));
    for (int32_t i = rank - 1; i >= 0; --i) {
      if (++index[i] < out.dims.d[i]) break;
      index[i] = 0;
    }
  }
}

}  // namespace kiln::cpu
