// The plugin registry: creators keyed by (name, version, namespace), plugin libraries loaded with
// dlopen. One mutex guards the map; creators themselves are called outside it.
#include <dlfcn.h>

#include <map>
#include <mutex>
#include <tuple>

#include "core/error.h"
#include "kiln/plugin.h"

namespace kiln {

namespace {

using Key = std::tuple<std::string, std::string, std::string>;  // name, version, namespace

std::string describe(const std::string& name, const std::string& version, const std::string& ns) {
  return str_cat("plugin '", name, "' version '", version, "' namespace '", ns, "'");
}

}  // namespace

struct PluginRegistry::Impl {
  mutable std::mutex mutex;
  std::map<Key, std::shared_ptr<PluginCreator>> creators;
  std::vector<void*> libraries;  // never closed: creators and plugin code live in them
};

PluginRegistry::PluginRegistry() : impl_(std::make_unique<Impl>()) {}
PluginRegistry::~PluginRegistry() = default;

bool PluginRegistry::register_creator(std::shared_ptr<PluginCreator> creator,
                                      const std::string& plugin_namespace) {
  if (!creator) fail("register_creator: the creator is null");
  Key key{creator->get_plugin_name(), creator->get_plugin_version(), plugin_namespace};
  std::lock_guard lock(impl_->mutex);
  if (impl_->creators.count(key)) return false;
  creator->set_plugin_namespace(plugin_namespace);
  impl_->creators.emplace(std::move(key), std::move(creator));
  return true;
}

bool PluginRegistry::deregister_creator(const std::string& name, const std::string& version,
                                        const std::string& plugin_namespace) {
  std::lock_guard lock(impl_->mutex);
  return impl_->creators.erase(Key{name, version, plugin_namespace}) > 0;
}

std::shared_ptr<PluginCreator> PluginRegistry::get_creator(
    const std::string& name, const std::string& version,
    const std::string& plugin_namespace) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->creators.find(Key{name, version, plugin_namespace});
  return it == impl_->creators.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<PluginCreator>> PluginRegistry::get_all_creators() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::shared_ptr<PluginCreator>> out;
  for (const auto& [key, creator] : impl_->creators) out.push_back(creator);
  return out;
}

std::unique_ptr<PluginV3> PluginRegistry::create_plugin(
    const std::string& name, const std::string& version, const std::string& plugin_namespace,
    const std::string& layer, const PluginFieldCollection& fields, PluginPhase phase) {
  std::string what = describe(name, version, plugin_namespace);
  std::shared_ptr<PluginCreator> creator = get_creator(name, version, plugin_namespace);
  if (!creator) {
    fail("[plugin_v3 '", layer, "'] ", what,
         " is not registered: load its library with load_plugin_library() or register its "
         "creator (init_kiln_plugins() for kiln's own)");
  }
  std::unique_ptr<PluginV3> plugin;
  try {
    plugin = creator->create_plugin(layer, fields, phase);
  } catch (const std::exception& e) {
    fail("[plugin_v3 '", layer, "'] the creator of ", what, " failed: ", e.what());
  } catch (...) {
    fail("[plugin_v3 '", layer, "'] the creator of ", what, " threw a non-standard exception");
  }
  if (!plugin) fail("[plugin_v3 '", layer, "'] the creator of ", what, " returned no plugin");
  plugin->set_plugin_namespace(plugin_namespace);
  return plugin;
}

int32_t PluginRegistry::load_library(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    fail("load_plugin_library: cannot load '", path, "': ", why ? why : "unknown error");
  }
  using EntryFn = int32_t (*)(PluginCreator* const**);
  auto entry = reinterpret_cast<EntryFn>(dlsym(handle, "kiln_get_plugin_creators"));
  if (!entry) {
    dlclose(handle);
    fail("load_plugin_library: '", path,
         "' does not export kiln_get_plugin_creators (declare it with KILN_PLUGIN_LIBRARY_ENTRY)");
  }
  PluginCreator* const* creators = nullptr;
  int32_t count = entry(&creators);
  if (count < 0 || (count > 0 && !creators)) {
    fail("load_plugin_library: '", path, "' returned ", count, " creators");
  }
  {
    std::lock_guard lock(impl_->mutex);
    impl_->libraries.push_back(handle);
  }
  int32_t registered = 0;
  for (int32_t i = 0; i < count; ++i) {
    PluginCreator* c = creators[i];
    if (!c) fail("load_plugin_library: '", path, "': creator ", i, " is null");
    // The library owns its creators; the registry only refers to them.
    std::shared_ptr<PluginCreator> ref(c, [](PluginCreator*) {});
    std::string ns = c->get_plugin_namespace();
    if (!register_creator(ref, ns)) {
      fail("load_plugin_library: '", path,
           "': ", describe(c->get_plugin_name(), c->get_plugin_version(), ns),
           " is already registered");
    }
    ++registered;
  }
  return registered;
}

PluginRegistry& get_plugin_registry() {
  static PluginRegistry registry;
  return registry;
}

int32_t load_plugin_library(const std::string& path) {
  return get_plugin_registry().load_library(path);
}

}  // namespace kiln
