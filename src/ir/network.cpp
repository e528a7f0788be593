// The network definition's core: names, the add/rollback machinery, lazy shape inference, and the
// Tensor, Layer and NetworkDefinition calls that are not add_* (those are in network_add.cpp).
#include <algorithm>
#include <cstring>

#include "core/half.h"
#include "ir/network_impl.h"
#include "ir/op.h"

namespace kiln {

const char* readable_kind(LayerType type) {
  // TensorRT's spelling where it differs from the Pascal name of layer_list.def.
  if (type == LayerType::kMATRIX_MULTIPLY) return "Matrix Multiply";
  if (type == LayerType::kSOFTMAX) return "Softmax";
  if (ir::is_internal(type)) return to_string(type);  // "fused_pointwise", "layer_norm"
  switch (type) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  case LayerType::k##UPPER:                           \
    return #Pascal;
#include "kiln/layer_list.def"
#undef KILN_LAYER
  }
  return "Unknown";
}

namespace {

bool is_known_type(DataType type) {
  return static_cast<int32_t>(type) >= 0 &&
         static_cast<int32_t>(type) <= static_cast<int32_t>(DataType::kBOOL);
}

float load_float(const void* values, DataType type, int64_t i) {
  switch (type) {
    case DataType::kHALF:
      return to_float(static_cast<const half_t*>(values)[i]);
    case DataType::kBF16:
      return to_float(static_cast<const bfloat16_t*>(values)[i]);
    default:
      return static_cast<const float*>(values)[i];
  }
}

void store_float(void* values, DataType type, int64_t i, float v) {
  switch (type) {
    case DataType::kHALF:
      static_cast<half_t*>(values)[i] = to_half(v);
      return;
    case DataType::kBF16:
      static_cast<bfloat16_t*>(values)[i] = to_bfloat16(v);
      return;
    default:
      static_cast<float*>(values)[i] = v;
      return;
  }
}

}  // namespace

void check_weights(const Weights& weights, const std::string& what, bool float_only) {
  if (!is_known_type(weights.type))
    fail(what, " has an unknown data type ", static_cast<int>(weights.type));
  if (float_only && weights.type != DataType::kFLOAT && weights.type != DataType::kHALF &&
      weights.type != DataType::kBF16) {
    fail(what, " must be float32, float16 or bfloat16 weights, got ", weights.type);
  }
  if (weights.count < 0) fail(what, " has a negative count ", weights.count);
  if (weights.count > 0 && weights.values == nullptr) {
    fail(what, " has count ", weights.count, " but no values (values is null)");
  }
}

Weights convert_float_weights(Weights weights, DataType to, std::vector<uint8_t>& storage) {
  if (weights.type == to || !ir::is_floating(weights.type) || !ir::is_floating(to)) return weights;
  storage.resize(static_cast<size_t>(weights.count * element_size(to)));
  for (int64_t i = 0; i < weights.count; ++i) {
    store_float(storage.data(), to, i, load_float(weights.values, weights.type, i));
  }
  return Weights{to, storage.data(), weights.count};
}

// ---------------------------------------------------------------------------------------------
// NetworkDefinition::Impl

using Impl = NetworkImpl;

std::string Impl::unique_tensor_name(const std::string& base) const {
  std::string name = base;
  for (int i = 2; tensor_by_name.count(name); ++i) name = str_cat(base, "_", i);
  return name;
}

std::string Impl::unique_layer_name(const std::string& base) const {
  std::string name = base;
  for (int i = 2; layer_by_name.count(name); ++i) name = str_cat(base, "_", i);
  return name;
}

void Impl::rename_tensor(int32_t tensor, const std::string& name) {
  std::string& current = graph.tensors[tensor].name;
  if (name.empty()) fail("tensor '", current, "': a tensor name cannot be empty");
  if (name == current) return;
  if (tensor_by_name.count(name)) {
    fail("cannot rename tensor '", current, "' to '", name, "': another tensor is already named '",
         name, "'");
  }
  tensor_by_name.erase(current);
  tensor_by_name[name] = tensor;
  current = name;
  *tensor_names[tensor] = name;
}

