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

// Output element i along each dimension reads input element start + i * stride. With the default
// SampleMode::kSTRICT_BOUNDS every element read must lie inside the input; the other modes allow
// any start and size and say what a position p outside [0, d) reads: kWRAP p mod d (ONNX Tile,
// Pad "wrap"), kCLAMP the nearest edge element (Pad "edge"), kFILL the fill value (Pad
// "constant"), kREFLECT p mirrored at the edges without repeating them (Pad "reflect"). A stride
// of 0 repeats one element (ONNX Expand).
class SliceLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Slice)
  void set_start(const Dims& start);
  Dims start() const;
  void set_shape(const Dims& size);
  Dims shape() const;
  void set_stride(const Dims& stride);
  Dims stride() const;
  void set_mode(SampleMode mode);
  SampleMode mode() const;
  // The value kFILL reads outside the input, converted to the input's type. TensorRT takes it as
  // the layer's input 4; kiln keeps it as an attribute.
  void set_fill_value(double value);
  double fill_value() const;
};

// kDEFAULT (ONNX Gather): slices of data along `axis` at the positions in indices; output shape
// data[:axis] + indices + data[axis+1:]. kELEMENT (ONNX GatherElements): indices have data's
// rank; output[i] = data[i with i[axis] replaced by indices[i]]. kND (ONNX GatherND, batch_dims =
// num_elementwise_dims): the last dimension of indices indexes that many leading dims of data
// after the batch dims; output shape indices[:-1] + data[batch + indices[-1]:].
// Indices are int32 or int64; negative ones count from the back; out-of-range ones are an error
// when the layer runs.
class GatherLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Gather)
  void set_gather_axis(int32_t axis);
  int32_t gather_axis() const;
  void set_mode(GatherMode mode);
  GatherMode mode() const;
  void set_num_elementwise_dims(int32_t dims);  // kND's batch dims (0 by default)
  int32_t num_elementwise_dims() const;
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

// Transposed convolution (ONNX ConvTranspose). Output size per spatial dim: (in - 1) * stride +
// dilation * (kernel - 1) + 1 - pre_padding - post_padding. post_padding may be negative, down to
// -(stride - 1): ONNX output_padding p becomes post_padding = end pad - p, and the extra output
// positions receive only the bias.
class DeconvolutionLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Deconvolution)
  int64_t num_output_maps() const;
  Dims kernel_size_nd() const;
  void set_stride_nd(const Dims& stride);
  Dims stride_nd() const;
  void set_padding_nd(const Dims& padding);  // pre and post alike
  Dims padding_nd() const;                   // the pre padding
  void set_pre_padding(const Dims& padding);
  Dims pre_padding() const;
  void set_post_padding(const Dims& padding);
  Dims post_padding() const;
  void set_dilation_nd(const Dims& dilation);
  Dims dilation_nd() const;
  void set_num_groups(int64_t groups);
  int64_t num_groups() const;
};

// Resizes every dimension (ONNX Resize; scales or output dimensions cover all dims, batch and
// channels included). An output coordinate x maps to the input coordinate
//   kHALF_PIXEL (x + 0.5) / s - 0.5   kPYTORCH_HALF_PIXEL the same, or 0 when the output is 1 long
//   kASYMMETRIC x / s                 kALIGN_CORNERS x * (in - 1) / (out - 1), or 0 when out is 1
//   kTF_HALF_PIXEL_FOR_NN (x + 0.5) / s
// with s the scale set (or out / in when output dimensions were set). kNEAREST rounds it by the
// nearest rounding mode; kLINEAR and kCUBIC interpolate (separably, over every dimension whose
// size or scale changes) with neighbours clamped to the edge; kCUBIC uses the cubic coefficient
// and, with exclude_outside, zero weights outside the input renormalised to sum 1. Defaults are
// TensorRT's: kNEAREST, kASYMMETRIC, kFLOOR, kFORMULA, cubic coefficient -0.75.
class ResizeLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Resize)
  void set_output_dimensions(const Dims& dims);           // clears the scales
  Dims output_dimensions() const;                         // nb_dims == -1 while scales are used
  void set_scales(const float* scales, int32_t count);    // one per dim; output floor(in * scale)
  int32_t get_scales(int32_t size, float* scales) const;  // returns the count (-1: none set)
  void set_resize_mode(InterpolationMode mode);
  InterpolationMode resize_mode() const;
  void set_coordinate_transformation(ResizeCoordinateTransformation transformation);
  ResizeCoordinateTransformation coordinate_transformation() const;
  // kUPPER: an output dimension of size 1 reads input coordinate 0, whatever the formula says.
  void set_selector_for_single_pixel(ResizeSelector selector);
  ResizeSelector selector_for_single_pixel() const;
  void set_nearest_rounding(ResizeRoundMode mode);
  ResizeRoundMode nearest_rounding() const;
  void set_cubic_coeff(float a);
  float cubic_coeff() const;
  void set_exclude_outside(bool exclude);
  bool exclude_outside() const;
};

