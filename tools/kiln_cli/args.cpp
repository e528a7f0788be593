// Command-line parsing: subcommands, trtexec's flag spellings, shape lists and tactic sources.
#include "args.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <functional>
#include <sstream>

namespace kiln::cli {

namespace {

template <typename... Args>
[[noreturn]] void usage_error(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  throw Error(out.str());
}

int64_t parse_int(const std::string& flag, const std::string& v, int64_t lo, int64_t hi) {
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n < lo || n > hi) {
    usage_error(flag, " expects an integer from ", lo, " to ", hi, ", got '", v, "'");
  }
  return n;
}

double parse_number(const std::string& flag, const std::string& v, double lo) {
  errno = 0;
  char* end = nullptr;
  double n = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno != 0 || !(n >= lo)) {
    usage_error(flag, " expects a number >= ", lo, ", got '", v, "'");
  }
  return n;
}

// Which subcommands a flag belongs to.
enum Scope : uint32_t { kBuildFlag = 1, kRunFlag = 2, kInspectFlag = 4, kAll = 7 };

struct Flag {
  const char* name;  // without the leading "--"
  bool takes_value;
  uint32_t scope;
  const char* help;
  std::function<void(Options&, const std::string&)> apply;
};

const std::vector<Flag>& flags() {
  static const std::vector<Flag> table = {
      {"onnx", true, kBuildFlag | kInspectFlag, "=FILE  ONNX model to build",
       [](Options& o, const std::string& v) { o.onnx = v; }},
      {"saveEngine", true, kBuildFlag, "=FILE  write the built plan",
       [](Options& o, const std::string& v) { o.save_engine = v; }},
      {"loadEngine", true, kRunFlag | kInspectFlag, "=FILE  load a plan instead of building",
       [](Options& o, const std::string& v) { o.load_engine = v; }},
      {"device", true, kAll, "=gpu|cpu  backend to build for (default gpu)",
       [](Options& o, const std::string& v) {
         if (v == "gpu") {
           o.device = DeviceType::kGPU;
         } else if (v == "cpu") {
           o.device = DeviceType::kCPU;
         } else {
           usage_error("--device expects gpu or cpu, got '", v, "'");
         }
         o.device_set = true;
       }},
      {"fp16", false, kBuildFlag, "  allow float16 layers",
       [](Options& o, const std::string&) { o.fp16 = true; }},
      {"bf16", false, kBuildFlag, "  allow bfloat16 layers",
       [](Options& o, const std::string&) { o.bf16 = true; }},
      {"noTF32", false, kBuildFlag, "  float32 matrix products without TF32",
       [](Options& o, const std::string&) { o.no_tf32 = true; }},
      {"minShapes", true, kBuildFlag, "=SPEC  profile minimum, name:1x3x224x224,...",
       [](Options& o, const std::string& v) { o.min_shapes = parse_shapes("--minShapes", v); }},
      {"optShapes", true, kBuildFlag, "=SPEC  profile optimum (tactics are timed here)",
       [](Options& o, const std::string& v) { o.opt_shapes = parse_shapes("--optShapes", v); }},
      {"maxShapes", true, kBuildFlag, "=SPEC  profile maximum",
       [](Options& o, const std::string& v) { o.max_shapes = parse_shapes("--maxShapes", v); }},
      {"shapes", true, kAll, "=SPEC  run shapes; without min/opt/max also a fixed build profile",
       [](Options& o, const std::string& v) { o.shapes = parse_shapes("--shapes", v); }},
      {"timingCacheFile", true, kBuildFlag, "=FILE  timing cache: loaded if present, saved after",
       [](Options& o, const std::string& v) { o.timing_cache_file = v; }},
      {"tacticSources", true, kBuildFlag,
       "=LIST  e.g. -CUDNN,+CUBLAS_LT (CUBLAS CUBLAS_LT CUDNN KILN)",
       [](Options& o, const std::string& v) {
         o.tactic_sources = parse_tactic_sources(v, o.tactic_sources);
         o.tactic_sources_set = true;
       }},
      {"builderOptimizationLevel", true, kBuildFlag, "=N  0 (fastest build) to 5",
       [](Options& o, const std::string& v) {
         o.builder_optimization_level =
             static_cast<int32_t>(parse_int("--builderOptimizationLevel", v, 0, 5));
       }},
      {"maxAuxStreams", true, kBuildFlag, "=N  auxiliary streams for parallel branches",
       [](Options& o, const std::string& v) {
         o.max_aux_streams = static_cast<int32_t>(parse_int("--maxAuxStreams", v, 0, 64));
       }},
      {"threads", true, kBuildFlag | kRunFlag,
       "=N  CPU engines: threads of the engine's pool and of the build's timing (default: one "
       "per processor; more is clamped with a warning)",
       [](Options& o, const std::string& v) {
         o.cpu_threads = static_cast<int32_t>(parse_int("--threads", v, 1, 1 << 20));
       }},
      {"useCudaGraph", false, kRunFlag,
       "  replay each run as a CUDA graph (the default for GPU engines without dynamic inputs)",
       [](Options& o, const std::string&) { o.use_cuda_graph = true; }},
      {"noCudaGraph", false, kRunFlag, "  run every enqueue eagerly, never as a CUDA graph",
       [](Options& o, const std::string&) { o.no_cuda_graph = true; }},
      {"streams", true, kRunFlag, "=N  N contexts on N streams (CPU: threads), round-robin",
       [](Options& o, const std::string& v) {
         o.streams = static_cast<int32_t>(parse_int("--streams", v, 1, 64));
       }},
      {"iterations", true, kRunFlag | kInspectFlag, "=N  run at least N inferences (default 10)",
       [](Options& o, const std::string& v) {
         o.iterations = static_cast<int32_t>(parse_int("--iterations", v, 1, 100000000));
       }},
      {"duration", true, kRunFlag, "=S  and for at least S seconds (default 3)",
       [](Options& o, const std::string& v) { o.duration_s = parse_number("--duration", v, 0.0); }},
      {"warmUp", true, kRunFlag, "=MS  warm-up before timing (default 200)",
       [](Options& o, const std::string& v) { o.warm_up_ms = parse_number("--warmUp", v, 0.0); }},
      {"noDataTransfers", false, kRunFlag, "  no host<->device copies (GPU)",
       [](Options& o, const std::string&) { o.no_data_transfers = true; }},
      {"loadInputs", true, kRunFlag | kInspectFlag, "=name:file.bin,...  raw input values",
       [](Options& o, const std::string& v) {
         std::stringstream list(v);
         for (std::string item; std::getline(list, item, ',');) {
           size_t colon = item.rfind(':');
           if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) {
             usage_error("--loadInputs expects name:file.bin[,name:file.bin...], got '", item, "'");
           }
           o.load_inputs.emplace_back(item.substr(0, colon), item.substr(colon + 1));
         }
       }},
      {"seed", true, kRunFlag | kInspectFlag, "=N  seed of the random inputs (default 1)",
       [](Options& o, const std::string& v) {
         o.seed = static_cast<uint32_t>(parse_int("--seed", v, 0, UINT32_MAX));
       }},
      {"nvtx", false, kRunFlag | kInspectFlag, "  an NVTX range per step (Nsight timelines)",
       [](Options& o, const std::string&) { o.nvtx = true; }},
      {"dumpProfile", false, kRunFlag, "  per-step times, sorted, after the run",
       [](Options& o, const std::string&) { o.dump_profile = true; }},
      {"exportProfile", true, kRunFlag, "=FILE  per-step times as JSON",
       [](Options& o, const std::string& v) { o.export_profile = v; }},
      {"exportLayerInfo", true, kAll, "=FILE  layers, fusions, tactics, precisions, shapes (JSON)",
       [](Options& o, const std::string& v) { o.export_layer_info = v; }},
      {"html", true, kInspectFlag, "=FILE  inspect: write a page drawing the engine graph",
       [](Options& o, const std::string& v) { o.html = v; }},
      {"profile", true, kInspectFlag, "=FILE  inspect: per-step times from --exportProfile",
       [](Options& o, const std::string& v) { o.profile_json = v; }},
      {"run", false, kInspectFlag, "  inspect: measure per-step times now",
       [](Options& o, const std::string&) { o.inspect_run = true; }},
      {"verbose", false, kAll, "  verbose logging",
       [](Options& o, const std::string&) { o.verbose = true; }},
      {"help", false, kAll, "  this text",
       [](Options& o, const std::string&) { o.command = Command::kHelp; }},
  };
  return table;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      bool same = std::tolower(a[i - 1]) == std::tolower(b[j - 1]);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

