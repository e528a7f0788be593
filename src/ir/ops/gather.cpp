// Shape inference of the gather layer, by mode. kDEFAULT: data[:axis] + indices + data[axis+1:];
// kELEMENT: the indices' shape (data's rank); kND: indices[:-1] + data[batch + k:], k the last
// dimension of indices. Output of the data's type; index values are checked at run time.
#include "ir/op.h"

namespace kiln::ir {
namespace {

void check_rank(const Node& node, int32_t rank, const Dims& data, const Dims& indices) {
  if (rank > Dims::kMaxDims) {
    fail_at(node, "output of data ", data, " gathered by indices ", indices, " would have rank ",
            rank, "; at most ", Dims::kMaxDims, " is supported");
  }
}

Dims infer_default(const Node& node, const Dims& data, const Dims& indices) {
  int32_t axis = normalize_axis(node, node.get<GatherAttrs>().axis, data.nb_dims);
  int32_t rank = data.nb_dims - 1 + indices.nb_dims;
  check_rank(node, rank, data, indices);
  Dims out;
  out.nb_dims = rank;
  int32_t o = 0;
  for (int32_t i = 0; i < axis; ++i) out.d[o++] = data.d[i];
  for (int32_t i = 0; i < indices.nb_dims; ++i) out.d[o++] = indices.d[i];
  for (int32_t i = axis + 1; i < data.nb_dims; ++i) out.d[o++] = data.d[i];
  return out;
}

Dims infer_element(const Node& node, const Dims& data, const Dims& indices) {
  int32_t axis = normalize_axis(node, node.get<GatherAttrs>().axis, data.nb_dims);
  if (indices.nb_dims != data.nb_dims) {
    fail_at(node, "kELEMENT mode: indices ", indices, " must have the data's rank ", data.nb_dims,
            " (data ", data, ")");
  }
  for (int32_t i = 0; i < data.nb_dims; ++i) {
    if (i != axis && data.d[i] >= 0 && indices.d[i] > data.d[i]) {
      fail_at(node, "kELEMENT mode: indices ", indices, " are larger than data ", data,
              " in dimension ", i, " (only the axis ", axis, " may differ freely)");
    }
  }
  return indices;
}

Dims infer_nd(const Node& node, const Dims& data, const Dims& indices) {
  int32_t batch = node.get<GatherAttrs>().num_elementwise_dims;
  int32_t q = indices.nb_dims;
  int32_t r = data.nb_dims;
  if (q < 1) fail_at(node, "kND mode: indices are 0-d; expected rank 1 or more");
  if (batch < 0 || batch >= std::min(q, r)) {
    fail_at(node, "kND mode: num_elementwise_dims ", batch, " must be below the ranks of data ",
            data, " and indices ", indices);
  }
  for (int32_t i = 0; i < batch; ++i) {
    if (data.d[i] >= 0 && indices.d[i] >= 0 && data.d[i] != indices.d[i]) {
      fail_at(node, "kND mode: batch dimension ", i, " is ", data.d[i], " in data ", data, " but ",
              indices.d[i], " in indices ", indices);
    }
  }
  int64_t k = indices.d[q - 1];
  if (k < 0) {
    fail_at(node, "kND mode: the last dimension of indices ", indices,
            " must be known at build time (it fixes the output rank)");
  }
  if (k < 1 || k > r - batch) {
    fail_at(node, "kND mode: the last dimension of indices ", indices, " is ", k,
            "; expected 1 to ", r - batch, " (data ", data, " after ", batch, " batch dims)");
  }
  int32_t rank = q - 1 + r - batch - static_cast<int32_t>(k);
  check_rank(node, rank, data, indices);
  Dims out;
  out.nb_dims = rank;
  int32_t o = 0;
  for (int32_t i = 0; i < q - 1; ++i) {
    out.d[o++] = i < batch && indices.d[i] < 0 ? data.d[i] : indices.d[i];
  }
  for (int32_t i = batch + static_cast<int32_t>(k); i < r; ++i) out.d[o++] = data.d[i];
  return out;
}

}  // namespace

void infer_gather(const Node& node, std::span<const TensorDesc> inputs,
                  std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 2, 2);
  const TensorDesc& data = inputs[0];
  const TensorDesc& indices = inputs[1];
  if (indices.type != DataType::kINT32 && indices.type != DataType::kINT64) {
    fail_at(node, "indices have type ", indices.type, "; expected int32 or int64");
  }
  if (data.dims.nb_dims < 1) fail_at(node, "data is 0-d ", data.dims, "; expected rank 1 or more");
  Dims out;
  switch (node.get<GatherAttrs>().mode) {
    case GatherMode::kDEFAULT:
      out = infer_default(node, data.dims, indices.dims);
      break;
    case GatherMode::kELEMENT:
      out = infer_element(node, data.dims, indices.dims);
      break;
    case GatherMode::kND:
      out = infer_nd(node, data.dims, indices.dims);
      break;
  }
  outputs[0] = {data.type, out};
  // A shape tensor indexed by constants (Shape -> Gather): pick its values.
  const GatherAttrs& a = node.get<GatherAttrs>();
  if (a.mode == GatherMode::kDEFAULT && data.has_value && data.dims.nb_dims == 1 &&
      indices.value_known() && volume(out) >= 0) {
    int64_t n = data.dims.d[0];
    std::vector<int64_t> value;
    for (int64_t i : indices.value) {
      if (i < -n || i >= n) return;  // out of range: the kernel reports it when the layer runs
      value.push_back(data.value[i < 0 ? i + n : i]);
    }
    set_value(outputs[0], std::move(value));
  }
}

}  // namespace kiln::ir
