// onnx_conformance: runs ONNX backend node tests through kiln (parse, build with a profile fixed
// to the test's input shapes, run) and compares with the reference outputs by ONNX's rule
// |out - ref| <= atol + rtol * |ref|, with exact shapes and types. Writes the per-op coverage
// table and checks results against the expected-results file. See docs/onnx.md.
//
// Each test runs in a child process, so a crash or a hang is recorded as that test's failure and
// the run goes on.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#if KILN_RUNNER_CUDA
#include <cuda_runtime_api.h>
#endif

#include "kiln/kiln.h"
#include "kiln/onnx_parser.h"
#include "onnx/importer.h"
#include "onnx/onnx_model.h"

namespace fs = std::filesystem;
using namespace kiln;

namespace {

// Device copies of a GPU engine's I/O tensors (freed on destruction). Without CUDA in this
// build, a GPU engine cannot be fed and the test is reported unsupported.
class DeviceBuffers {
 public:
  DeviceBuffers() = default;
  DeviceBuffers(const DeviceBuffers&) = delete;
  DeviceBuffers& operator=(const DeviceBuffers&) = delete;
  ~DeviceBuffers() {
#if KILN_RUNNER_CUDA
    for (void* p : buffers_) cudaFree(p);
#endif
  }
  // A device buffer holding `bytes` (at least 16 bytes long).
  void* upload(const std::vector<uint8_t>& bytes) {
    void* p = allocate(std::max<size_t>(bytes.size(), 16));
#if KILN_RUNNER_CUDA
    check(cudaMemcpy(p, bytes.data(), bytes.size(), cudaMemcpyHostToDevice), "cudaMemcpy");
#endif
    return p;
  }
  void* allocate(size_t bytes) {
#if KILN_RUNNER_CUDA
    void* p = nullptr;
    check(cudaMalloc(&p, std::max<size_t>(bytes, 16)), "cudaMalloc");
    buffers_.push_back(p);
    return p;
#else
    throw Error("this onnx_conformance was built without CUDA; it cannot run GPU engines");
#endif
  }
  void download(std::vector<uint8_t>& dst, const void* src) {
#if KILN_RUNNER_CUDA
    check(cudaDeviceSynchronize(), "running the engine");
    check(cudaMemcpy(dst.data(), src, dst.size(), cudaMemcpyDeviceToHost), "cudaMemcpy");
#endif
  }

 private:
#if KILN_RUNNER_CUDA
  static void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw Error(std::string(what) + ": " + cudaGetErrorString(e));
  }
#endif
  std::vector<void*> buffers_;
};

struct Options {
  std::vector<std::string> suites;
  std::string device = "cpu";
  std::string filter;
  std::string coverage;        // write the coverage table here
  std::string expected;        // expected-results file
  std::string write_expected;  // write a new expected-results file here
  bool check = false;
  bool verbose = false;
  bool fork = true;
  double rtol = 1e-3, atol = 1e-7;
  int timeout_s = 120;
};

struct Result {
  std::string name;
  std::string suite;
  std::string op;
  bool core = false;
  std::string status;  // pass, fail, unsupported
  std::string reason;
  double seconds = 0;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error("cannot open " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (s.size() > 300) s = s.substr(0, 297) + "...";
  return s;
}

// --- the "core" subset of onnx-conformance.md section 1.2

const std::set<std::string> kExcludedOps = {"Loop",
                                            "If",
                                            "Scan",
                                            "SequenceAt",
                                            "SequenceConstruct",
                                            "SequenceEmpty",
                                            "SequenceErase",
                                            "SequenceInsert",
                                            "SequenceLength",
                                            "SequenceMap",
                                            "SplitToSequence",
                                            "ConcatFromSequence",
                                            "Optional",
                                            "OptionalGetElement",
                                            "OptionalHasElement",
                                            "StringNormalizer",
                                            "StringConcat",
                                            "StringSplit",
                                            "RegexFullMatch",
                                            "RandomNormal",
                                            "RandomUniform",
                                            "RandomNormalLike",
                                            "RandomUniformLike",
                                            "Bernoulli",
                                            "Multinomial",
                                            "ImageDecoder"};

bool core_type(int32_t t) {
  using namespace kiln::onnx;
  return t == kFloat || t == kFloat16 || t == kBfloat16 || t == kInt32 || t == kInt64 ||
         t == kInt8 || t == kUint8 || t == kBool;
}

bool is_core(const onnx::Model& m) {
  for (const onnx::OpsetId& id : m.opset_import) {
    if (!id.domain.empty() && id.domain != "ai.onnx") return false;
  }
  for (const onnx::Node& n : m.graph.nodes) {
    if (!n.domain.empty() && n.domain != "ai.onnx") return false;
    if (kExcludedOps.count(n.op_type)) return false;
  }
  for (const auto* list : {&m.graph.inputs, &m.graph.outputs}) {
    for (const onnx::ValueInfo& v : *list) {
      if (v.kind != onnx::ValueInfo::kTensor || !core_type(v.elem_type)) return false;
    }
  }
  return true;
}

// --- protobuf writing, for the "inputs as initializers" retry

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_bytes(std::string& out, uint32_t field, const std::string& bytes) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  put_varint(out, bytes.size());
  out += bytes;
}

