// kiln command line: the options of `kiln build`, `kiln run`, `kiln inspect` and trtexec's flags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/types.h"

namespace kiln::cli {

// What the command line asks for. `kTrtexec` is a bare `kiln --onnx=...` (build, then run) or
// `kiln --loadEngine=...` (run), as trtexec does.
enum class Command { kTrtexec, kBuild, kRun, kInspect, kHelp };

struct ShapeSpec {
  std::string name;
  Dims dims;
};

struct Options {
  Command command = Command::kTrtexec;
  // Model and engine files.
  std::string onnx, save_engine, load_engine, timing_cache_file;
  // Build.
  bool fp16 = false, bf16 = false, no_tf32 = false;
  std::vector<ShapeSpec> min_shapes, opt_shapes, max_shapes;
  bool tactic_sources_set = false;
  uint32_t tactic_sources = 0x1Fu;          // 1 << TacticSource
  int32_t builder_optimization_level = -1;  // -1: the library's default
  int32_t max_aux_streams = -1;             // -1: the library's default
  int32_t cpu_threads = 0;                  // 0: the library's default
  DeviceType device = DeviceType::kGPU;
  bool device_set = false;
  // Run.
  std::vector<ShapeSpec> shapes;
  std::vector<std::pair<std::string, std::string>> load_inputs;  // name, file
  bool use_cuda_graph = false, no_cuda_graph = false, no_data_transfers = false, nvtx = false;
  int32_t streams = 1;
  int32_t iterations = 10;
  double duration_s = 3.0;
  double warm_up_ms = 200.0;
  uint32_t seed = 1;
  // Reports.
  bool dump_profile = false, verbose = false;
  std::string export_profile, export_layer_info;
  // inspect.
  std::string html, profile_json;
  bool inspect_run = false;
};

// Parses argv (argv[0] is the program). Throws Error with a message that names the flag and says
// what was expected.
Options parse_args(int argc, const char* const* argv);

// "name:1x3x224x224,name2:..." (a name may be quoted with single quotes; otherwise it ends at the
// last ':'). `flag` names the flag in errors. Throws Error.
std::vector<ShapeSpec> parse_shapes(const std::string& flag, const std::string& text);

// "-CUDNN,+CUBLAS_LT" applied to `mask` (1 << TacticSource). Throws Error.
uint32_t parse_tactic_sources(const std::string& text, uint32_t mask);

// The help text (every flag, with what it does).
std::string usage();

}  // namespace kiln::cli
