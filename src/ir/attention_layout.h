// How the attention op (AttentionAttrs) reads its inputs and writes its output, in element
// strides, for the backends' kernels: both compute the same addresses from the same dims.
#pragma once

#include <cstdint>

#include "ir/internal_attributes.h"
#include "kiln/types.h"

namespace kiln::ir {

// Logical shapes padded to two batch dims: output [b0, b1, sq, dv]. Strides (elements) of the two
// batch dims and the row dim of q, k, v and the output (0 along a batch dim of size 1 that the
// output broadcasts); the last dim of each is contiguous.
// k and v are read at batch dim 1 index b1 / kv_group (grouped-query attention).
struct AttentionLayout {
  int64_t b0 = 1, b1 = 1, sq = 0, sk = 0, d = 0, dv = 0, kv_group = 1;
  int64_t q[3] = {}, k[3] = {}, v[3] = {}, o[3] = {};
};

namespace attention_detail {

inline void row_major(const Dims& d, int64_t* s) {
  int64_t stride = 1;
  for (int32_t i = d.nb_dims - 1; i >= 0; --i) {
    s[i] = stride;
    stride *= d.d[i];
  }
}

// Logical dims and strides of input `x` read through `p`, padded at the front to rank 4.
inline void logical(const Dims& x, const Permutation& p, int64_t* dims4, int64_t* strides4) {
  int64_t s[Dims::kMaxDims] = {};
  row_major(x, s);
  const int32_t pad = 4 - x.nb_dims;
  for (int32_t i = 0; i < 4; ++i) {
    dims4[i] = i < pad ? 1 : x.d[p.order[i - pad]];
    strides4[i] = i < pad ? 0 : s[p.order[i - pad]];
  }
}

}  // namespace attention_detail

// The layout for inputs of dims q, k, v and a stored output of dims `out` (as inference gives).
inline AttentionLayout attention_layout(const AttentionAttrs& a, const Dims& q, const Dims& k,
                                        const Dims& v, const Dims& out) {
  using namespace attention_detail;
  int64_t qd[4], qs[4], kd[4], ks[4], vd[4], vs[4];
  logical(q, a.q_perm, qd, qs);
  logical(k, a.k_perm, kd, ks);
  logical(v, a.v_perm, vd, vs);
  // The output: logical dim out_perm[i] is stored as dim i.
  int64_t os_stored[Dims::kMaxDims] = {};
  row_major(out, os_stored);
  const int32_t rank = out.nb_dims, pad = 4 - rank;
  int64_t od[4] = {1, 1, 1, 1}, os[4] = {0, 0, 0, 0};
  for (int32_t i = 0; i < rank; ++i) {
    od[a.out_perm.order[i] + pad] = out.d[i];
    os[a.out_perm.order[i] + pad] = os_stored[i];
  }
  AttentionLayout l;
  l.b0 = od[0];
  l.b1 = od[1];
  l.sq = od[2];
  l.dv = od[3];
  l.sk = kd[2];
  l.d = qd[3];
  l.kv_group = a.kv_group;
  auto fill = [&](const int64_t* dims, const int64_t* strides, int64_t* dst) {
    dst[0] = dims[0] == 1 ? 0 : strides[0];
    dst[1] = dims[1] == 1 ? 0 : strides[1];
    dst[2] = strides[2];
  };
  fill(qd, qs, l.q);
  fill(kd, ks, l.k);
  fill(vd, vs, l.v);
  fill(od, os, l.o);
  return l;
}

}  // namespace kiln::ir
