// Shape inference of the concatenation layer: inputs of one type and rank, equal except along the
// axis, whose output dimension is their sum (-1 when any of them is unknown).
#include "ir/op.h"

namespace kiln::ir {

void infer_concatenation(const Node& node, std::span<const TensorDesc> inputs,
                         std::span<TensorDesc> outputs) {
  if (inputs.empty()) fail_at(node, "expects at least 1 input, got 0");
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (inputs[k].dims.nb_dims < 0) fail_at(node, "input ", k, " is missing");
  }
  const TensorDesc& first = inputs[0];
  int32_t rank = first.dims.nb_dims;
  int32_t axis = normalize_axis(node, node.get<ConcatenationAttrs>().axis, rank);

  Dims out = first.dims;
  for (size_t k = 1; k < inputs.size(); ++k) {
    const TensorDesc& in = inputs[k];
    if (in.type != first.type) {
      fail_at(node, "input ", k, " has type ", in.type, " but input 0 has type ", first.type);
    }
    if (in.dims.nb_dims != rank) {
      fail_at(node, "input ", k, " has shape ", in.dims, " of rank ", in.dims.nb_dims,
              " but input 0 has shape ", first.dims, " of rank ", rank);
    }
    for (int32_t i = 0; i < rank; ++i) {
      int64_t d = in.dims.d[i];
      if (i == axis) {
        out.d[i] = (out.d[i] < 0 || d < 0) ? -1 : out.d[i] + d;
      } else if (out.d[i] < 0) {
        out.d[i] = d;  // an unknown dimension takes a known one from a later input
      } else if (d >= 0 && d != out.d[i]) {
        fail_at(node, "input ", k, " has shape ", in.dims, " but the inputs before it have ",
                out.d[i], " at dimension ", i, "; only dimension ", axis,
                " (the concatenation axis) may differ");
      }
    }
  }
  outputs[0] = {first.type, out};
  // Along axis 0 the row-major values of the inputs follow each other (Concat of shape parts).
  if (axis != 0) return;
  std::vector<int64_t> value;
  for (const TensorDesc& in : inputs) {
    if (!in.has_value) return;
    value.insert(value.end(), in.value.begin(), in.value.end());
  }
  set_value(outputs[0], std::move(value));
}

}  // namespace kiln::ir
