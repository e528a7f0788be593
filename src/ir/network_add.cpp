// NetworkDefinition::add_*: each checks what it can without shapes, appends its node(s) and infers
// them inside one transaction, so a failing call leaves the network exactly as it was.
#include <bit>

#include "ir/network_impl.h"
#include "ir/op.h"

namespace kiln {

using Impl = NetworkImpl;

void check_spatial(const std::string& what, const Dims& value, int32_t rank, int64_t min) {
  if (rank < 0 && (value.nb_dims < 1 || value.nb_dims > 3)) {
    fail(what, " must have 1 to 3 dimensions (one per spatial dimension), got ", value);
  }
  if (rank >= 0 && value.nb_dims != rank) {
    fail(what, " must have ", rank, " dimensions like the kernel/window, got ", value);
  }
  for (int32_t i = 0; i < value.nb_dims; ++i) {
    if (value.d[i] < min) fail(what, " must be at least ", min, " in every dimension, got ", value);
  }
}

ConvKernel conv_kernel_layout(const std::string& what, int64_t count, int64_t num_output_maps,
                              int64_t channels, const Dims& kernel_shape) {
  int64_t per_channel = num_output_maps * volume(kernel_shape);
  if (count <= 0 || count % per_channel != 0 || channels % (count / per_channel) != 0) {
    fail(what, ": expected num_output_maps x input channels x kernel_shape = ", num_output_maps,
         " x ", channels, " x ", kernel_shape, " = ", per_channel * channels,
         " values (for g groups: input channels / g instead of input channels), got ", count);
  }
  ConvKernel k;
  int64_t per_group = count / per_channel;
  k.groups = channels / per_group;
  if (num_output_maps % k.groups != 0) {
    fail(what, ": ", count, " values make a kernel of ", per_group,
         " input channels per group, so ", k.groups, " groups, but num_output_maps ",
         num_output_maps, " is not a multiple of ", k.groups);
  }
  k.dims.nb_dims = 2 + kernel_shape.nb_dims;
  k.dims.d[0] = num_output_maps;
  k.dims.d[1] = per_group;
  for (int32_t i = 0; i < kernel_shape.nb_dims; ++i) k.dims.d[2 + i] = kernel_shape.d[i];
  return k;
}

namespace {

template <typename Handle>
Handle* handle(Impl& impl, int32_t node) {
  return static_cast<Handle*>(impl.layers[node].get());
}

int32_t output(Impl& impl, int32_t node) {
  return impl.graph.nodes[node].outputs[0];
}

// A layer of one input and default attributes apart from `attrs`.
template <typename Handle, typename Attrs>
Handle* add_unary_like(Impl& impl, Tensor& input, const Attrs& attrs, const char* what) {
  return impl.transaction([&] {
    int32_t x = impl.tensor_index(input, what);
    return handle<Handle>(impl, impl.add_node(attrs, {x}));
  });
}

}  // namespace

ConvolutionLayer* NetworkDefinition::add_convolution_nd(Tensor& input, int64_t num_output_maps,
                                                        const Dims& kernel_shape, Weights kernel,
                                                        Weights bias) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    const std::string what = "add_convolution_nd";
    int32_t x = impl.tensor_index(input, what.c_str());
    if (num_output_maps < 1)
      fail(what, ": num_output_maps must be at least 1, got ", num_output_maps);
    check_spatial(what + ": kernel_shape", kernel_shape, -1, 1);
    check_weights(kernel, what + ": kernel", true);
    check_weights(bias, what + ": bias", true);
    const ir::Tensor in = impl.inferred(x);
    if (in.dims.nb_dims < 2 || in.dims.d[1] < 0) {
      fail(what, ": the input '", in.name, "' ", in.dims,
           " needs a known channel count (dimension 1) to lay out the kernel");
    }
    ConvKernel k = conv_kernel_layout(what + ": kernel", kernel.count, num_output_maps,
                                      in.dims.d[1], kernel_shape);
    if (bias.count != 0 && bias.count != num_output_maps) {
      fail(what, ": bias: expected ", num_output_maps, " values (one per output map) or none, got ",
           bias.count);
    }

