// The memory planner: tensors alive at the same step never share bytes, dead tensors' memory is
// reused, and the plan is deterministic.
#include <random>

#include <gtest/gtest.h>

#include "builder/memory_planner.h"

namespace kiln::builder {
namespace {

// A graph of `n` nodes where node i reads the outputs of `reads[i]` and writes tensor i + 1;
// tensor 0 is the graph input and the last tensor the output.
ir::Graph chain_graph(const std::vector<std::vector<int32_t>>& reads) {
  ir::Graph g;
  g.tensors.resize(reads.size() + 1);
  g.inputs = {0};
  for (size_t i = 0; i < reads.size(); ++i) {
    ir::Node node;
    node.name = "n" + std::to_string(i);
    node.attrs = IdentityAttrs{};
    node.inputs = reads[i];
    node.outputs = {static_cast<int32_t>(i + 1)};
    g.tensors[i + 1].producer = static_cast<int32_t>(i);
    g.nodes.push_back(node);
  }
  g.outputs = {static_cast<int32_t>(reads.size())};
  return g;
}

TEST(MemoryPlanner, ReusesMemoryOfDeadTensors) {
  // 0 -> t1 -> t2 -> t3 -> t4 (output): t1 and t3 never live together.
  ir::Graph g = chain_graph({{0}, {1}, {2}, {3}});
  runtime::MemoryPlan plan = plan_memory(g, {4, 1000, 1000, 1000, 4});
  EXPECT_EQ(plan.offsets[0], -1);  // input: user memory
  EXPECT_EQ(plan.offsets[4], -1);  // output: user memory
  EXPECT_NE(plan.offsets[1], plan.offsets[2]);
  EXPECT_NE(plan.offsets[2], plan.offsets[3]);
  EXPECT_EQ(plan.arena_size, 2 * 1024);
  for (int t = 1; t <= 3; ++t) EXPECT_EQ(plan.offsets[t] % kArenaAlignment, 0);
}

TEST(MemoryPlanner, LongLivedTensorIsNotOverwritten) {
  // t1 is read by the last node, so it overlaps everything.
  ir::Graph g = chain_graph({{0}, {1}, {2}, {3, 1}});
  runtime::MemoryPlan plan = plan_memory(g, {4, 512, 512, 512, 4});
  EXPECT_NE(plan.offsets[1], plan.offsets[2]);
  EXPECT_NE(plan.offsets[1], plan.offsets[3]);
  EXPECT_NE(plan.offsets[2], plan.offsets[3]);  // t3 is written while t2 is read
  EXPECT_EQ(plan.arena_size, 3 * 512);
}

TEST(MemoryPlanner, RandomGraphsNeverOverlapLiveTensors) {
  std::mt19937 gen(42);
  for (int trial = 0; trial < 200; ++trial) {
    int n = 2 + static_cast<int>(gen() % 30);
    std::vector<std::vector<int32_t>> reads(n);
    for (int i = 0; i < n; ++i) {
      int k = 1 + static_cast<int>(gen() % 3);
      for (int j = 0; j < k; ++j) reads[i].push_back(static_cast<int32_t>(gen() % (i + 1)));
    }
    ir::Graph g = chain_graph(reads);
    std::vector<int64_t> bytes;
    for (size_t t = 0; t < g.tensors.size(); ++t) bytes.push_back(1 + gen() % 5000);
    runtime::MemoryPlan plan = plan_memory(g, bytes);
    EXPECT_EQ(plan_memory(g, bytes).offsets, plan.offsets);  // deterministic
    // Lifetimes: tensor t (1..n-1) from step t-1 to its last reader.
    std::vector<int> last(g.tensors.size(), -1);
    for (int i = 0; i < n; ++i) {
      for (int32_t t : reads[i]) last[t] = std::max(last[t], i);
    }
    for (int a = 1; a < n; ++a) {
      ASSERT_GE(plan.offsets[a], 0);
      ASSERT_LE(plan.offsets[a] + bytes[a], plan.arena_size);
      for (int b = a + 1; b < n; ++b) {
        int a_end = std::max(a - 1, last[a]), b_end = std::max(b - 1, last[b]);
        bool live_together = !(a_end < b - 1 || b_end < a - 1);
        bool share = plan.offsets[a] < plan.offsets[b] + bytes[b] &&
                     plan.offsets[b] < plan.offsets[a] + bytes[a];
        ASSERT_FALSE(live_together && share)
            << "trial " << trial << " tensors " << a << " and " << b;
      }
    }
  }
}

TEST(MemoryPlanner, OneStreamIntervalsGiveTheSamePlanAsTheHappensBeforeRelation) {
  // Steps on stream 0 take the per-step interval path; the same order on stream 1 takes the
  // general happens-before path. Both must place every tensor at the same offset.
  std::mt19937 gen(7);
  for (int trial = 0; trial < 200; ++trial) {
    int n = 2 + static_cast<int>(gen() % 40);
    std::vector<std::vector<int32_t>> reads(n);
    for (int i = 0; i < n; ++i) {
      int k = 1 + static_cast<int>(gen() % 3);
      for (int j = 0; j < k; ++j) reads[i].push_back(static_cast<int32_t>(gen() % (i + 1)));
    }
    ir::Graph g = chain_graph(reads);
    std::vector<int64_t> bytes;
    for (size_t t = 0; t < g.tensors.size(); ++t)
      bytes.push_back(1 + gen() % (trial % 2 ? 8 : 5000));
    runtime::MemoryPlan one = plan_memory(g, bytes);
    runtime::MemoryPlan general = plan_memory(g, bytes, std::vector<int32_t>(n, 1));
    ASSERT_EQ(one.offsets, general.offsets) << "trial " << trial;
    ASSERT_EQ(one.arena_size, general.arena_size) << "trial " << trial;
  }
}

}  // namespace
}  // namespace kiln::builder
