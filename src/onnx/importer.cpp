// ImportContext: values by ONNX name, node inputs/outputs/attributes, naming, and build-time
// folding of nodes whose inputs are all constants (run through a scratch CPU engine).
#include "onnx/importer.h"

#include <cmath>
#include <cstring>

#include "kiln/builder.h"
#include "kiln/runtime.h"
#include "onnx/plugin_import.h"

namespace kiln::onnx {

std::string ImportContext::base_name() const {
  if (!node_->name.empty()) return node_->name;
  return str_cat(node_->op_type, "_", node_index_);
}

void ImportContext::unsupported(const std::string& reason) const {
  throw NodeError(
      str_cat("[", node_->op_type, " node '", node_->name, "' (#", node_index_, ")] ", reason),
      node_index_, true);
}

void ImportContext::invalid(const std::string& reason) const {
  throw NodeError(
      str_cat("[", node_->op_type, " node '", node_->name, "' (#", node_index_, ")] ", reason),
      node_index_, false);
}

Layer& ImportContext::named(Layer& layer, const std::string& suffix) {
  std::string base = suffix.empty() ? base_name() : base_name() + "/" + suffix;
  std::string name = base;
  for (int i = 1; used_layer_names_.count(name); ++i) name = str_cat(base, "_", i);
  used_layer_names_.insert(name);
  try {
    layer.set_name(name);
  } catch (const Error&) {
    // A generated name of the network already took it; keep the generated one.
  }
  return layer;
}

Tensor& ImportContext::tensor_of(const std::string& name) {
  auto it = values_.find(name);
  if (it == values_.end()) {
    if (node_)
      invalid(str_cat("input '", name,
                      "' is not produced by any earlier node, "
                      "initializer or graph input"));
    fail("ONNX graph: '", name, "' is not produced by any node, initializer or graph input");
  }
  Value& v = it->second;
  if (v.tensor) return *v.tensor;
  const TensorValue& c = *v.constant;
  Dims dims;
  if (c.dims.size() > static_cast<size_t>(Dims::kMaxDims)) {
    fail("ONNX constant '", name, "' has rank ", c.dims.size(), "; kiln supports up to ",
         Dims::kMaxDims);
  }
  dims.nb_dims = static_cast<int32_t>(c.dims.size());
  for (size_t i = 0; i < c.dims.size(); ++i) dims.d[i] = c.dims[i];
  Weights w{c.type, c.bytes.data(), c.count()};
  ConstantLayer* layer = network_.add_constant(dims, w);
  std::string layer_name = name;
  for (int i = 1; used_layer_names_.count(layer_name); ++i) layer_name = str_cat(name, "_", i);
  used_layer_names_.insert(layer_name);
  try {
    layer->set_name(layer_name);
  } catch (const Error&) {
  }
  Tensor* t = layer->get_output(0);
  try {
    t->set_name(name);
  } catch (const Error&) {
  }
  named_tensors_.insert(t);
  v.tensor = t;
  return *t;
}

bool ImportContext::has_input(int32_t i) const {
  return i >= 0 && i < num_inputs() && !node_->inputs[i].empty();
}

Tensor& ImportContext::input(int32_t i) {
  if (!has_input(i)) invalid(str_cat("input ", i, " is missing"));
  return tensor_of(node_->inputs[i]);
}

const TensorValue* ImportContext::constant(int32_t i) const {
  if (!has_input(i)) return nullptr;
  auto it = values_.find(node_->inputs[i]);
  if (it == values_.end() || !it->second.constant) return nullptr;
  return it->second.constant.get();
}

const TensorValue& ImportContext::require_constant(int32_t i, const char* what) const {
  const TensorValue* c = constant(i);
  if (!c) {
    unsupported(str_cat("input ", i, " ('", has_input(i) ? node_->inputs[i] : "", "', ", what,
                        ") must be known at build time (a constant, an initializer or computed "
                        "from static shapes); kiln takes this input as a run-time shape tensor "
                        "only where docs/onnx.md says so"));
  }
  return *c;
}

DataType ImportContext::input_type(int32_t i) {
  const TensorValue* c = constant(i);
  if (c) return c->type;
  return input(i).type();
}

Dims ImportContext::input_dims(int32_t i) {
  const TensorValue* c = constant(i);
  if (c) return to_dims(*this, c->dims);
  return input(i).dimensions();
}

void ImportContext::set_output(int32_t i, Tensor& tensor) {
  if (!has_output(i)) return;
  Tensor* t = &tensor;
  if (named_tensors_.count(t) || t->is_network_input()) {
    t = named(network_.add_identity(*t), str_cat("copy", i)).get_output(0);
  }
  const std::string& name = node_->outputs[i];
  try {
    t->set_name(name);
  } catch (const Error& e) {
    invalid(str_cat("cannot name output ", i, " '", name, "': ", e.what()));
  }
  named_tensors_.insert(t);
  values_[name] = Value{t, nullptr};
}

void ImportContext::set_constant_output(int32_t i, TensorValue value) {
  if (!has_output(i)) return;
  values_[node_->outputs[i]] =
      Value{nullptr, std::make_shared<const TensorValue>(std::move(value))};
}

int64_t ImportContext::attr_int(const char* name, int64_t fallback) const {
  const Attribute* a = node_->find(name);
  return a ? a->i : fallback;
}

float ImportContext::attr_float(const char* name, float fallback) const {
  const Attribute* a = node_->find(name);
  return a ? a->f : fallback;
}

std::string ImportContext::attr_string(const char* name, const std::string& fallback) const {
  const Attribute* a = node_->find(name);
  return a ? a->s : fallback;
}

std::vector<int64_t> ImportContext::attr_ints(const char* name,
                                              std::vector<int64_t> fallback) const {
  const Attribute* a = node_->find(name);
  return a ? a->ints : fallback;
}

std::vector<float> ImportContext::attr_floats(const char* name) const {
  const Attribute* a = node_->find(name);
  return a ? a->floats : std::vector<float>{};
}

const TensorProto* ImportContext::attr_tensor(const char* name) const {
  const Attribute* a = node_->find(name);
  return a ? a->t.get() : nullptr;
}

Tensor& ImportContext::constant_tensor(const TensorValue& c, const std::string& suffix) {
  Dims dims = to_dims(*this, c.dims);
  ConstantLayer* layer = network_.add_constant(dims, Weights{c.type, c.bytes.data(), c.count()});
  named(*layer, suffix);
  return *layer->get_output(0);
}

Tensor& ImportContext::scalar(DataType type, double v, int32_t rank, const std::string& suffix) {
  std::vector<int64_t> dims(static_cast<size_t>(rank), 1);
  return constant_tensor(make_value(type, dims, {v}), suffix);
}

namespace {

// Op types never folded: they make their own constants, or are random.
bool foldable(const std::string& op) {
  return op != "Constant" && op != "RandomNormal" && op != "RandomUniform" &&
         op != "RandomNormalLike" && op != "RandomUniformLike" && op != "Bernoulli" &&
         op != "Multinomial";
}

Logger& silent_logger() {
  static Logger logger(Logger::Severity::kINTERNAL_ERROR);
  return logger;
}

}  // namespace

bool ImportContext::try_fold() {
  if (!allow_folding || !foldable(node_->op_type)) return false;
  int64_t bytes = 0;
  for (int32_t i = 0; i < num_inputs(); ++i) {
    if (!has_input(i)) continue;
    const TensorValue* c = constant(i);
    if (!c) return false;
    bytes += static_cast<int64_t>(c->bytes.size());
  }
  if (bytes > (int64_t{64} << 20)) return false;

  // Import the node into a scratch network whose inputs are constants, run it on the CPU, and
  // keep its outputs as constants.
  Builder builder(silent_logger());
  std::unique_ptr<NetworkDefinition> scratch = builder.create_network();
  ImportContext sub(*scratch, opset_, logger_);
  sub.allow_folding = false;
  sub.model_dir = model_dir;
  for (const std::string& name : node_->inputs) {
    if (!name.empty()) sub.values_[name] = values_.at(name);
  }
  for (auto& [name, v] : sub.values_) v.tensor = nullptr;
  sub.import_node(*node_, node_index_);  // errors are the node's own
  std::vector<TensorValue> results(node_->outputs.size());
  std::vector<std::string> run_names;
  for (size_t i = 0; i < node_->outputs.size(); ++i) {
    const std::string& name = node_->outputs[i];
    if (name.empty()) continue;
    auto it = sub.values_.find(name);
    if (it == sub.values_.end()) return false;
    if (it->second.constant) {
      results[i] = *it->second.constant;
    } else {
      scratch->mark_output(*it->second.tensor);
      run_names.push_back(name);
    }
  }
  if (!run_names.empty()) {
    try {
      std::unique_ptr<BuilderConfig> config = builder.create_builder_config();
      config->set_default_device_type(DeviceType::kCPU);
      std::vector<uint8_t> plan = builder.build_serialized_network(*scratch, *config);
      Runtime runtime(silent_logger());
      std::unique_ptr<Engine> engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
      std::unique_ptr<ExecutionContext> context = engine->create_execution_context();
      std::vector<std::vector<uint8_t>> buffers(run_names.size());
      for (size_t k = 0; k < run_names.size(); ++k) {
        Dims shape = context->get_tensor_shape(run_names[k]);
        DataType type = engine->get_tensor_dtype(run_names[k]);
        buffers[k].resize(
            static_cast<size_t>(std::max<int64_t>(volume(shape), 1) * element_size(type)));
        context->set_tensor_address(run_names[k], buffers[k].data());
      }
      context->execute_async_v3(nullptr);
      for (size_t i = 0, k = 0; i < node_->outputs.size(); ++i) {
        if (k >= run_names.size() || node_->outputs[i] != run_names[k]) continue;
        Dims shape = context->get_tensor_shape(run_names[k]);
        TensorValue& v = results[i];
        v.type = engine->get_tensor_dtype(run_names[k]);
        v.dims.assign(shape.d, shape.d + shape.nb_dims);
        buffers[k].resize(static_cast<size_t>(volume(shape) * element_size(v.type)));
        v.bytes = std::move(buffers[k]);
        ++k;
      }
    } catch (const Error& e) {
      logger_.report(Logger::Severity::kVERBOSE,
                     str_cat("onnx: not folding node '", node_->name, "': ", e.what()));
      return false;
    }
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (!node_->outputs[i].empty())
      set_constant_output(static_cast<int32_t>(i), std::move(results[i]));
  }
  return true;
}

void ImportContext::import_node(const Node& node, int32_t index) {
  node_ = &node;
  node_index_ = index;
  const ImporterMap& map = importers();
  bool standard = node.domain.empty() || node.domain == "ai.onnx";
  auto it = standard ? map.find(node.op_type) : map.end();
  if (it == map.end() && import_as_plugin(*this)) return;  // a registered plugin of that name
  if (!standard) {
    unsupported(str_cat("domain '", node.domain, "' is not supported (only ai.onnx)"));
  }
  if (it == map.end()) unsupported(str_cat("no importer for op type '", node.op_type, "'"));
  if (try_fold()) return;
  node_ = &node;
  node_index_ = index;
  try {
    it->second(*this);
  } catch (const NodeError&) {
    throw;
  } catch (const Error& e) {
    // An add_* call refused the layer: name the node it came from.
    invalid(e.what());
  }
  for (int32_t i = 0; i < num_outputs(); ++i) {
    if (has_output(i) && !values_.count(node.outputs[i])) {
      unsupported(str_cat("output ", i, " ('", node.outputs[i], "') is not supported"));
    }
  }
}

// --- helpers

int32_t normalize_axis(ImportContext& ctx, int64_t axis, int32_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    ctx.invalid(str_cat("axis ", axis, " is out of range for rank ", rank));
  }
  return static_cast<int32_t>(a);
}