    // The kernel and bias become constant layers ("<name>.kernel", "<name>.bias") placed before
    // the convolution, which is the last layer added; they count in num_layers like any layer.
    int32_t index = static_cast<int32_t>(impl.graph.nodes.size()) + 1 + (bias.count > 0 ? 1 : 0);
    std::string name =
        impl.unique_layer_name(str_cat("(Unnamed Layer* ", index, ") [Convolution]"));
    std::vector<uint8_t> storage;
    int32_t kernel_t =
        impl.add_owned_constant(name + ".kernel", k.dims,
                                convert_float_weights(kernel, in.type, storage), what + ": kernel");
    int32_t bias_t = -1;
    if (bias.count > 0) {
      bias_t =
          impl.add_owned_constant(name + ".bias", Dims{num_output_maps},
                                  convert_float_weights(bias, in.type, storage), what + ": bias");
    }
    int32_t rank = kernel_shape.nb_dims;
    ConvolutionAttrs a;
    a.num_output_maps = num_output_maps;
    a.kernel_shape = kernel_shape;
    a.stride = Dims::filled(rank, 1);
    a.pre_padding = Dims::filled(rank, 0);
    a.post_padding = Dims::filled(rank, 0);
    a.dilation = Dims::filled(rank, 1);
    a.num_groups = k.groups;
    return handle<ConvolutionLayer>(impl, impl.add_node(a, {x, kernel_t, bias_t}, name));
  });
}

PoolingLayer* NetworkDefinition::add_pooling_nd(Tensor& input, PoolingType type,
                                                const Dims& window_size) {
  check_spatial("add_pooling_nd: window_size", window_size, -1, 1);
  PoolingAttrs a;
  a.type = type;
  a.window = window_size;
  a.stride = window_size;
  a.pre_padding = Dims::filled(window_size.nb_dims, 0);
  a.post_padding = a.pre_padding;
  return add_unary_like<PoolingLayer>(*impl_, input, a, "add_pooling_nd");
}

ActivationLayer* NetworkDefinition::add_activation(Tensor& input, ActivationType type) {
  ActivationAttrs a;
  a.type = type;
  return add_unary_like<ActivationLayer>(*impl_, input, a, "add_activation");
}

ElementWiseLayer* NetworkDefinition::add_elementwise(Tensor& a, Tensor& b,
                                                     ElementWiseOperation op) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    int32_t ta = impl.tensor_index(a, "add_elementwise");
    int32_t tb = impl.tensor_index(b, "add_elementwise");
    ElementWiseAttrs attrs;
    attrs.op = op;
    return handle<ElementWiseLayer>(impl, impl.add_node(attrs, {ta, tb}));
  });
}

UnaryLayer* NetworkDefinition::add_unary(Tensor& input, UnaryOperation op) {
  UnaryAttrs a;
  a.op = op;
  return add_unary_like<UnaryLayer>(*impl_, input, a, "add_unary");
}

MatrixMultiplyLayer* NetworkDefinition::add_matrix_multiply(Tensor& a, MatrixOperation op_a,
                                                            Tensor& b, MatrixOperation op_b) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    int32_t ta = impl.tensor_index(a, "add_matrix_multiply");
    int32_t tb = impl.tensor_index(b, "add_matrix_multiply");
    MatrixMultiplyAttrs attrs;
    attrs.op_a = op_a;
    attrs.op_b = op_b;
    return handle<MatrixMultiplyLayer>(impl, impl.add_node(attrs, {ta, tb}));
  });
}

ConstantLayer* NetworkDefinition::add_constant(const Dims& dims, Weights weights) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    if (dims.nb_dims < 0 || dims.nb_dims > Dims::kMaxDims) {
      fail("add_constant: rank must be 0 to ", Dims::kMaxDims, ", got ", dims.nb_dims);
    }
    return handle<ConstantLayer>(impl, impl.add_constant_node("", dims, weights, "add_constant"));
  });
}

ShuffleLayer* NetworkDefinition::add_shuffle(Tensor& input) {
  return add_unary_like<ShuffleLayer>(*impl_, input, ShuffleAttrs{}, "add_shuffle");
}

