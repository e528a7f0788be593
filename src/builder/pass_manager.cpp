// The pass manager (pass_manager.h).
#include "builder/pass_manager.h"

#include <cstdio>
#include <cstdlib>

#include "ir/op.h"
#include "ir/text.h"

namespace kiln::builder {

namespace {

bool listed(const std::string& list, std::string_view name) {
  if (list == "1" || list == "all") return true;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    if (std::string_view(list).substr(start, end - start) == name) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

void verify_graph(const ir::Graph& g, std::string_view after) {
  auto bad = [&](const auto&... why) {
    fail("internal error: the graph is invalid after pass '", after, "': ", why...);
  };
  const int32_t nt = static_cast<int32_t>(g.tensors.size());
  const int32_t nn = static_cast<int32_t>(g.nodes.size());
  std::vector<int32_t> produced_by(nt, -1);
  for (int32_t i = 0; i < nn; ++i) {
    const ir::Node& n = g.nodes[i];
    if (n.attrs.index() == 0) bad("node ", i, " '", n.name, "' has no kind");
    for (int32_t t : n.inputs) {
      if (t < -1 || t >= nt) bad("node '", n.name, "' reads tensor ", t, " of ", nt);
    }
    if (static_cast<int32_t>(n.outputs.size()) != ir::num_outputs(n))
      bad("node '", n.name, "' has ", n.outputs.size(), " outputs, its kind ", ir::num_outputs(n));
    for (int32_t t : n.outputs) {
      if (t < 0 || t >= nt) bad("node '", n.name, "' writes tensor ", t, " of ", nt);
      if (produced_by[t] >= 0) bad("tensor '", g.tensors[t].name, "' has two producers");
      produced_by[t] = i;
      if (g.tensors[t].producer != i)
        bad("tensor '", g.tensors[t].name, "' records producer ", g.tensors[t].producer,
            " but node ", i, " '", n.name, "' writes it");
    }
  }
  std::vector<bool> is_input(nt, false);
  for (int32_t t : g.inputs) {
    if (t < 0 || t >= nt) bad("graph input ", t, " of ", nt);
    is_input[t] = true;
  }
  for (int32_t t = 0; t < nt; ++t) {
    const ir::Tensor& tensor = g.tensors[t];
    if (tensor.weights >= static_cast<int32_t>(g.weights.size()))
      bad("tensor '", tensor.name, "' refers to weights ", tensor.weights);
    if (tensor.producer >= 0 && produced_by[t] != tensor.producer)
      bad("tensor '", tensor.name, "' records producer ", tensor.producer,
          " which does not write it");
  }
  auto defined = [&](int32_t t) {
    return produced_by[t] >= 0 || is_input[t] || g.tensors[t].weights >= 0;
  };
  for (const ir::Node& n : g.nodes) {
    for (int32_t t : n.inputs) {
      if (t >= 0 && !defined(t))
        bad("node '", n.name, "' reads '", g.tensors[t].name, "', which nothing defines");
    }
  }
  for (int32_t t : g.outputs) {
    if (t < 0 || t >= nt || !defined(t)) bad("a graph output is not defined");
  }
  ir::Graph copy = g;
  try {
    ir::infer_graph(copy);  // also finds cycles
  } catch (const Error& e) {
    bad(e.what());
  }
  for (int32_t t = 0; t < nt; ++t) {
    if (produced_by[t] < 0) continue;
    if (copy.tensors[t].type != g.tensors[t].type || !(copy.tensors[t].dims == g.tensors[t].dims))
      bad("tensor '", g.tensors[t].name, "' is recorded as ", g.tensors[t].type, " ",
          g.tensors[t].dims, " but infers to ", copy.tensors[t].type, " ", copy.tensors[t].dims);
  }
}

PassManager::PassManager(Logger& logger) : logger_(logger) {
  const char* verify = std::getenv("KILN_VERIFY_IR");
  verify_ = verify != nullptr && std::string_view(verify) != "0" && *verify != '\0';
  if (const char* dump = std::getenv("KILN_DUMP_IR")) dump_ = dump;
}

void PassManager::after(std::string_view name, const ir::Graph& graph) {
  history_.emplace_back(name);
  if (verify_) verify_graph(graph, name);
  if (!dump_.empty() && dump_ != "0" && listed(dump_, name)) {
    std::string text = ir::print(graph);
    std::fprintf(stderr, "--- kiln IR after %.*s (%zu nodes)\n%s", static_cast<int>(name.size()),
                 name.data(), graph.nodes.size(), text.c_str());
  }
}

}  // namespace kiln::builder
