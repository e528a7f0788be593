// CPU kernel of the shuffle layer: transpose, reshape, transpose as byte moves for any element
// size; an identity transpose costs nothing, and a reshape is only a relabelling of dense data.
#include <cstring>
#include <vector>

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
          fail("[shuffle] unsupported element size ", esize);
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

bool is_identity(const Permutation& perm, int32_t rank) {
  for (int32_t i = 0; i < rank; ++i) {
    if (perm.order[i] != i) return false;
  }
  return true;
}

// dst (dense, dims[perm[i]] along i) = src (dense, `dims`) transposed.
void permute(uint8_t* dst, const uint8_t* src, const Dims& dims, const Permutation& perm,
             int64_t esize) {
  Dims src_strides = strides_of(dims);
  Dims out, strides;
  out.nb_dims = strides.nb_dims = dims.nb_dims;
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    out.d[i] = dims.d[perm.order[i]];
    strides.d[i] = src_strides.d[perm.order[i]];
  }
  copy_strided(dst, src, out, strides, esize);
}

}  // namespace

void run_shuffle(const ir::Node& node, std::span<const TensorView> inputs,
                 std::span<const TensorView> outputs) {
  const ShuffleAttrs& attrs = node.get<ShuffleAttrs>();
  const TensorView& in = inputs[0];
  const TensorView& out = outputs[0];
  int64_t esize = element_size(in.type);
  int64_t bytes = numel(in) * esize;
  if (bytes == 0) return;

  // The dims between the reshape and the second transpose: out[i] = reshaped[second[i]].
  Dims reshaped;
  reshaped.nb_dims = out.dims.nb_dims;
  for (int32_t i = 0; i < out.dims.nb_dims; ++i) {
    reshaped.d[attrs.second_transpose.order[i]] = out.dims.d[i];
  }
  bool first = !is_identity(attrs.first_transpose, in.dims.nb_dims);
  bool second = !is_identity(attrs.second_transpose, out.dims.nb_dims);
  const auto* src = static_cast<const uint8_t*>(in.data);
  auto* dst = static_cast<uint8_t*>(out.data);

  if (!first && !second) {
    if (dst != src) std::memmove(dst, src, static_cast<size_t>(bytes));
    return;
  }
  std::vector<uint8_t> temp;
  if (first) {
    uint8_t* to = dst;
    if (second) {
      temp.resize(static_cast<size_t>(bytes));
      to = temp.data();
    }
    permute(to, src, in.dims, attrs.first_transpose, esize);
    src = to;
  }
  if (second) permute(dst, src, reshaped, attrs.second_transpose, esize);
}

}  // namespace kiln::cpu
