// Arena planning: tensors are placed largest first at the lowest offset not taken by a tensor
// they may be in use together with. "Together" comes from a happens-before relation over steps
// (data dependencies plus stream order), which on one stream is just the step order: there a
// tensor is in use from the step that writes it to its last reader, and two tensors conflict when
// those intervals meet, found through per-step lists instead of the n x n relation.
#include "builder/memory_planner.h"

#include <algorithm>

namespace kiln::builder {

namespace {

int64_t align_up(int64_t n, int64_t a) {
  return (n + a - 1) / a * a;
}

struct Candidate {
  int32_t tensor;
  int32_t producer;              // step that writes it
  std::vector<int32_t> readers;  // steps that read it
  int64_t size;                  // bytes, aligned
};

// before[s][x]: step x finishes before step s starts.
std::vector<std::vector<bool>> happens_before(const ir::Graph& graph,
                                              const std::vector<int32_t>& streams) {
  size_t n = graph.nodes.size();
  std::vector<std::vector<bool>> before(n, std::vector<bool>(n, false));
  std::vector<int32_t> last_on_stream;
  auto inherit = [&](size_t s, int32_t p) {
    before[s][p] = true;
    for (size_t x = 0; x < n; ++x) {
      if (before[p][x]) before[s][x] = true;
    }
  };
  for (size_t s = 0; s < n; ++s) {
    int32_t stream = streams.empty() ? 0 : streams[s];
    if (stream >= static_cast<int32_t>(last_on_stream.size()))
      last_on_stream.resize(stream + 1, -1);
    if (last_on_stream[stream] >= 0) inherit(s, last_on_stream[stream]);
    for (int32_t t : graph.nodes[s].inputs) {
      if (t >= 0 && graph.tensors[t].producer >= 0) inherit(s, graph.tensors[t].producer);
    }
    last_on_stream[stream] = static_cast<int32_t>(s);
  }
  return before;
}

}  // namespace

runtime::MemoryPlan plan_memory(const ir::Graph& graph, const std::vector<int64_t>& bytes,
                                const std::vector<int32_t>& streams) {
  runtime::MemoryPlan plan;
  plan.offsets.assign(graph.tensors.size(), -1);
  std::vector<bool> is_output(graph.tensors.size(), false);
  for (int32_t t : graph.outputs) is_output[t] = true;

  std::vector<Candidate> candidates;
  std::vector<int32_t> index_of(graph.tensors.size(), -1);
  for (int32_t s = 0; s < static_cast<int32_t>(graph.nodes.size()); ++s) {
    // A view's output lives in its input's memory (ir::alias_views): no slot of its own.
    if (graph.nodes[s].kind() == ir::op::kVIEW) continue;
    for (int32_t t : graph.nodes[s].outputs) {
      if (is_output[t]) continue;
      index_of[t] = static_cast<int32_t>(candidates.size());
      candidates.push_back({t, s, {}, align_up(std::max<int64_t>(bytes[t], 1), kArenaAlignment)});
    }
  }
  for (int32_t s = 0; s < static_cast<int32_t>(graph.nodes.size()); ++s) {
    for (int32_t t : graph.nodes[s].inputs) {
      // Reading a view reads the memory of the tensor it views: that tensor stays alive.
      int32_t root = t >= 0 ? ir::view_root(graph, t) : -1;
      if (root >= 0 && index_of[root] >= 0) candidates[index_of[root]].readers.push_back(s);
    }
  }
  const bool one_stream =
      std::all_of(streams.begin(), streams.end(), [](int32_t s) { return s == 0; });
  std::vector<std::vector<bool>> before;
  if (!one_stream) before = happens_before(graph, streams);
  // a is done with its memory before b is written: every use of a happens before b's producer.
  auto done_before = [&](const Candidate& a, const Candidate& b) {
    if (!before[b.producer][a.producer]) return false;
    for (int32_t r : a.readers) {
      if (!before[b.producer][r]) return false;
    }
    return true;
  };

  std::vector<int32_t> order(candidates.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  // Largest first (ties by tensor index, so the plan is deterministic).
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    const Candidate& x = candidates[a];
    const Candidate& y = candidates[b];
    return x.size != y.size ? x.size > y.size : x.tensor < y.tensor;
  });
  // One stream: the last step that uses each candidate, and the placed candidates in use at
  // each step.
  std::vector<int32_t> last(candidates.size());
  std::vector<std::vector<int32_t>> live(one_stream ? graph.nodes.size() : 0);
  for (size_t i = 0; i < candidates.size(); ++i) {
    last[i] = candidates[i].producer;
    for (int32_t r : candidates[i].readers) last[i] = std::max(last[i], r);
  }
  std::vector<int32_t> placed;
  std::vector<std::pair<int64_t, int64_t>> busy;
  for (int32_t i : order) {
    const Candidate& c = candidates[i];
    busy.clear();
    auto add_busy = [&](const Candidate& other) {
      int64_t off = plan.offsets[other.tensor];
      busy.push_back({off, off + other.size});
    };
    if (one_stream) {
      // Each placed candidate whose interval meets c's, once: at the first step of both.
      for (int32_t s = c.producer; s <= last[i]; ++s) {
        for (int32_t j : live[s]) {
          if (s == std::max(c.producer, candidates[j].producer)) add_busy(candidates[j]);
        }
      }
    } else {
      for (int32_t j : placed) {
        const Candidate& other = candidates[j];
        if (!done_before(c, other) && !done_before(other, c)) add_busy(other);
      }
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + c.size <= begin) break;
      offset = std::max(offset, end);
    }
    plan.offsets[c.tensor] = offset;
    plan.arena_size = std::max(plan.arena_size, offset + c.size);
    if (one_stream) {
      for (int32_t s = c.producer; s <= last[i]; ++s) live[s].push_back(i);
    } else {
      placed.push_back(i);
    }
  }
  return plan;
}

}  // namespace kiln::builder
