// The performance summary, the profile table and the profile JSON.
#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "json.h"

namespace kiln::cli {

namespace {

std::string format(const char* fmt, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, a);
  return buf;
}

std::string stats_line(const char* label, const Stats& s) {
  char buf[320];
  std::snprintf(
      buf, sizeof buf,
      "%s: min = %.5f ms, max = %.5f ms, mean = %.5f ms, median = %.5f ms, "
      "percentile(90%%) = %.5f ms, percentile(95%%) = %.5f ms, percentile(99%%) = %.5f ms\n",
      label, s.min, s.max, s.mean, s.median, s.p90, s.p95, s.p99);
  return buf;
}

template <typename F>
Stats field_stats(const RunResult& run, F field) {
  std::vector<double> v;
  for (const InferenceTiming& t : run.inferences) v.push_back(field(t));
  return stats_of(std::move(v));
}

double throughput(const RunResult& run) {
  return run.wall_s > 0 ? static_cast<double>(run.inferences.size()) / run.wall_s : 0.0;
}

double average(const std::vector<float>& ms) {
  return ms.empty() ? 0.0 : std::accumulate(ms.begin(), ms.end(), 0.0) / ms.size();
}

double median(std::vector<float> ms) {
  if (ms.empty()) return 0.0;
  std::sort(ms.begin(), ms.end());
  size_t n = ms.size();
  return n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2.0;
}

}  // namespace

Stats stats_of(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto rank = [&](double p) {
    size_t k = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(k, 1, v.size()) - 1];
  };
  s.min = v.front();
  s.max = v.back();
  s.total = std::accumulate(v.begin(), v.end(), 0.0);
  s.mean = s.total / static_cast<double>(v.size());
  size_t n = v.size();
  s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  s.p90 = rank(90);
  s.p95 = rank(95);
  s.p99 = rank(99);
  return s;
}

std::string performance_summary(const RunResult& run, const RunResult* baseline) {
  std::string out = "=== Performance summary ===\n";
  out += format("Throughput: %.3f qps\n", throughput(run));
  out += stats_line("Latency", field_stats(run, [](auto& t) { return t.latency_ms; }));
  out += stats_line("Enqueue Time", field_stats(run, [](auto& t) { return t.enqueue_ms; }));
  Stats compute = field_stats(run, [](auto& t) { return t.compute_ms; });
  if (run.gpu) {
    if (run.data_transfers) {
      out += stats_line("H2D Latency", field_stats(run, [](auto& t) { return t.h2d_ms; }));
    }
    out += stats_line("GPU Compute Time", compute);
    if (run.data_transfers) {
      out += stats_line("D2H Latency", field_stats(run, [](auto& t) { return t.d2h_ms; }));
    }
    if (!run.data_transfers) out += "H2D and D2H: none (--noDataTransfers)\n";
  } else {
    out += stats_line("CPU Compute Time", compute);
    out += "H2D and D2H: none (CPU engine: inputs and outputs stay in host memory)\n";
  }
  out += format("Total Host Walltime: %.5f s\n", run.wall_s);
  out += format(run.gpu ? "Total GPU Compute Time: %.5f s\n" : "Total CPU Compute Time: %.5f s\n",
                compute.total / 1000.0);
  out += format("Inferences: %.0f", static_cast<double>(run.inferences.size()));
  out += format(" on %.0f stream", run.streams) + (run.streams > 1 ? "s" : "") +
         (run.gpu ? "" : " (CPU: one thread per stream)") + "\n";
  if (baseline != nullptr) {
    double one = throughput(*baseline), many = throughput(run);
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "Streams: %d streams %.3f qps vs 1 stream %.3f qps: %.2fx the single-stream "
                  "throughput\n",
                  run.streams, many, one, one > 0 ? many / one : 0.0);
    out += buf;
  }
  if (run.gpu) {
    out +=
        "Latency covers H2D + compute + D2H of one inference as the GPU saw it (events on its "
        "stream); Enqueue Time is host time in execute_async_v3; host buffers are pinned.\n";
  }
  return out;
}

std::string profile_table(const ProfileResult& p) {
  struct Row {
    std::string name;
    double total, avg, med;
  };
  std::vector<Row> rows;
  double sum = 0;
  for (const StepTimes& s : p.steps) {
    double total = std::accumulate(s.ms.begin(), s.ms.end(), 0.0);
    rows.push_back({s.name, total, average(s.ms), median(s.ms)});
    sum += total;
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.total > b.total; });
  std::string out = "=== Profile (" + std::to_string(p.runs) + " runs, steps sorted by time) ===\n";
  char buf[128];
  std::snprintf(buf, sizeof buf, "%12s %12s %12s %8s   %s\n", "Time(ms)", "Avg.(ms)", "Median(ms)",
                "Time(%)", "Layer");
  out += buf;
  for (const Row& r : rows) {
    std::snprintf(buf, sizeof buf, "%12.4f %12.4f %12.4f %8.1f   ", r.total, r.avg, r.med,
                  sum > 0 ? 100.0 * r.total / sum : 0.0);
    out += buf + r.name + "\n";
  }
  std::snprintf(buf, sizeof buf, "%12.4f %12.4f %12s %8.1f   Total\n", sum,
                p.runs ? sum / p.runs : 0.0, "-", 100.0);
  out += buf;
  return out;
}

std::string profile_json(const ProfileResult& p) {
  double sum = 0;
  for (const StepTimes& s : p.steps) sum += std::accumulate(s.ms.begin(), s.ms.end(), 0.0);
  std::string out = "[\n  {\"count\": " + std::to_string(p.runs) + "}";
  char buf[256];
  for (const StepTimes& s : p.steps) {
    double total = std::accumulate(s.ms.begin(), s.ms.end(), 0.0);
    std::snprintf(buf, sizeof buf,
                  ", \"timeMs\": %.6f, \"averageMs\": %.6f, \"medianMs\": %.6f, \"percentage\": "
                  "%.4f}",
                  total, average(s.ms), median(s.ms), sum > 0 ? 100.0 * total / sum : 0.0);
    out += ",\n  {\"name\": " + json::quote(s.name) + buf;
  }
  return out + "\n]\n";
}

std::vector<std::pair<std::string, double>> read_profile_json(const std::string& text,
                                                              const std::string& what) {
  json::Value doc = json::parse(text, what);
  if (!doc.is_array()) throw Error(what + ": expected a JSON array as --exportProfile writes");
  std::vector<std::pair<std::string, double>> times;
  for (const json::Value& v : doc.array) {
    const json::Value& name = v["name"];
    if (name.kind != json::Value::Kind::kString) continue;  // the {"count": N} entry
    const json::Value& avg = v["averageMs"];
    if (avg.kind != json::Value::Kind::kNumber) {
      throw Error(what + ": entry '" + name.string + "' has no numeric \"averageMs\"");
    }
    times.emplace_back(name.string, avg.number);
  }
  return times;
}

}  // namespace kiln::cli
