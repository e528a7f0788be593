// The op tables generated from kiln/layer_list.def, and helpers the inference functions share.
#include "ir/op.h"

namespace kiln {

const char* to_string(LayerType type) {
  switch (static_cast<int32_t>(type)) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  case ir::kind_value<Pascal##Attrs>:                 \
    return #snake;
#include "ir/all_ops.def"
#undef KILN_LAYER
  }
  return "unknown";
}

namespace ir {

InferFn infer_fn(LayerType type) {
  switch (static_cast<int32_t>(type)) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  case kind_value<Pascal##Attrs>:                     \
    return &infer_##snake;
#include "ir/all_ops.def"
#undef KILN_LAYER
  }
  fail("unknown layer type ", static_cast<int>(type));
}

int32_t num_outputs(LayerType type) {
  switch (static_cast<int32_t>(type)) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  case kind_value<Pascal##Attrs>:                     \
    return num_outputs;
#include "ir/all_ops.def"
#undef KILN_LAYER
  }
  fail("unknown layer type ", static_cast<int>(type));
}

int32_t num_outputs(const Node& node) {
  return std::visit(
      [&](const auto& a) -> int32_t {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, std::monostate>) {
          return 0;
        } else if constexpr (requires { a.num_outputs; }) {
          return a.num_outputs;  // the attributes say (plugins, internal ops)
        } else {
          return num_outputs(node.kind());
        }
      },
      node.attrs);
}

bool op_kind_from_name(std::string_view name, LayerType* kind) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  if (name == #snake) {                               \
    *kind = kind_of<Pascal##Attrs>;                   \
    return true;                                      \
  }
#include "ir/all_ops.def"
#undef KILN_LAYER
  return false;
}

Attrs make_attrs(LayerType kind) {
  switch (static_cast<int32_t>(kind)) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  case kind_value<Pascal##Attrs>:                     \
    return Pascal##Attrs{};
#include "ir/all_ops.def"
#undef KILN_LAYER
  }
  return {};
}

void expect_inputs(const Node& node, std::span<const TensorDesc> inputs, int32_t min, int32_t max) {
  int32_t n = static_cast<int32_t>(inputs.size());
  if (n < min || n > max) {
    if (min == max) fail_at(node, "expects ", min, " inputs, got ", n);
    fail_at(node, "expects ", min, " to ", max, " inputs, got ", n);
  }
  for (int32_t i = 0; i < std::min(n, min); ++i) {
    if (inputs[i].dims.nb_dims < 0) fail_at(node, "input ", i, " is required but missing");
  }
}

void check_spatial_param(const Node& node, const char* name, const Dims& value, int32_t rank,
                         int64_t min, const char* owner) {
  if (value.nb_dims != rank) {
    fail_at(node, name, " ", value, " has ", value.nb_dims, " dims but the ", owner, " has ", rank,
            " spatial dims");
  }
  for (int32_t i = 0; i < rank; ++i) {
    if (value.d[i] < min) {
      fail_at(node, name, " ", value, " must be >= ", min, " in every spatial dim; dim ", i, " is ",
              value.d[i]);
    }
  }
}

void check_float(const Node& node, const char* what, DataType type) {
  if (!is_floating(type)) {
    fail_at(node, what, " has type ", type, "; expected float32, float16 or bfloat16");
  }
}

Dims broadcast(const Node& node, const Dims& a, const Dims& b) {
  Dims out;
  out.nb_dims = std::max(a.nb_dims, b.nb_dims);
  for (int32_t i = 0; i < out.nb_dims; ++i) {
    int32_t ia = a.nb_dims - out.nb_dims + i;
    int32_t ib = b.nb_dims - out.nb_dims + i;
    int64_t da = ia >= 0 ? a.d[ia] : 1;
    int64_t db = ib >= 0 ? b.d[ib] : 1;
    if (da == db) {
      out.d[i] = da;
    } else if (da == 1) {
      out.d[i] = db;
    } else if (db == 1) {
      out.d[i] = da;
    } else if (da < 0) {
      out.d[i] = db;
    } else if (db < 0) {
      out.d[i] = da;
    } else {
      fail_at(node, "shapes ", a, " and ", b, " do not broadcast: dimension ", i,
              " of the result is ", da, " on one side and ", db, " on the other");
    }
  }
  return out;
}

int32_t normalize_axis(const Node& node, int64_t axis, int32_t rank) {
  if (axis < -rank || axis >= rank) {
    fail_at(node, "axis ", axis, " is out of range for rank ", rank, " (allowed ", -rank, " to ",
            rank - 1, ")");
  }
  return static_cast<int32_t>(axis < 0 ? axis + rank : axis);
}

void check_axes(const Node& node, uint32_t axes, int32_t rank) {
  if (rank < 32 && (axes >> rank) != 0) {
    fail_at(node, "axes bitmask 0x", std::hex, axes, std::dec, " names an axis past rank ", rank);
  }
}

void set_value(TensorDesc& out, std::vector<int64_t> value) {
  out.has_value = true;
  out.value = std::move(value);
}

int64_t broadcast_index(const Dims& in, const Dims& out, int64_t flat) {
  int64_t index = 0, stride = 1;
  for (int32_t i = out.nb_dims - 1; i >= 0; --i) {
    int64_t coord = flat % out.d[i];
    flat /= out.d[i];
    int32_t j = in.nb_dims - out.nb_dims + i;
    if (j < 0) continue;
    if (in.d[j] != 1) index += coord * stride;
    stride *= in.d[j];
  }
  return index;
}

Dims shape_input(const Node& node, const TensorDesc& t, const char* what) {
  if (t.type != DataType::kINT32 && t.type != DataType::kINT64) {
    fail_at(node, what, " must be an int32 or int64 shape tensor, got ", t.type);
  }
  if (t.dims.nb_dims != 1 || t.dims.d[0] < 0 || t.dims.d[0] > Dims::kMaxDims) {
    fail_at(node, what, " must be a vector of 0 to ", Dims::kMaxDims,
            " values of known length, got shape ", t.dims);
  }
  if (!t.has_value) {
    fail_at(node, what,
            " is not a shape tensor: its values must follow from input shapes and constants "
            "(Shape, Gather, Concatenation, integer arithmetic...), but here they are data known "
            "only when the network runs; data-dependent shapes are not supported");
  }
  Dims d;
  d.nb_dims = static_cast<int32_t>(t.dims.d[0]);
  for (int32_t i = 0; i < d.nb_dims; ++i) d.d[i] = t.value[i];
  return d;
}

bool is_floating(DataType type) {
  return type == DataType::kFLOAT || type == DataType::kHALF || type == DataType::kBF16;
}

bool is_integer(DataType type) {
  return type == DataType::kINT8 || type == DataType::kUINT8 || type == DataType::kINT32 ||
         type == DataType::kINT64;
}

}  // namespace ir
}  // namespace kiln