// Output = data with updates written at the indexed places (ONNX ScatterElements / ScatterND).
// kELEMENT: indices and updates have the same shape, data's rank; updates[i] goes to data[i with
// i[axis] replaced by indices[i]]. kND: indices [..., k] address the first k dims of data;
// updates have shape indices[:-1] + data[k:]. Negative indices count from the back; out-of-range
// ones are an error when the layer runs. With repeated indices and no reduction the last update
// wins on the CPU; other backends may pick any. set_reduction is a kiln extension (ONNX's
// `reduction`; TensorRT has none).
class ScatterLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Scatter)
  void set_mode(ScatterMode mode);
  ScatterMode mode() const;
  void set_axis(int32_t axis);  // kELEMENT; negative counts from the back
  int32_t axis() const;
  void set_reduction(ScatterReduction reduction);
  ScatterReduction reduction() const;
};

// Output: int64 [rank] holding the input's dimensions. Folded into a constant when the builder
// knows the input shape (static, or the same min and max in every profile).
class ShapeLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Shape)
};

// Cumulative sum along an axis (ONNX CumSum): exclusive leaves out the element itself, reverse
// runs from the end.
class CumulativeLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Cumulative)
  void set_operation(CumulativeOperation op);
  CumulativeOperation operation() const;
  void set_axis(int32_t axis);
  int32_t axis() const;
  void set_exclusive(bool exclusive);
  bool exclusive() const;
  void set_reverse(bool reverse);
  bool reverse() const;
};

// y = x / (k + alpha / window * sum of x^2 over channels [c - (window-1)/2, c + window/2])^beta,
// over dimension 1 of an input of rank 3 or more (ONNX LRN).
class LRNLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(LRN)
  void set_window_size(int64_t window);
  int64_t window_size() const;
  void set_alpha(float alpha);
  float alpha() const;
  void set_beta(float beta);
  float beta() const;
  void set_k(float k);
  float k() const;
};

// ONNX OneHot: output[..., j, ...] = values[1] where j == index (negative indices count from
// depth back), values[0] elsewhere (also for out-of-range indices).
class OneHotLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(OneHot)
  void set_axis(int32_t axis);
  int32_t axis() const;
  void set_depth(int64_t depth);
  int64_t depth() const;
};

// kLINSPACE: a 1-D tensor, element i = alpha + i * beta (ONNX Range). alpha and beta are values,
// not tensors as in TensorRT.
class FillLayer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(Fill)
  void set_dimensions(const Dims& dims);
  Dims dimensions() const;
  void set_operation(FillOperation op);
  FillOperation operation() const;
  void set_alpha(double alpha);
  double alpha() const;
  void set_beta(double beta);
  double beta() const;
  void set_to_type(DataType type);
  DataType to_type() const;
};

class PluginV3;

// A user's plugin (kiln/plugin.h). Its outputs are the plugin's get_nb_outputs().
class PluginV3Layer : public Layer {
  KILN_LAYER_ATTRS_ACCESS(PluginV3)
  PluginV3& get_plugin() const;  // the network's clone
};

#undef KILN_LAYER_ATTRS_ACCESS

}  // namespace kiln
