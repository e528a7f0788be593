// kiln — the network definition: tensors, layers and the NetworkDefinition that owns them.
#pragma once

#include <memory>
#include <string>

#include "kiln/types.h"

namespace kiln {

namespace ir {
struct Graph;
}
class NetworkDefinition;

enum class LayerType : int32_t {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) k##UPPER,
#include "kiln/layer_list.def"
#undef KILN_LAYER
};
const char* to_string(LayerType type);

// A tensor of a network. Owned by its NetworkDefinition; valid as long as the network is.
class Tensor {
 public:
  const std::string& name() const;
  void set_name(const std::string& name);  // names must stay unique in the network
  DataType type() const;
  // The shape, inferred from the network inputs; -1 where it depends on a dynamic input dimension.
  // Throws Error naming the layer when the network as defined has no valid shape here.
  Dims dimensions() const;
  bool is_network_input() const;
  bool is_network_output() const;
  NetworkDefinition& network() const { return *network_; }  // the network that owns it

 private:
  friend class NetworkDefinition;
  Tensor(NetworkDefinition* network, int32_t id) : network_(network), id_(id) {}
  NetworkDefinition* network_;
  int32_t id_;
};

// The common part of every layer. Owned by its NetworkDefinition.
class Layer {
 public:
  virtual ~Layer() = default;
  LayerType type() const;
  const std::string& name() const;
  void set_name(const std::string& name);
  int32_t num_inputs() const;
  Tensor* get_input(int32_t index) const;  // nullptr for an absent optional input
  // Replaces input `index`, or adds one of the optional inputs some layers take (TensorRT's
  // setInput), each a shape tensor (an int32/int64 vector whose values follow from input shapes
  // and constants: Shape, Gather, Concatenation, integer arithmetic...), evaluated at build time
  // for every profile shape and at run time for the actual input shapes:
  //   ShuffleLayer input 1: the reshape dimensions (replacing set_reshape_dimensions),
  //   SliceLayer input 2: the size (replacing set_shape),
  //   FillLayer input 0: the dimensions (replacing set_dimensions).
  void set_input(int32_t index, Tensor& tensor);
  int32_t num_outputs() const;
  Tensor* get_output(int32_t index) const;
  NetworkDefinition& network() const { return *network_; }  // the network that owns it

 protected:
  friend class NetworkDefinition;
  Layer(NetworkDefinition* network, int32_t id) : network_(network), id_(id) {}
  NetworkDefinition* network_;
  int32_t id_;
};

}  // namespace kiln

#include "kiln/layers.h"

namespace kiln {

// A network as the user describes it. Layers and tensors are owned by the network and their
// pointers stay valid for its lifetime. Every layer and tensor gets a unique name, generated
// ("(Unnamed Layer* 3) [Convolution]", "(Unnamed Layer* 3) [Convolution]_output") if unset.
class NetworkDefinition {
 public:
  NetworkDefinition();
  ~NetworkDefinition();
  NetworkDefinition(const NetworkDefinition&) = delete;
  NetworkDefinition& operator=(const NetworkDefinition&) = delete;

  Tensor* add_input(const std::string& name, DataType type, const Dims& dims);
  void mark_output(Tensor& tensor);
  void unmark_output(Tensor& tensor);

