// kiln build: parse the ONNX model, make the optimization profile from --minShapes/--optShapes/
// --maxShapes (or --shapes), apply the build flags, show progress, save the plan and timing cache.
#include "build.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "kiln/builder.h"
#include "kiln/onnx_parser.h"

namespace kiln::cli {

std::vector<uint8_t> read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(std::string("cannot open ") + what + " '" + path + "'");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(std::string("cannot read ") + what + " '" + path + "'");
  return bytes;
}

void write_file(const std::string& path, const void* data, size_t size, const char* what) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) throw Error(std::string("cannot write ") + what + " '" + path + "'");
}

namespace {

// The build's progress on stderr: a bar redrawn in place on a terminal, a line per finished phase
// otherwise (logs, CI).
class ProgressBar : public ProgressMonitor {
 public:
  ProgressBar() : tty_(isatty(fileno(stderr)) != 0) {}

  void phase_start(const char* name, const char* parent, int32_t steps) override {
    phases_[name] = {steps, 0, std::chrono::steady_clock::now(), parent != nullptr};
    draw(name);
  }
  bool step_complete(const char* name, int32_t step) override {
    phases_[name].done = step + 1;
    draw(name);
    return true;
  }
  void phase_finish(const char* name) override {
    Phase& p = phases_[name];
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - p.start).count();
    if (!p.nested) return;
    if (tty_) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "[build] %-30s %5d/%-5d %8.3f s\n", name, p.done, p.steps, s);
  }

 private:
  struct Phase {
    int32_t steps = 0, done = 0;
    std::chrono::steady_clock::time_point start;
    bool nested = false;
  };
  void draw(const char* name) {
    if (!tty_) return;
    const Phase& p = phases_[name];
    if (!p.nested) return;
    const int width = 30;
    int filled = p.steps > 0 ? p.done * width / p.steps : 0;
    std::string bar(static_cast<size_t>(filled), '=');
    bar.resize(width, ' ');
    std::fprintf(stderr, "\r\033[K[build] [%s] %s %d/%d", bar.c_str(), name, p.done, p.steps);
    std::fflush(stderr);
  }
  bool tty_;
  std::map<std::string, Phase> phases_;
};

// Counts the candidates tactic selection looked at and timed; keeps every candidate.
class TacticCounter : public AlgorithmSelector {
 public:
  std::vector<int32_t> select_algorithms(const AlgorithmContext&,
                                         std::span<const Algorithm> candidates) override {
    ++layers;
    for (const Algorithm& a : candidates) {
      ++considered;
      if (a.time_ms >= 0) ++timed;
    }
    return {};
  }
  void report_algorithms(std::span<const AlgorithmContext>, std::span<const Algorithm>) override {}
  int64_t layers = 0, considered = 0, timed = 0;
};

std::string input_list(const NetworkDefinition& network) {
  std::string out;
  for (int32_t i = 0; i < network.num_inputs(); ++i) {
    out += (i ? ", " : "") + network.get_input(i)->name();
  }
  return out;
}

