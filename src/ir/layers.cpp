// The layer handles' getters and setters: they read and edit the node's attribute struct in the
// network's graph; every edit marks the inferred shapes stale, to be re-inferred when next read.
#include "ir/network_impl.h"
#include "ir/op.h"

namespace kiln {

using Impl = NetworkImpl;

namespace {

Impl& impl_of(const NetworkDefinition* network) {
  return LayerAccess<Layer>::impl(network);
}

}  // namespace

#define KILN_LAYER(UPPER, Pascal, snake, num_outputs)               \
  const Pascal##Attrs& Pascal##Layer::attrs() const {               \
    return impl_of(network_).graph.nodes[id_].get<Pascal##Attrs>(); \
  }                                                                 \
  Pascal##Attrs& Pascal##Layer::edit() {                            \
    Impl& impl = impl_of(network_);                                 \
    impl.touch(id_);                                                \
    return impl.graph.nodes[id_].get<Pascal##Attrs>();              \
  }
#include "kiln/layer_list.def"
#undef KILN_LAYER

// ---------------------------------------------------------------------------------------------
// Convolution

int64_t ConvolutionLayer::num_output_maps() const {
  return attrs().num_output_maps;
}
Dims ConvolutionLayer::kernel_size_nd() const {
  return attrs().kernel_shape;
}

void ConvolutionLayer::set_stride_nd(const Dims& stride) {
  check_spatial(impl_of(network_).layer_label(id_) + " stride", stride,
                attrs().kernel_shape.nb_dims, 1);
  edit().stride = stride;
}
Dims ConvolutionLayer::stride_nd() const {
  return attrs().stride;
}

void ConvolutionLayer::set_padding_nd(const Dims& padding) {
  set_pre_padding(padding);
  set_post_padding(padding);
}
Dims ConvolutionLayer::padding_nd() const {
  return attrs().pre_padding;
}

void ConvolutionLayer::set_pre_padding(const Dims& padding) {
  check_spatial(impl_of(network_).layer_label(id_) + " padding", padding,
                attrs().kernel_shape.nb_dims, 0);
  edit().pre_padding = padding;
}
Dims ConvolutionLayer::pre_padding() const {
  return attrs().pre_padding;
}

void ConvolutionLayer::set_post_padding(const Dims& padding) {
  check_spatial(impl_of(network_).layer_label(id_) + " padding", padding,
                attrs().kernel_shape.nb_dims, 0);
  edit().post_padding = padding;
}
Dims ConvolutionLayer::post_padding() const {
  return attrs().post_padding;
}

void ConvolutionLayer::set_dilation_nd(const Dims& dilation) {
  check_spatial(impl_of(network_).layer_label(id_) + " dilation", dilation,
                attrs().kernel_shape.nb_dims, 1);
  edit().dilation = dilation;
}
Dims ConvolutionLayer::dilation_nd() const {
  return attrs().dilation;
}

namespace {

// The convolution's input channel count, which the kernel layout depends on.
int64_t conv_channels(Impl& impl, int32_t id, const std::string& what) {
  const ir::Tensor& in = impl.inferred(impl.graph.nodes[id].inputs[0]);
  if (in.dims.nb_dims < 2 || in.dims.d[1] < 0) {
    fail(what, ": the input '", in.name, "' ", in.dims,
         " needs a known channel count (dimension 1)");
  }
  return in.dims.d[1];
}

}  // namespace

