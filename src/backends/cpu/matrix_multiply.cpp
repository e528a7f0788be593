// MatrixMultiply CPU kernel: one gemm call per output batch item. Broadcast batch dims reuse the
// same operand memory through zero strides; float32 runs on the tensors in place, fp16/bf16 staged.
#include "backends/cpu/common.h"
#include "backends/cpu/gemm.h"
#include "backends/cpu/thread_pool.h"

namespace kiln::cpu {
namespace {

// Matrix view of one operand: a[rows x cols] per batch item, and its op for gemm.
struct Operand {
  Dims batch;
  int64_t rows = 1, cols = 1;
  bool trans = false;
};

// A vector operand of a is a 1 x K matrix; of b, a K x 1 one, stored as 1 x K and transposed.
Operand split(const Dims& dims, MatrixOperation op, bool is_b) {
  Operand r;
  int32_t n = dims.nb_dims;
  if (op == MatrixOperation::kVECTOR) {
    r.batch.nb_dims = n - 1;
    r.cols = dims.d[n - 1];
    r.trans = is_b;
  } else {
    r.batch.nb_dims = n - 2;
    r.rows = dims.d[n - 2];
    r.cols = dims.d[n - 1];
    r.trans = op == MatrixOperation::kTRANSPOSE;
  }
  for (int32_t i = 0; i < r.batch.nb_dims; ++i) r.batch.d[i] = dims.d[i];
  return r;
}

}  // namespace

void run_matrix_multiply(const ir::Node& node, std::span<const TensorView> inputs,
                         std::span<const TensorView> outputs) {
  const auto& attrs = node.get<MatrixMultiplyAttrs>();
  Operand a = split(inputs[0].dims, attrs.op_a, false);
  Operand b = split(inputs[1].dims, attrs.op_b, true);
  int64_t m = a.trans ? a.cols : a.rows;
  int64_t k = a.trans ? a.rows : a.cols;
  int64_t n = b.trans ? b.rows : b.cols;

  // Batch dims of the output: all but the trailing matrix dims (one per non-vector operand).
  const TensorView& y = outputs[0];
  Dims batch = y.dims;
  batch.nb_dims -=
      (attrs.op_a != MatrixOperation::kVECTOR) + (attrs.op_b != MatrixOperation::kVECTOR);
  Dims a_strides = broadcast_strides(a.batch, batch);
  Dims b_strides = broadcast_strides(b.batch, batch);
  int64_t a_size = a.rows * a.cols, b_size = b.rows * b.cols;

  FloatInput av(inputs[0]);
  FloatInput bv(inputs[1]);
  FloatOutput out(y);
  int64_t count = volume(batch);
  // Batch items split over the engine's threads; a single product splits inside gemm instead.
  parallel_for(count, std::max<int64_t>(1, kParallelMacs / std::max<int64_t>(m * n * k, 1)),
               [&](int64_t first, int64_t last) {
                 for (int64_t item = first; item < last; ++item) {
                   const float* pa = av.data() + offset_of(item, batch, a_strides) * a_size;
                   const float* pb = bv.data() + offset_of(item, batch, b_strides) * b_size;
                   gemm(a.trans, b.trans, m, n, k, 1.0f, pa, a.cols, pb, b.cols, 0.0f,
                        out.data() + item * m * n, n);
                 }
               });
  // The epilogue the builder fused (GPU plans have it; the CPU runs it for completeness).
  int64_t total = numel(y);
  if (inputs.size() > 2 && inputs[2].data != nullptr && n > 0) {
    FloatInput bias(inputs[2]);
    float* o = out.data();
    parallel_for(total / n, std::max<int64_t>(1, kParallelGrain / n), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        for (int64_t j = 0; j < n; ++j) o[r * n + j] += bias[j];
      }
    });
  }
  if (attrs.epilogue.enabled) {
    apply_activation(attrs.epilogue.type, attrs.epilogue.alpha, attrs.epilogue.beta, out.data(),
                     out.data(), total, str_cat("matrix_multiply '", node.name, "'"));
  }
  out.commit();
}

}  // namespace kiln::cpu
