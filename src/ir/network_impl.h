// What a NetworkDefinition holds: the ir::Graph it is, plus the handle objects users point at.
// Shared by network.cpp (network, tensors, the add_* calls) and layers.cpp (the layer setters).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"
#include "ir/op.h"
#include "kiln/network.h"

namespace kiln {

struct NetworkDefinition::Impl {
  NetworkDefinition* self = nullptr;
  ir::Graph graph;  // nodes in creation order; tensors, inputs, outputs and weights

  // Handles, indexed like graph.tensors / graph.nodes, so user pointers stay valid as the graph
  // grows. The names live beside them as well: name() hands out references that must survive
  // graph.tensors reallocating.
  std::vector<std::unique_ptr<Tensor>> tensors;
  std::vector<std::unique_ptr<Layer>> layers;
  std::vector<std::unique_ptr<std::string>> tensor_names, layer_names;
  std::unordered_map<std::string, int32_t> tensor_by_name, layer_by_name;

  // The inferred types and dims of node outputs are stale (a setter ran since the last inference).
  bool dirty = false;
  // Nodes edited since the last inference whose outputs no node read at the time (the usual
  // add-then-set pattern): only their own outputs are stale, so they are inferred alone when read
  // instead of the whole graph. Used while !dirty; a full inference clears it.
  std::set<int32_t> stale;
  // Per node: some node has read one of its outputs (set when an input is wired, never cleared).
  std::vector<bool> has_reader;

  // --- names
  // base, or base with "_2", "_3", ... appended until no tensor / layer uses it.
  std::string unique_tensor_name(const std::string& base) const;
  std::string unique_layer_name(const std::string& base) const;
  void rename_tensor(int32_t tensor, const std::string& name);
  // Also renames the weights of a constant, and a convolution's own "<name>.kernel"/".bias".
  void rename_layer(int32_t node, const std::string& name);

  // Marks a node's outputs stale after an edit of its attributes (or weights).
  void touch(int32_t node);
  // Wires input `index` of `node` to `tensor` (-1: none), growing the list when needed.
  void set_node_input(int32_t node, int32_t index, int32_t tensor);

  // --- building; structure changes go through these so that rollback() can undo them
  Layer* make_layer(LayerType type, int32_t id);  // a new handle of type's subclass
  int32_t add_tensor(const std::string& name);
  // Appends a node and its outputs ("<name>_output", or "_output_<i>" for several). An empty
  // name is generated from the node index and `kind` (readable_kind(type) when null).
  int32_t add_node(ir::Attrs attrs, std::vector<int32_t> inputs, const std::string& name = "",
                   const char* kind = nullptr);
  // Copies the values into graph.weights; `what` names them in errors.
  int32_t add_weights(const std::string& name, const Dims& dims, Weights weights,
                      const std::string& what);
  int32_t add_constant_node(const std::string& name, const Dims& dims, Weights weights,
                            const std::string& what);
  // A constant that belongs to another layer (a convolution's kernel, a fully connected layer's
  // weights): its output tensor has the layer's name, "conv1.kernel". Returns the tensor.
  int32_t add_owned_constant(const std::string& name, const Dims& dims, Weights weights,
                             const std::string& what);
  // Replaces the values (and type and dims) of graph.weights[index].
  void replace_weights(int32_t index, const Dims& dims, Weights weights, const std::string& what);

  struct Mark {
    size_t nodes, tensors, weights;
  };
  Mark mark() const { return {graph.nodes.size(), graph.tensors.size(), graph.weights.size()}; }
  void rollback(const Mark& mark);

  // Runs `build` (which appends nodes in topological order), then infers the new nodes. On any
  // Error the network is left as it was before and the Error propagates.
  template <typename Build>
  auto transaction(Build&& build) {
    Mark before = mark();
    try {
      auto result = build();
      for (size_t n = before.nodes; n < graph.nodes.size(); ++n) {
        int32_t id = static_cast<int32_t>(n);
        if (dirty || !stale.empty()) {  // earlier layers' errors propagate
          for (int32_t t : graph.nodes[id].inputs) {
            if (t >= 0) inferred(t);
          }
        }
        try {
          infer_node(id);
        } catch (const ir::EmptySpatialOutput&) {
          // Padding, stride and dilation of spatial layers are set after the add (a 3x3 kernel
          // on a 2x2 input is valid once padding 1 is set): this error waits for the next
          // inference (the next add that reads the output, a shape query, or the build).
          dirty = true;
        }
      }
      return result;
    } catch (...) {
      rollback(before);
      throw;
    }
  }

  // --- shapes
  // Re-infers the whole graph when dirty (only the stale nodes otherwise); throws the first
  // layer's Error.
  void ensure_inferred();
  // Makes one tensor's type and dims current. When the whole graph does not infer (a setter left
  // another branch invalid), only this tensor's producers are inferred, so a broken layer
  // elsewhere does not hide shapes that are well defined.
  const ir::Tensor& inferred(int32_t tensor);
  void infer_node(int32_t node);      // its inputs must be current
  void infer_new_node(int32_t node);  // infers its inputs first where needed
  void check_constant(int32_t node) const;

  // --- lookups
  // The index of a tensor of this network; throws naming `what` for another network's tensor.
  int32_t tensor_index(const Tensor& tensor, const char* what) const;
  ir::Node& node(int32_t id) { return graph.nodes[id]; }
  std::string layer_label(int32_t node) const;  // "[convolution 'conv1']"
  bool has_consumer(int32_t tensor) const;
  // The constant node producing input `input` of `node`, or -1.
  int32_t constant_input(int32_t node, int32_t input) const;
};

// The one door from the layer subclasses (layers.cpp) into their network's Impl.
template <typename Handle>
struct LayerAccess {
  using Impl = NetworkDefinition::Impl;
  static Impl& impl(const NetworkDefinition* network) { return *network->impl_; }
};

// "Convolution", "Matrix Multiply", ...: the kind as TensorRT writes it in generated names.
const char* readable_kind(LayerType type);

// Checks a Weights view: a known type, count >= 0, values present when count > 0 and, with
// float_only, a floating type. `what` starts the message: "add_convolution_nd: kernel".
void check_weights(const Weights& weights, const std::string& what, bool float_only);

// Checks a per-spatial-dimension attribute (a window, stride, padding): `rank` entries (1 to 3
// when rank < 0), each at least `min`. `what` starts the message.
void check_spatial(const std::string& what, const Dims& value, int32_t rank, int64_t min);

// A convolution kernel's layout follows from its number of values: [K, C / groups,
// kernel_shape...], so a kernel of K x (C / g) x kernel_shape values makes a convolution of g
// groups.
struct ConvKernel {
  Dims dims;
  int64_t groups = 1;
};
ConvKernel conv_kernel_layout(const std::string& what, int64_t count, int64_t num_output_maps,
                              int64_t channels, const Dims& kernel_shape);

// Float weights in the type `to` of the tensor they meet, as TensorRT converts weights to the
// layer's precision: converted into `storage` when both types are floating and differ, returned
// unchanged otherwise.
Weights convert_float_weights(Weights weights, DataType to, std::vector<uint8_t>& storage);

using NetworkImpl = LayerAccess<Layer>::Impl;

}  // namespace kiln