const char* command_name(Command c) {
  switch (c) {
    case Command::kBuild:
      return "kiln build";
    case Command::kRun:
      return "kiln run";
    case Command::kInspect:
      return "kiln inspect";
    default:
      return "kiln";
  }
}

uint32_t scope_of(Command c) {
  switch (c) {
    case Command::kBuild:
      return kBuildFlag;
    case Command::kRun:
      return kRunFlag;
    case Command::kInspect:
      return kInspectFlag;
    default:
      return kBuildFlag | kRunFlag;
  }
}

}  // namespace

std::vector<ShapeSpec> parse_shapes(const std::string& flag, const std::string& text) {
  const char* expected =
      " (expected name:NxNx..., e.g. input:1x3x224x224, entries separated by ',')";
  std::vector<ShapeSpec> specs;
  size_t pos = 0;
  if (text.empty()) usage_error(flag, " is empty", expected);
  while (pos <= text.size()) {
    ShapeSpec spec;
    std::string dims;
    if (text[pos] == '\'') {
      size_t close = text.find('\'', pos + 1);
      if (close == std::string::npos) {
        usage_error(flag, ": the quoted name starting at character ", pos + 1, " has no closing '",
                    expected);
      }
      spec.name = text.substr(pos + 1, close - pos - 1);
      if (close + 1 >= text.size() || text[close + 1] != ':') {
        usage_error(flag, ": expected ':' after the quoted name '", spec.name, "'", expected);
      }
      size_t end = text.find(',', close + 2);
      if (end == std::string::npos) end = text.size();
      dims = text.substr(close + 2, end - close - 2);
      pos = end + 1;
    } else {
      size_t end = text.find(',', pos);
      if (end == std::string::npos) end = text.size();
      std::string item = text.substr(pos, end - pos);
      size_t colon = item.rfind(':');
      if (colon == std::string::npos) {
        usage_error(flag, ": '", item, "' has no ':' between the input name and its dimensions",
                    expected);
      }
      spec.name = item.substr(0, colon);
      dims = item.substr(colon + 1);
      pos = end + 1;
    }
    if (spec.name.empty()) usage_error(flag, ": an entry has an empty input name", expected);
    if (dims.empty()) {
      usage_error(flag, ": input '", spec.name, "' has no dimensions after ':'", expected);
    }
    std::stringstream parts(dims);
    int32_t index = 0;
    for (std::string d; std::getline(parts, d, 'x'); ++index) {
      bool digits = !d.empty() &&
                    std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || d.size() > 12) {
        usage_error(flag, ": input '", spec.name, "' dimension ", index, " is '", d,
                    "', not a non-negative integer", expected);
      }
      if (spec.dims.nb_dims == Dims::kMaxDims) {
        usage_error(flag, ": input '", spec.name, "' has more than ", Dims::kMaxDims,
                    " dimensions");
      }
      spec.dims.d[spec.dims.nb_dims++] = std::stoll(d);
    }
    if (!dims.empty() && dims.back() == 'x') {
      usage_error(flag, ": input '", spec.name, "' dimensions '", dims, "' end with 'x'", expected);
    }
    for (const ShapeSpec& s : specs) {
      if (s.name == spec.name) usage_error(flag, ": input '", spec.name, "' is given twice");
    }
    specs.push_back(std::move(spec));
    if (pos == text.size() + 1) break;
    if (pos == text.size()) usage_error(flag, ": the list ends with ','", expected);
  }
  return specs;
}