void Impl::rename_layer(int32_t id, const std::string& name) {
  std::string old = graph.nodes[id].name;
  if (name.empty()) fail("layer '", old, "': a layer name cannot be empty");
  if (name == old) return;
  if (layer_by_name.count(name)) {
    fail("cannot rename layer '", old, "' to '", name, "': another layer is already named '", name,
         "'");
  }
  layer_by_name.erase(old);
  layer_by_name[name] = id;
  graph.nodes[id].name = name;
  *layer_names[id] = name;
  if (graph.nodes[id].kind() == LayerType::kCONSTANT) {
    graph.weights[graph.nodes[id].get<ConstantAttrs>().weights].name = name;
  }
  // A (de)convolution's kernel and bias constants carry its name; they follow it while they still
  // have the names it gave them.
  if (graph.nodes[id].kind() == LayerType::kCONVOLUTION ||
      graph.nodes[id].kind() == LayerType::kDECONVOLUTION) {
    for (auto [input, suffix] : {std::pair{1, ".kernel"}, std::pair{2, ".bias"}}) {
      int32_t c = constant_input(id, input);
      if (c < 0 || graph.nodes[c].name != old + suffix || layer_by_name.count(name + suffix))
        continue;
      int32_t t = graph.nodes[c].outputs[0];
      if (graph.tensors[t].name == old + suffix && !tensor_by_name.count(name + suffix)) {
        rename_tensor(t, name + suffix);
      }
      rename_layer(c, name + suffix);
    }
  }
}

Layer* Impl::make_layer(LayerType type, int32_t id) {
  switch (type) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  case LayerType::k##UPPER:                           \
    return new Pascal##Layer(self, id);
#include "kiln/layer_list.def"
#undef KILN_LAYER
  }
  KILN_CHECK(false, "unknown layer type ", static_cast<int>(type));
  return nullptr;
}

int32_t Impl::add_tensor(const std::string& name) {
  int32_t id = static_cast<int32_t>(graph.tensors.size());
  KILN_CHECK(!tensor_by_name.count(name), "tensor name '", name, "' is taken");
  ir::Tensor t;
  t.name = name;
  graph.tensors.push_back(std::move(t));
  tensors.emplace_back(new Tensor(self, id));
  tensor_names.push_back(std::make_unique<std::string>(name));
  tensor_by_name[name] = id;
  return id;
}

int32_t Impl::add_node(ir::Attrs attrs, std::vector<int32_t> inputs, const std::string& name,
                       const char* kind) {
  int32_t id = static_cast<int32_t>(graph.nodes.size());
  ir::Node node;
  node.attrs = std::move(attrs);
  node.inputs = std::move(inputs);
  LayerType type = node.kind();
  node.name = unique_layer_name(
      name.empty() ? str_cat("(Unnamed Layer* ", id, ") [", kind ? kind : readable_kind(type), "]")
                   : name);
  layer_by_name[node.name] = id;
  layer_names.push_back(std::make_unique<std::string>(node.name));
  has_reader.push_back(false);
  for (int32_t t : node.inputs) {
    if (t >= 0 && graph.tensors[t].producer >= 0) has_reader[graph.tensors[t].producer] = true;
  }
  layers.emplace_back(make_layer(type, id));
  graph.nodes.push_back(std::move(node));
  int32_t n = ir::num_outputs(type);
  for (int32_t i = 0; i < n; ++i) {
    std::string base =
        graph.nodes[id].name + (n == 1 ? std::string("_output") : str_cat("_output_", i));
    int32_t t = add_tensor(unique_tensor_name(base));
    graph.tensors[t].producer = id;
    graph.nodes[id].outputs.push_back(t);
  }
  return id;
}

namespace {

std::shared_ptr<const std::vector<uint8_t>> copy_bytes(const Weights& weights) {
  auto bytes = std::make_shared<std::vector<uint8_t>>(
      static_cast<size_t>(weights.count * element_size(weights.type)));
  if (!bytes->empty()) std::memcpy(bytes->data(), weights.values, bytes->size());
  return bytes;
}

void check_count(const Dims& dims, const Weights& weights, const std::string& what) {
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (dims.d[i] < 0) fail(what, ": dimensions must be known (no -1), got ", dims);
  }
  if (weights.count != volume(dims)) {
    fail(what, ": expected ", volume(dims), " values for dimensions ", dims, ", got ",
         weights.count);
  }
}

}  // namespace

int32_t Impl::add_weights(const std::string& name, const Dims& dims, Weights weights,
                          const std::string& what) {
  check_weights(weights, what, false);
  check_count(dims, weights, what);
  graph.weights.push_back({name, weights.type, dims, copy_bytes(weights)});
  return static_cast<int32_t>(graph.weights.size() - 1);
}

void Impl::replace_weights(int32_t index, const Dims& dims, Weights weights,
                           const std::string& what) {
  check_weights(weights, what, false);
  check_count(dims, weights, what);
  ir::WeightsData& w = graph.weights[index];
  w.type = weights.type;
  w.dims = dims;
  w.bytes = copy_bytes(weights);
  dirty = true;
}

