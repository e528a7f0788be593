// Op definitions: each layer kind's shape and type inference, found by the layer list.
//
// ir/ops/<family>.cpp defines infer_<snake> for each layer of its family. An inference function
// gets the node and its inputs' types and dims (absent optional inputs as nb_dims == -1), and
// fills in every output's type and dims. Layers that compute small integer tensors (shape, gather,
// concatenation, elementwise, ...) also fill in the output's value when their inputs have one
// (TensorDesc::value), so shape arithmetic is evaluated wherever shapes are: see infer_node. Dims
// may hold -1 (known only at run time): outputs then hold -1 where they depend on them, and checks
// that need the value wait until it is known. The same function runs at build time (with -1, and
// with each profile's min/opt/max) and at run time (with the actual shapes), so a layer's rules
// live in exactly one place.
#pragma once

#include <span>

#include "ir/graph.h"

namespace kiln::ir {

using InferFn = void (*)(const Node& node, std::span<const TensorDesc> inputs,
                         std::span<TensorDesc> outputs);

#define KILN_LAYER(UPPER, Pascal, snake, num_outputs)                      \
  void infer_##snake(const Node& node, std::span<const TensorDesc> inputs, \
                     std::span<TensorDesc> outputs);
#include "ir/all_ops.def"
#undef KILN_LAYER

InferFn infer_fn(LayerType type);
// Outputs of a kind; 0 for kinds whose attributes say (plugins, some internal ops).
int32_t num_outputs(LayerType type);
// Outputs of a node: num_outputs(kind), or its attributes' num_outputs where they say.
int32_t num_outputs(const Node& node);

// Throws Error prefixed with the layer: "[convolution 'conv1'] kernel is 3x3 but ...".
template <typename... Args>
[[noreturn]] void fail_at(const Node& node, const Args&... args) {
  fail("[", to_string(node.kind()), " '", node.name, "'] ", args...);
}

// The error of a convolution or pooling whose output would be empty at the current padding,
// stride and dilation. The network API lets such an add through (a setter called next, such as
// set_padding_nd, may make it valid); inference reports it again where the shape is needed.
class EmptySpatialOutput : public Error {
 public:
  using Error::Error;
};
template <typename... Args>
[[noreturn]] void fail_empty_output(const Node& node, const Args&... args) {
  throw EmptySpatialOutput(str_cat("[", to_string(node.kind()), " '", node.name, "'] ", args...));
}

// Checks the number of inputs (absent optional inputs count) against [min, max].
void expect_inputs(const Node& node, std::span<const TensorDesc> inputs, int32_t min, int32_t max);

// Numpy broadcasting of two shapes (aligned at the back). Dimensions: equal, or one of them 1, or
// -1 (unknown: the result takes the other side, or -1). Throws naming the layer on a mismatch.
Dims broadcast(const Node& node, const Dims& a, const Dims& b);

// Normalises a possibly negative axis against `rank`; throws naming the layer when out of range.
int32_t normalize_axis(const Node& node, int64_t axis, int32_t rank);
// Checks that a bitmask only names axes below `rank`; throws naming the layer otherwise.
void check_axes(const Node& node, uint32_t axes, int32_t rank);

// Checks a per-spatial-dimension parameter (stride, padding, ...): `rank` values, the rank of the
// `owner` ("kernel", "window"), each >= min; throws naming the layer and the parameter.
void check_spatial_param(const Node& node, const char* name, const Dims& value, int32_t rank,
                         int64_t min, const char* owner = "kernel");
// Throws "<what> has type T; expected float32, float16 or bfloat16" naming the layer.
void check_float(const Node& node, const char* what, DataType type);

// --- shape-tensor values (TensorDesc::value)
// Sets `out`'s value to `value` (volume(out.dims) elements).
void set_value(TensorDesc& out, std::vector<int64_t> value);
// The flat index into `in` (broadcast against `out`, aligned at the back) of output element `flat`.
int64_t broadcast_index(const Dims& in, const Dims& out, int64_t flat);
// The dims held by a shape-tensor input (`what` names it in errors): an int32/int64 vector of
// static length whose value follows from shapes and constants. Elements known only at run time
// are kUnknownValue. Throws naming the layer for a tensor whose values are data (a network input,
// the result of a float computation): kiln does not support data-dependent shapes.
Dims shape_input(const Node& node, const TensorDesc& t, const char* what);

bool is_floating(DataType type);  // float32, float16, bfloat16
bool is_integer(DataType type);   // int8, uint8, int32, int64

}  // namespace kiln::ir
