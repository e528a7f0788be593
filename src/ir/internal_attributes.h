// Attributes of kiln's internal op kinds (src/ir/internal_ops.def): nodes only the builder's
// passes create. Like the public layers' attributes (attributes.h), each lists its fields once in
// fields(visitor), so the plan, the textual IR and node signatures cover them without more code.
#pragma once

#include <cstdint>
#include <string>

#include "kiln/types.h"

namespace kiln {

// A connected region of pointwise work (elementwise with broadcasting, unary, activation, select,
// cast, constants) evaluated in one pass over the output: `program` is the region as a
// straight-line program over float registers in its text form (ir/pointwise_program.h). Inputs: the
// region's external tensors (program `in K` reads input K, broadcast to the output shape). Outputs:
// `num_outputs` tensors, all of the output shape (the broadcast of every input's shape), each of
// the type the program's `out` line names.
struct FusedPointwiseAttrs {
  std::string program;
  int32_t num_outputs = 1;
  template <typename F>
  void fields(F&& f) {
    f("program", program);
    f("num_outputs", num_outputs);
  }
};

// Normalization over the last dimension: LayerNorm ((x - mean) / sqrt(var + eps) * scale + bias)
// or, with `rms`, RMSNorm (x / sqrt(mean(x^2) + eps) * scale [+ bias]); statistics in float32.
// Inputs: x [..., H], residual (absent, or x's shape: normalised is x + residual), scale [H],
// bias [H] (optional). Outputs: y (x's shape and type) and, with num_outputs == 2, the sum
// x + residual in x's type (skip-LayerNorm's second output, read by the next residual add).
struct LayerNormAttrs {
  float epsilon = 1e-5f;
  bool rms = false;
  int32_t num_outputs = 1;
  template <typename F>
  void fields(F&& f) {
    f("epsilon", epsilon);
    f("rms", rms);
    f("num_outputs", num_outputs);
  }
};

// A reshape that copies nothing: the output is the input's bytes under new dims (the builder's
// make_views turns shuffles that only reshape into views). Inputs: x and, optionally, the reshape
// dimensions as a shape tensor, as a shuffle's. Executors give the output the input's address
// (the memory planner allocates it nothing and keeps the input alive for the view's readers);
// the kernels copy only where an output was given memory of its own.
struct ViewAttrs {
  bool has_reshape = false;
  Dims reshape_dims;
  bool zero_is_placeholder = true;
  template <typename F>
  void fields(F&& f) {
    f("has_reshape", has_reshape);
    f("reshape_dims", reshape_dims);
    f("zero_is_placeholder", zero_is_placeholder);
  }
};

// Scaled dot-product attention, softmax(q . k^T * scale + mask) . v, in one op (the builder's
// fuse_attention; no S x S matrix is stored). Logical inputs: q [batch..., Sq, D],
// k [batch..., Sk, D], v [batch..., Sk, Dv] (rank 3 or 4, batch dims broadcast as a matrix
// multiply's do), each read from its input tensor through a permutation (`q_perm`: logical dim i
// is the input's dim q_perm[i], as a shuffle's transpose; the last dim stays last), so a head
// split [B, S, H, D] is read in place as [B, H, S, D]. Mask: absent, or an additive bias of q's
// type broadcast to [batch..., Sq, Sk] (padding masks, position biases, -inf entries). With
// `causal`, key j > query i is masked as well. With `kv_group` g > 1 (grouped-query attention),
// k and v have 1/g of q's heads (their last batch dim) and query head h reads k/v head h / g.
// Output: the logical [batch..., Sq, Dv] stored
// transposed by `out_perm` (stored dim i is logical dim out_perm[i]; [B, S, H, Dv] for a head
// merge), of q's type. Products and the softmax are computed in float32; a row whose every score
// is -inf gives NaN, as the unfused softmax does.
struct AttentionAttrs {
  float scale = 1.0f;
  bool causal = false;
  int32_t kv_group = 1;
  Permutation q_perm, k_perm, v_perm, out_perm;
  template <typename F>
  void fields(F&& f) {
    f("scale", scale);
    f("causal", causal);
    f("kv_group", kv_group);
    f("q_perm", q_perm);
    f("k_perm", k_perm);
    f("v_perm", v_perm);
    f("out_perm", out_perm);
  }
};

}  // namespace kiln
