// NVRTC compilation with a process-wide cache, and module loading (codegen.h).
#include "backends/cuda/codegen.h"

#include <dlfcn.h>
#include <nvrtc.h>

#include <map>
#include <mutex>

#include "core/checksum.h"
#include "core/error.h"

namespace kiln::cuda {

namespace {

std::mutex g_mutex;
std::map<uint64_t, CompileResult>& compile_cache() {
  static std::map<uint64_t, CompileResult> cache;
  return cache;
}
std::map<uint64_t, std::weak_ptr<LoadedModule>>& module_cache() {
  static std::map<uint64_t, std::weak_ptr<LoadedModule>> cache;
  return cache;
}

// The CUDA driver API, resolved at run time: libkiln must load on machines without a GPU driver
// (libcuda.so.1 comes with the driver, not the toolkit), where no generated kernel ever runs.
struct Driver {
  CUresult (*module_load_data)(CUmodule*, const void*) = nullptr;
  CUresult (*module_unload)(CUmodule) = nullptr;
  CUresult (*module_get_function)(CUfunction*, CUmodule, const char*) = nullptr;
  CUresult (*launch_kernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                            unsigned, CUstream, void**, void**) = nullptr;
  CUresult (*get_error_string)(CUresult, const char**) = nullptr;
  CUresult (*ctx_get_current)(CUcontext*) = nullptr;
};

const Driver& driver() {
  static const Driver d = [] {
    Driver r;
    void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) fail("generated kernels need the CUDA driver (libcuda.so.1): ", dlerror());
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::decay_t<decltype(fn)>>(dlsym(lib, name));
      if (fn == nullptr) fail("the CUDA driver lacks ", name);
    };
    sym(r.module_load_data, "cuModuleLoadData");
    sym(r.module_unload, "cuModuleUnload");
    sym(r.module_get_function, "cuModuleGetFunction");
    sym(r.launch_kernel, "cuLaunchKernel");
    sym(r.get_error_string, "cuGetErrorString");
    sym(r.ctx_get_current, "cuCtxGetCurrent");
    return r;
  }();
  return d;
}

uint64_t hash_bytes(const void* data, size_t size) {
  return checksum64(static_cast<const uint8_t*>(data), size);
}

void check_driver(CUresult r, const char* call) {
  if (r == CUDA_SUCCESS) return;
  const char* msg = nullptr;
  driver().get_error_string(r, &msg);
  fail(call, " failed: ", msg ? msg : "unknown CUDA driver error");
}

}  // namespace

std::string nvrtc_version() {
  int major = 0, minor = 0;
  nvrtcVersion(&major, &minor);
  return str_cat("NVRTC ", major, ".", minor);
}

CompileResult nvrtc_compile(const std::string& source, int32_t compute_capability) {
  const std::string arch = str_cat("--gpu-architecture=sm_", compute_capability);
  const std::vector<std::string> options = {arch, "--std=c++17", "-default-device",
                                            "--extra-device-vectorization"};
  std::string key = source + "\n//" + nvrtc_version();
  for (const std::string& o : options) key += " " + o;
  const uint64_t h = hash_bytes(key.data(), key.size());
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = compile_cache().find(h);
    if (it != compile_cache().end()) return it->second;
  }
  CompileResult result;
  nvrtcProgram prog = nullptr;
  if (nvrtcCreateProgram(&prog, source.c_str(), "kiln_generated.cu", 0, nullptr, nullptr) !=
      NVRTC_SUCCESS) {
    result.log = "nvrtcCreateProgram failed";
    return result;
  }
  std::vector<const char*> opts;
  for (const std::string& o : options) opts.push_back(o.c_str());
  nvrtcResult r = nvrtcCompileProgram(prog, static_cast<int>(opts.size()), opts.data());
  size_t log_size = 0;
  nvrtcGetProgramLogSize(prog, &log_size);
  std::string log(log_size, '\0');
  if (log_size > 0) nvrtcGetProgramLog(prog, log.data());
  if (r != NVRTC_SUCCESS) {
    result.log = str_cat(nvrtcGetErrorString(r), ": ", log);
  } else {
    size_t size = 0;
    if (nvrtcGetCUBINSize(prog, &size) == NVRTC_SUCCESS && size > 0) {
      result.cubin.resize(size);
      nvrtcGetCUBIN(prog, reinterpret_cast<char*>(result.cubin.data()));
      result.ok = true;
    } else {
      result.log = "NVRTC produced no cubin";
    }
  }
  nvrtcDestroyProgram(&prog);
  if (result.ok) {
    std::lock_guard<std::mutex> lock(g_mutex);
    compile_cache()[h] = result;
  }
  return result;
}

LoadedModule::LoadedModule(const std::vector<uint8_t>& cubin) {
  check_driver(driver().module_load_data(&module_, cubin.data()),
               "cuModuleLoadData (generated kernels)");
}

LoadedModule::~LoadedModule() {
  if (module_ != nullptr) driver().module_unload(module_);
}

CUfunction LoadedModule::function(const std::string& name) const {
  CUfunction f = nullptr;
  if (driver().module_get_function(&f, module_, name.c_str()) != CUDA_SUCCESS) {
    fail("the plan's generated module has no kernel '", name, "' (a corrupted plan?)");
  }
  return f;
}

std::shared_ptr<LoadedModule> load_module(const std::vector<uint8_t>& cubin) {
  CUcontext ctx = nullptr;
  driver().ctx_get_current(&ctx);
  uint64_t h = hash_bytes(cubin.data(), cubin.size()) ^ reinterpret_cast<uintptr_t>(ctx);
  std::lock_guard<std::mutex> lock(g_mutex);
  std::weak_ptr<LoadedModule>& slot = module_cache()[h];
  if (auto m = slot.lock()) return m;
  auto m = std::make_shared<LoadedModule>(cubin);
  slot = m;
  return m;
}

}  // namespace kiln::cuda

namespace kiln::cuda {

void launch_generated(CUfunction f, unsigned int blocks, unsigned int threads, cudaStream_t stream,
                      void** params, const std::string& layer) {
  CUresult r = driver().launch_kernel(f, blocks, 1, 1, threads, 1, 1, 0,
                                      reinterpret_cast<CUstream>(stream), params, nullptr);
  if (r != CUDA_SUCCESS) {
    const char* msg = nullptr;
    driver().get_error_string(r, &msg);
    fail("[fused_pointwise '", layer,
         "'] launching its generated kernel failed: ", msg ? msg : "unknown error");
  }
}

}  // namespace kiln::cuda
