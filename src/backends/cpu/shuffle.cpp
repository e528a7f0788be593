// CPU kernel of the shuffle layer: transpose, reshape, transpose as byte moves for any element
// size; an identity transpose costs nothing, and a reshape is only a relabelling of dense data.
#include <cstring>
#include <vector>

#include "backends/cpu/common.h"
#include "backends/cpu/strided_copy.h"

namespace kiln::cpu {

namespace {

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