void ConvolutionLayer::set_num_groups(int64_t groups) {
  Impl& impl = impl_of(network_);
  std::string what = impl.layer_label(id_) + " set_num_groups";
  if (groups < 1) fail(what, ": groups must be at least 1, got ", groups);
  // The kernel's size fixes C / groups (see conv_kernel_layout); a constant kernel must agree.
  int32_t kernel = impl.constant_input(id_, 1);
  if (kernel >= 0) {
    const ir::WeightsData& w = impl.graph.weights[impl.node(kernel).get<ConstantAttrs>().weights];
    int64_t channels = conv_channels(impl, id_, what);
    if (channels % groups != 0 || w.dims.nb_dims < 2 || w.dims.d[1] != channels / groups) {
      fail(what, "(", groups, "): the kernel ", w.dims, " has ",
           w.dims.nb_dims < 2 ? 0 : w.dims.d[1], " input channels per group but the input has ",
           channels, " channels; ", groups, " groups need a kernel of ", attrs().num_output_maps,
           " x ", channels, "/", groups, " x ", attrs().kernel_shape,
           " values: pass it to set_kernel_weights, which sets the groups");
    }
  }
  edit().num_groups = groups;
}
int64_t ConvolutionLayer::num_groups() const {
  return attrs().num_groups;
}

void ConvolutionLayer::set_kernel_weights(Weights kernel) {
  Impl& impl = impl_of(network_);
  std::string what = impl.layer_label(id_) + " kernel";
  check_weights(kernel, what, true);
  int64_t channels = conv_channels(impl, id_, what);
  ConvKernel k = conv_kernel_layout(what, kernel.count, attrs().num_output_maps, channels,
                                    attrs().kernel_shape);
  std::vector<uint8_t> storage;
  Weights values =
      convert_float_weights(kernel, impl.inferred(impl.node(id_).inputs[0]).type, storage);
  int32_t constant = impl.constant_input(id_, 1);
  if (constant >= 0) {
    impl.replace_weights(impl.node(constant).get<ConstantAttrs>().weights, k.dims, values, what);
  } else {
    // The kernel input was rewired to a computed tensor: give the layer a constant again.
    int32_t t = impl.transaction(
        [&] { return impl.add_owned_constant(name() + ".kernel", k.dims, values, what); });
    impl.set_node_input(id_, 1, t);
  }
  edit().num_groups = k.groups;
}

void ConvolutionLayer::set_bias_weights(Weights bias) {
  Impl& impl = impl_of(network_);
  std::string what = impl.layer_label(id_) + " bias";
  check_weights(bias, what, true);
  if (bias.count == 0) {
    // The bias constant stays in the network, unused; a later bias reuses it.
    impl.set_node_input(id_, 2, -1);
    impl.dirty = true;
    return;
  }
  int64_t k = attrs().num_output_maps;
  if (bias.count != k)
    fail(what, ": expected ", k, " values (one per output map), got ", bias.count);
  std::vector<uint8_t> storage;
  Weights values =
      convert_float_weights(bias, impl.inferred(impl.node(id_).inputs[0]).type, storage);
  int32_t constant = impl.constant_input(id_, 2);
  if (constant < 0) {
    // Reuse the constant an earlier empty bias detached, if nothing else took it.
    int32_t old =
        impl.layer_by_name.count(name() + ".bias") ? impl.layer_by_name.at(name() + ".bias") : -1;
    if (old >= 0 && impl.node(old).kind() == LayerType::kCONSTANT &&
        !impl.has_consumer(impl.node(old).outputs[0])) {
      constant = old;
    }
  }
  if (constant >= 0) {
    impl.replace_weights(impl.node(constant).get<ConstantAttrs>().weights, Dims{k}, values, what);
    impl.set_node_input(id_, 2, impl.node(constant).outputs[0]);
  } else {
    impl.set_node_input(id_, 2, impl.transaction([&] {
      return impl.add_owned_constant(name() + ".bias", Dims{k}, values, what);
    }));
  }
  impl.dirty = true;
}

// ---------------------------------------------------------------------------------------------
// Pooling

void PoolingLayer::set_pooling_type(PoolingType type) {
  edit().type = type;
}
PoolingType PoolingLayer::pooling_type() const {
  return attrs().type;
}

void PoolingLayer::set_window_size_nd(const Dims& window) {
  check_spatial(impl_of(network_).layer_label(id_) + " window_size", window, -1, 1);
  PoolingAttrs& a = edit();
  // The stride follows the window while it is the default (equal to the window).
  if (a.stride == a.window) a.stride = window;
  a.window = window;
}
Dims PoolingLayer::window_size_nd() const {
  return attrs().window;
}

