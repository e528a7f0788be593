// fuse_pointwise: connected regions of pointwise layers become one fused_pointwise op whose program
// (ir/pointwise_program.h) computes every value the region's readers need in one pass.
//
// Regions grow in execution order: a pointwise layer joins the region of one of its producers
// when
//   - its output has the region's shape (symbolically and at every profile's min/opt/max), so
//     every output of the region has the broadcast shape of the region's inputs;
//   - none of its other inputs depends on the region (the fused op would feed itself);
//   - the region stays small (kMaxInstructions, kMaxInputs, kMaxOutputs).
// Region outputs are the tensors read outside the region or marked as network outputs. One-layer
// regions are left as they are. One-element float weights become `const` instructions (not with
// keep_weights: a refit must be able to change them).
#include <algorithm>
#include <map>

#include "builder/rewrites/match.h"
#include "builder/rewrites/rewrites.h"
#include "ir/op.h"
#include "ir/pointwise_program.h"

namespace kiln::builder {

namespace {

constexpr size_t kMaxInstructions = 96;
constexpr size_t kMaxInputs = 8;
constexpr size_t kMaxOutputs = 4;

bool pointwise_layer(const ir::Graph& g, const ir::Node& n) {
  for (int32_t t : n.inputs) {
    if (t < 0 || !ir::is_pointwise_type(g.tensors[t].type)) return false;
  }
  if (n.outputs.size() != 1 || !ir::is_pointwise_type(g.tensors[n.outputs[0]].type)) return false;
  // Shape arithmetic (values known at build time) stays in layers that compute values.
  if (g.tensors[n.outputs[0]].has_value) return false;
  const DataType out = g.tensors[n.outputs[0]].type;
  switch (n.kind()) {
    case LayerType::kELEMENTWISE:
      return n.inputs.size() == 2;
    case LayerType::kUNARY:
      // Float operations on float data, `not` on bool.
      return n.inputs.size() == 1 && (g.tensors[n.inputs[0]].type == DataType::kBOOL) ==
                                         (n.get<UnaryAttrs>().op == UnaryOperation::kNOT);
    case LayerType::kACTIVATION:
      return n.inputs.size() == 1 && static_cast<int32_t>(n.get<ActivationAttrs>().type) <=
                                         static_cast<int32_t>(ActivationType::kMISH);
    case LayerType::kSELECT:
      return n.inputs.size() == 3;
    case LayerType::kCAST:
    case LayerType::kIDENTITY:
      return n.inputs.size() == 1 && out != DataType::kBOOL;
    default:
      return false;
  }
}

struct Region {
  std::vector<int32_t> nodes;  // in execution order
  Dims shape;
  int32_t first = 0;  // position of its first node in the execution order
  bool alive = true;
};

class Fuser {
 public:
  Fuser(const ir::Graph& g, bool keep_weights, const std::vector<std::vector<Dims>>& instances)
      : g_(g), keep_weights_(keep_weights), instances_(instances), uses_(g) {}

  ir::Graph run(Logger& logger) {
    order_ = ir::topological_order(g_);
    position_.assign(g_.nodes.size(), 0);
    for (size_t i = 0; i < order_.size(); ++i) position_[order_[i]] = static_cast<int32_t>(i);
    region_of_.assign(g_.nodes.size(), -1);
    for (int32_t n : order_) place(n);
    ir::Graph out = g_;
    std::vector<bool> keep(out.nodes.size(), true);
    int32_t fused = 0, layers = 0;
    for (Region& r : regions_) {
      if (!r.alive || r.nodes.size() < 2) continue;
      if (!replace(out, r, keep)) continue;
      ++fused;
      layers += static_cast<int32_t>(r.nodes.size());
    }
    if (fused > 0) {
      logger.report(Logger::Severity::kVERBOSE,
                    str_cat("fuse_pointwise: ", layers, " layers into ", fused, " fused ops"));
    }
    return remove_nodes(out, keep);
  }

 private:
  bool same_shape(int32_t t, const Dims& shape, int32_t like) const {
    if (!(g_.tensors[t].dims == shape)) return false;
    for (const std::vector<Dims>& inst : instances_) {
      if (!(inst[t] == inst[like])) return false;
    }
    return true;
  }

