// The pass manager: runs the builder's graph passes by name, verifies the graph after each one
// when asked (KILN_VERIFY_IR=1; the tests turn it on), and prints the textual IR after the passes
// a user names (KILN_DUMP_IR=all, or a comma-separated list of pass names), so a user sees what
// the optimizer did (docs/optimizer.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "kiln/logger.h"

namespace kiln::builder {

// Structural checks (indices in range, one producer per tensor, producers recorded, every read
// tensor defined, output counts, no cycles) and re-inference of every tensor; throws Error
// naming `after` (the pass that broke the graph) and what is wrong.
void verify_graph(const ir::Graph& graph, std::string_view after);

class PassManager {
 public:
  // Verification and dumps as the environment says (KILN_VERIFY_IR, KILN_DUMP_IR).
  explicit PassManager(Logger& logger);

  void set_verify(bool verify) { verify_ = verify; }
  void set_dump(std::string passes) { dump_ = std::move(passes); }

  // graph = pass(graph), then verify and dump as configured.
  template <typename Pass>
  void run(std::string_view name, ir::Graph& graph, Pass&& pass) {
    graph = pass(static_cast<const ir::Graph&>(graph));
    after(name, graph);
  }

  // The passes run so far, in order.
  const std::vector<std::string>& history() const { return history_; }

 private:
  void after(std::string_view name, const ir::Graph& graph);

  Logger& logger_;
  bool verify_ = false;
  std::string dump_;
  std::vector<std::string> history_;
};

}  // namespace kiln::builder