void PoolingLayer::set_stride_nd(const Dims& stride) {
  check_spatial(impl_of(network_).layer_label(id_) + " stride", stride, attrs().window.nb_dims, 1);
  edit().stride = stride;
}
Dims PoolingLayer::stride_nd() const {
  return attrs().stride;
}

void PoolingLayer::set_padding_nd(const Dims& padding) {
  set_pre_padding(padding);
  set_post_padding(padding);
}
Dims PoolingLayer::padding_nd() const {
  return attrs().pre_padding;
}

void PoolingLayer::set_pre_padding(const Dims& padding) {
  check_spatial(impl_of(network_).layer_label(id_) + " padding", padding, attrs().window.nb_dims,
                0);
  edit().pre_padding = padding;
}
Dims PoolingLayer::pre_padding() const {
  return attrs().pre_padding;
}

void PoolingLayer::set_post_padding(const Dims& padding) {
  check_spatial(impl_of(network_).layer_label(id_) + " padding", padding, attrs().window.nb_dims,
                0);
  edit().post_padding = padding;
}
Dims PoolingLayer::post_padding() const {
  return attrs().post_padding;
}

void PoolingLayer::set_average_count_excludes_padding(bool exclude) {
  edit().average_count_excludes_padding = exclude;
}
bool PoolingLayer::average_count_excludes_padding() const {
  return attrs().average_count_excludes_padding;
}

// ---------------------------------------------------------------------------------------------
// Activation, elementwise, unary, matrix multiply

void ActivationLayer::set_activation_type(ActivationType type) {
  edit().type = type;
}
ActivationType ActivationLayer::activation_type() const {
  return attrs().type;
}
void ActivationLayer::set_alpha(float alpha) {
  edit().alpha = alpha;
}
float ActivationLayer::alpha() const {
  return attrs().alpha;
}
void ActivationLayer::set_beta(float beta) {
  edit().beta = beta;
}
float ActivationLayer::beta() const {
  return attrs().beta;
}

void ElementWiseLayer::set_operation(ElementWiseOperation op) {
  edit().op = op;
}
ElementWiseOperation ElementWiseLayer::operation() const {
  return attrs().op;
}

void UnaryLayer::set_operation(UnaryOperation op) {
  edit().op = op;
}
UnaryOperation UnaryLayer::operation() const {
  return attrs().op;
}

void MatrixMultiplyLayer::set_operation(int32_t index, MatrixOperation op) {
  if (index != 0 && index != 1) {
    fail(impl_of(network_).layer_label(id_), " set_operation(", index, "): the index is 0 or 1");
  }
  (index == 0 ? edit().op_a : edit().op_b) = op;
}
MatrixOperation MatrixMultiplyLayer::operation(int32_t index) const {
  if (index != 0 && index != 1) {
    fail(impl_of(network_).layer_label(id_), " operation(", index, "): the index is 0 or 1");
  }
  return index == 0 ? attrs().op_a : attrs().op_b;
}

// ---------------------------------------------------------------------------------------------
// Constant

void ConstantLayer::set_weights(Weights weights) {
  Impl& impl = impl_of(network_);
  int32_t w = attrs().weights;
  impl.replace_weights(w, impl.graph.weights[w].dims, weights,
                       impl.layer_label(id_) + " set_weights");
}

// The count is checked against the weights when the shapes are next inferred, so dimensions and
// weights can be changed in either order.
void ConstantLayer::set_dimensions(const Dims& dims) {
  Impl& impl = impl_of(network_);
  if (dims.nb_dims < 0 || dims.nb_dims > Dims::kMaxDims) {
    fail(impl.layer_label(id_), " set_dimensions: rank must be 0 to ", Dims::kMaxDims, ", got ",
         dims.nb_dims);
  }
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (dims.d[i] < 0)
      fail(impl.layer_label(id_), " set_dimensions: dimensions must be known, got ", dims);
  }
  impl.graph.weights[attrs().weights].dims = dims;
  impl.dirty = true;
}
Dims ConstantLayer::dimensions() const {
  return impl_of(network_).graph.weights[attrs().weights].dims;
}