int32_t Impl::add_constant_node(const std::string& name, const Dims& dims, Weights weights,
                                const std::string& what) {
  int32_t w = add_weights(name, dims, weights, what);
  ConstantAttrs attrs;
  attrs.weights = w;
  int32_t id = add_node(attrs, {}, name);
  graph.weights[w].name = graph.nodes[id].name;
  return id;
}

int32_t Impl::add_owned_constant(const std::string& name, const Dims& dims, Weights weights,
                                 const std::string& what) {
  int32_t id = add_constant_node(name, dims, weights, what);
  int32_t t = graph.nodes[id].outputs[0];
  rename_tensor(t, unique_tensor_name(graph.nodes[id].name));
  return t;
}

void Impl::rollback(const Mark& m) {
  for (size_t n = m.nodes; n < graph.nodes.size(); ++n) layer_by_name.erase(graph.nodes[n].name);
  for (size_t t = m.tensors; t < graph.tensors.size(); ++t)
    tensor_by_name.erase(graph.tensors[t].name);
  graph.nodes.resize(m.nodes);
  layers.resize(m.nodes);
  layer_names.resize(m.nodes);
  has_reader.resize(m.nodes);
  stale.erase(stale.lower_bound(static_cast<int32_t>(m.nodes)), stale.end());
  graph.tensors.resize(m.tensors);
  tensors.resize(m.tensors);
  tensor_names.resize(m.tensors);
  graph.weights.resize(m.weights);
  auto removed = [&](int32_t t) { return t >= static_cast<int32_t>(m.tensors); };
  std::erase_if(graph.inputs, removed);
  std::erase_if(graph.outputs, removed);
}

void Impl::check_constant(int32_t id) const {
  const ir::WeightsData& w = graph.weights[graph.nodes[id].get<ConstantAttrs>().weights];
  int64_t count = static_cast<int64_t>(w.bytes->size()) / element_size(w.type);
  if (count != volume(w.dims)) {
    fail(layer_label(id), " dimensions ", w.dims, " need ", volume(w.dims),
         " values but its weights hold ", count);
  }
}

void Impl::touch(int32_t node) {
  if (!dirty && !has_reader[node]) {
    stale.insert(node);
  } else {
    dirty = true;
  }
}

void Impl::set_node_input(int32_t node, int32_t index, int32_t tensor) {
  std::vector<int32_t>& inputs = graph.nodes[node].inputs;
  if (index >= static_cast<int32_t>(inputs.size())) inputs.resize(index + 1, -1);
  inputs[index] = tensor;
  if (tensor >= 0 && graph.tensors[tensor].producer >= 0)
    has_reader[graph.tensors[tensor].producer] = true;
}

void Impl::ensure_inferred() {
  if (!dirty) {
    // Stale nodes read nothing stale and nothing reads them: infer each alone, constants checked
    // first and then in the order infer_graph would meet them (by index, none is another's
    // ancestor), so the first error is the one a whole-graph inference would throw.
    for (int32_t n : stale) {
      if (graph.nodes[n].kind() == LayerType::kCONSTANT) check_constant(n);
    }
    while (!stale.empty()) {
      infer_node(*stale.begin());
      stale.erase(stale.begin());
    }
    return;
  }
  for (int32_t n = 0; n < static_cast<int32_t>(graph.nodes.size()); ++n) {
    if (graph.nodes[n].kind() == LayerType::kCONSTANT) check_constant(n);
  }
  ir::infer_graph(graph);
  dirty = false;
  stale.clear();
}

void Impl::infer_node(int32_t id) {
  const ir::Node& node = graph.nodes[id];
  if (node.kind() == LayerType::kCONSTANT) {
    check_constant(id);
    ir::TensorDesc d = ir::weights_desc(graph.weights[node.get<ConstantAttrs>().weights]);
    ir::Tensor& t = graph.tensors[node.outputs[0]];
    t.type = d.type;
    t.dims = d.dims;
    t.has_value = d.has_value;
    t.value = std::move(d.value);
    return;
  }
  std::vector<ir::TensorDesc> in, out(node.outputs.size());
  for (int32_t t : node.inputs) {
    ir::TensorDesc d;
    if (t < 0) {
      d.dims.nb_dims = -1;
    } else {
      d = graph.desc(t);
    }
    in.push_back(d);
  }
  ir::infer_node(node, in, out);
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    ir::Tensor& t = graph.tensors[node.outputs[i]];
    t.type = out[i].type;
    t.dims = out[i].dims;
    t.has_value = out[i].has_value;
    t.value = std::move(out[i].value);
  }
}

