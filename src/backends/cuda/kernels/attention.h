// Scaled dot-product attention kernels: softmax(q . k^T * scale + mask) . v without an S x S
// matrix in memory (online softmax over tiles of keys, float32 accumulation).
//
//   flash: float16/bfloat16 on tensor cores (mma.sync m16n8k16): a block of 4 warps takes 64
//          query rows of one batch entry, walks the keys in tiles held in shared memory and keeps
//          the output rows in registers. Head size D == Dv, a multiple of 8, at most 256; rows
//          and heads 16-byte aligned (attention_flash_supports; strides multiples of 8).
//   rows:  any float type and head sizes, one warp per query row (the float32 path, and the
//          fallback for what flash does not take).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kiln/types.h"

namespace kiln::cuda {

// Shapes and element strides. The output is [b0, b1, sq, dv]; q, k, v are read at
// batch0 * stride[0] + batch1 * stride[1] + row * stride[2] + column (0 strides broadcast a batch
// dim); the mask (optional) at batch0 * m[0] + batch1 * m[1] + query * m[2] + key * m[3].
// k and v are read at batch1 / kv_group (grouped-query attention).
struct AttentionShape {
  int64_t b0 = 1, b1 = 1, sq = 0, sk = 0, d = 0, dv = 0, kv_group = 1;
  int64_t q[3] = {}, k[3] = {}, v[3] = {}, o[3] = {};
  int64_t m[4] = {};
  float scale = 1.0f;
  bool causal = false;
};

// What the flash kernel takes: float16/bfloat16, d == dv, d a multiple of 8 and at most 256.
bool attention_flash_supports(DataType type, int64_t d, int64_t dv);

// q, k, v, mask (or null) and out of `type`. Throws Error for what the kernel cannot take.
void launch_attention_flash(DataType type, const void* q, const void* k, const void* v,
                            const void* mask, void* out, const AttentionShape& s,
                            cudaStream_t stream);
void launch_attention_rows(DataType type, const void* q, const void* k, const void* v,
                           const void* mask, void* out, const AttentionShape& s,
                           cudaStream_t stream);

}  // namespace kiln::cuda
