// kiln_bench: builds the peer-baseline workloads of docs/reference/performance-anchors.md with kiln
// on the GPU, checks them, times them (eager and graph mode) and compares fp16 engines; JSON lines.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "workloads.h"

using namespace kiln;
using namespace kiln::bench;
namespace {

// Ceilings measured on the target H100 (performance-anchors.md, last section).
constexpr double kFp32Flops = 51e12, kTf32Flops = 419e12, kFp16Flops = 749e12, kCopyBytes = 2984e9;

#define CK(call)                                                                    \
  do {                                                                              \
    cudaError_t e_ = (call);                                                        \
    if (e_ != cudaSuccess)                                                          \
      throw std::runtime_error(std::string(#call) + ": " + cudaGetErrorString(e_)); \
  } while (0)

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// One JSON object, written as one line.
class Json {
 public:
  Json& str(const std::string& k, const std::string& v) {
    key(k);
    os_ << '"';
    for (char c : v) {
      if (c == '"' || c == '\\')
        os_ << '\\' << c;
      else if (static_cast<unsigned char>(c) < 0x20)
        os_ << ' ';
      else
        os_ << c;
    }
    os_ << '"';
    return *this;
  }
  Json& num(const std::string& k, double v) {
    key(k);
    if (std::isfinite(v))
      os_ << v;
    else
      os_ << "null";
    return *this;
  }
  Json& flag(const std::string& k, bool v) {
    key(k);
    os_ << (v ? "true" : "false");
    return *this;
  }
  void print() {
    std::printf("{%s}\n", os_.str().c_str());
    std::fflush(stdout);
  }

 private:
  void key(const std::string& k) {
    os_ << (first_ ? "" : ", ") << '"' << k << "\": ";
    first_ = false;
  }
  std::ostringstream os_;
  bool first_ = true;
};

struct DeviceBuf {
  void* ptr = nullptr;
  size_t bytes = 0;
  explicit DeviceBuf(size_t n) : bytes(n) { CK(cudaMalloc(&ptr, std::max<size_t>(n, 1))); }
  ~DeviceBuf() { cudaFree(ptr); }
  DeviceBuf(const DeviceBuf&) = delete;
  DeviceBuf& operator=(const DeviceBuf&) = delete;
};

Logger g_logger(Logger::Severity::kWARNING);

struct Options {
  bool tf32 = true, fp16 = true;
  int max_runs = 200;
  double measure_s = 1.0, total_s = 90;
  std::string only;
};

std::unique_ptr<Engine> build(const Workload& w, bool fp16, const Options& opt, double* seconds) {
  Builder builder(g_logger);
  auto net = builder.create_network();
  w.define(*net);
  auto config = builder.create_builder_config();
  OptimizationProfile* profile = builder.create_optimization_profile();
  bool dynamic = false;
  for (const auto& in : w.inputs)
    for (int i = 0; i < net->num_inputs(); ++i)
      if (net->get_input(i)->name() == in.name && net->get_input(i)->dimensions().is_dynamic()) {
        profile->set_shape(in.name, in.dims, in.dims, in.dims);
        dynamic = true;
      }
  if (dynamic) config->add_optimization_profile(*profile);
  config->set_default_device_type(DeviceType::kGPU);
  config->set_max_aux_streams(w.aux);
  if (fp16) config->set_flag(BuilderFlag::kFP16);
  if (!opt.tf32) config->clear_flag(BuilderFlag::kTF32);
  double t0 = now_s();
  std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
  Runtime runtime(g_logger);
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  *seconds = now_s() - t0;
  if (engine->device_type() != DeviceType::kGPU)
    throw std::runtime_error("the engine was built for the CPU (GPU fallback)");
  for (int i = 0; i < engine->num_io_tensors(); ++i) {
    DataType t = engine->get_tensor_dtype(engine->get_tensor_name(i));
    if (t != DataType::kFLOAT && t != DataType::kINT32)
      throw std::runtime_error("I/O tensor '" + engine->get_tensor_name(i) + "' is " +
                               to_string(t));
  }
  return engine;
}

// Device buffers for one input set and its outputs; contexts bound to them.
struct Set {
  std::vector<std::unique_ptr<DeviceBuf>> in, out;
};

struct Io {
  std::vector<std::string> out_names;
  std::vector<DataType> out_types;
  std::vector<int64_t> out_counts;
  double in_bytes = 0, out_bytes = 0;
};

Io io_of(const Engine& engine, const Workload& w) {
  auto ctx = engine.create_execution_context();
  Io io;
  for (const auto& in : w.inputs) {
    if (engine.get_tensor_shape(in.name).is_dynamic()) ctx->set_input_shape(in.name, in.dims);
    io.in_bytes += 4.0 * volume(in.dims);
  }
  for (int i = 0; i < engine.num_io_tensors(); ++i) {
    const std::string& name = engine.get_tensor_name(i);
    if (engine.get_tensor_mode(name) != TensorIOMode::kOUTPUT) continue;
    io.out_names.push_back(name);
    io.out_types.push_back(engine.get_tensor_dtype(name));
    io.out_counts.push_back(volume(ctx->get_tensor_shape(name)));
    io.out_bytes += 4.0 * io.out_counts.back();
  }
  return io;
}

std::unique_ptr<Set> make_set(const Workload& w, const Io& io, int index, Inputs* keep) {
  auto set = std::make_unique<Set>();
  for (size_t i = 0; i < w.inputs.size(); ++i) {
    const InputSpec& s = w.inputs[i];
    std::vector<float> host = random_uniform(volume(s.dims), 100 * index + i + 1, s.lo, s.hi);
    set->in.push_back(std::make_unique<DeviceBuf>(host.size() * 4));
    CK(cudaMemcpy(set->in.back()->ptr, host.data(), host.size() * 4, cudaMemcpyHostToDevice));
    if (keep) keep->push_back(std::move(host));
  }
  for (int64_t n : io.out_counts) set->out.push_back(std::make_unique<DeviceBuf>(n * 4));
  return set;
}

std::unique_ptr<ExecutionContext> bind(const Engine& engine, const Workload& w, const Io& io,
                                       Set& set, bool graph) {
  auto ctx = engine.create_execution_context();
  for (size_t i = 0; i < w.inputs.size(); ++i) {
    if (engine.get_tensor_shape(w.inputs[i].name).is_dynamic())
      ctx->set_input_shape(w.inputs[i].name, w.inputs[i].dims);
    ctx->set_tensor_address(w.inputs[i].name, set.in[i]->ptr);
  }
  for (size_t i = 0; i < io.out_names.size(); ++i)
    ctx->set_tensor_address(io.out_names[i], set.out[i]->ptr);
  ctx->set_cuda_graph_mode(graph);
  return ctx;
}

// Poisons the outputs (NaN / -1), runs `runs` times, returns them on the host.
Outputs run_and_fetch(ExecutionContext& ctx, const Io& io, Set& set, cudaStream_t stream,
                      int runs) {
  for (auto& b : set.out) CK(cudaMemsetAsync(b->ptr, 0xFF, b->bytes, stream));
  for (int i = 0; i < runs; ++i) ctx.execute_async_v3(stream);
  CK(cudaStreamSynchronize(stream));
  Outputs outs;
  for (size_t i = 0; i < io.out_names.size(); ++i) {
    HostOut o{io.out_names[i], std::vector<float>(io.out_counts[i])};
    CK(cudaMemcpy(o.v.data(), set.out[i]->ptr, o.v.size() * 4, cudaMemcpyDeviceToHost));
    if (io.out_types[i] == DataType::kINT32)
      for (float& f : o.v) {
        int32_t k;
        std::memcpy(&k, &f, 4);
        f = static_cast<float>(k);
        if (k < 0) throw std::runtime_error("output '" + o.name + "' not written");
      }
    for (float f : o.v)
      if (!std::isfinite(f))
        throw std::runtime_error("output '" + o.name + "' has NaN/Inf or was not written");
    outs.push_back(std::move(o));
  }
  return outs;
}

struct Stats {
  double median_us = NAN, min_us = NAN;
  int runs = 0;
};

// Each run starts on an idle GPU (so host-side launch cost counts, as it does for a latency), is
// bracketed by events, and uses the next input set; median over the runs.
Stats time_runs(const std::vector<ExecutionContext*>& ctxs, cudaStream_t stream,
                const Options& opt) {
  for (int i = 0; i < std::max<int>(10, 3 * ctxs.size()); ++i)
    ctxs[i % ctxs.size()]->execute_async_v3(stream);
  CK(cudaStreamSynchronize(stream));
  cudaEvent_t a, b;
  CK(cudaEventCreate(&a));
  CK(cudaEventCreate(&b));
  std::vector<double> t;
  double start = now_s();
  for (int i = 0; i < opt.max_runs && (i < 10 || now_s() - start < opt.measure_s); ++i) {
    CK(cudaStreamSynchronize(stream));
    CK(cudaEventRecord(a, stream));
    ctxs[i % ctxs.size()]->execute_async_v3(stream);
    CK(cudaEventRecord(b, stream));
    CK(cudaEventSynchronize(b));
    float ms = 0;
    CK(cudaEventElapsedTime(&ms, a, b));
    t.push_back(ms * 1e3);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  std::sort(t.begin(), t.end());
  return Stats{t[t.size() / 2], t[0], static_cast<int>(t.size())};
}

Json head(const char* kind, const Workload& w) {
  Json j;
  j.str("kind", kind).str("workload", w.name);
  return j;
}

// Returns the number of failures (a failed check, a failed fp16 engine).
int run_workload(const Workload& w, const Options& opt, size_t l2_bytes, cudaStream_t stream) {
  double build_s = 0;
  auto engine = build(w, false, opt, &build_s);
  Io io = io_of(*engine, w);
  const double bytes = io.in_bytes + io.out_bytes + w.weight_bytes,
               io_bytes = io.in_bytes + io.out_bytes;
  const int nsets = io_bytes >= l2_bytes
                        ? 1
                        : std::min(8, static_cast<int>(std::ceil(2.0 * l2_bytes / io_bytes)));
  Inputs host0;
  std::vector<std::unique_ptr<Set>> sets;
  for (int s = 0; s < nsets; ++s) sets.push_back(make_set(w, io, s, s == 0 ? &host0 : nullptr));
  std::vector<std::unique_ptr<ExecutionContext>> eager, graph;
  for (auto& s : sets) {
    eager.push_back(bind(*engine, w, io, *s, false));
    graph.push_back(bind(*engine, w, io, *s, true));
  }
  // Correct first: eager against the host reference, graph mode against eager.
  Outputs ref = run_and_fetch(*eager[0], io, *sets[0], stream, 1);
  const double err = w.check(host0, ref);
  const double tol = opt.tf32 ? 1e-2 : 1e-4;  // TF32 rounds operands to 10 mantissa bits
  Outputs replay = run_and_fetch(*graph[0], io, *sets[0], stream, 3);
  double graph_diff = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    for (size_t k = 0; k < ref[i].v.size(); ++k)
      graph_diff = std::max<double>(graph_diff, std::abs(ref[i].v[k] - replay[i].v[k]));
  auto ptrs = [](auto& v) {
    std::vector<ExecutionContext*> p;
    for (auto& c : v) p.push_back(c.get());
    return p;
  };
  Stats e = time_runs(ptrs(eager), stream, opt), g = time_runs(ptrs(graph), stream, opt);
  const double mem_us = bytes / kCopyBytes * 1e6;
  Json j = head("kiln", w);
  j.num("flops", w.flops)
      .num("bytes", bytes)
      .num("floor_fp32_us", std::max(w.flops / kFp32Flops * 1e6, mem_us))
      .num("floor_tf32_us", std::max(w.flops / kTf32Flops * 1e6, mem_us))
      .num("eager_us", e.median_us)
      .num("eager_min_us", e.min_us)
      .num("graph_us", g.median_us)
      .num("graph_min_us", g.min_us)
      .num("runs", e.runs)
      .num("input_sets", nsets)
      .num("build_s", build_s)
      .num("layers", engine->num_layers())
      .num("aux_streams", engine->num_aux_streams())
      .num("check_err", err)
      .num("graph_vs_eager_max_abs", graph_diff)
      .flag("tf32", opt.tf32)
      .flag("check_ok", err <= tol && graph_diff <= tol);
  if (!(err <= tol))
    j.str("error", "check failed: normalised max error " + std::to_string(err) + " > " +
                       std::to_string(tol));
  else if (!(graph_diff <= tol))
    j.str("error", "graph mode differs from eager by " + std::to_string(graph_diff));
  j.print();
  const int failed = err <= tol && graph_diff <= tol ? 0 : 1;
  if (!w.fp16 || !opt.fp16) return failed;
  try {
    auto half = build(w, true, opt, &build_s);
    auto set = make_set(w, io, 0, nullptr);  // the same values as sets[0]
    auto ctx = bind(*half, w, io, *set, true);
    Outputs got = run_and_fetch(*ctx, io, *set, stream, 3);
    double max_abs = 0, max_rel = 0, d2 = 0, r2 = 0, ref_max = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      if (io.out_types[i] != DataType::kFLOAT) continue;
      for (float v : ref[i].v) ref_max = std::max<double>(ref_max, std::abs(v));
    }
    for (size_t i = 0; i < ref.size(); ++i) {
      if (io.out_types[i] != DataType::kFLOAT) continue;
      for (size_t k = 0; k < ref[i].v.size(); ++k) {
        double d = std::abs(static_cast<double>(got[i].v[k]) - ref[i].v[k]),
               r = std::abs(ref[i].v[k]);
        max_abs = std::max(max_abs, d);
        max_rel = std::max(max_rel, d / std::max(r, 1e-3 * ref_max));
        d2 += d * d;
        r2 += r * r;
      }
    }
    Stats h = time_runs({ctx.get()}, stream, opt);
    Json f = head("kiln_fp16", w);
    f.num("max_abs", max_abs)
        .num("max_rel", max_rel)
        .num("norm_rel", std::sqrt(d2 / std::max(r2, 1e-300)))
        .num("graph_us", h.median_us)
        .num("floor_fp16_us", std::max(w.flops / kFp16Flops * 1e6, mem_us))
        .num("build_s", build_s);
    f.print();
    return failed;
  } catch (const std::exception& ex) {
    head("kiln_fp16", w).str("error", ex.what()).print();
    return failed + 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--no-tf32")
      opt.tf32 = false;
    else if (a == "--no-fp16")
      opt.fp16 = false;
    else if (a == "--only")
      opt.only = value();
    else if (a == "--runs")
      opt.max_runs = std::max(1, std::stoi(value()));
    else if (a == "--measure-s")
      opt.measure_s = std::stod(value());
    else if (a == "--budget-s")
      opt.total_s = std::stod(value());
    else if (a == "--verbose")  // the builder's tactic log (every candidate, its time, the winner)
      g_logger.set_min_severity(Logger::Severity::kVERBOSE);
    else {
      std::fprintf(stderr,
                   "usage: kiln_bench [--only NAME,...] [--no-tf32] [--no-fp16] [--runs N] "
                   "[--measure-s S] [--budget-s S] [--verbose]\n");
      return 2;
    }
  }
  const double start = now_s();
  cudaDeviceProp prop{};
  int runtime_version = 0, driver_version = 0;
  cudaStream_t stream = nullptr;
  try {
    CK(cudaGetDeviceProperties(&prop, 0));
    CK(cudaRuntimeGetVersion(&runtime_version));
    CK(cudaDriverGetVersion(&driver_version));
    CK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  } catch (const std::exception& ex) {
    Json().str("kind", "kiln_meta").str("error", ex.what()).print();
    return 1;
  }
  Json()
      .str("kind", "kiln_meta")
      .str("gpu", prop.name)
      .str("kiln", version_string())
      .num("cuda_runtime", runtime_version)
      .num("cuda_driver", driver_version)
      .num("l2_bytes", prop.l2CacheSize)
      .flag("tf32", opt.tf32)
      .print();

  std::vector<std::function<Workload()>> all = {[] { return gemm_chains(0); },
                                                [] { return gemm_chains(1); },
                                                [] { return mnist(); },
                                                [] { return conv_relu(8, 64, 1, 3, 256); },
                                                [] { return conv_relu(8, 64, 64, 9, 128); },
                                                [] { return conv_relu(8, 64, 256, 3, 128); }};
  int failures = 0;
  for (auto& make : all) {
    Workload w = make();
    if (!opt.only.empty() && ("," + opt.only + ",").find("," + w.name + ",") == std::string::npos)
      continue;
    if (now_s() - start > opt.total_s) {
      head("kiln", w)
          .str("error", "skipped: over the time budget of " + std::to_string(opt.total_s) + " s")
          .print();
      ++failures;
      continue;
    }
    try {
      failures += run_workload(w, opt, prop.l2CacheSize, stream);
    } catch (const std::exception& ex) {
      head("kiln", w).str("error", ex.what()).print();
      ++failures;
      (void)cudaGetLastError();  // clear a non-sticky error for the next workload
    }
  }
  std::fprintf(stderr, "kiln_bench: %.1f s, %d workload(s) failed\n", now_s() - start, failures);
  return failures ? 1 : 0;
}