uint32_t parse_tactic_sources(const std::string& text, uint32_t mask) {
  static const std::pair<const char*, int> names[] = {
      {"CUBLAS", 0}, {"CUBLAS_LT", 1}, {"CUDNN", 2}, {"KILN", 3}, {"ONEDNN", 4}};
  std::stringstream list(text);
  int count = 0;
  for (std::string item; std::getline(list, item, ','); ++count) {
    if (item.size() < 2 || (item[0] != '+' && item[0] != '-')) {
      usage_error(
          "--tacticSources: '", item,
          "' must be + or - followed by a source (CUBLAS, CUBLAS_LT, CUDNN, KILN, ONEDNN), e.g. "
          "-CUDNN,+CUBLAS_LT");
    }
    std::string name = item.substr(1);
    std::transform(name.begin(), name.end(), name.begin(), [](char c) { return std::toupper(c); });
    int bit = -1;
    for (const auto& [n, b] : names) {
      if (name == n) bit = b;
    }
    if (bit < 0) {
      usage_error("--tacticSources: unknown tactic source '", item.substr(1),
                  "'; expected CUBLAS, CUBLAS_LT, CUDNN or KILN");
    }
    if (item[0] == '+') {
      mask |= 1u << bit;
    } else {
      mask &= ~(1u << bit);
    }
  }
  if (count == 0) usage_error("--tacticSources is empty; expected e.g. -CUDNN,+CUBLAS_LT");
  return mask;
}