const ir::Tensor& Impl::inferred(int32_t tensor) {
  const int32_t producer = graph.tensors[tensor].producer;
  if (producer < 0) return graph.tensors[tensor];
  if (!dirty) {
    // Only stale nodes (which nothing reads) need inference: this tensor's producer, if it is one.
    auto it = stale.find(producer);
    if (it != stale.end()) {
      infer_node(producer);
      stale.erase(it);
    }
    return graph.tensors[tensor];
  }
  try {
    ensure_inferred();
    return graph.tensors[tensor];
  } catch (const Error&) {
    // Fall through: infer only what this tensor depends on, which reports its own problem if any.
  }
  std::vector<bool> needed(graph.nodes.size(), false);
  std::vector<int32_t> stack{tensor};
  while (!stack.empty()) {
    int32_t t = stack.back();
    stack.pop_back();
    int32_t p = t < 0 ? -1 : graph.tensors[t].producer;
    if (p < 0 || needed[p]) continue;
    needed[p] = true;
    for (int32_t i : graph.nodes[p].inputs) stack.push_back(i);
  }
  for (int32_t n : ir::topological_order(graph)) {
    if (needed[n]) infer_node(n);
  }
  return graph.tensors[tensor];
}

void Impl::infer_new_node(int32_t id) {
  if (dirty || !stale.empty()) {
    for (int32_t t : graph.nodes[id].inputs) {
      if (t >= 0) inferred(t);
    }
  }
  infer_node(id);
}

int32_t Impl::tensor_index(const Tensor& tensor, const char* what) const {
  if (tensor.network_ != self || tensor.id_ < 0 ||
      tensor.id_ >= static_cast<int32_t>(tensors.size()) || tensors[tensor.id_].get() != &tensor) {
    fail(what, ": tensor '", tensor.name(), "' belongs to another network");
  }
  return tensor.id_;
}

std::string Impl::layer_label(int32_t id) const {
  return str_cat("[", to_string(graph.nodes[id].kind()), " '", graph.nodes[id].name, "']");
}

bool Impl::has_consumer(int32_t tensor) const {
  for (const ir::Node& n : graph.nodes) {
    if (std::find(n.inputs.begin(), n.inputs.end(), tensor) != n.inputs.end()) return true;
  }
  return std::find(graph.outputs.begin(), graph.outputs.end(), tensor) != graph.outputs.end();
}

int32_t Impl::constant_input(int32_t id, int32_t input) const {
  const ir::Node& n = graph.nodes[id];
  if (input >= static_cast<int32_t>(n.inputs.size()) || n.inputs[input] < 0) return -1;
  int32_t p = graph.tensors[n.inputs[input]].producer;
  return p >= 0 && graph.nodes[p].kind() == LayerType::kCONSTANT ? p : -1;
}

// ---------------------------------------------------------------------------------------------
// Tensor

const std::string& Tensor::name() const {
  return *network_->impl_->tensor_names[id_];
}

void Tensor::set_name(const std::string& name) {
  network_->impl_->rename_tensor(id_, name);
}

DataType Tensor::type() const {
  return network_->impl_->inferred(id_).type;
}

Dims Tensor::dimensions() const {
  return network_->impl_->inferred(id_).dims;
}

bool Tensor::is_network_input() const {
  const auto& inputs = network_->impl_->graph.inputs;
  return std::find(inputs.begin(), inputs.end(), id_) != inputs.end();
}

bool Tensor::is_network_output() const {
  const auto& outputs = network_->impl_->graph.outputs;
  return std::find(outputs.begin(), outputs.end(), id_) != outputs.end();
}

// ---------------------------------------------------------------------------------------------
// Layer

LayerType Layer::type() const {
  return network_->impl_->graph.nodes[id_].kind();
}

const std::string& Layer::name() const {
  return *network_->impl_->layer_names[id_];
}

void Layer::set_name(const std::string& name) {
  network_->impl_->rename_layer(id_, name);
}

int32_t Layer::num_inputs() const {
  return static_cast<int32_t>(network_->impl_->graph.nodes[id_].inputs.size());
}

Tensor* Layer::get_input(int32_t index) const {
  Impl& impl = *network_->impl_;
  if (index < 0 || index >= num_inputs()) {
    fail(impl.layer_label(id_), " get_input(", index, "): the layer has ", num_inputs(), " inputs");
  }
  int32_t t = impl.graph.nodes[id_].inputs[index];
  return t < 0 ? nullptr : impl.tensors[t].get();
}