SoftMaxLayer* NetworkDefinition::add_softmax(Tensor& input) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    int32_t x = impl.tensor_index(input, "add_softmax");
    int32_t rank = impl.inferred(x).dims.nb_dims;
    if (rank < 1) fail("add_softmax: input '", input.name(), "' is 0-d; softmax needs an axis");
    SoftMaxAttrs a;
    a.axes = 1u << (rank - 1);
    return handle<SoftMaxLayer>(impl, impl.add_node(a, {x}));
  });
}

TopKLayer* NetworkDefinition::add_topk(Tensor& input, TopKOperation op, int32_t k, uint32_t axes) {
  if (k < 1) fail("add_topk: k must be at least 1, got ", k);
  if (!std::has_single_bit(axes)) {
    fail("add_topk: axes must have exactly one bit set, got 0x", std::hex, axes);
  }
  TopKAttrs a;
  a.op = op;
  a.k = k;
  a.axes = axes;
  return add_unary_like<TopKLayer>(*impl_, input, a, "add_topk");
}

IdentityLayer* NetworkDefinition::add_identity(Tensor& input) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    int32_t x = impl.tensor_index(input, "add_identity");
    IdentityAttrs a;
    a.output_type = impl.inferred(x).type;
    return handle<IdentityLayer>(impl, impl.add_node(a, {x}));
  });
}

ReduceLayer* NetworkDefinition::add_reduce(Tensor& input, ReduceOperation op, uint32_t axes,
                                           bool keep_dimensions) {
  ReduceAttrs a;
  a.op = op;
  a.axes = axes;
  a.keep_dims = keep_dimensions;
  return add_unary_like<ReduceLayer>(*impl_, input, a, "add_reduce");
}

ConcatenationLayer* NetworkDefinition::add_concatenation(Tensor* const* inputs,
                                                         int32_t num_inputs) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    if (num_inputs < 1 || inputs == nullptr) {
      fail("add_concatenation: needs at least one input, got ", num_inputs);
    }
    std::vector<int32_t> ids;
    for (int32_t i = 0; i < num_inputs; ++i) {
      if (inputs[i] == nullptr) fail("add_concatenation: input ", i, " is null");
      ids.push_back(impl.tensor_index(*inputs[i], "add_concatenation"));
    }
    // TensorRT scripts add the layer, then set its axis. So that the add does not fail on inputs
    // meant for another axis, the default axis is the one dimension where the known input dims
    // differ (0 when they agree everywhere); set_axis changes it as usual.
    ConcatenationAttrs a;
    const Dims first = inputs[0]->dimensions();
    for (int32_t i = 1; i < num_inputs; ++i) {
      const Dims other = inputs[i]->dimensions();
      if (other.nb_dims != first.nb_dims) break;
      for (int32_t d = 0; d < first.nb_dims; ++d) {
        if (first.d[d] >= 0 && other.d[d] >= 0 && first.d[d] != other.d[d]) {
          a.axis = d;
          break;
        }
      }
      if (a.axis != 0) break;
    }
    return handle<ConcatenationLayer>(impl, impl.add_node(a, std::move(ids)));
  });
}

SliceLayer* NetworkDefinition::add_slice(Tensor& input, const Dims& start, const Dims& size,
                                         const Dims& stride) {
  if (start.nb_dims != size.nb_dims || stride.nb_dims != size.nb_dims) {
    fail("add_slice: start ", start, ", size ", size, " and stride ", stride,
         " must have the same number of dimensions");
  }
  for (int32_t i = 0; i < size.nb_dims; ++i) {
    if (size.d[i] < 0) fail("add_slice: size ", size, " has a negative dimension");
  }
  // TensorRT code adds a slice, then sets its sample mode, so the add must not refuse reads
  // outside the input: the node is inferred in kFILL mode (which allows any), then set to
  // kSTRICT_BOUNDS, whose bounds are checked when the shapes are next read or built.
  SliceAttrs a;
  a.start = start;
  a.size = size;
  a.stride = stride;
  a.mode = SampleMode::kFILL;
  SliceLayer* layer = add_unary_like<SliceLayer>(*impl_, input, a, "add_slice");
  impl_->graph.nodes.back().get<SliceAttrs>().mode = SampleMode::kSTRICT_BOUNDS;
  impl_->touch(static_cast<int32_t>(impl_->graph.nodes.size()) - 1);
  return layer;
}

