// kiln run: the inference loop (warm-up, then timed inferences on one or more streams), and the
// per-step profile run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "kiln/runtime.h"

namespace kiln::cli {

// One inference. GPU: H2D, compute and D2H from CUDA events on the inference's stream, latency from
// its first to its last event; enqueue is host time spent in execute_async_v3. CPU: the engine runs
// synchronously, so enqueue, compute and latency are all the execute time and there are no copies.
struct InferenceTiming {
  double enqueue_ms = 0, h2d_ms = 0, compute_ms = 0, d2h_ms = 0, latency_ms = 0;
};

struct RunResult {
  std::vector<InferenceTiming> inferences;
  double wall_s = 0;  // host time from the first timed inference's start to the last one's end
  int32_t streams = 1;
  bool gpu = false;
  bool data_transfers = true;
};

// Per-step times of `runs` profiled inferences, steps in execution order.
struct StepTimes {
  std::string name;
  std::vector<float> ms;  // one per run
};
struct ProfileResult {
  int32_t runs = 0;
  std::vector<StepTimes> steps;
};

// Loads a plan; checks it runs on the device --device asked for (when given). Throws Error.
std::unique_ptr<Engine> load_engine(const std::vector<uint8_t>& plan, const Options& options,
                                    Logger& logger);

// Runs warm-up and timed inferences with `streams` contexts (CPU: threads). Throws Error.
RunResult run_inference(const Engine& engine, const Options& options, int32_t streams);

// Runs `runs` inferences with a profiler set on one context (no copies). Throws Error.
ProfileResult profile_engine(const Engine& engine, const Options& options, int32_t runs);

}  // namespace kiln::cli