namespace {

// Inputs a layer takes beyond those add_* gives it (TensorRT's setInput): a shuffle's reshape
// dimensions (1), a slice's size (2), a fill's dimensions (0), each a shape tensor.
int32_t max_inputs(LayerType type, int32_t current) {
  switch (type) {
    case LayerType::kSHUFFLE:
      return 2;
    case LayerType::kSLICE:
      return 3;
    case LayerType::kFILL:
      return 1;
    default:
      return current;
  }
}

}  // namespace

void Layer::set_input(int32_t index, Tensor& tensor) {
  Impl& impl = *network_->impl_;
  int32_t limit = max_inputs(type(), num_inputs());
  if (index < 0 || index >= limit) {
    fail(impl.layer_label(id_), " set_input(", index, "): the layer takes ", limit, " inputs");
  }
  int32_t t = impl.tensor_index(tensor, str_cat(impl.layer_label(id_), " set_input").c_str());
  impl.set_node_input(id_, index, t);
  impl.dirty = true;
}

int32_t Layer::num_outputs() const {
  return static_cast<int32_t>(network_->impl_->graph.nodes[id_].outputs.size());
}

Tensor* Layer::get_output(int32_t index) const {
  Impl& impl = *network_->impl_;
  if (index < 0 || index >= num_outputs()) {
    fail(impl.layer_label(id_), " get_output(", index, "): the layer has ", num_outputs(),
         " outputs");
  }
  return impl.tensors[impl.graph.nodes[id_].outputs[index]].get();
}

// ---------------------------------------------------------------------------------------------
// NetworkDefinition

NetworkDefinition::NetworkDefinition() : impl_(std::make_unique<Impl>()) {
  impl_->self = this;
}

NetworkDefinition::~NetworkDefinition() = default;

Tensor* NetworkDefinition::add_input(const std::string& name, DataType type, const Dims& dims) {
  if (name.empty()) fail("add_input: the input needs a name");
  if (impl_->tensor_by_name.count(name))
    fail("add_input: a tensor named '", name, "' already exists");
  if (!is_known_type(type))
    fail("add_input '", name, "': unknown data type ", static_cast<int>(type));
  if (dims.nb_dims < 0 || dims.nb_dims > Dims::kMaxDims) {
    fail("add_input '", name, "': rank must be 0 to ", Dims::kMaxDims, ", got ", dims.nb_dims);
  }
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (dims.d[i] < -1) {
      fail("add_input '", name, "': dimension ", i, " is ", dims.d[i], " in ", dims,
           "; use -1 for a dimension known only at run time");
    }
  }
  int32_t t = impl_->add_tensor(name);
  impl_->graph.tensors[t].type = type;
  impl_->graph.tensors[t].dims = dims;
  impl_->graph.inputs.push_back(t);
  return impl_->tensors[t].get();
}

void NetworkDefinition::mark_output(Tensor& tensor) {
  int32_t t = impl_->tensor_index(tensor, "mark_output");
  if (tensor.is_network_output()) return;
  if (tensor.is_network_input()) {
    fail("mark_output: '", tensor.name(), "' is a network input and cannot also be an output; ",
         "add an identity layer (add_identity) and mark its output instead");
  }
  impl_->graph.outputs.push_back(t);
}

void NetworkDefinition::unmark_output(Tensor& tensor) {
  int32_t t = impl_->tensor_index(tensor, "unmark_output");
  std::erase(impl_->graph.outputs, t);
}

int32_t NetworkDefinition::num_inputs() const {
  return static_cast<int32_t>(impl_->graph.inputs.size());
}

int32_t NetworkDefinition::num_outputs() const {
  return static_cast<int32_t>(impl_->graph.outputs.size());
}

int32_t NetworkDefinition::num_layers() const {
  return static_cast<int32_t>(impl_->graph.nodes.size());
}

Tensor* NetworkDefinition::get_input(int32_t index) const {
  if (index < 0 || index >= num_inputs()) {
    fail("get_input(", index, "): the network has ", num_inputs(), " inputs");
  }
  return impl_->tensors[impl_->graph.inputs[index]].get();
}

Tensor* NetworkDefinition::get_output(int32_t index) const {
  if (index < 0 || index >= num_outputs()) {
    fail("get_output(", index, "): the network has ", num_outputs(), " outputs");
  }
  return impl_->tensors[impl_->graph.outputs[index]].get();
}

Layer* NetworkDefinition::get_layer(int32_t index) const {
  if (index < 0 || index >= num_layers()) {
    fail("get_layer(", index, "): the network has ", num_layers(), " layers");
  }
  return impl_->layers[index].get();
}

const ir::Graph& NetworkDefinition::graph() const {
  impl_->ensure_inferred();
  return impl_->graph;
}

}  // namespace kiln
