// Shape inference of the shuffle layer: first transpose, optional reshape (0 copies a dimension,
// one -1 is inferred from the volume; the dimensions may come from a shape tensor, input 1), second
// transpose. Unknown dims propagate as -1.
#include <string>

#include "ir/op.h"

namespace kiln::ir {

namespace {

std::string order_string(const Permutation& perm, int32_t rank) {
  std::string out = "(";
  for (int32_t i = 0; i < rank; ++i) {
    if (i) out += ",";
    out += std::to_string(perm.order[i]);
  }
  return out + ")";
}

// out[i] = in[perm[i]], after checking that the first rank entries are a permutation.
Dims transpose(const Node& node, const char* which, const Permutation& perm, const Dims& in) {
  bool seen[Dims::kMaxDims] = {};
  for (int32_t i = 0; i < in.nb_dims; ++i) {
    int32_t p = perm.order[i];
    if (p < 0 || p >= in.nb_dims || seen[p]) {
      fail_at(node, which, " ", order_string(perm, in.nb_dims), " is not a permutation of 0..",
              in.nb_dims - 1, " for dims ", in);
    }
    seen[p] = true;
  }
  Dims out;
  out.nb_dims = in.nb_dims;
  for (int32_t i = 0; i < in.nb_dims; ++i) out.d[i] = in.d[perm.order[i]];
  return out;
}

bool volume_is_zero(const Dims& d) {
  for (int32_t i = 0; i < d.nb_dims; ++i) {
    if (d.d[i] == 0) return true;
  }
  return false;
}

// `spec` holds kUnknownValue where a shape tensor's element is known only at run time: the output
// dimension is -1 there.
Dims reshape(const Node& node, const ShuffleAttrs& attrs, const Dims& spec, const Dims& in) {
  if (spec.nb_dims < 0 || spec.nb_dims > Dims::kMaxDims) {
    fail_at(node, "reshape dimensions have rank ", spec.nb_dims, "; expected 0 to ",
            Dims::kMaxDims);
  }
  Dims out;
  out.nb_dims = spec.nb_dims;
  int32_t infer_at = -1;
  for (int32_t i = 0; i < spec.nb_dims; ++i) {
    int64_t v = spec.d[i];
    if (v == kUnknownValue) {
      out.d[i] = -1;
    } else if (v == -1) {
      if (infer_at >= 0) {
        fail_at(node, "reshape dimensions ", spec, " hold more than one -1 (at ", infer_at, " and ",
                i, ")");
      }
      infer_at = i;
      out.d[i] = -1;
    } else if (v < -1) {
      fail_at(node, "reshape dimension ", i, " is ", v, "; expected a positive value, 0 or -1");
    } else if (v == 0 && attrs.zero_is_placeholder) {
      if (i >= in.nb_dims) {
        fail_at(node, "reshape dimension ", i, " is 0 (copy the input dimension) but the input ",
                in, " has rank ", in.nb_dims);
      }
      out.d[i] = in.d[i];
    } else {
      out.d[i] = v;
    }
  }

  for (const Dims* d : {&in, static_cast<const Dims*>(&out)}) {
    int64_t n = 1;
    if (volume_is_zero(*d)) continue;
    for (int32_t i = 0; i < d->nb_dims; ++i) {
      if (d->d[i] > 0 && __builtin_mul_overflow(n, d->d[i], &n)) {
        fail_at(node, "reshape of ", in, " to ", spec, ": the shape ", *d,
                " has more elements than 64 bits count");
      }
    }
  }
  if (infer_at < 0) {
    int64_t in_volume = volume(in), out_volume = volume(out);
    if (in_volume >= 0 && out_volume >= 0 && in_volume != out_volume) {
      fail_at(node, "cannot reshape ", in, " (", in_volume, " elements) to ", spec, " (",
              out_volume, " elements)");
    }
    return out;
  }
  // Dimensions copied by a 0 appear on both sides and cancel, so [-1,3,4] to [0,-1] gives
  // [-1,12] and the -1 is known whenever the dimensions not copied are.
  int64_t in_rest = 1, out_rest = 1;
  bool copied = false;
  for (int32_t i = 0; i < in.nb_dims; ++i) {
    if (i < spec.nb_dims && spec.d[i] == 0 && attrs.zero_is_placeholder) {
      copied = true;
      continue;
    }
    in_rest = (in_rest < 0 || in.d[i] < 0) ? -1 : in_rest * in.d[i];
  }
  for (int32_t i = 0; i < out.nb_dims; ++i) {
    if (i == infer_at || (spec.d[i] == 0 && attrs.zero_is_placeholder)) continue;
    out_rest = (out_rest < 0 || out.d[i] < 0) ? -1 : out_rest * out.d[i];
  }
  if (in_rest < 0 || out_rest < 0) return out;  // the -1 stays unknown until run time
  if (out_rest == 0) {
    fail_at(node, "cannot reshape ", in, " to ", spec,
            ": the -1 cannot be inferred when the other dimensions hold 0 elements");
  }
  if (in_rest % out_rest != 0) {
    fail_at(node, "cannot reshape ", in, " to ", spec, ": ", in_rest, " elements",
            copied ? " (not counting the dimensions copied by 0)" : "", " is not a multiple of ",
            out_rest);
  }
  out.d[infer_at] = in_rest / out_rest;
  return out;
}

// Whether a permutation keeps the row-major order of the elements: the dimensions larger than 1
// stay in the same relative order (moving 1s, as unsqueeze does, changes nothing).
bool keeps_order(const Permutation& perm, const Dims& in) {
  int32_t last = -1;
  for (int32_t i = 0; i < in.nb_dims; ++i) {
    int32_t p = perm.order[i];
    if (in.d[p] == 1) continue;
    if (in.d[p] < 0 || p < last) return false;
    last = p;
  }
  return true;
}

}  // namespace

// Input 1 (optional, TensorRT's IShuffleLayer::setInput(1)): a shape tensor holding the reshape
// dimensions, which then replace reshape_dims.
void infer_shuffle(const Node& node, std::span<const TensorDesc> inputs,
                   std::span<TensorDesc> outputs) {
  expect_inputs(node, inputs, 1, 2);
  const ShuffleAttrs& attrs = node.get<ShuffleAttrs>();
  const TensorDesc& x = inputs[0];
  bool dynamic = inputs.size() == 2 && inputs[1].dims.nb_dims >= 0;
  Dims first = transpose(node, "first_transpose", attrs.first_transpose, x.dims);
  Dims dims = first;
  if (dynamic) {
    dims =
        reshape(node, attrs, shape_input(node, inputs[1], "input 1 (reshape dimensions)"), first);
  } else if (attrs.has_reshape) {
    dims = reshape(node, attrs, attrs.reshape_dims, first);
  }
  Dims second = dims;
  dims = transpose(node, "second_transpose", attrs.second_transpose, dims);
  outputs[0] = {x.type, dims};
  // Unsqueeze, squeeze and reshape of a shape tensor keep its values.
  if (x.has_value && volume(dims) >= 0 && keeps_order(attrs.first_transpose, x.dims) &&
      keeps_order(attrs.second_transpose, second)) {
    set_value(outputs[0], x.value);
  }
}

}  // namespace kiln::ir
