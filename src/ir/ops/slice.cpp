// Shape inference of the slice layer: the output has the slice's size. In kSTRICT_BOUNDS mode every
// element it reads (start + i * stride, stride possibly negative or 0) must lie inside the input;
// the other sample modes define reads outside it, so only kFILL's value and type are checked.
#include "ir/op.h"

namespace kiln::ir {

void infer_slice(const Node& node, std::span<const TensorDesc> inputs,
                 std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 1);
  const SliceAttrs& attrs = node.get<SliceAttrs>();
  const Dims& in = inputs[0].dims;
  int32_t rank = in.nb_dims;
  if (attrs.start.nb_dims != rank || attrs.size.nb_dims != rank || attrs.stride.nb_dims != rank) {
    fail_at(node, "start ", attrs.start, ", size ", attrs.size, " and stride ", attrs.stride,
            " must each have the input's rank ", rank, " (input ", in, ")");
  }
  bool strict = attrs.mode == SampleMode::kSTRICT_BOUNDS;
  for (int32_t i = 0; i < rank; ++i) {
    int64_t start = attrs.start.d[i];
    int64_t size = attrs.size.d[i];
    int64_t stride = attrs.stride.d[i];
    if (size < 0) fail_at(node, "size of dimension ", i, " is ", size, "; expected 0 or more");
    if (size == 0) continue;
    int64_t dim = in.d[i];
    if (!strict) {
      // Any position maps into the input, as long as the input has an element to map to.
      if (dim == 0 && attrs.mode != SampleMode::kFILL) {
        fail_at(node, "dimension ", i, " of the input ", in, " is empty, so sample mode ",
                static_cast<int>(attrs.mode), " has no element to read for the ", size,
                " output elements");
      }
      continue;
    }
    int64_t last = start + (size - 1) * stride;
    bool below = start < 0 || last < 0;
    bool above = dim >= 0 && (start >= dim || last >= dim);
    if (below || above) {
      if (dim < 0) {
        fail_at(node, "dimension ", i, " reads elements ", start, " to ", last, " (start ", start,
                ", size ", size, ", stride ", stride, ") but indices must be >= 0");
      }
      fail_at(node, "dimension ", i, " reads elements ", start, " to ", last, " (start ", start,
              ", size ", size, ", stride ", stride, ") outside [0, ", dim - 1,
              "] of the input dimension ", dim, " (input ", in,
              "); a sample mode other than kSTRICT_BOUNDS allows that");
    }
  }
  outputs[0] = {inputs[0].type, attrs.size};
}

}  // namespace kiln::ir