GatherLayer* NetworkDefinition::add_gather(Tensor& data, Tensor& indices, int32_t axis) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    int32_t d = impl.tensor_index(data, "add_gather");
    int32_t i = impl.tensor_index(indices, "add_gather");
    GatherAttrs a;
    a.axis = axis;
    return handle<GatherLayer>(impl, impl.add_node(a, {d, i}));
  });
}

SelectLayer* NetworkDefinition::add_select(Tensor& condition, Tensor& then_input,
                                           Tensor& else_input) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    int32_t c = impl.tensor_index(condition, "add_select");
    int32_t t = impl.tensor_index(then_input, "add_select");
    int32_t e = impl.tensor_index(else_input, "add_select");
    return handle<SelectLayer>(impl, impl.add_node(SelectAttrs{}, {c, t, e}));
  });
}

CastLayer* NetworkDefinition::add_cast(Tensor& input, DataType to_type) {
  CastAttrs a;
  a.to_type = to_type;
  return add_unary_like<CastLayer>(*impl_, input, a, "add_cast");
}

NormalizationLayer* NetworkDefinition::add_normalization(Tensor& input, Tensor& scale, Tensor& bias,
                                                         uint32_t axes) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    int32_t x = impl.tensor_index(input, "add_normalization");
    int32_t s = impl.tensor_index(scale, "add_normalization");
    int32_t b = impl.tensor_index(bias, "add_normalization");
    NormalizationAttrs a;
    a.axes = axes;
    return handle<NormalizationLayer>(impl, impl.add_node(a, {x, s, b}));
  });
}

Layer* NetworkDefinition::add_fully_connected(Tensor& input, int64_t num_outputs, Weights kernel,
                                              Weights bias) {
  Impl& impl = *impl_;
  return impl.transaction([&]() -> Layer* {
    const std::string what = "add_fully_connected";
    int32_t x = impl.tensor_index(input, what.c_str());
    if (num_outputs < 1) fail(what, ": num_outputs must be at least 1, got ", num_outputs);
    check_weights(kernel, what + ": kernel", true);
    check_weights(bias, what + ": bias", true);
    const ir::Tensor in = impl.inferred(x);
    int32_t rank = in.dims.nb_dims;
    if (rank < 3) {
      fail(what, ": input '", in.name, "' ", in.dims,
           " needs at least 3 dimensions [..., C, H, W]");
    }
    int64_t chw = 1;
    for (int32_t i = rank - 3; i < rank; ++i) {
      if (in.dims.d[i] < 0) {
        fail(what, ": input '", in.name, "' ", in.dims,
             " needs known C, H and W (its last 3 dims)");
      }
      chw *= in.dims.d[i];
    }
    if (kernel.count != num_outputs * chw) {
      fail(what, ": kernel: expected num_outputs x C x H x W = ", num_outputs, " x ", chw, " = ",
           num_outputs * chw, " values, got ", kernel.count);
    }
    if (bias.count != 0 && bias.count != num_outputs) {
      fail(what, ": bias: expected ", num_outputs, " values or none, got ", bias.count);
    }

    // [lead..., C, H, W] -> [lead..., CHW] (or [1, CHW] without leading dims, to keep a matrix)
    // x [K, CHW]^T -> [lead..., K] (+ bias [1..., K]) -> [lead..., K, 1, 1].
    int32_t lead = rank - 3;
    std::string base = impl.unique_layer_name(
        str_cat("(Unnamed Layer* ", impl.graph.nodes.size(), ") [Fully Connected]"));
    ShuffleAttrs flatten;
    flatten.has_reshape = true;
    flatten.reshape_dims = Dims::filled(std::max(lead, 1) + 1, 0);
    if (lead == 0) flatten.reshape_dims.d[0] = 1;
    flatten.reshape_dims.d[flatten.reshape_dims.nb_dims - 1] = chw;
    int32_t flat = impl.add_node(flatten, {x}, base + ".flatten");

    std::vector<uint8_t> storage;
    int32_t weights =
        impl.add_owned_constant(base + ".kernel", Dims{num_outputs, chw},
                                convert_float_weights(kernel, in.type, storage), what + ": kernel");
    MatrixMultiplyAttrs mm;
    mm.op_b = MatrixOperation::kTRANSPOSE;
    int32_t y = output(impl, impl.add_node(mm, {output(impl, flat), weights}, base + ".matmul"));

    if (bias.count > 0) {
      Dims bias_dims = Dims::filled(std::max(lead, 1) + 1, 1);
      bias_dims.d[bias_dims.nb_dims - 1] = num_outputs;
      int32_t b =
          impl.add_owned_constant(base + ".bias", bias_dims,
                                  convert_float_weights(bias, in.type, storage), what + ": bias");
      ElementWiseAttrs sum;
      sum.op = ElementWiseOperation::kSUM;
      y = output(impl, impl.add_node(sum, {y, b}, base + ".add_bias"));
    }

    ShuffleAttrs unflatten;
    unflatten.has_reshape = true;
    unflatten.reshape_dims = Dims::filled(lead + 3, 0);
    unflatten.reshape_dims.d[lead] = num_outputs;
    unflatten.reshape_dims.d[lead + 1] = 1;
    unflatten.reshape_dims.d[lead + 2] = 1;
    return impl.layers[impl.add_node(unflatten, {y}, base + ".reshape")].get();
  });
}

