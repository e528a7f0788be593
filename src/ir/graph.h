// The graph every part of kiln works on: tensors, nodes with typed attributes, named weights.
//
// A plain value type (indices, no pointers), so builder passes copy it and return a new one, and
// the plan stores it as it is.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/error.h"
#include "ir/attributes.h"
#include "ir/internal_attributes.h"
#include "kiln/network.h"

namespace kiln::ir {

// std::monostate marks "no layer"; alternative i + 1 is LayerType i. The public layers come first
// (kiln/layer_list.def), then the internal ops (ir/internal_ops.def), whose LayerType values name
// no public enumerator.
using Attrs = std::variant<std::monostate
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) , Pascal##Attrs
#include "ir/all_ops.def"
#undef KILN_LAYER
                           >;

// The public layer kinds; LayerType values [kNumLayerTypes, kNumOpKinds) are internal ops.
constexpr int32_t kNumLayerTypes = 0
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) +1
#include "kiln/layer_list.def"
#undef KILN_LAYER
    ;
constexpr int32_t kNumOpKinds = std::variant_size_v<Attrs> - 1;

namespace detail {
template <typename A, size_t I = 0>
constexpr size_t attrs_index() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Attrs>, A>) {
    return I;
  } else {
    return attrs_index<A, I + 1>();
  }
}
}  // namespace detail

// The kind of node whose attributes are A: kind_of<ConvolutionAttrs> == LayerType::kCONVOLUTION,
// kind_of<LayerNormAttrs> is the internal op's value. Usable as a case label.
template <typename A>
constexpr LayerType kind_of = static_cast<LayerType>(detail::attrs_index<A>() - 1);

// kind_of<A> as an int32_t: switches over every kind (public and internal) use it as the case
// label, on static_cast<int32_t>(kind), so that internal values draw no -Wswitch warning.
template <typename A>
constexpr int32_t kind_value = static_cast<int32_t>(kind_of<A>);

namespace op {
#define KILN_INTERNAL_OP(UPPER, Pascal, snake, num_outputs) \
  constexpr LayerType k##UPPER = kind_of<Pascal##Attrs>;
#include "ir/internal_ops.def"
#undef KILN_INTERNAL_OP
}  // namespace op

// An internal op kind (ir/internal_ops.def): created by the builder, never by a user.
constexpr bool is_internal(LayerType kind) {
  return static_cast<int32_t>(kind) >= kNumLayerTypes;
}
// A valid kind, public or internal.
constexpr bool is_op_kind(LayerType kind) {
  return static_cast<int32_t>(kind) >= 0 && static_cast<int32_t>(kind) < kNumOpKinds;
}
// The kind whose snake name is `name` ("convolution", "layer_norm"); false when none is.
bool op_kind_from_name(std::string_view name, LayerType* kind);
// Empty attributes of a kind.
Attrs make_attrs(LayerType kind);

// A "shape tensor" value: the elements of a small int32/int64/bool tensor whose values follow from
// input shapes and constants (Shape -> Gather -> Concat -> Reshape chains), flattened row-major.
// kUnknownValue marks an element that depends on a dimension known only at run time. Inference
// computes values where it can, and layers that take dimensions from a tensor (a shuffle's reshape
// dims, a slice's size, a fill's dims) read them from here, at build time per profile and at run
// time with the actual shapes.
constexpr int64_t kUnknownValue = INT64_MIN;
constexpr int64_t kMaxValueElements = 64;  // larger tensors carry no value

struct TensorDesc {
  DataType type = DataType::kFLOAT;
  Dims dims;
  bool has_value = false;
  std::vector<int64_t> value;  // when has_value: volume(dims) elements

  // Every element is known.
  bool value_known() const;
};

// Named weight values; the bytes are shared between graph copies and never modified in place.
struct WeightsData {
  std::string name;
  DataType type = DataType::kFLOAT;
  Dims dims;
  std::shared_ptr<const std::vector<uint8_t>> bytes;
};

struct Tensor {
  std::string name;
  DataType type = DataType::kFLOAT;
  Dims dims;              // declared (inputs) or inferred; -1 where dynamic
  int32_t producer = -1;  // node index, -1 for graph inputs and bound weights
  int32_t weights = -1;   // index into Graph::weights when the tensor is a constant's value
  // Inferred shape-tensor value (TensorDesc); recomputed by inference, not stored in plans.
  bool has_value = false;
  std::vector<int64_t> value;
};

struct Node {
  std::string name;
  Attrs attrs;
  std::vector<int32_t> inputs;  // tensor indices; -1 for an absent optional input
  std::vector<int32_t> outputs;

  LayerType kind() const { return static_cast<LayerType>(attrs.index() - 1); }
  template <typename A>
  const A& get() const {
    return std::get<A>(attrs);
  }
  template <typename A>
  A& get() {
    return std::get<A>(attrs);
  }
};

struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;
  std::vector<int32_t> inputs;   // tensor indices, in declaration order
  std::vector<int32_t> outputs;  // tensor indices, in the order marked
  std::vector<WeightsData> weights;

  int32_t find_tensor(const std::string& name) const;  // -1 when absent
  int32_t find_node(const std::string& name) const;    // -1 when absent
  // The tensor's type and dims, with the value of a small integer weights tensor.
  TensorDesc desc(int32_t tensor) const;
};

// The value of small integer weights (has_value false for other types or more than
// kMaxValueElements elements).
TensorDesc weights_desc(const WeightsData& weights);

// Every tensor's type and dims (and weights' values), indexed like Graph::tensors.
std::vector<TensorDesc> tensor_descs(const Graph& graph);
// The descs of a node's inputs (absent optional inputs: nb_dims == -1) and outputs, taken from
// per-tensor descs.
void node_descs(const Node& node, std::span<const TensorDesc> descs,
                std::vector<TensorDesc>& inputs, std::vector<TensorDesc>& outputs);

// Node indices in an order where every node comes after the producers of its inputs. Throws Error
// naming a layer on a cycle.
std::vector<int32_t> topological_order(const Graph& graph);

// Runs a node's inference (infer_fn) and keeps output values only where the layer computes them.
void infer_node(const Node& node, std::span<const TensorDesc> inputs,
                std::span<TensorDesc> outputs);

// Re-infers the type and dims of every tensor a node produces, from the graph inputs' declared
// dims and the weights. Throws Error naming the layer and tensors on the first invalid layer.
void infer_graph(Graph& graph);

// View ops (ir::op::kVIEW) copy nothing: an output of a view that was given no memory of its own
// (where[output] null: no arena slot, not bound by the user) takes the address of the view's
// input. `where` is indexed like graph.tensors; nodes are in execution order.
void alias_views(const Graph& graph, std::vector<void*>& where);
// The tensor whose memory `t` uses: `t` itself, or, through chains of views, the first tensor
// that is not a view's output.
int32_t view_root(const Graph& graph, int32_t t);

// A textual dump, one line per tensor and node, for tests and --verbose logs:
//   input x float32 [-1,1,28,28]
//   node conv1 convolution(num_output_maps=32 kernel_shape=[5,5] ...) x, conv1.kernel -> t0
std::string dump(const Graph& graph);

}  // namespace kiln::ir
