// CPU kernel of the internal attention op (ir/internal_attributes.h, AttentionAttrs): per query
// row, the scores q . k_j * scale + mask_j in float32, a softmax with the row's maximum
// subtracted (as the softmax kernel computes it), then the probabilities times v. Rows are split
// over the engine's threads; each row is computed whole by one thread, so results do not depend
// on the thread count.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/common.h"
#include "backends/cpu/thread_pool.h"

namespace kiln::cpu {

namespace {

// `dims` with ones prepended up to rank 4.
Dims to_rank4(const Dims& dims) {
  Dims r;
  r.nb_dims = 4;
  const int32_t pad = 4 - dims.nb_dims;
  for (int32_t i = 0; i < 4; ++i) r.d[i] = i < pad ? 1 : dims.d[i - pad];
  return r;
}

// Element strides of the two batch dims of a rank-4 row-major tensor, 0 where it broadcasts.
void batch_strides(const Dims& d4, int64_t* s0, int64_t* s1) {
  const int64_t matrix = d4.d[2] * d4.d[3];
  *s1 = d4.d[1] == 1 ? 0 : matrix;
  *s0 = d4.d[0] == 1 ? 0 : matrix * d4.d[1];
}

}  // namespace

void run_attention(const ir::Node& node, std::span<const TensorView> inputs,
                   std::span<const TensorView> outputs) {
  const auto& attrs = node.get<AttentionAttrs>();
  const Dims q4 = to_rank4(inputs[0].dims), k4 = to_rank4(inputs[1].dims),
             v4 = to_rank4(inputs[2].dims), o4 = to_rank4(outputs[0].dims);
  const int64_t b0 = o4.d[0], b1 = o4.d[1], sq = o4.d[2], dv = o4.d[3];
  const int64_t sk = k4.d[2], d = q4.d[3];
  if (volume(o4) == 0) return;
  int64_t qs0, qs1, ks0, ks1, vs0, vs1;
  batch_strides(q4, &qs0, &qs1);
  batch_strides(k4, &ks0, &ks1);
  batch_strides(v4, &vs0, &vs1);
  Dims ms{0, 0, 0, 0};  // mask strides over [b0, b1, sq, sk]
  const bool has_mask = inputs[3].data != nullptr;
  std::vector<float> mask_copy;
  const float* mask = nullptr;
  FloatInput q(inputs[0]), k(inputs[1]), v(inputs[2]);
  if (has_mask) {
    ms = broadcast_strides(inputs[3].dims, Dims{b0, b1, sq, sk});
    mask_copy.resize(static_cast<size_t>(numel(inputs[3])));
    FloatInput m(inputs[3]);
    std::copy(m.data(), m.data() + mask_copy.size(), mask_copy.begin());
    mask = mask_copy.data();
  }
  FloatOutput out(outputs[0]);
  const float scale = attrs.scale;
  const float neg_inf = -std::numeric_limits<float>::infinity();
  const int64_t rows = b0 * b1 * sq;
  const int64_t macs_per_row = std::max<int64_t>(1, sk * (d + dv));
  parallel_for(rows, std::max<int64_t>(1, kParallelMacs / macs_per_row), [&](int64_t r0,
                                                                              int64_t r1) {
    std::vector<float> p(static_cast<size_t>(sk));
    std::vector<float> acc(static_cast<size_t>(dv));
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t i = r % sq, bb = r / sq, x1 = bb % b1, x0 = bb / b1;
      const float* qi = q.data() + x0 * qs0 + x1 * qs1 + i * d;
      const float* kb = k.data() + x0 * ks0 + x1 * ks1;
      const float* vb = v.data() + x0 * vs0 + x1 * vs1;
      float max = neg_inf;
      for (int64_t j = 0; j < sk; ++j) {
        const float* kj = kb + j * d;
        float s = 0.0f;
        for (int64_t c = 0; c < d; ++c) s += qi[c] * kj[c];
        s *= scale;
        if (has_mask) s += mask[x0 * ms.d[0] + x1 * ms.d[1] + i * ms.d[2] + j * ms.d[3]];
        if (attrs.causal && j > i) s = neg_inf;
        p[j] = s;
        max = std::max(max, s);
      }
      // A row of -inf scores: exp(-inf - -inf) is NaN, as the unfused softmax gives.
      float sum = 0.0f;
      for (int64_t j = 0; j < sk; ++j) {
        p[j] = std::exp(p[j] - max);
        sum += p[j];
      }
      const float inv = 1.0f / sum;
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int64_t j = 0; j < sk; ++j) {
        const float pj = p[j] * inv;
        const float* vj = vb + j * dv;
        for (int64_t c = 0; c < dv; ++c) acc[c] += pj * vj[c];
      }
      std::copy(acc.begin(), acc.end(), out.data() + r * dv);
    }
  });
  out.commit();
}

}  // namespace kiln::cpu
