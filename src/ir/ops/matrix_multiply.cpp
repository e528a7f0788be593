// MatrixMultiply shape inference: each operand is a matrix (its last two dims, optionally
// transposed) or a vector (its last dim); the leading batch dims broadcast numpy-style.
#include <algorithm>

#include "ir/op.h"

namespace kiln::ir {
namespace {

const char* op_name(MatrixOperation op) {
  switch (op) {
    case MatrixOperation::kNONE:
      return "kNONE";
    case MatrixOperation::kTRANSPOSE:
      return "kTRANSPOSE";
    case MatrixOperation::kVECTOR:
      return "kVECTOR";
  }
  return "unknown";
}

// One operand split into batch dims, the dim it contributes to the output (rows of a, columns of
// b; absent for a vector) and the inner (contracted) dim.
struct Operand {
  Dims batch;
  bool vector = false;
  int64_t outer = -1;
  int64_t inner = -1;
};

Operand split(const Node& node, const char* which, const Dims& dims, MatrixOperation op,
              bool is_b) {
  Operand r;
  r.vector = op == MatrixOperation::kVECTOR;
  int32_t need = r.vector ? 1 : 2;
  if (dims.nb_dims < need) {
    fail_at(node, "input ", which, " with operation ", op_name(op), " needs rank >= ", need,
            ", got ", dims, " (rank ", dims.nb_dims, ")");
  }
  r.batch.nb_dims = dims.nb_dims - need;
  for (int32_t i = 0; i < r.batch.nb_dims; ++i) r.batch.d[i] = dims.d[i];
  int32_t n = dims.nb_dims;
  if (r.vector) {
    r.inner = dims.d[n - 1];
    return r;
  }
  // a is [M, K] (kTRANSPOSE: [K, M]); b is [K, N] (kTRANSPOSE: [N, K]).
  bool trans = op == MatrixOperation::kTRANSPOSE;
  bool inner_last = is_b ? trans : !trans;
  r.inner = inner_last ? dims.d[n - 1] : dims.d[n - 2];
  r.outer = inner_last ? dims.d[n - 2] : dims.d[n - 1];
  return r;
}

}  // namespace

void infer_matrix_multiply(const Node& node, std::span<const TensorDesc> inputs,
                           std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 2, 3);
  const auto& attrs = node.get<MatrixMultiplyAttrs>();
  const TensorDesc& a = inputs[0];
  const TensorDesc& b = inputs[1];
  if (!is_floating(a.type) || a.type != b.type) {
    fail_at(node, "inputs must have the same float type (float32, float16 or bfloat16), got ",
            a.type, " and ", b.type);
  }
  Operand oa = split(node, "a", a.dims, attrs.op_a, false);
  Operand ob = split(node, "b", b.dims, attrs.op_b, true);
  if (oa.inner >= 0 && ob.inner >= 0 && oa.inner != ob.inner) {
    fail_at(node, "inner dimensions differ: a ", a.dims, " (", op_name(attrs.op_a),
            ") contributes ", oa.inner, " but b ", b.dims, " (", op_name(attrs.op_b),
            ") contributes ", ob.inner);
  }
  for (int32_t i = 1; i <= std::min(oa.batch.nb_dims, ob.batch.nb_dims); ++i) {
    int64_t da = oa.batch.d[oa.batch.nb_dims - i], db = ob.batch.d[ob.batch.nb_dims - i];
    if (da >= 0 && db >= 0 && da != db && da != 1 && db != 1) {
      fail_at(node, "batch dimensions do not broadcast: a ", a.dims, " has batch ", oa.batch,
              ", b ", b.dims, " has batch ", ob.batch);
    }
  }
  Dims out = broadcast(node, oa.batch, ob.batch);
  if (!oa.vector) out.d[out.nb_dims++] = oa.outer;
  if (!ob.vector) out.d[out.nb_dims++] = ob.outer;
  if (inputs.size() == 3) {  // a bias the builder's epilogue fusion attached
    const TensorDesc& bias = inputs[2];
    int64_t n = out.nb_dims > 0 ? out.d[out.nb_dims - 1] : 1;
    if (bias.type != a.type || bias.dims.nb_dims != 1 ||
        (n >= 0 && bias.dims.d[0] >= 0 && bias.dims.d[0] != n)) {
      fail_at(node, "the fused bias must be a ", a.type, " vector of ", n, " values, got ",
              bias.type, " ", bias.dims);
    }
  }
  outputs[0] = {a.type, out};
}

}  // namespace kiln::ir