Options parse_args(int argc, const char* const* argv) {
  Options o;
  int i = 1;
  if (argc > 1 && argv[1][0] != '-') {
    std::string sub = argv[1];
    if (sub == "build") {
      o.command = Command::kBuild;
    } else if (sub == "run") {
      o.command = Command::kRun;
    } else if (sub == "inspect") {
      o.command = Command::kInspect;
    } else if (sub == "help") {
      o.command = Command::kHelp;
      return o;
    } else {
      usage_error("unknown command '", sub,
                  "'; expected build, run, inspect, serve or help (or trtexec flags such as ",
                  "--onnx=model.onnx)");
    }
    i = 2;
  }
  const Command command = o.command;
  std::vector<std::string> positional;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') {
      positional.push_back(arg);
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    size_t eq = body.find('=');
    std::string name = body.substr(0, eq);
    const Flag* flag = nullptr;
    for (const Flag& f : flags()) {
      if (name == f.name) flag = &f;
    }
    if (flag == nullptr) {
      const Flag* nearest = nullptr;
      size_t best = 4;
      for (const Flag& f : flags()) {
        size_t d = edit_distance(name, f.name);
        if (d < best) {
          best = d;
          nearest = &f;
        }
      }
      usage_error("unknown flag '", arg, "'",
                  nearest ? std::string("; did you mean --") + nearest->name + "?" : std::string(),
                  " ('kiln --help' lists the flags)");
    }
    if ((flag->scope & scope_of(command)) == 0) {
      usage_error("--", flag->name, " does not apply to '", command_name(command), "'");
    }
    std::string value;
    if (flag->takes_value) {
      if (eq != std::string::npos) {
        value = body.substr(eq + 1);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        usage_error("--", flag->name, " expects a value: --", flag->name, flag->help);
      }
      if (value.empty()) usage_error("--", flag->name, " expects a value, got an empty one");
    } else if (eq != std::string::npos) {
      usage_error("--", flag->name, " takes no value, got '", arg, "'");
    }
    flag->apply(o, value);
    if (o.command == Command::kHelp) return o;
  }
  // Positional arguments: the model or plan file of a subcommand.
  if (positional.size() > 1 || (command == Command::kTrtexec && !positional.empty())) {
    usage_error("unexpected argument '", positional.back(), "'; flags start with --");
  }
  if (!positional.empty()) {
    const std::string& file = positional[0];
    bool onnx = file.size() > 5 && file.compare(file.size() - 5, 5, ".onnx") == 0;
    if (command == Command::kBuild || (command == Command::kInspect && onnx)) {
      if (!o.onnx.empty()) usage_error("give the model once: '", file, "' or --onnx=", o.onnx);
      o.onnx = file;
    } else {
      if (!o.load_engine.empty()) {
        usage_error("give the plan once: '", file, "' or --loadEngine=", o.load_engine);
      }
      o.load_engine = file;
    }
  }
  switch (command) {
    case Command::kBuild:
      if (o.onnx.empty()) usage_error("kiln build needs a model: --onnx=model.onnx");
      break;
    case Command::kRun:
    case Command::kInspect:
      if (o.load_engine.empty() && o.onnx.empty()) {
        usage_error(command_name(command), " needs a plan: ", command_name(command),
                    " model.plan (or --loadEngine=model.plan)");
      }
      if (!o.load_engine.empty() && !o.onnx.empty()) {
        usage_error("give either --onnx or --loadEngine, not both");
      }
      break;
    default:
      if (o.onnx.empty() && o.load_engine.empty()) {
        usage_error("nothing to do: give --onnx=model.onnx to build (and run), or ",
                    "--loadEngine=model.plan to run ('kiln --help' lists the flags)");
      }
      if (!o.onnx.empty() && !o.load_engine.empty()) {
        usage_error("give either --onnx or --loadEngine, not both");
      }
  }
  if (!o.profile_json.empty() && o.inspect_run) {
    usage_error("give either --profile=FILE or --run, not both");
  }
  if (o.fp16 && o.bf16) usage_error("give either --fp16 or --bf16, not both");
  return o;
}

std::string usage() {
  std::string out =
      "kiln: build, run and inspect kiln engines (trtexec's flags work as they are)\n\n"
      "  kiln build --onnx=model.onnx --saveEngine=model.plan [build flags]\n"
      "  kiln run model.plan [run flags]               (or --loadEngine=model.plan)\n"
      "  kiln inspect model.plan [--html=out.html] [--profile=prof.json | --run]\n"
      "  kiln --onnx=model.onnx [flags]                (trtexec style: build, then run)\n"
      "  kiln serve model.plan|model.onnx [options]    (Ray Serve; python3 -m kiln.serve -h)\n\n"
      "flags:\n";
  for (const Flag& f : flags()) {
    std::string scope;
    if (f.scope != kAll) {
      if (f.scope & kBuildFlag) scope += "build ";
      if (f.scope & kRunFlag) scope += "run ";
      if (f.scope & kInspectFlag) scope += "inspect ";
      scope = " [" + scope.substr(0, scope.size() - 1) + "]";
    }
    out += std::string("  --") + f.name + f.help + scope + "\n";
  }
  return out;
}

}  // namespace kiln::cli
