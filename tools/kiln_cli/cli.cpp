// Dispatch of the `kiln` command: trtexec style (build and/or run), build, run, inspect.
#include "cli.h"

#include <cstdio>
#include <string>

#include "args.h"
#include "build.h"
#include "gpu.h"
#include "inspect.h"
#include "report.h"
#include "run.h"
#include "serve.h"

namespace kiln::cli {

namespace {

void export_layer_info(const Engine& engine, const std::string& path) {
  std::string info =
      engine.create_engine_inspector()->get_engine_information(LayerInformationFormat::kJSON);
  info += "\n";
  write_file(path, info.data(), info.size(), "layer information");
  std::fprintf(stderr, "[kiln] layer information written to '%s'\n", path.c_str());
}

void run_and_report(const Engine& engine, const Options& o) {
  if (engine.device_type() == DeviceType::kGPU) {
    std::string why;
    if (!gpu::available(why))
      throw Error("the engine is a GPU engine and no GPU is usable: " + why);
    std::printf("Device: %s\n", gpu::device_name().c_str());
  } else {
    std::printf("Device: CPU (kiln's CPU backend)\n");
    if (o.use_cuda_graph)
      std::fprintf(stderr, "[run] --useCudaGraph has no effect on a CPU engine\n");
  }
  std::unique_ptr<RunResult> baseline;
  if (o.streams > 1) {
    std::fprintf(stderr, "[run] measuring 1 stream first, then %d streams\n", o.streams);
    baseline = std::make_unique<RunResult>(run_inference(engine, o, 1));
  }
  RunResult result = run_inference(engine, o, o.streams);
  std::printf("%s", performance_summary(result, baseline.get()).c_str());
  if (o.dump_profile || !o.export_profile.empty()) {
    // A separate run: profiling times each step on its own, which would distort the summary.
    ProfileResult profile = profile_engine(engine, o, o.iterations);
    if (o.dump_profile) std::printf("%s", profile_table(profile).c_str());
    if (!o.export_profile.empty()) {
      std::string text = profile_json(profile);
      write_file(o.export_profile, text.data(), text.size(), "profile");
      std::fprintf(stderr, "[kiln] profile written to '%s'\n", o.export_profile.c_str());
    }
  }
}

int inspect(const Engine& engine, const Options& o, const std::string& source) {
  StepTimeList times;
  bool timed = false;
  if (!o.profile_json.empty()) {
    std::vector<uint8_t> bytes = read_file(o.profile_json, "profile");
    times = read_profile_json(std::string(bytes.begin(), bytes.end()), o.profile_json);
    timed = true;
  } else if (o.inspect_run) {
    ProfileResult p = profile_engine(engine, o, o.iterations);
    for (const StepTimes& s : p.steps) {
      double sum = 0;
      for (float ms : s.ms) sum += ms;
      times.emplace_back(s.name, s.ms.empty() ? 0.0 : sum / s.ms.size());
    }
    timed = true;
  }
  std::printf("%s", engine_summary(engine, timed ? &times : nullptr).c_str());
  if (!o.html.empty()) {
    std::string json =
        engine.create_engine_inspector()->get_engine_information(LayerInformationFormat::kJSON);
    std::string page = engine_html(json, timed ? &times : nullptr, "kiln engine: " + source);
    write_file(o.html, page.data(), page.size(), "HTML page");
    std::fprintf(stderr, "[kiln] engine graph written to '%s'\n", o.html.c_str());
  }
  if (!o.export_layer_info.empty()) export_layer_info(engine, o.export_layer_info);
  return 0;
}

}  // namespace

int kiln_main(int argc, const char* const* argv) {
  if (argc > 1 && std::string(argv[1]) == "serve") return serve_main(argc, argv);
  Options o;
  try {
    o = parse_args(argc, argv);
  } catch (const Error& e) {
    std::fprintf(stderr, "kiln: %s\n", e.what());
    return 2;
  }
  if (o.command == Command::kHelp) {
    std::printf("%s", usage().c_str());
    return 0;
  }
  Logger logger(o.verbose ? Logger::Severity::kVERBOSE : Logger::Severity::kWARNING);
  try {
    std::vector<uint8_t> plan;
    std::string source;
    if (!o.onnx.empty()) {
      plan = build_plan(o, logger);
      source = o.onnx;
    } else {
      plan = read_file(o.load_engine, "plan");
      source = o.load_engine;
    }
    if (o.command == Command::kBuild) {
      if (!o.export_layer_info.empty()) {
        export_layer_info(*load_engine(plan, o, logger), o.export_layer_info);
      }
      return 0;
    }
    std::unique_ptr<Engine> engine = load_engine(plan, o, logger);
    if (o.command == Command::kInspect) return inspect(*engine, o, source);
    if (!o.export_layer_info.empty()) export_layer_info(*engine, o.export_layer_info);
    run_and_report(*engine, o);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kiln: error: %s\n", e.what());
    return 1;
  }
}

}  // namespace kiln::cli
