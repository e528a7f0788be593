// INetworkDefinition, ITensor, Weights and the network-level calls. A failing add_* returns None
// and logs why through the builder's logger, as TensorRT does (kiln.Error in strict mode).
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <unordered_map>

#include "bindings.h"

namespace kiln::python {

// ---------------------------------------------------------------------------------------------
// Weights

namespace {

DataType type_of_numpy(const std::string& name) {
  if (name == "float32") return DataType::kFLOAT;
  if (name == "float16") return DataType::kHALF;
  if (name == "bfloat16") return DataType::kBF16;
  if (name == "int8") return DataType::kINT8;
  if (name == "uint8") return DataType::kUINT8;
  if (name == "int32") return DataType::kINT32;
  if (name == "int64") return DataType::kINT64;
  if (name == "bool") return DataType::kBOOL;
  throw nb::type_error(("kiln.Weights: numpy arrays of " + name +
                        " are not supported; use float32, float16, bfloat16 (ml_dtypes), int8, "
                        "uint8, int32, int64 or bool")
                           .c_str());
}

}  // namespace

PyWeights weights_from_array(nb::handle array) {
  nb::module_ np = nb::module_::import_("numpy");
  nb::object a = np.attr("ascontiguousarray")(array);
  std::string name = nb::cast<std::string>(a.attr("dtype").attr("name"));
  // Python floats make float64 arrays; kiln has no float64, so they become float32.
  if (name == "float64") {
    a = a.attr("astype")(np.attr("float32"));
    name = "float32";
  }
  PyWeights w;
  w.type = type_of_numpy(name);
  w.count = nb::cast<int64_t>(a.attr("size"));
  w.values = reinterpret_cast<const void*>(nb::cast<uintptr_t>(a.attr("ctypes").attr("data")));
  w.array = a;
  return w;
}

PyWeights to_weights(nb::handle obj) {
  if (obj.is_none()) return PyWeights{nb::none()};
  if (nb::isinstance<PyWeights>(obj)) return nb::cast<PyWeights>(obj);
  return weights_from_array(obj);
}

// ---------------------------------------------------------------------------------------------
// INetworkDefinition

PyNetwork::PyNetwork(std::unique_ptr<NetworkDefinition> network, Logger* log)
    : def(std::move(network)), logger(log) {
  register_logger(def.get(), logger);
}
PyNetwork::~PyNetwork() {
  forget_layer_hints(*def);
  unregister_logger(def.get());
}

namespace {

constexpr auto kRef = nb::rv_policy::reference_internal;

Tensor* checked_index(int32_t index, int32_t count,
                      Tensor* (NetworkDefinition::*get)(int32_t) const,
                      const NetworkDefinition& def) {
  if (index < 0 || index >= count) return nullptr;
  return (def.*get)(index);
}

// TensorRT's get_layer returns the base ILayer (whose .type is the LayerType, where an activation
// or pooling layer's own .type is its ActivationType/PoolingType); nanobind would return the most
// derived class, so the instance is made as an ILayer that keeps the network alive.
nb::object base_layer(Layer* layer, nb::handle network) {
  return nb::inst_reference(nb::type<Layer>(), layer, network);
}

// TensorRT's ITensor.is_shape_tensor: whether the network needs the tensor's values at build time
// as a shape. A tensor is one when a layer takes it in a shape slot (kiln's: ShuffleLayer input 1,
// SliceLayer input 2, FillLayer input 0; see Layer::set_input), or when a layer other than
// IShapeLayer takes it and has an output that is a shape tensor (elementwise, concatenation,
// gather, ... compute shapes from shapes). IShapeLayer's input is an execution tensor: only its
// dimensions are read. Network outputs are never shape tensors (kiln has no
// mark_output_for_shapes).
bool is_shape_slot(LayerType type, int32_t input) {
  return (type == LayerType::kSHUFFLE && input == 1) || (type == LayerType::kSLICE && input == 2) ||
         (type == LayerType::kFILL && input == 0);
}

bool is_shape_tensor(const Tensor& tensor, std::unordered_map<const Tensor*, bool>& memo) {
  if (auto it = memo.find(&tensor); it != memo.end()) return it->second;
  memo[&tensor] = false;  // the graph is acyclic; this only guards against revisiting
  const NetworkDefinition& net = tensor.network();
  bool result = false;
  for (int32_t l = 0; l < net.num_layers() && !result; ++l) {
    const Layer* layer = net.get_layer(l);
    for (int32_t i = 0; i < layer->num_inputs() && !result; ++i) {
      if (layer->get_input(i) != &tensor) continue;
      if (is_shape_slot(layer->type(), i)) {
        result = true;
      } else if (layer->type() != LayerType::kSHAPE) {
        for (int32_t o = 0; o < layer->num_outputs() && !result; ++o) {
          const Tensor* out = layer->get_output(o);
          result = out != nullptr && is_shape_tensor(*out, memo);
        }
      }
    }
  }
  memo[&tensor] = result;
  return result;
}

}  // namespace

void bind_network(nb::module_& m) {
  nb::class_<PyWeights>(m, "Weights",
                        "Weight values for add_constant, add_convolution_nd, "
                        "add_fully_connected: a numpy array (kept alive; float64 becomes "
                        "float32), or empty. Plain numpy arrays are accepted wherever Weights "
                        "are.")
      .def(
          "__init__",
          [](PyWeights* self, DataType type) {
            new (self) PyWeights{nb::none(), type, nullptr, 0};
          },
          nb::arg("type") = DataType::kFLOAT, "Empty weights of a type.")
      .def(
          "__init__",
          [](PyWeights* self, DataType type, uintptr_t ptr, int64_t count) {
            if (count < 0) throw nb::value_error("kiln.Weights: count must be >= 0");
            if (ptr == 0 && count > 0) throw nb::value_error("kiln.Weights: null pointer");
            new (self) PyWeights{nb::none(), type, reinterpret_cast<const void*>(ptr), count};
          },
          nb::arg("type"), nb::arg("ptr"), nb::arg("count"),
          "TensorRT's Weights(type, ptr, count): `count` values at host address `ptr` (an int, "
          "e.g. array.ctypes.data), not copied: keep the memory alive until the network copied "
          "them (add_* and set_* copy at once). numpy() gives None for these.")
      .def(
          "__init__", [](PyWeights* self, nb::handle a) { new (self) PyWeights(to_weights(a)); },
          nb::arg("a"), "Weights holding the values of an array (anything numpy accepts).")
      .def_prop_ro(
          "dtype", [](const PyWeights& w) { return w.type; }, "The DataType of the values.")
      .def_prop_ro(
          "size", [](const PyWeights& w) { return w.count; }, "Number of values.")
      .def_prop_ro(
          "nbytes", [](const PyWeights& w) { return w.count * element_size(w.type); },
          "Size in bytes.")
      .def("__len__", [](const PyWeights& w) { return w.count; })
      .def(
          "numpy", [](const PyWeights& w) { return w.array; },
          "The values as a flat-or-shaped numpy array (None for empty weights).");

  nb::class_<Tensor> tensor(m, "ITensor", "A tensor of a network; owned by the network.");
  bind_tensor_dimension_names(tensor);
  tensor
      .def_prop_rw(
          "name", [](const Tensor& t) { return t.name(); },
          [](Tensor& t, const std::string& name) {
            guarded_void(logger_of(t), "ITensor.name", [&] { t.set_name(name); });
          },
          "The unique name; set it on inputs and outputs you bind at run time.")
      .def_prop_ro(
          "shape",
          [](const Tensor& t) -> nb::object {
            return guarded<nb::object>(logger_of(t), "ITensor.shape", nb::none(),
                                       [&] { return dims_to_python(t.dimensions()); });
          },
          "The inferred shape (-1 where it depends on a dynamic input dimension); None, with "
          "the reason logged, when the network has no valid shape here.")
      .def_prop_ro("dtype", &Tensor::type, "The DataType.")
      .def_prop_ro(
          "is_shape_tensor",
          [](const Tensor& t) {
            std::unordered_map<const Tensor*, bool> memo;
            return is_shape_tensor(t, memo);
          },
          "Whether the network uses the tensor's values as a shape (a shape input of a shuffle, "
          "slice or fill layer, or computed into one); False for execution tensors.")
      .def_prop_ro("is_network_input", &Tensor::is_network_input)
      .def_prop_ro("is_network_output", &Tensor::is_network_output)
      .def("__repr__", [](const Tensor& t) {
        std::string shape = "?";
        try {
          shape = to_string(t.dimensions());
        } catch (const Error&) {
        }
        return "<kiln.ITensor '" + t.name() + "' " + to_string(t.type()) + shape + ">";
      });

  nb::class_<PyNetwork> network(m, "INetworkDefinition",
                                "A network being defined: add_input, add_* layers, mark_output. "
                                "Layers and tensors it returns keep it alive.",
                                nb::is_weak_referenceable());
  network.def_prop_ro("num_inputs", [](const PyNetwork& n) { return n.def->num_inputs(); })
      .def_prop_ro("num_outputs", [](const PyNetwork& n) { return n.def->num_outputs(); })
      .def_prop_ro("num_layers", [](const PyNetwork& n) { return n.def->num_layers(); })
      .def_prop_ro(
          "has_implicit_batch_dimension", [](const PyNetwork&) { return false; },
          "Always False: explicit batch is kiln's only mode.")
      .def(
          "get_input",
          [](const PyNetwork& n, int32_t i) {
            return checked_index(i, n.def->num_inputs(), &NetworkDefinition::get_input, *n.def);
          },
          nb::arg("index"), kRef, "The index-th network input, or None.")
      .def(
          "get_output",
          [](const PyNetwork& n, int32_t i) {
            return checked_index(i, n.def->num_outputs(), &NetworkDefinition::get_output, *n.def);
          },
          nb::arg("index"), kRef, "The index-th network output, or None.")
      .def(
          "get_layer",
          [](nb::handle self, int32_t i) -> nb::object {
            const PyNetwork& n = nb::cast<const PyNetwork&>(self);
            if (i < 0 || i >= n.def->num_layers()) return nb::none();
            return base_layer(n.def->get_layer(i), self);
          },
          nb::arg("index"),
          "The index-th layer as the base trt.ILayer (as in TensorRT: .type is its LayerType; "
          "`layer.__class__ = trt.IConvolutionLayer` gives the kind's properties), or None.")
      .def("__len__", [](const PyNetwork& n) { return n.def->num_layers(); })
      .def("__getitem__",
           [](nb::handle self, int32_t i) -> nb::object {
             const PyNetwork& n = nb::cast<const PyNetwork&>(self);
             if (i < 0) i += n.def->num_layers();
             if (i < 0 || i >= n.def->num_layers()) throw nb::index_error();
             return base_layer(n.def->get_layer(i), self);
           })
      .def(
          "add_input",
          [](PyNetwork& n, const std::string& name, DataType dtype, const Dims& shape) {
            return add(n, "add_input", [&] { return n.def->add_input(name, dtype, shape); });
          },
          nb::arg("name"), nb::arg("dtype"), nb::arg("shape"), kRef,
          "Adds a network input; -1 in shape marks a dimension known only at run time.")
      .def(
          "mark_output",
          [](PyNetwork& n, Tensor& t) {
            guarded_void(n.logger, "mark_output", [&] { n.def->mark_output(t); });
          },
          nb::arg("tensor"))
      .def(
          "unmark_output",
          [](PyNetwork& n, Tensor& t) {
            guarded_void(n.logger, "unmark_output", [&] { n.def->unmark_output(t); });
          },
          nb::arg("tensor"))
      .def(
          "add_convolution_nd",
          [](PyNetwork& n, Tensor& input, int64_t num_output_maps, const Dims& kernel_shape,
             nb::handle kernel, nb::handle bias) {
            PyWeights k = to_weights(kernel), b = to_weights(bias);
            return add(n, "add_convolution_nd", [&] {
              return n.def->add_convolution_nd(input, num_output_maps, kernel_shape, k.view(),
                                               b.view());
            });
          },
          nb::arg("input"), nb::arg("num_output_maps"), nb::arg("kernel_shape"), nb::arg("kernel"),
          nb::arg("bias").none() = nb::none(), kRef,
          "kernel: num_output_maps x (input channels / groups) x kernel_shape values; bias: "
          "num_output_maps values or None.")
      .def(
          "add_pooling_nd",
          [](PyNetwork& n, Tensor& input, PoolingType type, const Dims& window_size) {
            return add(n, "add_pooling_nd",
                       [&] { return n.def->add_pooling_nd(input, type, window_size); });
          },
          nb::arg("input"), nb::arg("type"), nb::arg("window_size"), kRef)
      .def(
          "add_activation",
          [](PyNetwork& n, Tensor& input, ActivationType type) {
            return add(n, "add_activation", [&] { return n.def->add_activation(input, type); });
          },
          nb::arg("input"), nb::arg("type"), kRef)
      .def(
          "add_elementwise",
          [](PyNetwork& n, Tensor& a, Tensor& b, ElementWiseOperation op) {
            return add(n, "add_elementwise", [&] { return n.def->add_elementwise(a, b, op); });
          },
          nb::arg("input1"), nb::arg("input2"), nb::arg("op"), kRef,
          "Elementwise a op b with numpy broadcasting.")
      .def(
          "add_unary",
          [](PyNetwork& n, Tensor& input, UnaryOperation op) {
            return add(n, "add_unary", [&] { return n.def->add_unary(input, op); });
          },
          nb::arg("input"), nb::arg("op"), kRef)
      .def(
          "add_matrix_multiply",
          [](PyNetwork& n, Tensor& a, MatrixOperation op_a, Tensor& b, MatrixOperation op_b) {
            return add(n, "add_matrix_multiply",
                       [&] { return n.def->add_matrix_multiply(a, op_a, b, op_b); });
          },
          nb::arg("input0"), nb::arg("op0"), nb::arg("input1"), nb::arg("op1"), kRef)
      .def(
          "add_constant",
          [](PyNetwork& n, const Dims& shape, nb::handle weights) {
            PyWeights w = to_weights(weights);
            return add(n, "add_constant", [&] { return n.def->add_constant(shape, w.view()); });
          },
          nb::arg("shape"), nb::arg("weights"), kRef,
          "A constant tensor of `shape` holding `weights` (kiln.Weights or a numpy array; the "
          "values are copied).")
      .def(
          "add_shuffle",
          [](PyNetwork& n, Tensor& input) {
            return add(n, "add_shuffle", [&] { return n.def->add_shuffle(input); });
          },
          nb::arg("input"), kRef)
      .def(
          "add_softmax",
          [](PyNetwork& n, Tensor& input) {
            return add(n, "add_softmax", [&] { return n.def->add_softmax(input); });
          },
          nb::arg("input"), kRef)
      .def(
          "add_topk",
          [](PyNetwork& n, Tensor& input, TopKOperation op, int32_t k, uint32_t axes) {
            return add(n, "add_topk", [&] { return n.def->add_topk(input, op, k, axes); });
          },
          nb::arg("input"), nb::arg("op"), nb::arg("k"), nb::arg("axes"), kRef,
          "axes: a bitmask with exactly one bit set. Outputs: values, int32 indices.")
      .def(
          "add_identity",
          [](PyNetwork& n, Tensor& input) {
            return add(n, "add_identity", [&] { return n.def->add_identity(input); });
          },
          nb::arg("input"), kRef)
      .def(
          "add_reduce",
          [](PyNetwork& n, Tensor& input, ReduceOperation op, uint32_t axes, bool keep_dims) {
            return add(n, "add_reduce",
                       [&] { return n.def->add_reduce(input, op, axes, keep_dims); });
          },
          nb::arg("input"), nb::arg("op"), nb::arg("axes"), nb::arg("keep_dims"), kRef)
      .def(
          "add_concatenation",
          [](PyNetwork& n, std::vector<Tensor*> inputs) {
            return add(n, "add_concatenation", [&] {
              return n.def->add_concatenation(inputs.data(), static_cast<int32_t>(inputs.size()));
            });
          },
          nb::arg("inputs"), kRef)
      .def(
          "add_slice",
          [](PyNetwork& n, Tensor& input, const Dims& start, const Dims& shape,
             const Dims& stride) {
            return add(n, "add_slice",
                       [&] { return n.def->add_slice(input, start, shape, stride); });
          },
          nb::arg("input"), nb::arg("start"), nb::arg("shape"), nb::arg("stride"), kRef)
      .def(
          "add_gather",
          [](PyNetwork& n, Tensor& input, Tensor& indices, int32_t axis) {
            return add(n, "add_gather", [&] { return n.def->add_gather(input, indices, axis); });
          },
          nb::arg("input"), nb::arg("indices"), nb::arg("axis"), kRef)
      .def(
          "add_select",
          [](PyNetwork& n, Tensor& condition, Tensor& then_input, Tensor& else_input) {
            return add(n, "add_select",
                       [&] { return n.def->add_select(condition, then_input, else_input); });
          },
          nb::arg("condition"), nb::arg("then_input"), nb::arg("else_input"), kRef)
      .def(
          "add_cast",
          [](PyNetwork& n, Tensor& input, DataType to_type) {
            return add(n, "add_cast", [&] { return n.def->add_cast(input, to_type); });
          },
          nb::arg("input"), nb::arg("to_type"), kRef)
      .def(
          "add_normalization",
          [](PyNetwork& n, Tensor& input, Tensor& scale, Tensor& bias, uint32_t axes) {
            return add(n, "add_normalization",
                       [&] { return n.def->add_normalization(input, scale, bias, axes); });
          },
          nb::arg("input"), nb::arg("scale"), nb::arg("bias"), nb::arg("axesMask"), kRef,
          "Layer/instance/group normalization over the axes in the bitmask (see "
          "INormalizationLayer.num_groups).")
      .def(
          "add_fully_connected",
          [](PyNetwork& n, Tensor& input, int64_t num_outputs, nb::handle kernel, nb::handle bias) {
            PyWeights k = to_weights(kernel), b = to_weights(bias);
            return add(n, "add_fully_connected", [&] {
              return n.def->add_fully_connected(input, num_outputs, k.view(), b.view());
            });
          },
          nb::arg("input"), nb::arg("num_outputs"), nb::arg("kernel"),
          nb::arg("bias").none() = nb::none(), kRef,
          "TensorRT 8's fully connected layer, lowered to shuffle + matrix multiply (+ sum) + "
          "shuffle; returns the last of those layers.");
  bind_network_extra(network);
}

}  // namespace kiln::python
