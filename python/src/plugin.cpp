// Plugins in Python: fields, the registry and creators (C++ or Python), add_plugin_v3, and plugins
// written in Python for the CPU backend. A Python plugin or creator is wrapped in a C++ PluginV3 /
// PluginCreator that calls it with the GIL held; enqueue hands it numpy arrays (kiln/_plugin.py
// turns the raw buffers into arrays).
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <sstream>

#include "bindings.h"

namespace kiln::python {
namespace {

constexpr auto kRef = nb::rv_policy::reference_internal;

template <typename... Args>
std::string cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

// Calls a Python method with the GIL; Python exceptions become kiln::Error with the message.
template <typename... Args>
nb::object call(const nb::object& obj, const char* method, Args&&... args) {
  try {
    return obj.attr(method)(std::forward<Args>(args)...);
  } catch (nb::python_error& e) {
    throw Error(cat(method, ": ", e.what()));
  } catch (const nb::cast_error& e) {
    throw Error(cat(method, ": ", e.what()));
  }
}

template <typename T>
T cast_result(const nb::object& value, const char* method) {
  try {
    return nb::cast<T>(value);
  } catch (const std::exception&) {
    throw Error(cat(method, " returned a value of the wrong type"));
  }
}

nb::list descs_to_python(std::span<const PluginTensorDesc> descs) {
  nb::list out;
  for (const PluginTensorDesc& d : descs)
    out.append(nb::make_tuple(d.type, dims_to_python(d.dims)));
  return out;
}

// Keeps a Python object; drops it with the GIL (or leaks it when the interpreter is gone).
struct PyRef {
  nb::object obj;
  explicit PyRef(nb::object o) : obj(std::move(o)) {}
  ~PyRef() {
    if (!Py_IsInitialized()) {
      obj.release();
      return;
    }
    nb::gil_scoped_acquire gil;
    obj.reset();
  }
};

class PyPlugin final : public PluginV3 {
 public:
  explicit PyPlugin(nb::object obj) : ref_(std::make_shared<PyRef>(std::move(obj))) {}

  std::string get_plugin_name() const override {
    nb::gil_scoped_acquire gil;
    return cast_result<std::string>(call(ref_->obj, "get_plugin_name"), "get_plugin_name");
  }
  std::string get_plugin_version() const override {
    nb::gil_scoped_acquire gil;
    return cast_result<std::string>(call(ref_->obj, "get_plugin_version"), "get_plugin_version");
  }
  std::unique_ptr<PluginV3> clone() const override {
    nb::gil_scoped_acquire gil;
    auto copy = std::make_unique<PyPlugin>(call(ref_->obj, "clone"));
    copy->set_plugin_namespace(get_plugin_namespace());
    return copy;
  }
  int32_t get_nb_outputs() const override {
    nb::gil_scoped_acquire gil;
    return cast_result<int32_t>(call(ref_->obj, "get_nb_outputs"), "get_nb_outputs");
  }
  std::vector<DataType> get_output_data_types(std::span<const DataType> in) const override {
    nb::gil_scoped_acquire gil;
    nb::list types;
    for (DataType t : in) types.append(t);
    return cast_result<std::vector<DataType>>(call(ref_->obj, "get_output_data_types", types),
                                              "get_output_data_types");
  }
  std::vector<Dims> get_output_shapes(std::span<const Dims> in,
                                      std::span<const Dims> shape_in) const override {
    nb::gil_scoped_acquire gil;
    nb::list a, b;
    for (const Dims& d : in) a.append(dims_to_python(d));
    for (const Dims& d : shape_in) b.append(dims_to_python(d));
    nb::object result = call(ref_->obj, "get_output_shapes", a, b);
    std::vector<Dims> out;
    try {
      for (nb::handle item : nb::iter(result)) out.push_back(dims_from_python(item));
    } catch (const std::exception& e) {
      throw Error(cat("get_output_shapes must return a list of shapes: ", e.what()));
    }
    return out;
  }
  bool supports_types(std::span<const DataType> in, std::span<const DataType> out) const override {
    nb::gil_scoped_acquire gil;
    nb::list a, b;
    for (DataType t : in) a.append(t);
    for (DataType t : out) b.append(t);
    return cast_result<bool>(call(ref_->obj, "supports_types", a, b), "supports_types");
  }
  bool supports_device(DeviceType device) const override { return device == DeviceType::kCPU; }
  size_t get_workspace_size(std::span<const PluginTensorDesc> in,
                            std::span<const PluginTensorDesc> out) const override {
    nb::gil_scoped_acquire gil;
    int64_t n = cast_result<int64_t>(
        call(ref_->obj, "get_workspace_size", descs_to_python(in), descs_to_python(out)),
        "get_workspace_size");
    if (n < 0) throw Error(cat("get_workspace_size returned ", n));
    return static_cast<size_t>(n);
  }
  void enqueue(DeviceType device, std::span<const PluginTensorDesc> in,
               std::span<const PluginTensorDesc> out, const void* const* inputs,
               void* const* outputs, void* workspace, void*) override {
    if (device != DeviceType::kCPU) throw Error("Python plugins run on the CPU backend only");
    nb::gil_scoped_acquire gil;
    auto views = [](std::span<const PluginTensorDesc> descs, const void* const* ptrs, int flags) {
      nb::list list;
      for (size_t i = 0; i < descs.size(); ++i) {
        Py_ssize_t bytes =
            static_cast<Py_ssize_t>(volume(descs[i].dims) * element_size(descs[i].type));
        list.append(nb::steal(
            PyMemoryView_FromMemory(static_cast<char*>(const_cast<void*>(ptrs[i])), bytes, flags)));
      }
      return list;
    };
    size_t ws = get_workspace_size(in, out);
    nb::object ws_view =
        ws && workspace
            ? nb::steal(PyMemoryView_FromMemory(static_cast<char*>(workspace),
                                                static_cast<Py_ssize_t>(ws), PyBUF_WRITE))
            : nb::none();
    call(ref_->obj, "_enqueue_raw", descs_to_python(in), descs_to_python(out),
         views(in, inputs, PyBUF_READ), views(out, outputs, PyBUF_WRITE), ws_view);
  }
  PluginFieldCollection get_fields_to_serialize() const override {
    nb::gil_scoped_acquire gil;
    return cast_result<PluginFieldCollection>(call(ref_->obj, "get_fields_to_serialize"),
                                              "get_fields_to_serialize");
  }