// The model with graph inputs 1.. turned into initializers holding the test's input values (as
// onnx-tensorrt's backend does): protobuf merges a second `graph` field into the first.
std::string with_initializers(const std::string& model, const onnx::Model& m,
                              const std::vector<std::string>& input_pbs) {
  std::string graph;
  for (size_t i = 1; i < input_pbs.size() && i < m.graph.inputs.size(); ++i) {
    std::string tensor = input_pbs[i];
    put_bytes(tensor, 8, m.graph.inputs[i].name);  // the last name wins
    put_bytes(graph, 5, tensor);
  }
  std::string out = model;
  put_bytes(out, 7, graph);
  return out;
}

bool is_float(DataType t) {
  return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16;
}

struct Outcome {
  std::string status, reason;
};

Outcome run_one(const fs::path& dir, const Options& opt) {
  std::string model_bytes = read_file(dir / "model.onnx");
  onnx::Model model = onnx::decode_model(model_bytes.data(), model_bytes.size());
  fs::path data = dir / "test_data_set_0";
  std::vector<std::string> input_pbs, output_pbs;
  for (size_t i = 0;; ++i) {
    fs::path p = data / ("input_" + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    input_pbs.push_back(read_file(p));
  }
  for (size_t i = 0;; ++i) {
    fs::path p = data / ("output_" + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    output_pbs.push_back(read_file(p));
  }
  for (const auto& v : model.graph.inputs) {
    if (v.kind != onnx::ValueInfo::kTensor) return {"unsupported", "a non-tensor graph input"};
  }
  for (const auto& v : model.graph.outputs) {
    if (v.kind != onnx::ValueInfo::kTensor) return {"unsupported", "a non-tensor graph output"};
  }
  if (output_pbs.size() != model.graph.outputs.size()) {
    return {"unsupported", "reference outputs do not match the graph outputs"};
  }

  Logger logger(Logger::Severity::kINTERNAL_ERROR);
  Builder builder(logger);
  std::unique_ptr<NetworkDefinition> network = builder.create_network();
  std::string mode;
  {
    OnnxParser parser(*network, logger);
    std::string path = (dir / "model.onnx").string();
    if (!parser.parse(model_bytes.data(), model_bytes.size(), path.c_str())) {
      std::string first = parser.get_error(0).desc();
      if (input_pbs.size() < 2) return {"unsupported", "parse: " + first};
      // Retry with the inputs after the first as initializers (weights as constants).
      network = builder.create_network();
      OnnxParser retry(*network, logger);
      std::string rewritten = with_initializers(model_bytes, model, input_pbs);
      if (!retry.parse(rewritten.data(), rewritten.size(), path.c_str())) {
        std::string second = retry.get_error(0).desc();
        if (second == first) return {"unsupported", "parse: " + first};
        return {"unsupported", "parse: " + first + "; with inputs 1.. as constants: " + second};
      }
      input_pbs.resize(1);
      mode = " (inputs 1.. as constants)";
    }
  }

  // Inputs by position.
  std::vector<onnx::TensorValue> inputs;
  std::vector<std::string> input_names;
  for (int32_t i = 0; i < network->num_inputs(); ++i) {
    Tensor* t = network->get_input(i);
    size_t pos = 0;
    while (pos < model.graph.inputs.size() && model.graph.inputs[pos].name != t->name()) ++pos;
    if (pos >= input_pbs.size()) return {"unsupported", "no data for input " + t->name()};
    onnx::TensorProto tp = onnx::decode_tensor(input_pbs[pos].data(), input_pbs[pos].size());
    inputs.push_back(onnx::tensor_value(tp, dir.string()));
    input_names.push_back(t->name());
  }
  std::unique_ptr<BuilderConfig> config = builder.create_builder_config();
  config->set_default_device_type(opt.device == "gpu" ? DeviceType::kGPU : DeviceType::kCPU);
  // ONNX's results are float32 (rtol 1e-3): TF32 products, kiln's default on the GPU as in
  // TensorRT, round their inputs to 10 mantissa bits and miss that in deep graphs.
  config->clear_flag(BuilderFlag::kTF32);
  OptimizationProfile* profile = builder.create_optimization_profile();
  for (size_t i = 0; i < inputs.size(); ++i) {
    Dims d;
    d.nb_dims = static_cast<int32_t>(inputs[i].dims.size());
    if (d.nb_dims > Dims::kMaxDims) return {"unsupported", "input rank above 8"};
    for (int32_t k = 0; k < d.nb_dims; ++k) d.d[k] = inputs[i].dims[k];
    profile->set_shape(input_names[i], d, d, d);
  }
  if (!inputs.empty()) config->add_optimization_profile(*profile);
  std::vector<uint8_t> plan;
  try {
    plan = builder.build_serialized_network(*network, *config);
  } catch (const Error& e) {
    return {"unsupported", std::string("build: ") + e.what()};
  }
  Runtime runtime(logger);
  std::unique_ptr<Engine> engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  std::unique_ptr<ExecutionContext> ctx = engine->create_execution_context();
  const bool gpu = engine->device_type() == DeviceType::kGPU;
  DeviceBuffers device;  // GPU engines read and write device memory
  for (size_t i = 0; i < inputs.size(); ++i) {
    Dims d;
    d.nb_dims = static_cast<int32_t>(inputs[i].dims.size());
    for (int32_t k = 0; k < d.nb_dims; ++k) d.d[k] = inputs[i].dims[k];
    ctx->set_input_shape(input_names[i], d);
    if (inputs[i].bytes.empty()) inputs[i].bytes.resize(16);
    ctx->set_tensor_address(input_names[i],
                            gpu ? device.upload(inputs[i].bytes) : inputs[i].bytes.data());
  }
  std::vector<void*> out_addresses(model.graph.outputs.size());
  std::vector<std::vector<uint8_t>> outs(model.graph.outputs.size());
  for (size_t i = 0; i < outs.size(); ++i) {
    const std::string& name = model.graph.outputs[i].name;
    if (engine->get_tensor_mode(name) != TensorIOMode::kOUTPUT) {
      return {"unsupported", "output '" + name + "' is not an engine output"};
    }
    Dims shape = ctx->get_tensor_shape(name);
    outs[i].resize(static_cast<size_t>(std::max<int64_t>(volume(shape), 1) *
                                       element_size(engine->get_tensor_dtype(name))) +
                   16);
    out_addresses[i] = gpu ? device.allocate(outs[i].size()) : outs[i].data();
    ctx->set_tensor_address(name, out_addresses[i]);
  }
  ctx->execute_async_v3(nullptr);
  if (gpu) {
    for (size_t i = 0; i < outs.size(); ++i) device.download(outs[i], out_addresses[i]);
  }

  double worst = 0;
  std::string worst_where;
  for (size_t i = 0; i < outs.size(); ++i) {
    const std::string& name = model.graph.outputs[i].name;
    onnx::TensorProto tp = onnx::decode_tensor(output_pbs[i].data(), output_pbs[i].size());
    DataType ref_type;
    if (!onnx::to_kiln_type(tp.data_type, ref_type)) {
      return {"unsupported", "reference output type " + onnx::onnx_type_name(tp.data_type)};
    }
    onnx::TensorValue ref = onnx::tensor_value(tp, dir.string());
    DataType got_type = engine->get_tensor_dtype(name);
    Dims shape = ctx->get_tensor_shape(name);
    std::vector<int64_t> got_dims(shape.d, shape.d + shape.nb_dims);
    if (got_type != ref_type) {
      return {"fail", str_cat("output ", name, ": type ", got_type, ", expected ", ref_type)};
    }
    if (got_dims != ref.dims) {
      std::vector<int64_t>& rd = ref.dims;
      Dims want;
      want.nb_dims = static_cast<int32_t>(std::min<size_t>(rd.size(), 8));
      for (int32_t k = 0; k < want.nb_dims; ++k) want.d[k] = rd[k];
      return {"fail", str_cat("output ", name, ": shape ", shape, ", expected ", want)};
    }
    onnx::TensorValue got;
    got.type = got_type;
    got.dims = got_dims;
    got.bytes.assign(outs[i].begin(), outs[i].begin() + static_cast<long>(ref.bytes.size()));
    std::vector<double> a = onnx::to_doubles(got), b = onnx::to_doubles(ref);
    for (size_t k = 0; k < a.size(); ++k) {
      double x = a[k], y = b[k];
      if (std::isnan(y) && std::isnan(x)) continue;
      if (std::isinf(y) && x == y) continue;
      double err = std::abs(x - y);
      double allowed = is_float(ref_type) ? opt.atol + opt.rtol * std::abs(y) : 0.0;
      if (!(err <= allowed)) {
        double excess = std::isnan(err) ? INFINITY : err;
        if (excess >= worst || worst_where.empty()) {
          worst = excess;
          worst_where = str_cat("output ", name, "[", k, "] = ", x, ", expected ", y);
        }
      }
    }
  }
  if (!worst_where.empty()) {
    return {"fail", str_cat("max error ", worst, ": ", worst_where, mode)};
  }
  return {"pass", mode.empty() ? "" : mode.substr(1)};
}

Outcome run_isolated(const fs::path& dir, const Options& opt) {
  auto guarded = [&]() -> Outcome {
    try {
      return run_one(dir, opt);
    } catch (const std::exception& e) {
      return {"fail", std::string("error: ") + e.what()};
    }
  };
  if (!opt.fork) return guarded();
  int fds[2];
  if (pipe(fds) != 0) return guarded();
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(static_cast<unsigned>(opt.timeout_s));
    Outcome o = guarded();
    std::string msg = o.status + "\n" + one_line(o.reason);
    ssize_t w = write(fds[1], msg.data(), msg.size());
    (void)w;
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string msg;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  size_t nl = msg.find('\n');
  if (nl == std::string::npos) {
    if (WIFSIGNALED(status)) {
      int sig = WTERMSIG(status);
      return {"fail", sig == SIGALRM
                          ? str_cat("timed out after ", opt.timeout_s, " s")
                          : str_cat("crashed with signal ", sig, " (", strsignal(sig), ")")};
    }
    return {"fail", "the test process exited without a result"};
  }
  return {msg.substr(0, nl), msg.substr(nl + 1)};
}

// The op a test is about: the single node's op, or for an _expanded test the op of its plain
// counterpart.
std::string test_op(const std::string& name, const onnx::Model& m,
                    const std::map<std::string, std::string>& plain_ops) {
  size_t e = name.find("_expanded");
  if (e != std::string::npos) {
    auto it = plain_ops.find(name.substr(0, e));
    if (it != plain_ops.end()) return it->second;
  }
  if (m.graph.nodes.size() == 1) return m.graph.nodes[0].op_type;
  if (m.graph.nodes.empty()) return "(none)";
  return "(model)";
}

struct Expected {
  std::map<std::string, std::pair<std::string, std::string>> entries;  // name -> status, reason
};

Expected read_expected(const std::string& path) {
  Expected e;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string name, status, reason;
    s >> name >> status;
    std::getline(s, reason);
    if (!reason.empty() && reason[0] == ' ') reason.erase(0, 1);
    e.entries[name] = {status, reason};
  }
  return e;
}

void write_expected(const std::string& path, const std::vector<Result>& results) {
  std::ofstream out(path);
  out << "# ONNX conformance: every test that does not pass on the CPU backend, with its status\n"
         "# and reason. Tests not listed here must pass; `onnx_conformance --check` fails when\n"
         "# one of them does not. Regenerate with --write-expected (docs/onnx.md).\n";
  for (const Result& r : results) {
    if (r.status == "pass") continue;
    out << r.suite << "/" << r.name << " " << r.status << " " << one_line(r.reason) << "\n";
  }
}

struct Tally {
  int tests = 0, pass = 0, fail = 0, unsupported = 0;
  void add(const Result& r) {
    ++tests;
    if (r.status == "pass")
      ++pass;
    else if (r.status == "fail")
      ++fail;
    else
      ++unsupported;
  }
};

std::string percent(int a, int b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", b ? 100.0 * a / b : 0.0);
  return buf;
}

void write_coverage(const std::string& path, const std::vector<Result>& results, const Options& opt,
                    double seconds) {
  std::map<std::string, Tally> by_op, by_op_core;
  Tally all, core;
  for (const Result& r : results) {
    if (r.suite != "node") continue;
    by_op[r.op].add(r);
    all.add(r);
    if (r.core) {
      core.add(r);
      by_op_core[r.op].add(r);
    }
  }
  std::ofstream out(path);
  out << "# ONNX conformance coverage\n\n"
      << "Generated by `onnx_conformance` (tools/onnx_conformance/) from the ONNX backend node "
         "tests of onnx 1.19.1 on the "
      << opt.device
      << " backend; do not edit by hand "
         "(docs/onnx.md says how to regenerate it). Comparison: |out - ref| <= atol + rtol * |ref| "
         "with rtol "
      << opt.rtol << ", atol " << opt.atol << ", exact shapes and types.\n\n"
      << "| subset | tests | pass | fail | unsupported | pass rate |\n|---|---|---|---|---|---|\n"
      << "| core (onnx-conformance.md 1.2) | " << core.tests << " | " << core.pass << " | "
      << core.fail << " | " << core.unsupported << " | " << percent(core.pass, core.tests) << " |\n"
      << "| all node tests | " << all.tests << " | " << all.pass << " | " << all.fail << " | "
      << all.unsupported << " | " << percent(all.pass, all.tests) << " |\n\n"
      << "The run took " << static_cast<int>(seconds + 0.5) << " s.\n\n"
      << "## Per op (all node tests; core counts in parentheses)\n\n"
      << "| op | tests | pass | fail | unsupported |\n|---|---|---|---|---|\n";
  for (const auto& [op, t] : by_op) {
    Tally c = by_op_core.count(op) ? by_op_core.at(op) : Tally{};
    out << "| " << op << " | " << t.tests << " (" << c.tests << ") | " << t.pass << " (" << c.pass
        << ") | " << t.fail << " (" << c.fail << ") | " << t.unsupported << " (" << c.unsupported
        << ") |\n";
  }
}

int usage() {
  std::cerr << "usage: onnx_conformance [options] <suite-dir>...\n"
               "  a suite dir holds test dirs (model.onnx + test_data_set_0/); the name of the\n"
               "  first suite's results is 'node', the others take their directory name\n"
               "  --device=cpu|gpu        backend to build for (default cpu)\n"
               "  --filter=REGEX          run only tests whose name matches\n"
               "  --coverage=FILE         write the per-op coverage table (markdown)\n"
               "  --expected=FILE         expected results (every test that does not pass)\n"
               "  --check                 fail when a test expected to pass does not\n"
               "  --write-expected=FILE   write the current results as expected results\n"
               "  --no-fork               run tests in this process (for debuggers)\n"
               "  --timeout=S             per-test time limit (default 120)\n"
               "  -v                      print every test\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* key) -> const char* {
      size_t n = std::strlen(key);
      return a.compare(0, n, key) == 0 ? a.c_str() + n : nullptr;
    };
    if (const char* v = value("--device="))
      opt.device = v;
    else if (const char* v = value("--filter="))
      opt.filter = v;
    else if (const char* v = value("--coverage="))
      opt.coverage = v;
    else if (const char* v = value("--expected="))
      opt.expected = v;
    else if (const char* v = value("--write-expected="))
      opt.write_expected = v;
    else if (const char* v = value("--timeout="))
      opt.timeout_s = std::atoi(v);
    else if (a == "--check")
      opt.check = true;
    else if (a == "--no-fork")
      opt.fork = false;
    else if (a == "-v")
      opt.verbose = true;
    else if (a == "-h" || a == "--help")
      return usage();
    else if (!a.empty() && a[0] == '-')
      return usage();
    else
      opt.suites.push_back(a);
  }
  if (opt.suites.empty()) return usage();
  if (opt.device != "cpu" && opt.device != "gpu") return usage();
  std::regex filter(opt.filter.empty() ? ".*" : opt.filter);

  auto start = std::chrono::steady_clock::now();
  std::vector<Result> results;
  for (size_t s = 0; s < opt.suites.size(); ++s) {
    fs::path suite = opt.suites[s];
    std::string suite_name = s == 0 ? "node" : suite.filename().string();
    if (!fs::is_directory(suite)) {
      std::cerr << "onnx_conformance: " << suite << " is not a directory\n";
      return 2;
    }
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(suite)) {
      if (e.is_directory() && fs::exists(e.path() / "model.onnx")) dirs.push_back(e.path());
    }
    std::sort(dirs.begin(), dirs.end());
    std::map<std::string, std::string> plain_ops;
    std::map<std::string, onnx::Model> models;
    for (const fs::path& d : dirs) {
      try {
        std::string bytes = read_file(d / "model.onnx");
        onnx::Model m = onnx::decode_model(bytes.data(), bytes.size());
        if (m.graph.nodes.size() == 1) plain_ops[d.filename().string()] = m.graph.nodes[0].op_type;
        models.emplace(d.filename().string(), std::move(m));
      } catch (const std::exception&) {
      }
    }
    for (const fs::path& d : dirs) {
      std::string name = d.filename().string();
      if (!std::regex_search(name, filter)) continue;
      Result r;
      r.name = name;
      r.suite = suite_name;
      auto m = models.find(name);
      if (m != models.end()) {
        r.op = test_op(name, m->second, plain_ops);
        r.core = is_core(m->second);
      } else {
        r.op = "(unreadable)";
      }
      auto t0 = std::chrono::steady_clock::now();
      Outcome o = run_isolated(d, opt);
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      r.status = o.status;
      r.reason = one_line(o.reason);
      if (opt.verbose) {
        std::cout << suite_name << "/" << name << (r.core ? "" : " [non-core]") << " " << r.status
                  << (r.reason.empty() ? "" : " " + r.reason) << "\n";
      }
      results.push_back(std::move(r));
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::map<std::string, Tally> suites;
  Tally core;
  for (const Result& r : results) {
    suites[r.suite].add(r);
    if (r.suite == "node" && r.core) core.add(r);
  }
  for (const auto& [name, t] : suites) {
    std::cout << "onnx_conformance: " << name << ": " << t.tests << " tests, " << t.pass
              << " pass, " << t.fail << " fail, " << t.unsupported << " unsupported\n";
  }
  if (suites.count("node")) {
    std::cout << "onnx_conformance: node core: " << core.tests << " tests, " << core.pass
              << " pass (" << percent(core.pass, core.tests) << "), " << core.fail << " fail, "
              << core.unsupported << " unsupported\n";
  }
  std::cout << "onnx_conformance: " << static_cast<int>(seconds + 0.5) << " s\n";
  if (!opt.coverage.empty() && suites.count("node"))
    write_coverage(opt.coverage, results, opt, seconds);
  if (!opt.write_expected.empty()) write_expected(opt.write_expected, results);

  int rc = 0;
  if (opt.check) {
    if (opt.expected.empty()) {
      std::cerr << "onnx_conformance: --check needs --expected=FILE\n";
      return 2;
    }
    Expected e = read_expected(opt.expected);
    int regressions = 0, newly = 0;
    for (const Result& r : results) {
      std::string key = r.suite + "/" + r.name;
      auto it = e.entries.find(key);
      if (it == e.entries.end() && r.status != "pass") {
        std::cout << "REGRESSION " << key << " " << r.status << " " << r.reason << "\n";
        ++regressions;
      } else if (it != e.entries.end() && r.status == "pass") {
        std::cout << "newly passing " << key << " (remove it from " << opt.expected << ")\n";
        ++newly;
      }
    }
    std::cout << "onnx_conformance: " << regressions << " regressions, " << newly
              << " newly passing\n";
    if (regressions) rc = 1;
  }
  return rc;
}