  // `n` (a node outside region r) depends on region r through an input other than via r's
  // outputs it reads directly... i.e. some input's producer outside r descends from r.
  bool depends_on_region(int32_t producer, const Region& r, int32_t rid) const {
    std::vector<int32_t> stack = {producer};
    std::vector<int32_t> seen;
    while (!stack.empty()) {
      int32_t p = stack.back();
      stack.pop_back();
      if (region_of_[p] == rid) return true;
      if (position_[p] < r.first) continue;  // before the region: cannot descend from it
      if (std::find(seen.begin(), seen.end(), p) != seen.end()) continue;
      seen.push_back(p);
      if (seen.size() > 4096) return true;  // give up: be safe
      for (int32_t t : g_.nodes[p].inputs) {
        if (t >= 0 && g_.tensors[t].producer >= 0) stack.push_back(g_.tensors[t].producer);
      }
    }
    return false;
  }

  // No input of the region's layers comes from outside it through a path that starts inside it.
  bool cycle_free(int32_t rid) const {
    const Region& r = regions_[rid];
    for (int32_t m : r.nodes) {
      for (int32_t t : g_.nodes[m].inputs) {
        int32_t q = t >= 0 ? g_.tensors[t].producer : -1;
        if (q >= 0 && region_of_[q] != rid && depends_on_region(q, r, rid)) return false;
      }
    }
    return true;
  }

  // Moves region `from` into region `into` when shapes match, the size allows and no cycle
  // results; otherwise leaves both as they were.
  void try_merge(int32_t into, int32_t from) {
    Region& a = regions_[into];
    Region& b = regions_[from];
    if (!b.alive || into == from) return;
    if (a.nodes.size() + b.nodes.size() > kMaxInstructions / 3) return;
    int32_t like = g_.nodes[a.nodes[0]].outputs[0];
    if (!same_shape(g_.nodes[b.nodes[0]].outputs[0], a.shape, like)) return;
    const Region saved = a;
    for (int32_t m : b.nodes) region_of_[m] = into;
    a.nodes.insert(a.nodes.end(), b.nodes.begin(), b.nodes.end());
    std::sort(a.nodes.begin(), a.nodes.end(),
              [&](int32_t x, int32_t y) { return position_[x] < position_[y]; });
    a.first = std::min(a.first, b.first);
    if (cycle_free(into)) {
      b.alive = false;
      b.nodes.clear();
      return;
    }
    for (int32_t m : b.nodes) region_of_[m] = from;
    a = saved;
  }

  void place(int32_t n) {
    const ir::Node& node = g_.nodes[n];
    if (!pointwise_layer(g_, node)) return;
    const int32_t out = node.outputs[0];
    int32_t joined = -1;
    for (int32_t t : node.inputs) {
      int32_t p = g_.tensors[t].producer;
      if (p < 0 || region_of_[p] < 0) continue;
      int32_t rid = region_of_[p];
      Region& r = regions_[rid];
      int32_t like = g_.nodes[r.nodes[0]].outputs[0];
      if (!same_shape(out, r.shape, like)) continue;
      if (r.nodes.size() + 1 > kMaxInstructions / 3) continue;
      bool cycle = false;
      for (int32_t other : node.inputs) {
        int32_t q = g_.tensors[other].producer;
        if (q >= 0 && region_of_[q] != rid && depends_on_region(q, r, rid)) cycle = true;
      }
      if (cycle) continue;
      r.nodes.push_back(n);
      region_of_[n] = rid;
      joined = rid;
      break;
    }
    if (joined >= 0) {
      // Other regions feeding this layer join too where they can (two branches meeting).
      for (int32_t t : node.inputs) {
        int32_t p = g_.tensors[t].producer;
        if (p >= 0 && region_of_[p] >= 0 && region_of_[p] != joined)
          try_merge(joined, region_of_[p]);
      }
      return;
    }
    Region r;
    r.nodes = {n};
    r.shape = g_.tensors[out].dims;
    r.first = position_[n];
    region_of_[n] = static_cast<int32_t>(regions_.size());
    regions_.push_back(r);
  }