uint32_t axes_mask(const std::vector<int64_t>& axes) {
  uint32_t m = 0;
  for (int64_t a : axes) m |= 1u << a;
  return m;
}

Dims to_dims(ImportContext& ctx, const std::vector<int64_t>& v) {
  if (v.size() > static_cast<size_t>(Dims::kMaxDims)) {
    ctx.unsupported(str_cat("rank ", v.size(), " is above kiln's limit of ", Dims::kMaxDims));
  }
  Dims d;
  d.nb_dims = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) d.d[i] = v[i];
  return d;
}

std::vector<int64_t> to_int64s(const TensorValue& c) {
  std::vector<double> d = to_doubles(c);
  std::vector<int64_t> out(d.size());
  if (c.type == DataType::kINT64) {
    if (!out.empty()) std::memcpy(out.data(), c.bytes.data(), out.size() * 8);
    return out;
  }
  for (size_t i = 0; i < d.size(); ++i) out[i] = static_cast<int64_t>(d[i]);
  return out;
}

std::vector<double> to_doubles(const TensorValue& c) {
  int64_t n = c.count();
  std::vector<double> out(static_cast<size_t>(n));
  const uint8_t* p = c.bytes.data();
  for (int64_t i = 0; i < n; ++i) {
    switch (c.type) {
      case DataType::kFLOAT: {
        float f;
        std::memcpy(&f, p + i * 4, 4);
        out[i] = f;
        break;
      }
      case DataType::kHALF: {
        uint16_t h;
        std::memcpy(&h, p + i * 2, 2);
        uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
        double v = exp == 0    ? std::ldexp(man, -24)
                   : exp == 31 ? (man ? NAN : INFINITY)
                               : std::ldexp(man | 0x400, static_cast<int>(exp) - 25);
        out[i] = sign ? -v : v;
        break;
      }
      case DataType::kBF16: {
        uint16_t h;
        std::memcpy(&h, p + i * 2, 2);
        uint32_t bits = static_cast<uint32_t>(h) << 16;
        float f;
        std::memcpy(&f, &bits, 4);
        out[i] = f;
        break;
      }
      case DataType::kINT8:
        out[i] = static_cast<int8_t>(p[i]);
        break;
      case DataType::kUINT8:
      case DataType::kBOOL:
        out[i] = p[i];
        break;
      case DataType::kINT32: {
        int32_t x;
        std::memcpy(&x, p + i * 4, 4);
        out[i] = x;
        break;
      }
      case DataType::kINT64: {
        int64_t x;
        std::memcpy(&x, p + i * 8, 8);
        out[i] = static_cast<double>(x);
        break;
      }
    }
  }
  return out;
}

