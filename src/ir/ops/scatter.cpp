// Shape inference of the scatter layer: the output is the data's type and shape. kELEMENT:
// indices and updates of one shape, of data's rank; kND: indices [..., k] with k known and at most
// data's rank, updates of shape indices[:-1] + data[k:]. Index values are checked at run time.
#include "ir/op.h"

namespace kiln::ir {
namespace {

bool same_or_unknown(int64_t a, int64_t b) {
  return a < 0 || b < 0 || a == b;
}

}  // namespace

void infer_scatter(const Node& node, std::span<const TensorDesc> inputs,
                   std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 3, 3);
  const ScatterAttrs& a = node.get<ScatterAttrs>();
  const TensorDesc& data = inputs[0];
  const TensorDesc& indices = inputs[1];
  const TensorDesc& updates = inputs[2];
  if (indices.type != DataType::kINT32 && indices.type != DataType::kINT64) {
    fail_at(node, "indices have type ", indices.type, "; expected int32 or int64");
  }
  if (updates.type != data.type) {
    fail_at(node, "updates have type ", updates.type, " but data has type ", data.type);
  }
  if (data.dims.nb_dims < 1) fail_at(node, "data is 0-d; expected rank 1 or more");
  if (a.reduction != ScatterReduction::kNONE && data.type == DataType::kBOOL) {
    fail_at(node, "a reduction needs a numeric type, got ", data.type);
  }
  int32_t r = data.dims.nb_dims;
  if (a.mode == ScatterMode::kELEMENT) {
    int32_t axis = normalize_axis(node, a.axis, r);
    if (indices.dims.nb_dims != r || updates.dims.nb_dims != r) {
      fail_at(node, "kELEMENT mode: indices ", indices.dims, " and updates ", updates.dims,
              " must have the data's rank ", r, " (data ", data.dims, ")");
    }
    for (int32_t i = 0; i < r; ++i) {
      if (!same_or_unknown(indices.dims.d[i], updates.dims.d[i])) {
        fail_at(node, "kELEMENT mode: indices ", indices.dims, " and updates ", updates.dims,
                " must have the same shape");
      }
      if (i != axis && data.dims.d[i] >= 0 && indices.dims.d[i] > data.dims.d[i]) {
        fail_at(node, "kELEMENT mode: indices ", indices.dims, " are larger than data ", data.dims,
                " in dimension ", i, " (only the axis ", axis, " may differ freely)");
      }
    }
  } else {
    int32_t q = indices.dims.nb_dims;
    if (q < 1) fail_at(node, "kND mode: indices are 0-d; expected rank 1 or more");
    int64_t k = indices.dims.d[q - 1];
    if (k < 0) {
      fail_at(node, "kND mode: the last dimension of indices ", indices.dims,
              " must be known at build time");
    }
    if (k < 1 || k > r) {
      fail_at(node, "kND mode: the last dimension of indices ", indices.dims, " is ", k,
              "; expected 1 to the data's rank ", r);
    }
    Dims expected;
    expected.nb_dims = q - 1 + r - static_cast<int32_t>(k);
    if (expected.nb_dims > Dims::kMaxDims) {
      fail_at(node, "kND mode: updates would need rank ", expected.nb_dims);
    }
    int32_t o = 0;
    for (int32_t i = 0; i < q - 1; ++i) expected.d[o++] = indices.dims.d[i];
    for (int32_t i = static_cast<int32_t>(k); i < r; ++i) expected.d[o++] = data.dims.d[i];
    bool ok = updates.dims.nb_dims == expected.nb_dims;
    for (int32_t i = 0; ok && i < expected.nb_dims; ++i) {
      ok = same_or_unknown(updates.dims.d[i], expected.d[i]);
    }
    if (!ok) {
      fail_at(node, "kND mode: updates ", updates.dims, " must have shape indices[:-1] + data[", k,
              ":] = ", expected, " (data ", data.dims, ", indices ", indices.dims, ")");
    }
  }
  outputs[0] = data;
}

}  // namespace kiln::ir