// ---------------------------------------------------------------------------------------------
// Shuffle

void ShuffleLayer::set_first_transpose(const Permutation& perm) {
  edit().first_transpose = perm;
}
Permutation ShuffleLayer::first_transpose() const {
  return attrs().first_transpose;
}

void ShuffleLayer::set_reshape_dimensions(const Dims& dims) {
  if (dims.nb_dims < 0 || dims.nb_dims > Dims::kMaxDims) {
    fail(impl_of(network_).layer_label(id_), " set_reshape_dimensions: rank must be 0 to ",
         Dims::kMaxDims, ", got ", dims.nb_dims);
  }
  ShuffleAttrs& a = edit();
  a.reshape_dims = dims;
  a.has_reshape = true;
}
Dims ShuffleLayer::reshape_dimensions() const {
  if (attrs().has_reshape) return attrs().reshape_dims;
  Dims none;
  none.nb_dims = -1;
  return none;
}

void ShuffleLayer::set_second_transpose(const Permutation& perm) {
  edit().second_transpose = perm;
}
Permutation ShuffleLayer::second_transpose() const {
  return attrs().second_transpose;
}
void ShuffleLayer::set_zero_is_placeholder(bool placeholder) {
  edit().zero_is_placeholder = placeholder;
}
bool ShuffleLayer::zero_is_placeholder() const {
  return attrs().zero_is_placeholder;
}

// ---------------------------------------------------------------------------------------------
// SoftMax, TopK, Identity, Reduce, Concatenation

void SoftMaxLayer::set_axes(uint32_t axes) {
  edit().axes = axes;
}
uint32_t SoftMaxLayer::axes() const {
  return attrs().axes;
}

void TopKLayer::set_operation(TopKOperation op) {
  edit().op = op;
}
TopKOperation TopKLayer::operation() const {
  return attrs().op;
}
void TopKLayer::set_k(int32_t k) {
  if (k < 1) fail(impl_of(network_).layer_label(id_), " set_k: k must be at least 1, got ", k);
  edit().k = k;
}
int32_t TopKLayer::k() const {
  return attrs().k;
}
void TopKLayer::set_reduce_axes(uint32_t axes) {
  if (axes == 0 || (axes & (axes - 1)) != 0) {
    fail(impl_of(network_).layer_label(id_),
         " set_reduce_axes: exactly one bit must be set, got 0x", std::hex, axes);
  }
  edit().axes = axes;
}
uint32_t TopKLayer::reduce_axes() const {
  return attrs().axes;
}

void IdentityLayer::set_output_type(DataType type) {
  edit().output_type = type;
}
DataType IdentityLayer::output_type() const {
  return attrs().output_type;
}

void ReduceLayer::set_operation(ReduceOperation op) {
  edit().op = op;
}
ReduceOperation ReduceLayer::operation() const {
  return attrs().op;
}
void ReduceLayer::set_reduce_axes(uint32_t axes) {
  edit().axes = axes;
}
uint32_t ReduceLayer::reduce_axes() const {
  return attrs().axes;
}
void ReduceLayer::set_keep_dimensions(bool keep) {
  edit().keep_dims = keep;
}
bool ReduceLayer::keep_dimensions() const {
  return attrs().keep_dims;
}

void ConcatenationLayer::set_axis(int32_t axis) {
  edit().axis = axis;
}
int32_t ConcatenationLayer::axis() const {
  return attrs().axis;
}

// ---------------------------------------------------------------------------------------------
// Slice, Gather, Cast, Normalization

