// Shape inference of the gather layer: output = data[:axis] + indices + data[axis+1:], of the
// data's type; indices are int32 or int64 of any rank (their values are checked at run time).
#include "ir/op.h"

namespace kiln::ir {

void infer_gather(const Node& node, std::span<const TensorDesc> inputs,
                  std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 2, 2);
  const TensorDesc& data = inputs[0];
  const TensorDesc& indices = inputs[1];
  if (indices.type != DataType::kINT32 && indices.type != DataType::kINT64) {
    fail_at(node, "indices have type ", indices.type, "; expected int32 or int64");
  }
  if (data.dims.nb_dims < 1) fail_at(node, "data is 0-d ", data.dims, "; expected rank 1 or more");
  int32_t axis = normalize_axis(node, node.get<GatherAttrs>().axis, data.dims.nb_dims);
  int32_t rank = data.dims.nb_dims - 1 + indices.dims.nb_dims;
  if (rank > Dims::kMaxDims) {
    fail_at(node, "output of data ", data.dims, " gathered along axis ", axis, " by indices ",
            indices.dims, " would have rank ", rank, "; at most ", Dims::kMaxDims, " is supported");
  }
  Dims out;
  out.nb_dims = rank;
  int32_t o = 0;
  for (int32_t i = 0; i < axis; ++i) out.d[o++] = data.dims.d[i];
  for (int32_t i = 0; i < indices.dims.nb_dims; ++i) out.d[o++] = indices.dims.d[i];
  for (int32_t i = axis + 1; i < data.dims.nb_dims; ++i) out.d[o++] = data.dims.d[i];
  outputs[0] = {data.type, out};
}

}  // namespace kiln::ir
