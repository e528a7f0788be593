// fold_constants: a layer whose inputs are all weights is run once now on the CPU backend and its
// outputs become weights, so the engine never recomputes constant subgraphs.
#include "backends/cpu/kernels.h"
#include "builder/passes.h"

namespace kiln::builder {

namespace {

// Folding a layer whose output is larger than this would grow the plan for little gain.
constexpr int64_t kMaxFoldedBytes = int64_t{64} << 20;

}  // namespace

ir::Graph fold_constants(const ir::Graph& graph, Logger& logger) {
  ir::Graph out = graph;
  ir::infer_graph(out);
  std::vector<bool> keep(out.nodes.size(), true);
  int32_t folded = 0;
  for (int32_t index : ir::topological_order(out)) {
    ir::Node& node = out.nodes[index];
    bool all_constant = !node.inputs.empty();
    for (int32_t t : node.inputs) {
      if (t >= 0 && out.tensors[t].weights < 0) all_constant = false;
    }
    if (!all_constant) continue;
    int64_t bytes = 0;
    for (int32_t t : node.outputs)
      bytes += volume(out.tensors[t].dims) * element_size(out.tensors[t].type);
    if (bytes > kMaxFoldedBytes) continue;

    std::vector<cpu::TensorView> in, result;
    for (int32_t t : node.inputs) {
      if (t < 0) {
        cpu::TensorView absent;
        absent.dims.nb_dims = -1;
        in.push_back(absent);
        continue;
      }
      const ir::WeightsData& w = out.weights[out.tensors[t].weights];
      in.push_back({const_cast<uint8_t*>(w.bytes->data()), w.type, w.dims});
    }
    std::vector<std::shared_ptr<std::vector<uint8_t>>> storage;
    for (int32_t t : node.outputs) {
      const ir::Tensor& tensor = out.tensors[t];
      storage.push_back(std::make_shared<std::vector<uint8_t>>(
          static_cast<size_t>(volume(tensor.dims) * element_size(tensor.type))));
      result.push_back({storage.back()->data(), tensor.type, tensor.dims});
    }
    cpu::kernel(node.kind())(node, in, result);
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      ir::Tensor& tensor = out.tensors[node.outputs[i]];
      std::string name =
          node.name + ".folded" + (node.outputs.size() > 1 ? "." + std::to_string(i) : "");
      out.weights.push_back({name, tensor.type, tensor.dims, storage[i]});
      tensor.weights = static_cast<int32_t>(out.weights.size()) - 1;
      tensor.producer = -1;
    }
    logger.report(Logger::Severity::kVERBOSE,
                  str_cat("constant folding: evaluated '", node.name, "'"));
    keep[index] = false;
    ++folded;
  }
  if (folded == 0) return out;
  logger.report(Logger::Severity::kINFO,
                str_cat("constant folding: ", folded, " layer(s) evaluated at build time"));
  return compact(remove_nodes(out, keep));
}

}  // namespace kiln::builder
