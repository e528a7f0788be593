// Reports: the performance summary (as trtexec prints it), the per-step profile table and its
// JSON export (trtexec's --exportProfile layout).
#pragma once

#include <string>
#include <vector>

#include "run.h"

namespace kiln::cli {

struct Stats {
  double min = 0, max = 0, mean = 0, median = 0, p90 = 0, p95 = 0, p99 = 0, total = 0;
};
// Nearest-rank percentiles of `values` (which it sorts). All zero for none.
Stats stats_of(std::vector<double> values);

// "Throughput: ... qps", the latency, enqueue, H2D, GPU compute and D2H lines, wall time. With a
// single-stream `baseline` (a run with --streams > 1), the gain over it.
std::string performance_summary(const RunResult& run, const RunResult* baseline);

// Steps sorted by time, with average/median per run and percentage of the total.
std::string profile_table(const ProfileResult& profile);

// [{"count": runs}, {"name": ..., "timeMs": ..., "averageMs": ..., "medianMs": ...,
//   "percentage": ...}, ...] in execution order.
std::string profile_json(const ProfileResult& profile);

// Average milliseconds per step name, read from profile_json output. Throws Error.
std::vector<std::pair<std::string, double>> read_profile_json(const std::string& text,
                                                              const std::string& what);

}  // namespace kiln::cli
