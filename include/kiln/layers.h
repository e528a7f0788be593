// kiln — the layer handles NetworkDefinition returns, one per layer kind, with their attributes.
// Included by network.h; do not include directly.
#pragma once

namespace kiln {

// The attribute structs are internal (src/ir/attributes.h); the handles reach them through attrs().
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) struct Pascal##Attrs;
#include "kiln/layer_list.def"
#undef KILN_LAYER

// Access to a layer's attribute struct; the setters below go through it so that changing an
// attribute re-runs shape inference.
#define KILN_LAYER_ATTRS_ACCESS(Pascal) \
 protected:                             \
  friend class NetworkDefinition;       \
  using Layer::Layer;                   \
  const Pascal##Attrs& attrs() const;   \
  Pascal##Attrs& edit();                \
                                        \
 public:

class ConvolutionLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Convolution)
  int64_t num_output_maps() const;
  Dims kernel_size_nd() const;
  void set_stride_nd(const Dims& stride);
  Dims stride_nd() const;
  // Sets pre and post padding alike.
  void set_padding_nd(const Dims& padding);
  Dims padding_nd() const;  // the pre padding
  void set_pre_padding(const Dims& padding);
  Dims pre_padding() const;
  void set_post_padding(const Dims& padding);
  Dims post_padding() const;
  void set_dilation_nd(const Dims& dilation);
  Dims dilation_nd() const;
  void set_num_groups(int64_t groups);
  int64_t num_groups() const;
  void set_kernel_weights(Weights kernel);
  void set_bias_weights(Weights bias);  // empty Weights removes the bias
};

class PoolingLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Pooling)
  void set_pooling_type(PoolingType type);
  PoolingType pooling_type() const;
  void set_window_size_nd(const Dims& window);
  Dims window_size_nd() const;
  void set_stride_nd(const Dims& stride);  // defaults to the window size
  Dims stride_nd() const;
  void set_padding_nd(const Dims& padding);
  Dims padding_nd() const;
  void set_pre_padding(const Dims& padding);
  Dims pre_padding() const;
  void set_post_padding(const Dims& padding);
  Dims post_padding() const;
  // Average pooling: divide by the number of input elements (true, the default) or by the full
  // window including padding (false).
  void set_average_count_excludes_padding(bool exclude);
  bool average_count_excludes_padding() const;
};

// alpha/beta by type: leaky_relu slope alpha; elu alpha; selu alpha, beta (scale); softplus
// alpha*log(1+exp(beta*x)); clip [alpha, beta]; hard_sigmoid max(0, min(1, alpha*x+beta)).
class ActivationLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Activation)
  void set_activation_type(ActivationType type);
  ActivationType activation_type() const;
  void set_alpha(float alpha);
  float alpha() const;
  void set_beta(float beta);
  float beta() const;
};

class ElementWiseLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(ElementWise)
  void set_operation(ElementWiseOperation op);
  ElementWiseOperation operation() const;
};

class UnaryLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Unary)
  void set_operation(UnaryOperation op);
  UnaryOperation operation() const;
};

class MatrixMultiplyLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(MatrixMultiply)
  void set_operation(int32_t index, MatrixOperation op);
  MatrixOperation operation(int32_t index) const;
};

class ConstantLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Constant)
  void set_weights(Weights weights);  // count must match the dimensions
  void set_dimensions(const Dims& dims);
  Dims dimensions() const;
};

// Output = second_transpose(reshape(first_transpose(input))). In reshape_dimensions 0 copies the
// dimension at the same index after the first transpose (unless zero_is_placeholder is false)
// and one -1 is inferred.
class ShuffleLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Shuffle)
  void set_first_transpose(const Permutation& perm);
  Permutation first_transpose() const;
  void set_reshape_dimensions(const Dims& dims);
  Dims reshape_dimensions() const;  // nb_dims == -1 when no reshape is set
  void set_second_transpose(const Permutation& perm);
  Permutation second_transpose() const;
  void set_zero_is_placeholder(bool placeholder);
  bool zero_is_placeholder() const;
};

// Softmax over the axes set in a bitmask; the last axis by default.
class SoftMaxLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(SoftMax)
  void set_axes(uint32_t axes);
  uint32_t axes() const;
};

// Outputs: 0 the k values, 1 their int32 indices along the reduced axis.
class TopKLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(TopK)
  void set_operation(TopKOperation op);
  TopKOperation operation() const;
  void set_k(int32_t k);
  int32_t k() const;
  void set_reduce_axes(uint32_t axes);
  uint32_t reduce_axes() const;
};

// Copies its input; with set_output_type it converts to that type.
class IdentityLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Identity)
  void set_output_type(DataType type);
  DataType output_type() const;
};

class ReduceLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Reduce)
  void set_operation(ReduceOperation op);
  ReduceOperation operation() const;
  void set_reduce_axes(uint32_t axes);
  uint32_t reduce_axes() const;
  void set_keep_dimensions(bool keep);
  bool keep_dimensions() const;
};

class ConcatenationLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Concatenation)
  // Default: the one dimension where the inputs' known dims differ, else 0. Negative counts from
  // the back.
  void set_axis(int32_t axis);
  int32_t axis() const;
};

// Output element i along each dimension reads input element start + i * stride.
class SliceLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Slice)
  void set_start(const Dims& start);
  Dims start() const;
  void set_shape(const Dims& size);
  Dims shape() const;
  void set_stride(const Dims& stride);
  Dims stride() const;
};

// Gathers slices of data along `axis` at the positions in indices (int32 or int64; negative
// indices count from the back). Output shape: data[:axis] + indices + data[axis+1:].
class GatherLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Gather)
  void set_gather_axis(int32_t axis);
  int32_t gather_axis() const;
};

// Elementwise condition ? then : else, with numpy broadcasting.
class SelectLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Select)
};

class CastLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Cast)
  void set_to_type(DataType type);
  DataType to_type() const;
};

// y = (x - mean) / sqrt(var + epsilon) * scale + bias, with mean and variance over the axes in the
// bitmask and, when nb_groups > 1, over the channels (dimension 1) of each group as well.
// Layer norm: axes = the last dims. Instance norm: axes = the spatial dims. Group norm: axes = the
// spatial dims and nb_groups = G. scale and bias broadcast against the input (numpy rules), e.g.
// [1, C, 1, 1] for instance and group norm.
class NormalizationLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Normalization)
  void set_epsilon(float epsilon);
  float epsilon() const;
  void set_axes(uint32_t axes);
  uint32_t axes() const;
  void set_nb_groups(int64_t groups);
  int64_t nb_groups() const;
};

#undef KILN_LAYER_ATTRS_ACCESS

}  // namespace kiln