const ShapeSpec* find_spec(const std::vector<ShapeSpec>& specs, const std::string& name) {
  for (const ShapeSpec& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// The profile the flags describe; none when every input is static and no shape flag is given.
void add_profile(const Options& o, const NetworkDefinition& network, Builder& builder,
                 BuilderConfig& config) {
  const bool ranges = !o.min_shapes.empty() || !o.opt_shapes.empty() || !o.max_shapes.empty();
  const std::pair<const char*, const std::vector<ShapeSpec>*> lists[] = {
      {"--minShapes", &o.min_shapes},
      {"--optShapes", &o.opt_shapes},
      {"--maxShapes", &o.max_shapes},
      {"--shapes", &o.shapes}};
  for (const auto& [flag, specs] : lists) {
    for (const ShapeSpec& s : *specs) {
      bool found = false;
      for (int32_t i = 0; i < network.num_inputs(); ++i) {
        found |= network.get_input(i)->name() == s.name;
      }
      if (!found) {
        throw Error(std::string(flag) + ": '" + s.name + "' is not an input of the network " +
                    "(inputs: " + input_list(network) + ")");
      }
    }
  }
  OptimizationProfile* profile = builder.create_optimization_profile();
  bool any = false;
  for (int32_t i = 0; i < network.num_inputs(); ++i) {
    const Tensor* input = network.get_input(i);
    const std::string& name = input->name();
    Dims declared = input->dimensions();
    const ShapeSpec* mn = find_spec(o.min_shapes, name);
    const ShapeSpec* op = find_spec(o.opt_shapes, name);
    const ShapeSpec* mx = find_spec(o.max_shapes, name);
    const ShapeSpec* run = find_spec(o.shapes, name);
    if (ranges && (mn || op || mx)) {
      if (!mn || !op || !mx) {
        throw Error("input '" + name + "' needs a shape in each of --minShapes, --optShapes and " +
                    "--maxShapes (missing in " +
                    (!mn   ? "--minShapes"
                     : !op ? "--optShapes"
                           : "--maxShapes") +
                    ")");
      }
      profile->set_shape(name, mn->dims, op->dims, mx->dims);
      any = true;
    } else if (run != nullptr) {
      if (!declared.is_dynamic()) continue;  // a static input needs no profile entry
      profile->set_shape(name, run->dims, run->dims, run->dims);
      any = true;
    } else if (declared.is_dynamic()) {
      throw Error("input '" + name + "' has dynamic shape " + to_string(declared) +
                  "; give its shapes with --minShapes/--optShapes/--maxShapes or --shapes=" + name +
                  ":" + "1x...");
    }
  }
  if (any) config.add_optimization_profile(*profile);
}

}  // namespace

std::vector<uint8_t> build_plan(const Options& o, Logger& logger) {
  Builder builder(logger);
  auto network = builder.create_network();
  OnnxParser parser(*network, logger);
  std::vector<uint8_t> model = read_file(o.onnx, "ONNX model");
  if (!parser.parse(model.data(), model.size(), o.onnx.c_str())) {
    std::string msg = "cannot parse '" + o.onnx + "':";
    for (int32_t i = 0; i < parser.num_errors(); ++i) {
      const ParserError& e = parser.get_error(i);
      msg += "\n  ";
      if (e.node() >= 0)
        msg += std::string("node ") + e.node_name() + " (" + e.node_operator() + "): ";
      msg += e.desc();
    }
    throw Error(msg);
  }
  auto config = builder.create_builder_config();
  config->set_default_device_type(o.device);
  if (o.fp16) config->set_flag(BuilderFlag::kFP16);
  if (o.bf16) config->set_flag(BuilderFlag::kBF16);
  if (o.no_tf32) config->clear_flag(BuilderFlag::kTF32);
  if (o.builder_optimization_level >= 0) {
    config->set_builder_optimization_level(o.builder_optimization_level);
  }
  if (o.max_aux_streams >= 0) config->set_max_aux_streams(o.max_aux_streams);
  config->set_cpu_threads(o.cpu_threads);
  if (o.tactic_sources_set) config->set_tactic_sources(o.tactic_sources);
  add_profile(o, *network, builder, *config);

  std::unique_ptr<TimingCache> cache;
  if (!o.timing_cache_file.empty()) {
    std::vector<uint8_t> blob;
    if (std::filesystem::exists(o.timing_cache_file)) {
      blob = read_file(o.timing_cache_file, "timing cache");
    }
    cache = config->create_timing_cache(blob.data(), blob.size());
    config->set_timing_cache(cache.get(), false);
    std::fprintf(stderr, "[build] timing cache '%s': %lld entries\n", o.timing_cache_file.c_str(),
                 static_cast<long long>(cache->num_entries()));
  }
  ProgressBar progress;
  TacticCounter counter;
  config->set_progress_monitor(&progress);
  config->set_algorithm_selector(&counter);

  auto start = std::chrono::steady_clock::now();
  std::vector<uint8_t> plan = builder.build_serialized_network(*network, *config);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr,
               "[build] engine built in %.3f s: %lld layers, %lld tactic candidates, %lld timed "
               "now (the rest from the timing cache or not timed), plan %zu bytes\n",
               seconds, static_cast<long long>(counter.layers),
               static_cast<long long>(counter.considered), static_cast<long long>(counter.timed),
               plan.size());
  if (cache) {
    std::vector<uint8_t> blob = cache->serialize();
    write_file(o.timing_cache_file, blob.data(), blob.size(), "timing cache");
    std::fprintf(stderr, "[build] timing cache saved to '%s' (%lld entries)\n",
                 o.timing_cache_file.c_str(), static_cast<long long>(cache->num_entries()));
  }
  if (!o.save_engine.empty()) {
    write_file(o.save_engine, plan.data(), plan.size(), "plan");
    std::fprintf(stderr, "[build] plan saved to '%s'\n", o.save_engine.c_str());
  }
  return plan;
}

}  // namespace kiln::cli