// ---------------------------------------------------------------------------------------------
// Layers appended after the first release.

DeconvolutionLayer* NetworkDefinition::add_deconvolution_nd(Tensor& input, int64_t num_output_maps,
                                                            const Dims& kernel_shape,
                                                            Weights kernel, Weights bias) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    const std::string what = "add_deconvolution_nd";
    int32_t x = impl.tensor_index(input, what.c_str());
    if (num_output_maps < 1)
      fail(what, ": num_output_maps must be at least 1, got ", num_output_maps);
    check_spatial(what + ": kernel_shape", kernel_shape, -1, 1);
    check_weights(kernel, what + ": kernel", true);
    check_weights(bias, what + ": bias", true);
    const ir::Tensor in = impl.inferred(x);
    if (in.dims.nb_dims < 2 || in.dims.d[1] < 0) {
      fail(what, ": the input '", in.name, "' ", in.dims,
           " needs a known channel count (dimension 1) to lay out the kernel");
    }
    // [C, K / g, k...]: the count fixes g = C * K * volume(k) / count.
    int64_t channels = in.dims.d[1];
    int64_t full = channels * num_output_maps * volume(kernel_shape);
    int64_t groups = kernel.count > 0 && full % kernel.count == 0 ? full / kernel.count : 0;
    if (groups < 1 || channels % groups != 0 || num_output_maps % groups != 0) {
      fail(what, ": kernel: expected input channels x num_output_maps x kernel_shape = ", channels,
           " x ", num_output_maps, " x ", kernel_shape, " = ", full,
           " values (for g groups: num_output_maps / g instead of num_output_maps, with g dividing "
           "both), got ",
           kernel.count);
    }
    if (bias.count != 0 && bias.count != num_output_maps) {
      fail(what, ": bias: expected ", num_output_maps, " values (one per output map) or none, got ",
           bias.count);
    }
    Dims kernel_dims;
    kernel_dims.nb_dims = 2 + kernel_shape.nb_dims;
    kernel_dims.d[0] = channels;
    kernel_dims.d[1] = num_output_maps / groups;
    for (int32_t i = 0; i < kernel_shape.nb_dims; ++i) kernel_dims.d[2 + i] = kernel_shape.d[i];

    int32_t index = static_cast<int32_t>(impl.graph.nodes.size()) + 1 + (bias.count > 0 ? 1 : 0);
    std::string name =
        impl.unique_layer_name(str_cat("(Unnamed Layer* ", index, ") [Deconvolution]"));
    std::vector<uint8_t> storage;
    int32_t kernel_t =
        impl.add_owned_constant(name + ".kernel", kernel_dims,
                                convert_float_weights(kernel, in.type, storage), what + ": kernel");
    int32_t bias_t = -1;
    if (bias.count > 0) {
      bias_t =
          impl.add_owned_constant(name + ".bias", Dims{num_output_maps},
                                  convert_float_weights(bias, in.type, storage), what + ": bias");
    }
    int32_t rank = kernel_shape.nb_dims;
    DeconvolutionAttrs a;
    a.num_output_maps = num_output_maps;
    a.kernel_shape = kernel_shape;
    a.stride = Dims::filled(rank, 1);
    a.pre_padding = Dims::filled(rank, 0);
    a.post_padding = Dims::filled(rank, 0);
    a.dilation = Dims::filled(rank, 1);
    a.num_groups = groups;
    return handle<DeconvolutionLayer>(impl, impl.add_node(a, {x, kernel_t, bias_t}, name));
  });
}

