// Shape inference of the one-hot layer: indices' shape with a depth-long axis inserted at `axis`
// (of the output), in the type of values, which holds [off, on].
#include "ir/op.h"

namespace kiln::ir {

void infer_one_hot(const Node& node, std::span<const TensorDesc> inputs,
                   std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 2, 2);
  const OneHotAttrs& a = node.get<OneHotAttrs>();
  const TensorDesc& indices = inputs[0];
  const TensorDesc& values = inputs[1];
  if (indices.type != DataType::kINT32 && indices.type != DataType::kINT64) {
    fail_at(node, "indices have type ", indices.type, "; expected int32 or int64");
  }
  if (values.dims.nb_dims != 1 || (values.dims.d[0] >= 0 && values.dims.d[0] != 2)) {
    fail_at(node, "values ", values.dims, " must have shape [2] ([off, on])");
  }
  if (a.depth < 0) fail_at(node, "depth is ", a.depth, "; expected 0 or more");
  int32_t rank = indices.dims.nb_dims + 1;
  if (rank > Dims::kMaxDims) {
    fail_at(node, "indices ", indices.dims, " would give an output of rank ", rank, "; at most ",
            Dims::kMaxDims, " is supported");
  }
  int32_t axis = normalize_axis(node, a.axis, rank);
  Dims out;
  out.nb_dims = rank;
  for (int32_t i = 0, j = 0; i < rank; ++i) out.d[i] = i == axis ? a.depth : indices.dims.d[j++];
  outputs[0] = {values.type, out};
}

}  // namespace kiln::ir