TensorValue make_value(DataType type, std::vector<int64_t> dims,
                       const std::vector<double>& values) {
  TensorValue v;
  v.type = type;
  v.dims = std::move(dims);
  int64_t n = 1;
  for (int64_t d : v.dims) {
    // Build-time constants are small (shapes, masks, indices); refuse absurd sizes from a
    // corrupted or hostile model instead of allocating them.
    if (d < 0 || (d > 0 && n > (int64_t{1} << 28) / d)) {
      fail("ONNX: a build-time constant of dims [", d, ", ...] is negative or too large to make");
    }
    n *= d;
  }
  v.bytes.resize(static_cast<size_t>(n * element_size(type)));
  uint8_t* p = v.bytes.data();
  for (int64_t i = 0; i < n; ++i) {
    double x = values.size() == 1 ? values[0] : values[static_cast<size_t>(i)];
    switch (type) {
      case DataType::kFLOAT: {
        float f = static_cast<float>(x);
        std::memcpy(p + i * 4, &f, 4);
        break;
      }
      case DataType::kHALF: {
        // Round to nearest even through float bits.
        float f = static_cast<float>(x);
        uint32_t b;
        std::memcpy(&b, &f, 4);
        uint32_t sign = (b >> 16) & 0x8000;
        int32_t exp = static_cast<int32_t>((b >> 23) & 0xff) - 127 + 15;
        uint32_t man = b & 0x7fffff;
        uint16_t h;
        if (((b >> 23) & 0xff) == 0xff) {
          h = static_cast<uint16_t>(sign | 0x7c00 | (man ? 0x200 : 0));
        } else if (exp >= 31) {
          h = static_cast<uint16_t>(sign | 0x7c00);
        } else if (exp <= 0) {
          if (exp < -10) {
            h = static_cast<uint16_t>(sign);
          } else {
            man |= 0x800000;
            uint32_t shift = static_cast<uint32_t>(14 - exp);
            uint32_t half = man >> shift;
            uint32_t rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1))) ++half;
            h = static_cast<uint16_t>(sign | half);
          }
        } else {
          uint32_t half = (static_cast<uint32_t>(exp) << 10) | (man >> 13);
          uint32_t rem = man & 0x1fff;
          if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) ++half;
          h = static_cast<uint16_t>(sign | half);
        }
        std::memcpy(p + i * 2, &h, 2);
        break;
      }
      case DataType::kBF16: {
        float f = static_cast<float>(x);
        uint32_t b;
        std::memcpy(&b, &f, 4);
        b += 0x7fff + ((b >> 16) & 1);
        uint16_t h = static_cast<uint16_t>(b >> 16);
        std::memcpy(p + i * 2, &h, 2);
        break;
      }
      case DataType::kINT8:
        p[i] = static_cast<uint8_t>(static_cast<int8_t>(x));
        break;
      case DataType::kUINT8:
        p[i] = static_cast<uint8_t>(x);
        break;
      case DataType::kBOOL:
        p[i] = x != 0;
        break;
      case DataType::kINT32: {
        int32_t y = static_cast<int32_t>(x);
        std::memcpy(p + i * 4, &y, 4);
        break;
      }
      case DataType::kINT64: {
        int64_t y = static_cast<int64_t>(x);
        std::memcpy(p + i * 8, &y, 8);
        break;
      }
    }
  }
  return v;
}