ResizeLayer* NetworkDefinition::add_resize(Tensor& input) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    int32_t x = impl.tensor_index(input, "add_resize");
    ResizeAttrs a;
    a.use_scales = true;
    a.num_scales = impl.inferred(x).dims.nb_dims;
    return handle<ResizeLayer>(impl, impl.add_node(a, {x}));
  });
}

ScatterLayer* NetworkDefinition::add_scatter(Tensor& data, Tensor& indices, Tensor& updates,
                                             ScatterMode mode) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    int32_t d = impl.tensor_index(data, "add_scatter");
    int32_t i = impl.tensor_index(indices, "add_scatter");
    int32_t u = impl.tensor_index(updates, "add_scatter");
    ScatterAttrs a;
    a.mode = mode;
    return handle<ScatterLayer>(impl, impl.add_node(a, {d, i, u}));
  });
}

ShapeLayer* NetworkDefinition::add_shape(Tensor& input) {
  return add_unary_like<ShapeLayer>(*impl_, input, ShapeAttrs{}, "add_shape");
}

CumulativeLayer* NetworkDefinition::add_cumulative(Tensor& input, int32_t axis,
                                                   CumulativeOperation op, bool exclusive,
                                                   bool reverse) {
  CumulativeAttrs a;
  a.op = op;
  a.axis = axis;
  a.exclusive = exclusive;
  a.reverse = reverse;
  return add_unary_like<CumulativeLayer>(*impl_, input, a, "add_cumulative");
}

LRNLayer* NetworkDefinition::add_lrn(Tensor& input, int64_t window, float alpha, float beta,
                                     float k) {
  if (window < 1) fail("add_lrn: window must be at least 1, got ", window);
  LRNAttrs a;
  a.window = window;
  a.alpha = alpha;
  a.beta = beta;
  a.k = k;
  return add_unary_like<LRNLayer>(*impl_, input, a, "add_lrn");
}

OneHotLayer* NetworkDefinition::add_one_hot(Tensor& indices, Tensor& values, int64_t depth,
                                            int32_t axis) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    if (depth < 0) fail("add_one_hot: depth must be 0 or more, got ", depth);
    int32_t i = impl.tensor_index(indices, "add_one_hot");
    int32_t v = impl.tensor_index(values, "add_one_hot");
    OneHotAttrs a;
    a.depth = depth;
    a.axis = axis;
    return handle<OneHotLayer>(impl, impl.add_node(a, {i, v}));
  });
}

FillLayer* NetworkDefinition::add_fill(const Dims& dims, FillOperation op, DataType output_type) {
  Impl& impl = *impl_;
  return impl.transaction([&] {
    if (dims.nb_dims < 0 || dims.nb_dims > Dims::kMaxDims) {
      fail("add_fill: rank must be 0 to ", Dims::kMaxDims, ", got ", dims.nb_dims);
    }
    FillAttrs a;
    a.dims = dims;
    a.op = op;
    a.output_type = output_type;
    return handle<FillLayer>(impl, impl.add_node(a, {}));
  });
}

}  // namespace kiln