  // Builds the program and puts the fused op in place of the region's last node.
  bool replace(ir::Graph& out, const Region& r, std::vector<bool>& keep) {
    ir::PwProgram program;
    std::map<int32_t, int32_t> reg_of;  // tensor -> register
    std::vector<int32_t> inputs;
    auto value = [&](int32_t t) -> int32_t {
      auto it = reg_of.find(t);
      if (it != reg_of.end()) return it->second;
      ir::PwInstr in;
      float c;
      if (!keep_weights_ && match::scalar_value(g_, t, &c)) {
        in.op = ir::PwOp::kCONST;
        in.value = c;
      } else {
        in.op = ir::PwOp::kINPUT;
        in.code = static_cast<int32_t>(inputs.size());
        inputs.push_back(t);
      }
      program.code.push_back(in);
      return reg_of[t] = static_cast<int32_t>(program.code.size() - 1);
    };
    for (int32_t n : r.nodes) {
      const ir::Node& node = g_.nodes[n];
      std::array<int32_t, 3> args = {-1, -1, -1};
      for (size_t k = 0; k < node.inputs.size(); ++k) args[k] = value(node.inputs[k]);
      ir::PwInstr in;
      in.args = args;
      const DataType out_type = g_.tensors[node.outputs[0]].type;
      switch (node.kind()) {
        case LayerType::kELEMENTWISE:
          in.op = ir::PwOp::kBINARY;
          in.code = static_cast<int32_t>(node.get<ElementWiseAttrs>().op);
          break;
        case LayerType::kUNARY:
          in.op = ir::PwOp::kUNARY;
          in.code = static_cast<int32_t>(node.get<UnaryAttrs>().op);
          break;
        case LayerType::kACTIVATION: {
          const auto& a = node.get<ActivationAttrs>();
          in.op = ir::PwOp::kACTIVATION;
          in.code = static_cast<int32_t>(a.type);
          in.alpha = a.alpha;
          in.beta = a.beta;
          break;
        }
        case LayerType::kSELECT:
          in.op = ir::PwOp::kSELECT;
          break;
        default:  // cast, identity: round to the output type
          in.op = ir::PwOp::kCAST;
          in.code = static_cast<int32_t>(out_type);
          break;
      }
      program.code.push_back(in);
      reg_of[node.outputs[0]] = static_cast<int32_t>(program.code.size() - 1);
    }
    // Outputs: tensors of the region read outside it, or network outputs.
    std::vector<int32_t> outputs;
    for (int32_t n : r.nodes) {
      int32_t t = g_.nodes[n].outputs[0];
      bool outside = uses_.is_output[t];
      for (int32_t c : uses_.consumers[t]) outside = outside || region_of_[c] != region_of_[n];
      if (outside) {
        outputs.push_back(t);
        program.outputs.push_back({reg_of[t], g_.tensors[t].type});
      }
    }
    if (inputs.size() > kMaxInputs || outputs.size() > kMaxOutputs || outputs.empty() ||
        program.code.size() > kMaxInstructions || inputs.empty())
      return false;
    int32_t last = r.nodes.back();
    ir::Node& node = out.nodes[last];
    node.name = match::joined_names(g_, r.nodes);
    FusedPointwiseAttrs attrs;
    attrs.program = ir::to_text(program);
    attrs.num_outputs = static_cast<int32_t>(outputs.size());
    node.attrs = attrs;
    node.inputs = inputs;
    node.outputs = outputs;
    for (int32_t t : outputs) out.tensors[t].producer = last;
    for (int32_t n : r.nodes) {
      if (n != last) keep[n] = false;
    }
    return true;
  }

  const ir::Graph& g_;
  bool keep_weights_;
  const std::vector<std::vector<Dims>>& instances_;
  match::Uses uses_;
  std::vector<int32_t> order_, position_, region_of_;
  std::vector<Region> regions_;
};

}  // namespace

ir::Graph fuse_pointwise(const ir::Graph& graph, Logger& logger, bool keep_weights,
                         const std::vector<std::vector<Dims>>& instances) {
  return Fuser(graph, keep_weights, instances).run(logger);
}

}  // namespace kiln::builder