 private:
  std::shared_ptr<PyRef> ref_;
};

class PyCreator final : public PluginCreator {
 public:
  explicit PyCreator(nb::object obj) : ref_(std::make_shared<PyRef>(std::move(obj))) {}
  std::string get_plugin_name() const override {
    nb::gil_scoped_acquire gil;
    return cast_result<std::string>(call(ref_->obj, "get_plugin_name"), "get_plugin_name");
  }
  std::string get_plugin_version() const override {
    nb::gil_scoped_acquire gil;
    return cast_result<std::string>(call(ref_->obj, "get_plugin_version"), "get_plugin_version");
  }
  std::unique_ptr<PluginV3> create_plugin(const std::string& name,
                                          const PluginFieldCollection& fields,
                                          PluginPhase phase) override {
    nb::gil_scoped_acquire gil;
    nb::object plugin = call(ref_->obj, "create_plugin", name, fields, phase);
    if (plugin.is_none()) return nullptr;
    if (nb::isinstance<PluginV3>(plugin)) return nb::cast<PluginV3&>(plugin).clone();
    return std::make_unique<PyPlugin>(plugin);
  }

 private:
  std::shared_ptr<PyRef> ref_;
};

std::shared_ptr<PluginCreator> to_creator(nb::handle obj) {
  if (nb::isinstance<PluginCreator>(obj)) return nb::cast<std::shared_ptr<PluginCreator>>(obj);
  return std::make_shared<PyCreator>(nb::borrow(obj));
}

nb::object field_data(const PluginField& f) {
  if (f.type == PluginFieldType::kCHAR) return nb::str(f.text().c_str(), f.data.size());
  return nb::bytes(reinterpret_cast<const char*>(f.data.data()), f.data.size());
}

}  // namespace

void bind_plugins(nb::module_& m) {
  nb::enum_<PluginFieldType>(m, "PluginFieldType")
      .value("FLOAT16", PluginFieldType::kFLOAT16)
      .value("FLOAT32", PluginFieldType::kFLOAT32)
      .value("FLOAT64", PluginFieldType::kFLOAT64)
      .value("INT8", PluginFieldType::kINT8)
      .value("INT16", PluginFieldType::kINT16)
      .value("INT32", PluginFieldType::kINT32)
      .value("INT64", PluginFieldType::kINT64)
      .value("CHAR", PluginFieldType::kCHAR)
      .value("UINT8", PluginFieldType::kUINT8);
  nb::enum_<PluginPhase>(m, "PluginPhase")
      .value("BUILD", PluginPhase::kBUILD)
      .value("RUNTIME", PluginPhase::kRUNTIME);

  nb::class_<PluginField>(m, "PluginField",
                          "A named, typed array of values. data: bytes-like raw values of `type` "
                          "(kiln.PluginField.of builds one from numpy or a str).")
      .def(
          "__init__",
          [](PluginField* self, const std::string& name, nb::handle data, PluginFieldType type) {
            BufferView view(data);
            int64_t size = element_size(type);
            if (size == 0 || view.size() % static_cast<size_t>(size) != 0)
              throw Error(cat("PluginField '", name, "': ", view.size(), " bytes are not whole ",
                              to_string(type), " values"));
            new (self)
                PluginField(name, type, view.data(), static_cast<int64_t>(view.size()) / size);
          },
          nb::arg("name"), nb::arg("data"), nb::arg("type"))
      .def_ro("name", &PluginField::name)
      .def_ro("type", &PluginField::type)
      .def_ro("length", &PluginField::length)
      .def_prop_ro("data", &field_data, "The raw bytes (a str for CHAR fields).");

  nb::class_<PluginV3>(m, "IPluginV3", "A plugin made by a C++ creator.")
      .def("get_plugin_name", &PluginV3::get_plugin_name)
      .def("get_plugin_version", &PluginV3::get_plugin_version)
      .def_prop_ro("plugin_namespace", &PluginV3::get_plugin_namespace)
      .def("get_nb_outputs", &PluginV3::get_nb_outputs)
      .def("get_fields_to_serialize", &PluginV3::get_fields_to_serialize);

  nb::class_<PluginCreator>(m, "IPluginCreator", "A creator registered from C++.")
      .def("get_plugin_name", &PluginCreator::get_plugin_name)
      .def("get_plugin_version", &PluginCreator::get_plugin_version)
      .def_prop_ro("plugin_namespace", &PluginCreator::get_plugin_namespace)
      .def_prop_ro("field_names", &PluginCreator::get_field_names)
      .def("create_plugin", &PluginCreator::create_plugin, nb::arg("name"), nb::arg("fields"),
           nb::arg("phase") = PluginPhase::kBUILD);

  nb::class_<PluginRegistry>(m, "IPluginRegistry", "The process-wide plugin registry.")
      .def(
          "register_creator",
          [](PluginRegistry& r, nb::handle creator, const std::string& ns) {
            return r.register_creator(to_creator(creator), ns);
          },
          nb::arg("creator"), nb::arg("plugin_namespace") = "",
          "Registers a C++ creator or a Python object with get_plugin_name, get_plugin_version "
          "and create_plugin(name, fields, phase); False when the key is taken.")
      .def("deregister_creator", &PluginRegistry::deregister_creator, nb::arg("name"),
           nb::arg("version"), nb::arg("plugin_namespace") = "")
      .def("get_creator", &PluginRegistry::get_creator, nb::arg("name"), nb::arg("version"),
           nb::arg("plugin_namespace") = "")
      .def_prop_ro("all_creators", &PluginRegistry::get_all_creators)
      .def(
          "load_library",
          [](PluginRegistry& r, const std::string& path) {
            return guarded<int32_t>(nullptr, "load_library", -1,
                                    [&] { return r.load_library(path); });
          },
          nb::arg("path"), "The number of creators registered, or -1 (reason logged).");

  m.def("get_plugin_registry", &get_plugin_registry, nb::rv_policy::reference);
  m.def(
      "init_kiln_plugins", [](const std::string& ns) { return init_kiln_plugins(nullptr, ns); },
      nb::arg("plugin_namespace") = "", "Registers kiln's built-in plugins (BiasGelu).");

  // INetworkDefinition is bound in network.cpp; the method is added to it here.
  nb::handle network = nb::type<PyNetwork>();
  nb::setattr(
      network, "add_plugin_v3",
      nb::cpp_function(
          [](PyNetwork& n, std::vector<Tensor*> inputs, std::vector<Tensor*> shape_inputs,
             nb::handle plugin) -> PluginV3Layer* {
            return add(n, "add_plugin_v3", [&]() -> PluginV3Layer* {
              std::unique_ptr<PyPlugin> wrapped;
              PluginV3* p = nullptr;
              if (nb::isinstance<PluginV3>(plugin)) {
                p = &nb::cast<PluginV3&>(plugin);
              } else {
                wrapped = std::make_unique<PyPlugin>(nb::borrow(plugin));
                p = wrapped.get();
              }
              return n.def->add_plugin_v3(inputs.data(), static_cast<int32_t>(inputs.size()),
                                          shape_inputs.data(),
                                          static_cast<int32_t>(shape_inputs.size()), *p);
            });
          },
          nb::scope(network), nb::name("add_plugin_v3"), nb::is_method(), nb::arg("inputs"),
          nb::arg("shape_inputs"), nb::arg("plugin"), kRef,
          "A plugin layer: a C++ plugin (IPluginV3) or a Python kiln.PluginV3 (CPU backend). The "
          "network keeps a clone."));

  nb::class_<PluginV3Layer, Layer>(m, "IPluginV3Layer")
      .def("get_plugin", &PluginV3Layer::get_plugin, nb::rv_policy::reference_internal);
}

}  // namespace kiln::python