void SliceLayer::set_start(const Dims& start) {
  edit().start = start;
}
Dims SliceLayer::start() const {
  return attrs().start;
}
void SliceLayer::set_shape(const Dims& size) {
  for (int32_t i = 0; i < size.nb_dims; ++i) {
    if (size.d[i] < 0)
      fail(impl_of(network_).layer_label(id_), " set_shape: ", size, " has a negative dimension");
  }
  edit().size = size;
}
Dims SliceLayer::shape() const {
  return attrs().size;
}
void SliceLayer::set_stride(const Dims& stride) {
  edit().stride = stride;
}
Dims SliceLayer::stride() const {
  return attrs().stride;
}
void SliceLayer::set_mode(SampleMode mode) {
  edit().mode = mode;
}
SampleMode SliceLayer::mode() const {
  return attrs().mode;
}
void SliceLayer::set_fill_value(double value) {
  edit().fill_value = value;
}
double SliceLayer::fill_value() const {
  return attrs().fill_value;
}

void GatherLayer::set_gather_axis(int32_t axis) {
  edit().axis = axis;
}
int32_t GatherLayer::gather_axis() const {
  return attrs().axis;
}
void GatherLayer::set_mode(GatherMode mode) {
  edit().mode = mode;
}
GatherMode GatherLayer::mode() const {
  return attrs().mode;
}
void GatherLayer::set_num_elementwise_dims(int32_t dims) {
  if (dims < 0) {
    fail(impl_of(network_).layer_label(id_), " set_num_elementwise_dims: expected 0 or more, got ",
         dims);
  }
  edit().num_elementwise_dims = dims;
}
int32_t GatherLayer::num_elementwise_dims() const {
  return attrs().num_elementwise_dims;
}

void CastLayer::set_to_type(DataType type) {
  edit().to_type = type;
}
DataType CastLayer::to_type() const {
  return attrs().to_type;
}

void NormalizationLayer::set_epsilon(float epsilon) {
  edit().epsilon = epsilon;
}
float NormalizationLayer::epsilon() const {
  return attrs().epsilon;
}
void NormalizationLayer::set_axes(uint32_t axes) {
  edit().axes = axes;
}
uint32_t NormalizationLayer::axes() const {
  return attrs().axes;
}
void NormalizationLayer::set_nb_groups(int64_t groups) {
  if (groups < 1)
    fail(impl_of(network_).layer_label(id_), " set_nb_groups: groups must be at least 1, got ",
         groups);
  edit().num_groups = groups;
}
int64_t NormalizationLayer::nb_groups() const {
  return attrs().num_groups;
}

// ---------------------------------------------------------------------------------------------
// Deconvolution

int64_t DeconvolutionLayer::num_output_maps() const {
  return attrs().num_output_maps;
}
Dims DeconvolutionLayer::kernel_size_nd() const {
  return attrs().kernel_shape;
}
void DeconvolutionLayer::set_stride_nd(const Dims& stride) {
  check_spatial(impl_of(network_).layer_label(id_) + " stride", stride,
                attrs().kernel_shape.nb_dims, 1);
  edit().stride = stride;
}
Dims DeconvolutionLayer::stride_nd() const {
  return attrs().stride;
}
void DeconvolutionLayer::set_padding_nd(const Dims& padding) {
  set_pre_padding(padding);
  set_post_padding(padding);
}
Dims DeconvolutionLayer::padding_nd() const {
  return attrs().pre_padding;
}
void DeconvolutionLayer::set_pre_padding(const Dims& padding) {
  check_spatial(impl_of(network_).layer_label(id_) + " pre padding", padding,
                attrs().kernel_shape.nb_dims, 0);
  edit().pre_padding = padding;
}
Dims DeconvolutionLayer::pre_padding() const {
  return attrs().pre_padding;
}
// Negative post padding (ONNX output_padding) is checked against the stride by inference.
void DeconvolutionLayer::set_post_padding(const Dims& padding) {
  check_spatial(impl_of(network_).layer_label(id_) + " post padding", padding,
                attrs().kernel_shape.nb_dims, INT64_MIN);
  edit().post_padding = padding;
}
Dims DeconvolutionLayer::post_padding() const {
  return attrs().post_padding;
}
void DeconvolutionLayer::set_dilation_nd(const Dims& dilation) {
  check_spatial(impl_of(network_).layer_label(id_) + " dilation", dilation,
                attrs().kernel_shape.nb_dims, 1);
  edit().dilation = dilation;
}
Dims DeconvolutionLayer::dilation_nd() const {
  return attrs().dilation;
}
// The kernel's layout [C, K / groups, k...] must agree; inference checks it.
void DeconvolutionLayer::set_num_groups(int64_t groups) {
  if (groups < 1) {
    fail(impl_of(network_).layer_label(id_), " set_num_groups: groups must be at least 1, got ",
         groups);
  }
  edit().num_groups = groups;
}
int64_t DeconvolutionLayer::num_groups() const {
  return attrs().num_groups;
}

