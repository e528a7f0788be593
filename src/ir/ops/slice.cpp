// Shape inference of the slice layer: the output has the slice's size. In kSTRICT_BOUNDS mode every
// element it reads (start + i * stride, stride possibly negative or 0) must lie inside the input;
// the other sample modes define reads outside it, so only kFILL's value and type are checked. The
// size may come from a shape tensor (input 2), which makes the output's dims known at run time.
#include "ir/op.h"

namespace kiln::ir {

void infer_slice(const Node& node, std::span<const TensorDesc> inputs,
                 std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 3);
  const SliceAttrs& attrs = node.get<SliceAttrs>();
  const Dims& in = inputs[0].dims;
  int32_t rank = in.nb_dims;
  if (inputs.size() >= 2 && inputs[1].dims.nb_dims >= 0) {
    fail_at(node, "a start given as a tensor (input 1) is not supported; set it with set_start");
  }
  // Input 2 (optional, TensorRT's ISliceLayer::setInput(2)): the size as a shape tensor.
  Dims sizes = attrs.size;
  if (inputs.size() == 3 && inputs[2].dims.nb_dims >= 0) {
    sizes = shape_input(node, inputs[2], "input 2 (size)");
    for (int32_t i = 0; i < sizes.nb_dims; ++i) {
      if (sizes.d[i] == kUnknownValue)
        sizes.d[i] = -1;
      else if (sizes.d[i] < 0)
        fail_at(node, "size ", sizes, " from input 2 holds a negative value");
    }
  }
  if (attrs.start.nb_dims != rank || sizes.nb_dims != rank || attrs.stride.nb_dims != rank) {
    fail_at(node, "start ", attrs.start, ", size ", sizes, " and stride ", attrs.stride,
            " must each have the input's rank ", rank, " (input ", in, ")");
  }
  bool strict = attrs.mode == SampleMode::kSTRICT_BOUNDS;
  for (int32_t i = 0; i < rank; ++i) {
    int64_t start = attrs.start.d[i];
    int64_t size = sizes.d[i];
    int64_t stride = attrs.stride.d[i];
    if (size == -1) continue;  // known at run time; checked then
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
    int64_t last = 0;
    if (__builtin_mul_overflow(size - 1, stride, &last) ||
        __builtin_add_overflow(start, last, &last)) {  // found by fuzz_plan
      fail_at(node, "dimension ", i, " (start ", start, ", size ", size, ", stride ", stride,
              ") reads past the range of 64-bit indices");
    }
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
  outputs[0] = {inputs[0].type, sizes};
  // A slice of a shape tensor (Shape -> Slice): pick its values.
  const TensorDesc& x = inputs[0];
  int64_t n = volume(sizes);
  if (!x.has_value || !strict || n < 0 || n > kMaxValueElements || volume(in) < 0) return;
  Dims in_strides;
  in_strides.nb_dims = rank;
  for (int32_t i = rank - 1, s = 1; i >= 0; --i) {
    in_strides.d[i] = s;
    s *= static_cast<int32_t>(in.d[i]);
  }
  std::vector<int64_t> value(static_cast<size_t>(n));
  for (int64_t o = 0; o < n; ++o) {
    int64_t rest = o, index = 0;
    for (int32_t i = rank - 1; i >= 0; --i) {
      int64_t j = rest % sizes.d[i];
      rest /= sizes.d[i];
      index += (attrs.start.d[i] + j * attrs.stride.d[i]) * in_strides.d[i];
    }
    value[o] = x.value[index];
  }
  set_value(outputs[0], std::move(value));
}

}  // namespace kiln::ir
