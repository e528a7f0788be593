// CPU kernel of the slice layer: one strided copy (strides may be negative) for any element size;
// the bounds were checked by shape inference on the actual input shape.
#include <cstring>

#include "backends/cpu/common.h"

namespace kiln::cpu {

namespace {

template <int64_t kSize>
void copy_run(uint8_t* dst, const uint8_t* src, int64_t n, int64_t stride) {
  for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * kSize, src + i * stride * kSize, kSize);
}

// Copies the view of `src` with shape `dims` and element strides `strides` into dense `dst`.
// Size-1 dims are dropped and dims that are contiguous in the view merged, so the inner loop runs
// as long as it can (and is one memcpy when the view is dense along it).
// TODO(kiln): shared with shuffle.cpp; belongs in backends/cpu/common.h.
void copy_strided(uint8_t* dst, const uint8_t* src, const Dims& dims, const Dims& strides,
                  int64_t esize) {
  Dims d, s;
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (dims.d[i] == 0) return;
    if (dims.d[i] == 1) continue;
    if (d.nb_dims > 0 && s.d[d.nb_dims - 1] == strides.d[i] * dims.d[i]) {
      d.d[d.nb_dims - 1] *= dims.d[i];
      s.d[d.nb_dims - 1] = strides.d[i];
    } else {
      d.d[d.nb_dims] = dims.d[i];
      s.d[d.nb_dims] = strides.d[i];
      ++d.nb_dims;
    }
  }
  if (d.nb_dims == 0) {
    std::memcpy(dst, src, static_cast<size_t>(esize));
    return;
  }
  int32_t inner = d.nb_dims - 1;
  int64_t n = d.d[inner];
  int64_t stride = s.d[inner];
  int64_t outer = 1;
  for (int32_t i = 0; i < inner; ++i) outer *= d.d[i];
  int64_t index[Dims::kMaxDims] = {};
  int64_t offset = 0;  // in elements
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* from = src + offset * esize;
    if (stride == 1) {
      std::memcpy(dst, from, static_cast<size_t>(n * esize));
    } else {
      switch (esize) {
        case 1:
          copy_run<1>(dst, from, n, stride);
          break;
        case 2:
          copy_run<2>(dst, from, n, stride);
          break;
        case 4:
          copy_run<4>(dst, from, n, stride);
          break;
        case 8:
          copy_run<8>(dst, from, n, stride);
          break;
        default:
          fail("[slice] unsupported element size ", esize);
      }
    }
    dst += n * esize;
    for (int32_t k = inner - 1; k >= 0; --k) {
      offset += s.d[k];
      if (++index[k] < d.d[k]) break;
      offset -= s.d[k] * d.d[k];
      index[k] = 0;
    }
  }
}

}  // namespace

void run_slice(const ir::Node& node, std::span<const TensorView> inputs,
               std::span<const TensorView> outputs) {
  const SliceAttrs& attrs = node.get<SliceAttrs>();
  const TensorView& in = inputs[0];
  const TensorView& out = outputs[0];
  if (numel(out) == 0) return;
  int64_t esize = element_size(in.type);
  Dims in_strides = strides_of(in.dims);
  Dims strides;
  strides.nb_dims = in.dims.nb_dims;
  int64_t base = 0;  // element offset of the first element read
  for (int32_t i = 0; i < in.dims.nb_dims; ++i) {
    base += attrs.start.d[i] * in_strides.d[i];
    strides.d[i] = attrs.stride.d[i] * in_strides.d[i];
  }
  copy_strided(static_cast<uint8_t*>(out.data), static_cast<const uint8_t*>(in.data) + base * esize,
               out.dims, strides, esize);
}

}  // namespace kiln::cpu
