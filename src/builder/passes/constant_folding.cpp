// fold_constants: a layer whose inputs are all weights is run once now on the CPU backend and its
// outputs become weights, so the engine never recomputes constant subgraphs. A shape layer folds
// too when its input's shape is known at build time, and a fill layer (no inputs) always does.
#include "backends/cpu/kernels.h"
#include "builder/passes.h"
#include "builder/profiles.h"

namespace kiln::builder {

namespace {

// Folding a layer whose output is larger than this would grow the plan for little gain.
constexpr int64_t kMaxFoldedBytes = int64_t{64} << 20;

// The dims every tensor has whatever the input shapes the profiles allow: the network's own
// inferred dims, or, when every profile fixes each input to one shape (min == max, the same in
// all profiles), the dims inferred at that shape.
std::vector<Dims> build_time_dims(const ir::Graph& graph,
                                  const std::vector<std::vector<ProfileDims>>& profiles) {
  std::vector<Dims> dims;
  for (const ir::Tensor& t : graph.tensors) dims.push_back(t.dims);
  if (profiles.empty() || graph.inputs.empty()) return dims;
  std::vector<Dims> fixed;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const ProfileDims& first = profiles[0].at(i);
    for (const std::vector<ProfileDims>& p : profiles) {
      if (!(p.at(i).min == first.min) || !(p.at(i).max == first.min)) return dims;
    }
    fixed.push_back(first.min);
  }
  ir::Graph at = with_input_dims(graph, fixed, "the profiles' fixed shapes");
  dims.clear();
  for (const ir::Tensor& t : at.tensors) dims.push_back(t.dims);
  return dims;
}

// Whether a layer reads floating-point weights (what a refit may change).
bool reads_float_weights(const ir::Graph& g, const ir::Node& node) {
  for (int32_t t : node.inputs) {
    if (t < 0 || g.tensors[t].weights < 0) continue;
    DataType type = g.weights[g.tensors[t].weights].type;
    if (type == DataType::kFLOAT || type == DataType::kHALF || type == DataType::kBF16) return true;
  }
  return false;
}

}  // namespace

ir::Graph fold_constants(const ir::Graph& graph, Logger& logger) {
  return fold_constants(graph, logger, {});
}

ir::Graph fold_constants(const ir::Graph& graph, Logger& logger,
                         const std::vector<std::vector<ProfileDims>>& profiles,
                         bool keep_float_weights) {
  ir::Graph out = graph;
  ir::infer_graph(out);
  const std::vector<Dims> known = build_time_dims(out, profiles);
  std::vector<bool> keep(out.nodes.size(), true);
  int32_t folded = 0;
  for (int32_t index : ir::topological_order(out)) {
    ir::Node& node = out.nodes[index];
    if (node.kind() == LayerType::kPLUGIN_V3) continue;  // user code runs only in the engine
    bool all_constant = !node.inputs.empty() || node.kind() == LayerType::kFILL;
    for (int32_t t : node.inputs) {
      if (t >= 0 && out.tensors[t].weights < 0) all_constant = false;
    }
    // A shape layer reads only its input's dims: it folds when they are known now.
    bool static_shape = node.kind() == LayerType::kSHAPE && !known[node.inputs[0]].is_dynamic();
    if (!all_constant && !static_shape) continue;
    if (keep_float_weights && !static_shape && reads_float_weights(out, node)) continue;
    // Inputs folded earlier in this pass may fix dims the network left at -1 (a slice or reshape
    // sized by a shape tensor): infer the node again from the constants it reads.
    std::vector<ir::TensorDesc> now_in, now_out(node.outputs.size());
    for (int32_t t : node.inputs) {
      ir::TensorDesc d;
      d.dims.nb_dims = -1;
      if (t >= 0) d = out.desc(t);
      if (t >= 0 && static_shape) d.dims = known[t];
      now_in.push_back(d);
    }
    try {
      ir::infer_node(node, now_in, now_out);
    } catch (const Error&) {
      continue;  // the build's own shape checks report it
    }
    bool unknown = false;
    for (const ir::TensorDesc& d : now_out) unknown |= volume(d.dims) < 0;
    if (unknown) continue;
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      out.tensors[node.outputs[i]].type = now_out[i].type;
      out.tensors[node.outputs[i]].dims = now_out[i].dims;
    }
    int64_t bytes = 0;
    for (int32_t t : node.outputs)
      bytes += volume(out.tensors[t].dims) * element_size(out.tensors[t].type);
    if (bytes > kMaxFoldedBytes) continue;

    std::vector<cpu::TensorView> in, result;
    for (int32_t t : node.inputs) {
      if (static_shape) {  // the kernel reads the dims only
        in.push_back({nullptr, out.tensors[t].type, known[t]});
        continue;
      }
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
  // Folded shapes may fix dims downstream that the network left at -1 (a reshape sized by a
  // folded Shape): record what the graph now infers.
  ir::Graph folded_graph = compact(remove_nodes(out, keep));
  ir::infer_graph(folded_graph);
  return folded_graph;
}

}  // namespace kiln::builder