Tensor& reshape(ImportContext& ctx, Tensor& t, const Dims& dims, const std::string& suffix) {
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(t), suffix);
  s.set_zero_is_placeholder(false);
  s.set_reshape_dimensions(dims);
  return *s.get_output(0);
}

Tensor& broadcast_rank(ImportContext& ctx, Tensor& t, int32_t rank, const std::string& suffix) {
  Dims d = t.dimensions();
  if (d.nb_dims >= rank) return t;
  Dims out;
  out.nb_dims = rank;
  int32_t pad = rank - d.nb_dims;
  for (int32_t i = 0; i < pad; ++i) out.d[i] = 1;
  for (int32_t i = 0; i < d.nb_dims; ++i) out.d[pad + i] = d.d[i] < 0 ? 0 : d.d[i];
  ShuffleLayer& s = ctx.named(ctx.network().add_shuffle(t), suffix);
  // 0 copies a dynamic dimension from the same index, which only works without padding.
  bool dynamic = d.is_dynamic();
  if (dynamic) {
    for (int32_t i = 0; i < d.nb_dims; ++i) {
      if (d.d[i] < 0) ctx.unsupported("broadcasting a tensor with dynamic dims to a higher rank");
    }
  }
  s.set_zero_is_placeholder(false);
  s.set_reshape_dimensions(out);
  return *s.get_output(0);
}

Tensor& cast(ImportContext& ctx, Tensor& t, DataType type, const std::string& suffix) {
  if (t.type() == type) return t;
  return *ctx.named(ctx.network().add_cast(t, type), suffix).get_output(0);
}

}  // namespace kiln::onnx
