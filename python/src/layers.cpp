// ILayer and one class per layer kind, with TensorRT's Python property names. A setter given an
// invalid value logs why and leaves the layer unchanged, as in TensorRT (kiln.Error in strict
// mode).
#include <nanobind/stl/string.h>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bindings.h"

namespace kiln::python {

namespace {

constexpr auto kRef = nb::rv_policy::reference_internal;

nb::object permutation_to_python(const Permutation& p) {
  nb::list order;
  for (int32_t v : p.order) order.append(v);
  return nb::tuple(order);
}

Permutation permutation_from_python(nb::handle obj) {
  Dims values = dims_from_python(obj);
  Permutation p;
  for (int32_t i = 0; i < values.nb_dims; ++i) p.order[i] = static_cast<int32_t>(values.d[i]);
  return p;
}

// Reads ShuffleLayer permutations as tuples of 8 axes (TensorRT's Permutation has 8 entries);
// accepts any sequence, the rest filled with the identity.
template <Permutation (ShuffleLayer::*get)() const, void (ShuffleLayer::*set)(const Permutation&)>
void permutation_property(nb::class_<ShuffleLayer, Layer>& cls, const char* name) {
  cls.def_prop_rw(
      name, [](const ShuffleLayer& l) { return permutation_to_python((l.*get)()); },
      [name](ShuffleLayer& l, nb::handle value) {
        Permutation p = permutation_from_python(value);
        guarded_void(logger_of(l), name, [&] { (l.*set)(p); });
      });
}

// TensorRT's per-layer hints kiln records but does not apply (docs/python.md): the precision and
// output types a script asks for, and the layer's metadata string. Keyed by the C++ layer; the
// entries of a network go when its INetworkDefinition does (forget_layer_hints).
struct LayerHints {
  std::optional<DataType> precision;
  std::map<int32_t, DataType> output_types;
  std::string metadata;
};
std::unordered_map<const Layer*, LayerHints> layer_hints;
std::unordered_map<const Tensor*, std::map<int32_t, std::string>> dimension_names;
std::unordered_set<const NetworkDefinition*> warned_networks;

LayerHints* find_hints(const Layer& layer) {
  auto it = layer_hints.find(&layer);
  return it == layer_hints.end() ? nullptr : &it->second;
}

// Once per network: per-layer precision is recorded, not applied.
void warn_precision_not_applied(const Layer& layer, const char* api) {
  if (!warned_networks.insert(&layer.network()).second) return;
  if (Logger* logger = logger_of(layer)) {
    logger->report(Logger::Severity::kWARNING,
                   std::string(api) +
                       ": kiln records per-layer precision and output types but does not apply "
                       "them: it chooses precisions from BuilderFlag.FP16/BF16 (or the network's "
                       "types when strongly typed). To force a type, insert add_cast or an "
                       "identity layer with set_output_type.");
  }
}

void check_output_index(const Layer& l, int32_t index, const char* api) {
  if (index < 0 || index >= l.num_outputs()) {
    throw Error(std::string(api) + ": layer '" + l.name() + "' has " +
                std::to_string(l.num_outputs()) + " outputs, no output " + std::to_string(index));
  }
}

void bind_layer_hints(nb::class_<Layer>& layer) {
  layer
      .def_prop_rw(
          "precision",
          [](const Layer& l) {
            const LayerHints* h = find_hints(l);
            return h && h->precision ? *h->precision : DataType::kFLOAT;
          },
          [](Layer& l, DataType type) {
            layer_hints[&l].precision = type;
            warn_precision_not_applied(l, "ILayer.precision");
          },
          "The precision asked for (FLOAT when none was). Recorded, not applied: see "
          "docs/python.md.")
      .def_prop_ro("precision_is_set",
                   [](const Layer& l) {
                     const LayerHints* h = find_hints(l);
                     return h != nullptr && h->precision.has_value();
                   })
      .def("reset_precision",
           [](Layer& l) {
             if (LayerHints* h = find_hints(l)) h->precision.reset();
           })
      .def(
          "set_output_type",
          [](Layer& l, int32_t index, DataType type) {
            guarded_void(logger_of(l), "ILayer.set_output_type", [&] {
              check_output_index(l, index, "ILayer.set_output_type");
              layer_hints[&l].output_types[index] = type;
              warn_precision_not_applied(l, "ILayer.set_output_type");
            });
          },
          nb::arg("index"), nb::arg("dtype"),
          "Recorded, not applied (IIdentityLayer.set_output_type converts): see docs/python.md.")
      .def(
          "get_output_type",
          [](const Layer& l, int32_t index) {
            const LayerHints* h = find_hints(l);
            if (h != nullptr) {
              auto it = h->output_types.find(index);
              if (it != h->output_types.end()) return it->second;
            }
            return DataType::kFLOAT;
          },
          nb::arg("index"), "The output type asked for (FLOAT when none was).")
      .def(
          "output_type_is_set",
          [](const Layer& l, int32_t index) {
            const LayerHints* h = find_hints(l);
            return h != nullptr && h->output_types.count(index) > 0;
          },
          nb::arg("index"))
      .def(
          "reset_output_type",
          [](Layer& l, int32_t index) {
            if (LayerHints* h = find_hints(l)) h->output_types.erase(index);
          },
          nb::arg("index"))
      .def_prop_rw(
          "metadata",
          [](const Layer& l) {
            const LayerHints* h = find_hints(l);
            return h ? h->metadata : std::string();
          },
          [](Layer& l, const std::string& text) { layer_hints[&l].metadata = text; },
          "A string the script attaches to the layer (kept with the network definition; kiln "
          "plans do not store it).");
}

}  // namespace

void forget_layer_hints(const NetworkDefinition& network) {
  warned_networks.erase(&network);
  for (int32_t i = 0; i < network.num_layers(); ++i) {
    const Layer* layer = network.get_layer(i);
    layer_hints.erase(layer);
    for (int32_t o = 0; o < layer->num_outputs(); ++o) dimension_names.erase(layer->get_output(o));
  }
  for (int32_t i = 0; i < network.num_inputs(); ++i) dimension_names.erase(network.get_input(i));
}

void bind_tensor_dimension_names(nb::class_<Tensor>& tensor) {
  tensor
      .def(
          "set_dimension_name",
          [](Tensor& t, int32_t index, const std::string& name) {
            guarded_void(logger_of(t), "ITensor.set_dimension_name", [&] {
              int32_t rank = t.dimensions().nb_dims;
              if (index < 0 || index >= rank) {
                throw Error("ITensor.set_dimension_name: tensor '" + t.name() + "' has " +
                            std::to_string(rank) + " dimensions, no dimension " +
                            std::to_string(index));
              }
              dimension_names[&t][index] = name;
            });
          },
          nb::arg("index"), nb::arg("name"),
          "Names a dimension (read back by get_dimension_name; kiln does not use the names to "
          "relate dimensions).")
      .def(
          "get_dimension_name",
          [](const Tensor& t, int32_t index) -> nb::object {
            auto it = dimension_names.find(&t);
            if (it == dimension_names.end()) return nb::none();
            auto name = it->second.find(index);
            if (name == it->second.end()) return nb::none();
            return nb::str(name->second.c_str());
          },
          nb::arg("index"), "The name set_dimension_name gave, or None.");
}

void bind_layers(nb::module_& m) {
  nb::class_<Layer> layer(m, "ILayer", "The common part of every layer; owned by the network.");
  bind_layer_hints(layer);
  layer
      .def_prop_rw(
          "name", [](const Layer& l) { return l.name(); },
          [](Layer& l, const std::string& name) {
            guarded_void(logger_of(l), "ILayer.name", [&] { l.set_name(name); });
          })
      .def_prop_ro("type", &Layer::type, "The LayerType.")
      .def_prop_ro("num_inputs", &Layer::num_inputs)
      .def_prop_ro("num_outputs", &Layer::num_outputs)
      .def(
          "get_input",
          [](const Layer& l, int32_t i) -> Tensor* {
            if (i < 0 || i >= l.num_inputs()) return nullptr;
            return l.get_input(i);
          },
          nb::arg("index"), kRef, "The index-th input, or None (absent optional input).")
      .def(
          "set_input",
          [](Layer& l, int32_t i, Tensor& t) {
            guarded_void(logger_of(l), "ILayer.set_input", [&] { l.set_input(i, t); });
          },
          nb::arg("index"), nb::arg("tensor"))
      .def(
          "get_output",
          [](const Layer& l, int32_t i) -> Tensor* {
            if (i < 0 || i >= l.num_outputs()) return nullptr;
            return l.get_output(i);
          },
          nb::arg("index"), kRef, "The index-th output, or None.")
      .def("__repr__", [](const Layer& l) {
        return "<kiln." + std::string(to_string(l.type())) + " layer '" + l.name() + "'>";
      });

  nb::class_<ConvolutionLayer, Layer>(m, "IConvolutionLayer")
      .def_prop_ro("num_output_maps", &ConvolutionLayer::num_output_maps)
      .def_prop_ro("kernel_size_nd", &ConvolutionLayer::kernel_size_nd)
      .def_prop_rw("stride_nd", &ConvolutionLayer::stride_nd,
                   setter(&ConvolutionLayer::set_stride_nd, "stride_nd"))
      .def_prop_rw("padding_nd", &ConvolutionLayer::padding_nd,
                   setter(&ConvolutionLayer::set_padding_nd, "padding_nd"),
                   "Pre and post padding alike (reads the pre padding).")
      .def_prop_rw("pre_padding", &ConvolutionLayer::pre_padding,
                   setter(&ConvolutionLayer::set_pre_padding, "pre_padding"))
      .def_prop_rw("post_padding", &ConvolutionLayer::post_padding,
                   setter(&ConvolutionLayer::set_post_padding, "post_padding"))
      .def_prop_rw("dilation_nd", &ConvolutionLayer::dilation_nd,
                   setter(&ConvolutionLayer::set_dilation_nd, "dilation_nd"))
      .def_prop_rw("num_groups", &ConvolutionLayer::num_groups,
                   setter(&ConvolutionLayer::set_num_groups, "num_groups"))
      .def_prop_rw(
          "kernel", [](const ConvolutionLayer&) { return nb::none(); },
          [](ConvolutionLayer& l, nb::handle w) {
            PyWeights k = to_weights(w);
            guarded_void(logger_of(l), "kernel", [&] { l.set_kernel_weights(k.view()); });
          },
          "Write-only here: new kernel weights (reads give None).")
      .def_prop_rw(
          "bias", [](const ConvolutionLayer&) { return nb::none(); },
          [](ConvolutionLayer& l, nb::handle w) {
            PyWeights b = to_weights(w);
            guarded_void(logger_of(l), "bias", [&] { l.set_bias_weights(b.view()); });
          },
          nb::for_setter(nb::arg("bias").none()),
          "Write-only here: new bias weights, None removes the bias (reads give None).");

  nb::class_<PoolingLayer, Layer>(m, "IPoolingLayer")
      .def_prop_rw("type", &PoolingLayer::pooling_type,
                   setter(&PoolingLayer::set_pooling_type, "type"))
      .def_prop_rw("window_size_nd", &PoolingLayer::window_size_nd,
                   setter(&PoolingLayer::set_window_size_nd, "window_size_nd"))
      .def_prop_rw("stride_nd", &PoolingLayer::stride_nd,
                   setter(&PoolingLayer::set_stride_nd, "stride_nd"))
      .def_prop_rw("padding_nd", &PoolingLayer::padding_nd,
                   setter(&PoolingLayer::set_padding_nd, "padding_nd"))
      .def_prop_rw("pre_padding", &PoolingLayer::pre_padding,
                   setter(&PoolingLayer::set_pre_padding, "pre_padding"))
      .def_prop_rw("post_padding", &PoolingLayer::post_padding,
                   setter(&PoolingLayer::set_post_padding, "post_padding"))
      .def_prop_rw("average_count_excludes_padding", &PoolingLayer::average_count_excludes_padding,
                   setter(&PoolingLayer::set_average_count_excludes_padding,
                          "average_count_excludes_padding"));

  nb::class_<ActivationLayer, Layer>(m, "IActivationLayer")
      .def_prop_rw("type", &ActivationLayer::activation_type,
                   setter(&ActivationLayer::set_activation_type, "type"))
      .def_prop_rw("alpha", &ActivationLayer::alpha, setter(&ActivationLayer::set_alpha, "alpha"))
      .def_prop_rw("beta", &ActivationLayer::beta, setter(&ActivationLayer::set_beta, "beta"));

  nb::class_<ElementWiseLayer, Layer>(m, "IElementWiseLayer")
      .def_prop_rw("op", &ElementWiseLayer::operation,
                   setter(&ElementWiseLayer::set_operation, "op"));

  nb::class_<UnaryLayer, Layer>(m, "IUnaryLayer")
      .def_prop_rw("op", &UnaryLayer::operation, setter(&UnaryLayer::set_operation, "op"));

  nb::class_<MatrixMultiplyLayer, Layer>(m, "IMatrixMultiplyLayer")
      .def_prop_rw(
          "op0", [](const MatrixMultiplyLayer& l) { return l.operation(0); },
          [](MatrixMultiplyLayer& l, MatrixOperation op) {
            guarded_void(logger_of(l), "op0", [&] { l.set_operation(0, op); });
          })
      .def_prop_rw(
          "op1", [](const MatrixMultiplyLayer& l) { return l.operation(1); },
          [](MatrixMultiplyLayer& l, MatrixOperation op) {
            guarded_void(logger_of(l), "op1", [&] { l.set_operation(1, op); });
          })
      .def("get_operation", &MatrixMultiplyLayer::operation, nb::arg("index"))
      .def(
          "set_operation",
          [](MatrixMultiplyLayer& l, int32_t index, MatrixOperation op) {
            guarded_void(logger_of(l), "set_operation", [&] { l.set_operation(index, op); });
          },
          nb::arg("index"), nb::arg("op"));

  nb::class_<ConstantLayer, Layer>(m, "IConstantLayer")
      .def_prop_rw("shape", &ConstantLayer::dimensions,
                   setter(&ConstantLayer::set_dimensions, "shape"))
      .def_prop_rw(
          "weights", [](const ConstantLayer&) { return nb::none(); },
          [](ConstantLayer& l, nb::handle w) {
            PyWeights values = to_weights(w);
            guarded_void(logger_of(l), "weights", [&] { l.set_weights(values.view()); });
          },
          "Write-only here: new values, as many as the shape has elements (reads give None).");

  auto shuffle = nb::class_<ShuffleLayer, Layer>(
      m, "IShuffleLayer", "output = second_transpose(reshape(first_transpose(input))).");
  permutation_property<&ShuffleLayer::first_transpose, &ShuffleLayer::set_first_transpose>(
      shuffle, "first_transpose");
  permutation_property<&ShuffleLayer::second_transpose, &ShuffleLayer::set_second_transpose>(
      shuffle, "second_transpose");
  shuffle
      .def_prop_rw(
          "reshape_dims",
          [](const ShuffleLayer& l) -> nb::object {
            Dims d = l.reshape_dimensions();
            if (d.nb_dims < 0) return nb::none();
            return dims_to_python(d);
          },
          setter(&ShuffleLayer::set_reshape_dimensions, "reshape_dims"),
          "The reshape (0 copies the input dimension, one -1 is inferred); None when unset.")
      .def_prop_rw("zero_is_placeholder", &ShuffleLayer::zero_is_placeholder,
                   setter(&ShuffleLayer::set_zero_is_placeholder, "zero_is_placeholder"));

  nb::class_<SoftMaxLayer, Layer>(m, "ISoftMaxLayer")
      .def_prop_rw("axes", &SoftMaxLayer::axes, setter(&SoftMaxLayer::set_axes, "axes"),
                   "Bitmask of the axes the softmax runs over (the last axis by default).");

  nb::class_<TopKLayer, Layer>(m, "ITopKLayer")
      .def_prop_rw("op", &TopKLayer::operation, setter(&TopKLayer::set_operation, "op"))
      .def_prop_rw("k", &TopKLayer::k, setter(&TopKLayer::set_k, "k"))
      .def_prop_rw("axes", &TopKLayer::reduce_axes, setter(&TopKLayer::set_reduce_axes, "axes"));

  nb::class_<IdentityLayer, Layer>(m, "IIdentityLayer",
                                   "Copies its input; set_output_type(0, dtype) converts.")
      .def(
          "set_output_type",
          [](IdentityLayer& l, int32_t index, DataType type) {
            guarded_void(logger_of(l), "set_output_type", [&] {
              if (index != 0) throw Error("set_output_type: an identity layer has one output");
              l.set_output_type(type);
            });
          },
          nb::arg("index"), nb::arg("dtype"))
      .def(
          "get_output_type", [](const IdentityLayer& l, int32_t) { return l.output_type(); },
          nb::arg("index"));

  nb::class_<ReduceLayer, Layer>(m, "IReduceLayer")
      .def_prop_rw("op", &ReduceLayer::operation, setter(&ReduceLayer::set_operation, "op"))
      .def_prop_rw("axes", &ReduceLayer::reduce_axes, setter(&ReduceLayer::set_reduce_axes, "axes"))
      .def_prop_rw("keep_dims", &ReduceLayer::keep_dimensions,
                   setter(&ReduceLayer::set_keep_dimensions, "keep_dims"));

  nb::class_<ConcatenationLayer, Layer>(m, "IConcatenationLayer")
      .def_prop_rw("axis", &ConcatenationLayer::axis,
                   setter(&ConcatenationLayer::set_axis, "axis"));

  nb::class_<SliceLayer, Layer>(m, "ISliceLayer")
      .def_prop_rw("start", &SliceLayer::start, setter(&SliceLayer::set_start, "start"))
      .def_prop_rw("shape", &SliceLayer::shape, setter(&SliceLayer::set_shape, "shape"))
      .def_prop_rw("stride", &SliceLayer::stride, setter(&SliceLayer::set_stride, "stride"))
      .def_prop_rw("mode", &SliceLayer::mode, setter(&SliceLayer::set_mode, "mode"),
                   "SampleMode: what positions outside the input read.")
      .def_prop_rw("fill_value", &SliceLayer::fill_value,
                   setter(&SliceLayer::set_fill_value, "fill_value"),
                   "The value SampleMode.FILL reads (kiln: an attribute, not input 4).");

  nb::class_<GatherLayer, Layer>(m, "IGatherLayer")
      .def_prop_rw("axis", &GatherLayer::gather_axis, setter(&GatherLayer::set_gather_axis, "axis"))
      .def_prop_rw("mode", &GatherLayer::mode, setter(&GatherLayer::set_mode, "mode"))
      .def_prop_rw("num_elementwise_dims", &GatherLayer::num_elementwise_dims,
                   setter(&GatherLayer::set_num_elementwise_dims, "num_elementwise_dims"));

  nb::class_<SelectLayer, Layer>(m, "ISelectLayer");

  nb::class_<CastLayer, Layer>(m, "ICastLayer")
      .def_prop_rw("to_type", &CastLayer::to_type, setter(&CastLayer::set_to_type, "to_type"));

  nb::class_<NormalizationLayer, Layer>(m, "INormalizationLayer")
      .def_prop_rw("epsilon", &NormalizationLayer::epsilon,
                   setter(&NormalizationLayer::set_epsilon, "epsilon"))
      .def_prop_rw("axes", &NormalizationLayer::axes, setter(&NormalizationLayer::set_axes, "axes"))
      .def_prop_rw("num_groups", &NormalizationLayer::nb_groups,
                   setter(&NormalizationLayer::set_nb_groups, "num_groups"));
}

void finish_layer_classes(nb::module_& m) {
  // TensorRT scripts downcast with `layer.__class__ = trt.IConvolutionLayer`. Python allows
  // that assignment between classes of the same instance layout; nanobind sizes each class for
  // its C++ type, so the layer classes get one common size here. Layer instances only ever
  // reference layers the network owns (they are never stored inline), so the size changes no
  // instance. kiln/__init__.py installs ILayer.__class__, which checks the class against the
  // layer's kind before assigning.
  std::vector<PyTypeObject*> types;
  std::vector<nb::object> pending{nb::borrow(nb::type<Layer>())};
  while (!pending.empty()) {
    nb::object t = pending.back();
    pending.pop_back();
    types.push_back(reinterpret_cast<PyTypeObject*>(t.ptr()));
    for (nb::handle sub : t.attr("__subclasses__")()) pending.push_back(nb::borrow(sub));
  }
  Py_ssize_t size = 0;
  for (PyTypeObject* t : types) size = std::max(size, t->tp_basicsize);
  for (PyTypeObject* t : types) t->tp_basicsize = size;

  m.def(
      "_set_type_attr",
      [](nb::handle type, const char* name, nb::handle value) {
        if (!PyType_Check(type.ptr())) throw nb::type_error("_set_type_attr: not a type");
        auto* tp = reinterpret_cast<PyTypeObject*>(type.ptr());
        if (PyDict_SetItemString(tp->tp_dict, name, value.ptr()) != 0) throw nb::python_error();
        PyType_Modified(tp);
      },
      "Puts an attribute in a class's own dictionary (used for ILayer.__class__).");
}

}  // namespace kiln::python