// ---------------------------------------------------------------------------------------------
// Resize

void ResizeLayer::set_output_dimensions(const Dims& dims) {
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (dims.d[i] < 0) {
      fail(impl_of(network_).layer_label(id_), " set_output_dimensions: ", dims,
           " has a negative dimension");
    }
  }
  if (dims.nb_dims < 0 || dims.nb_dims > Dims::kMaxDims) {
    fail(impl_of(network_).layer_label(id_), " set_output_dimensions: rank must be 0 to ",
         Dims::kMaxDims, ", got ", dims.nb_dims);
  }
  ResizeAttrs& a = edit();
  a.use_scales = false;
  a.output_dims = dims;
}
Dims ResizeLayer::output_dimensions() const {
  if (!attrs().use_scales) return attrs().output_dims;
  Dims none;
  none.nb_dims = -1;
  return none;
}
void ResizeLayer::set_scales(const float* scales, int32_t count) {
  std::string label = impl_of(network_).layer_label(id_);
  if (count < 0 || count > Dims::kMaxDims || (count > 0 && scales == nullptr)) {
    fail(label, " set_scales: expected 0 to ", Dims::kMaxDims, " scales, got ", count);
  }
  for (int32_t i = 0; i < count; ++i) {
    if (!(scales[i] > 0.0f)) {
      fail(label, " set_scales: scale ", i, " is ", scales[i], "; scales must be positive");
    }
  }
  ResizeAttrs& a = edit();
  a.use_scales = true;
  a.num_scales = count;
  for (int32_t i = 0; i < Dims::kMaxDims; ++i) a.scales[i] = i < count ? scales[i] : 1.0f;
}
int32_t ResizeLayer::get_scales(int32_t size, float* scales) const {
  const ResizeAttrs& a = attrs();
  if (!a.use_scales) return -1;
  for (int32_t i = 0; i < std::min(size, a.num_scales); ++i) scales[i] = a.scales[i];
  return a.num_scales;
}
void ResizeLayer::set_resize_mode(InterpolationMode mode) {
  edit().mode = mode;
}
InterpolationMode ResizeLayer::resize_mode() const {
  return attrs().mode;
}
void ResizeLayer::set_coordinate_transformation(ResizeCoordinateTransformation transformation) {
  edit().transformation = transformation;
}
ResizeCoordinateTransformation ResizeLayer::coordinate_transformation() const {
  return attrs().transformation;
}
void ResizeLayer::set_selector_for_single_pixel(ResizeSelector selector) {
  edit().selector = selector;
}
ResizeSelector ResizeLayer::selector_for_single_pixel() const {
  return attrs().selector;
}
void ResizeLayer::set_nearest_rounding(ResizeRoundMode mode) {
  edit().nearest_rounding = mode;
}
ResizeRoundMode ResizeLayer::nearest_rounding() const {
  return attrs().nearest_rounding;
}
void ResizeLayer::set_cubic_coeff(float a) {
  edit().cubic_coeff = a;
}
float ResizeLayer::cubic_coeff() const {
  return attrs().cubic_coeff;
}
void ResizeLayer::set_exclude_outside(bool exclude) {
  edit().exclude_outside = exclude;
}
bool ResizeLayer::exclude_outside() const {
  return attrs().exclude_outside;
}

