// CPU kernel of the internal attention op (ir/internal_attributes.h, AttentionAttrs): per query
// row, the scores q . k_j * scale + mask_j in float32, a softmax with the row's maximum
// subtracted (as the softmax kernel computes it), then the probabilities times v. Inputs and the
// output are addressed through ir::attention_layout (heads read and written in place). Rows are
// split over the engine's threads; each row is computed whole by one thread, so results do not
// depend on the thread count.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/common.h"
#include "backends/cpu/thread_pool.h"
#include "ir/attention_layout.h"

namespace kiln::cpu {

void run_attention(const ir::Node& node, std::span<const TensorView> inputs,
                   std::span<const TensorView> outputs) {
  const auto& attrs = node.get<AttentionAttrs>();
  const ir::AttentionLayout l =
      ir::attention_layout(attrs, inputs[0].dims, inputs[1].dims, inputs[2].dims, outputs[0].dims);
  const int64_t b0 = l.b0, b1 = l.b1, sq = l.sq, sk = l.sk, d = l.d, dv = l.dv;
  if (b0 * b1 * sq * dv == 0) return;
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
  parallel_for(
      rows, std::max<int64_t>(1, kParallelMacs / macs_per_row), [&](int64_t r0, int64_t r1) {
        std::vector<float> p(static_cast<size_t>(sk));
        std::vector<float> acc(static_cast<size_t>(dv));
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t i = r % sq, bb = r / sq, x1 = bb % b1, x0 = bb / b1;
          const float* qi = q.data() + x0 * l.q[0] + x1 * l.q[1] + i * l.q[2];
          const int64_t xkv = x1 / l.kv_group;  // grouped-query attention: shared k/v heads
          const float* kb = k.data() + x0 * l.k[0] + xkv * l.k[1];
          const float* vb = v.data() + x0 * l.v[0] + xkv * l.v[1];
          float max = neg_inf;
          for (int64_t j = 0; j < sk; ++j) {
            const float* kj = kb + j * l.k[2];
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
            const float* vj = vb + j * l.v[2];
            for (int64_t c = 0; c < dv; ++c) acc[c] += pj * vj[c];
          }
          std::copy(acc.begin(), acc.end(), out.data() + x0 * l.o[0] + x1 * l.o[1] + i * l.o[2]);
        }
      });
  out.commit();
}

}  // namespace kiln::cpu