  // kernel: num_output_maps x (input channels / groups) x kernel_shape values; bias:
  // num_output_maps values or an empty Weights for none.
  ConvolutionLayer* add_convolution_nd(Tensor& input, int64_t num_output_maps,
                                       const Dims& kernel_shape, Weights kernel, Weights bias);
  PoolingLayer* add_pooling_nd(Tensor& input, PoolingType type, const Dims& window_size);
  ActivationLayer* add_activation(Tensor& input, ActivationType type);
  ElementWiseLayer* add_elementwise(Tensor& a, Tensor& b, ElementWiseOperation op);
  UnaryLayer* add_unary(Tensor& input, UnaryOperation op);
  MatrixMultiplyLayer* add_matrix_multiply(Tensor& a, MatrixOperation op_a, Tensor& b,
                                           MatrixOperation op_b);
  ConstantLayer* add_constant(const Dims& dims, Weights weights);
  ShuffleLayer* add_shuffle(Tensor& input);
  SoftMaxLayer* add_softmax(Tensor& input);
  // axes: a bitmask with exactly one bit set.
  TopKLayer* add_topk(Tensor& input, TopKOperation op, int32_t k, uint32_t axes);
  IdentityLayer* add_identity(Tensor& input);
  ReduceLayer* add_reduce(Tensor& input, ReduceOperation op, uint32_t axes, bool keep_dimensions);
  ConcatenationLayer* add_concatenation(Tensor* const* inputs, int32_t num_inputs);
  // Any start and size are accepted here (set_mode may follow); in the default kSTRICT_BOUNDS
  // mode, reads outside the input are an Error when shapes are next read or at build time.
  SliceLayer* add_slice(Tensor& input, const Dims& start, const Dims& size, const Dims& stride);
  GatherLayer* add_gather(Tensor& data, Tensor& indices, int32_t axis);
  SelectLayer* add_select(Tensor& condition, Tensor& then_input, Tensor& else_input);
  CastLayer* add_cast(Tensor& input, DataType to_type);
  // Layer, instance or group normalization, chosen by `axes` and set_nb_groups (see layers.h).
  NormalizationLayer* add_normalization(Tensor& input, Tensor& scale, Tensor& bias, uint32_t axes);
  // TensorRT 8's fully connected layer: input [..., C, H, W] (at least 3 dims), kernel K x (C*H*W),
  // bias K values or empty; output [..., K, 1, 1]. Lowered to shuffle + matrix_multiply (+ sum)
  // + shuffle; returns the last of those layers.
  Layer* add_fully_connected(Tensor& input, int64_t num_outputs, Weights kernel, Weights bias);

  // kernel: input channels x (num_output_maps / groups) x kernel_shape values (ONNX ConvTranspose's
  // layout); bias: num_output_maps values or an empty Weights for none.
  DeconvolutionLayer* add_deconvolution_nd(Tensor& input, int64_t num_output_maps,
                                           const Dims& kernel_shape, Weights kernel, Weights bias);
  // Nearest-neighbour resize to the input's shape until set_output_dimensions or set_scales.
  ResizeLayer* add_resize(Tensor& input);
  // indices: int32 or int64. The axis applies to ScatterMode::kELEMENT (set_axis changes it).
  ScatterLayer* add_scatter(Tensor& data, Tensor& indices, Tensor& updates, ScatterMode mode);
  // The input's dimensions as a 1-D int64 tensor.
  ShapeLayer* add_shape(Tensor& input);
  // A running sum along `axis` (TensorRT takes the axis as a tensor; kiln as a value).
  CumulativeLayer* add_cumulative(Tensor& input, int32_t axis, CumulativeOperation op,
                                  bool exclusive, bool reverse);
  // Local response normalization across channels (dimension 1) over `window` channels.
  LRNLayer* add_lrn(Tensor& input, int64_t window, float alpha, float beta, float k);
  // values: [off, on]; depth is a value (TensorRT takes a tensor); axis: of the output.
  OneHotLayer* add_one_hot(Tensor& indices, Tensor& values, int64_t depth, int32_t axis);
  // A tensor of `dims` generated by `op` (kLINSPACE: 1-D, element i = alpha + i * beta; set them
  // with set_alpha / set_beta).
  FillLayer* add_fill(const Dims& dims, FillOperation op, DataType output_type = DataType::kFLOAT);
  // A user's plugin (kiln/plugin.h); the network keeps a clone of it. shape_inputs: tensors whose
  // dims the plugin's get_output_shapes sees separately (docs/plugins.md).
  PluginV3Layer* add_plugin_v3(Tensor* const* inputs, int32_t num_inputs,
                               Tensor* const* shape_inputs, int32_t num_shape_inputs,
                               PluginV3& plugin);

  int32_t num_inputs() const;
  int32_t num_outputs() const;
  int32_t num_layers() const;
  Tensor* get_input(int32_t index) const;
  Tensor* get_output(int32_t index) const;
  Layer* get_layer(int32_t index) const;

  // The network as kiln's internal graph (for the builder and for tests).
  const ir::Graph& graph() const;

  struct Impl;  // opaque; defined in src/ir/

 private:
  friend class Tensor;
  friend class Layer;
  template <typename Handle>
  friend struct LayerAccess;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
