// Liveness-based arena planning: a tensor lives from the step that writes it to the last step
// that reads it; larger tensors are placed first at the lowest offset free for their lifetime.
#include "builder/memory_planner.h"

#include <algorithm>

namespace kiln::builder {

namespace {

struct Interval {
  int32_t tensor;
  int32_t first, last;  // steps
  int64_t size;         // bytes, aligned
};

int64_t align_up(int64_t n, int64_t a) { return (n + a - 1) / a * a; }

}  // namespace

runtime::MemoryPlan plan_memory(const ir::Graph& graph, const std::vector<int64_t>& bytes) {
  runtime::MemoryPlan plan;
  plan.offsets.assign(graph.tensors.size(), -1);

  std::vector<bool> is_output(graph.tensors.size(), false);
  for (int32_t t : graph.outputs) is_output[t] = true;
  std::vector<int32_t> first(graph.tensors.size(), -1), last(graph.tensors.size(), -1);
  for (int32_t step = 0; step < static_cast<int32_t>(graph.nodes.size()); ++step) {
    for (int32_t t : graph.nodes[step].outputs) first[t] = last[t] = step;
    for (int32_t t : graph.nodes[step].inputs) {
      if (t >= 0 && first[t] >= 0) last[t] = step;
    }
  }
  std::vector<Interval> intervals;
  for (int32_t t = 0; t < static_cast<int32_t>(graph.tensors.size()); ++t) {
    if (first[t] < 0 || is_output[t]) continue;
    intervals.push_back({t, first[t], last[t], align_up(std::max<int64_t>(bytes[t], 1), kArenaAlignment)});
  }
  // Largest first (ties by tensor index, so the plan is deterministic).
  std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) {
    return a.size != b.size ? a.size > b.size : a.tensor < b.tensor;
  });
  std::vector<const Interval*> placed;
  for (const Interval& iv : intervals) {
    // Offsets taken by placed tensors whose lifetime overlaps, sorted by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (const Interval* other : placed) {
      if (other->last < iv.first || iv.last < other->first) continue;
      int64_t off = plan.offsets[other->tensor];
      busy.push_back({off, off + other->size});
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + iv.size <= begin) break;
      offset = std::max(offset, end);
    }
    plan.offsets[iv.tensor] = offset;
    plan.arena_size = std::max(plan.arena_size, offset + iv.size);
    placed.push_back(&iv);
  }
  return plan;
}

}  // namespace kiln::builder