// ---------------------------------------------------------------------------------------------
// Scatter, Cumulative, LRN, OneHot, Fill

void ScatterLayer::set_mode(ScatterMode mode) {
  edit().mode = mode;
}
ScatterMode ScatterLayer::mode() const {
  return attrs().mode;
}
void ScatterLayer::set_axis(int32_t axis) {
  edit().axis = axis;
}
int32_t ScatterLayer::axis() const {
  return attrs().axis;
}
void ScatterLayer::set_reduction(ScatterReduction reduction) {
  edit().reduction = reduction;
}
ScatterReduction ScatterLayer::reduction() const {
  return attrs().reduction;
}

void CumulativeLayer::set_operation(CumulativeOperation op) {
  edit().op = op;
}
CumulativeOperation CumulativeLayer::operation() const {
  return attrs().op;
}
void CumulativeLayer::set_axis(int32_t axis) {
  edit().axis = axis;
}
int32_t CumulativeLayer::axis() const {
  return attrs().axis;
}
void CumulativeLayer::set_exclusive(bool exclusive) {
  edit().exclusive = exclusive;
}
bool CumulativeLayer::exclusive() const {
  return attrs().exclusive;
}
void CumulativeLayer::set_reverse(bool reverse) {
  edit().reverse = reverse;
}
bool CumulativeLayer::reverse() const {
  return attrs().reverse;
}

void LRNLayer::set_window_size(int64_t window) {
  if (window < 1) {
    fail(impl_of(network_).layer_label(id_), " set_window_size: window must be at least 1, got ",
         window);
  }
  edit().window = window;
}
int64_t LRNLayer::window_size() const {
  return attrs().window;
}
void LRNLayer::set_alpha(float alpha) {
  edit().alpha = alpha;
}
float LRNLayer::alpha() const {
  return attrs().alpha;
}
void LRNLayer::set_beta(float beta) {
  edit().beta = beta;
}
float LRNLayer::beta() const {
  return attrs().beta;
}
void LRNLayer::set_k(float k) {
  edit().k = k;
}
float LRNLayer::k() const {
  return attrs().k;
}

void OneHotLayer::set_axis(int32_t axis) {
  edit().axis = axis;
}
int32_t OneHotLayer::axis() const {
  return attrs().axis;
}
void OneHotLayer::set_depth(int64_t depth) {
  if (depth < 0) {
    fail(impl_of(network_).layer_label(id_), " set_depth: depth must be 0 or more, got ", depth);
  }
  edit().depth = depth;
}
int64_t OneHotLayer::depth() const {
  return attrs().depth;
}

void FillLayer::set_dimensions(const Dims& dims) {
  if (dims.nb_dims < 0 || dims.nb_dims > Dims::kMaxDims) {
    fail(impl_of(network_).layer_label(id_), " set_dimensions: rank must be 0 to ", Dims::kMaxDims,
         ", got ", dims.nb_dims);
  }
  edit().dims = dims;
}
Dims FillLayer::dimensions() const {
  return attrs().dims;
}
void FillLayer::set_operation(FillOperation op) {
  edit().op = op;
}
FillOperation FillLayer::operation() const {
  return attrs().op;
}
void FillLayer::set_alpha(double alpha) {
  edit().alpha = alpha;
}
double FillLayer::alpha() const {
  return attrs().alpha;
}
void FillLayer::set_beta(double beta) {
  edit().beta = beta;
}
double FillLayer::beta() const {
  return attrs().beta;
}
void FillLayer::set_to_type(DataType type) {
  edit().output_type = type;
}
DataType FillLayer::to_type() const {
  return attrs().output_type;
}

}  // namespace kiln
