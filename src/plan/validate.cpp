// Plan validation: the structural invariants of an EngineData that the runtime indexes by, checked
// the same way before writing (a builder bug) and after reading (a corrupted or forged file).
#include <string_view>
#include <type_traits>
#include <unordered_set>

#include "ir/op.h"
#include "kiln/refit.h"
#include "plan/format.h"
#include "plan/plan.h"

namespace kiln::plan {
namespace {

// A name for messages: quoted, and cut short if a corrupted length made it huge.
std::string quoted(const std::string& name) {
  constexpr size_t kMax = 64;
  if (name.size() <= kMax) return "'" + name + "'";
  return "'" + name.substr(0, kMax) + "...'";
}

// Checks rank 0..kMaxDims and every dimension >= min_value; a static size that overflows 64 bits
// is refused too, so later volume computations cannot overflow.
void check_dims(const Dims& dims, int64_t min_value, DataType type, const std::string& where) {
  if (dims.nb_dims < 0 || dims.nb_dims > Dims::kMaxDims) {
    fail(where, ": rank ", dims.nb_dims, " is outside 0..", Dims::kMaxDims);
  }
  int64_t bytes = element_size(type);
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (dims.d[i] < min_value)
      fail(where, ": dimension ", i, " is ", dims.d[i], " (must be >= ", min_value, ")");
    if (__builtin_mul_overflow(bytes, dims.d[i] < 0 ? 1 : dims.d[i], &bytes)) {
      fail(where, ": shape ", dims, " of ", type, " overflows a 64-bit byte size");
    }
  }
}

void check_index(int64_t index, int64_t lo, size_t count, const std::string& where,
                 const char* what) {
  if (index < lo || index >= static_cast<int64_t>(count)) {
    fail(where, ": ", what, " ", index, " is out of range (", count, " in the graph)");
  }
}

// Enums in range and Dims of a valid rank, for whatever fields the node's attributes list.
struct AttrChecker {
  const std::string& where;
  template <typename T>
  void operator()(const char* name, const T& value) const {
    if constexpr (std::is_enum_v<T>) {
      if (!enum_in_range<T>(static_cast<int32_t>(value))) {
        fail(where, ": attribute '", name, "' has invalid value ", static_cast<int32_t>(value));
      }
    } else if constexpr (std::is_same_v<T, Dims>) {
      if (value.nb_dims < 0 || value.nb_dims > Dims::kMaxDims) {
        fail(where, ": attribute '", name, "' has rank ", value.nb_dims, ", outside 0..",
             Dims::kMaxDims);
      }
    }
  }
};

void check_tensors(const runtime::EngineData& e) {
  const ir::Graph& g = e.graph;
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const ir::Tensor& t = g.tensors[i];
    std::string where = str_cat("tensors: tensor ", i, " ", quoted(t.name));
    if (!enum_in_range<DataType>(static_cast<int32_t>(t.type))) {
      fail(where, ": invalid data type ", static_cast<int32_t>(t.type));
    }
    check_dims(t.dims, -1, t.type, where);
    check_index(t.producer, -1, g.nodes.size(), where, "producer node");
    check_index(t.weights, -1, g.weights.size(), where, "weights");
  }
}

void check_nodes(const runtime::EngineData& e) {
  const ir::Graph& g = e.graph;
  std::vector<int32_t> produced_by(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    std::string where = str_cat("nodes: node ", i, " ", quoted(n.name));
    if (n.attrs.index() == 0) fail(where, ": has no layer type");
    where += str_cat(" (", to_string(n.kind()), ")");
    std::visit(
        [&](const auto& a) {
          using A = std::decay_t<decltype(a)>;
          if constexpr (!std::is_same_v<A, std::monostate>)
            const_cast<A&>(a).fields(AttrChecker{where});
          if constexpr (std::is_same_v<A, ConstantAttrs>)
            check_index(a.weights, 0, g.weights.size(), where, "weights");
        },
        n.attrs);
    for (int32_t in : n.inputs) check_index(in, -1, g.tensors.size(), where, "input tensor");
    int32_t expected = ir::num_outputs(n);  // the plugin's or internal op's own count
    if (expected < 0) fail(where, ": ", expected, " outputs");
    if (const auto* p = std::get_if<PluginV3Attrs>(&n.attrs)) {
      if (p->num_shape_inputs < 0 || static_cast<size_t>(p->num_shape_inputs) > n.inputs.size())
        fail(where, ": ", p->num_shape_inputs, " shape inputs of ", n.inputs.size(), " inputs");
    }
    if (static_cast<int64_t>(n.outputs.size()) != expected) {
      fail(where, ": has ", n.outputs.size(), " outputs, a ", to_string(n.kind()), " layer has ",
           expected);
    }
    for (int32_t out : n.outputs) {
      check_index(out, 0, g.tensors.size(), where, "output tensor");
      if (produced_by[out] != -1) {
        fail(where, ": tensor ", quoted(g.tensors[out].name), " is already produced by node ",
             produced_by[out]);
      }
      produced_by[out] = static_cast<int32_t>(i);
    }
  }
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (g.tensors[t].producer != produced_by[t]) {
      fail("tensors: tensor ", t, " ", quoted(g.tensors[t].name), " names node ",
           g.tensors[t].producer, " as its producer, but ",
           produced_by[t] < 0 ? "no node" : str_cat("node ", produced_by[t]), " outputs it");
    }
  }
}

void check_graph_io(const runtime::EngineData& e) {
  const ir::Graph& g = e.graph;
  std::vector<uint8_t> seen(g.tensors.size(), 0);
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    std::string where = str_cat("graph inputs/outputs: input ", i);
    check_index(g.inputs[i], 0, g.tensors.size(), where, "tensor");
    const ir::Tensor& t = g.tensors[g.inputs[i]];
    if (t.producer != -1 || t.weights != -1)
      fail(where, ": tensor ", quoted(t.name), " is computed, not an input");
    if (seen[g.inputs[i]]++) fail(where, ": tensor ", quoted(t.name), " is listed twice");
  }
  seen.assign(g.tensors.size(), 0);
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    std::string where = str_cat("graph inputs/outputs: output ", i);
    check_index(g.outputs[i], 0, g.tensors.size(), where, "tensor");
    if (seen[g.outputs[i]]++)
      fail(where, ": tensor ", quoted(g.tensors[g.outputs[i]].name), " is listed twice");
  }
}

void check_weights(const runtime::EngineData& e) {
  const ir::Graph& g = e.graph;
  for (size_t i = 0; i < g.weights.size(); ++i) {
    const ir::WeightsData& w = g.weights[i];
    std::string where = str_cat("weights: weights ", i, " ", quoted(w.name));
    if (!enum_in_range<DataType>(static_cast<int32_t>(w.type))) {
      fail(where, ": invalid data type ", static_cast<int32_t>(w.type));
    }
    check_dims(w.dims, 0, w.type, where);
    int64_t expected = element_size(w.type);
    for (int32_t d = 0; d < w.dims.nb_dims; ++d)
      expected *= w.dims.d[d];  // cannot overflow: checked above
    size_t actual = w.bytes ? w.bytes->size() : 0;
    if (static_cast<uint64_t>(expected) != actual) {
      fail(where, ": holds ", actual, " bytes, but ", w.dims, " of ", w.type, " needs ", expected);
    }
  }
}

void check_steps(const runtime::EngineData& e) {
  const ir::Graph& g = e.graph;
  if (e.num_aux_streams < 0) fail("steps: num_aux_streams is ", e.num_aux_streams);
  std::vector<int32_t> step_of(g.nodes.size(), -1);
  for (size_t i = 0; i < e.steps.size(); ++i) {
    const runtime::StepData& s = e.steps[i];
    std::string where = str_cat("steps: step ", i, " (tactic ", quoted(s.tactic), ")");
    check_index(s.node, 0, g.nodes.size(), where, "node");
    if (step_of[s.node] != -1) {
      fail(where, ": node ", quoted(g.nodes[s.node].name), " is already run by step ",
           step_of[s.node]);
    }
    step_of[s.node] = static_cast<int32_t>(i);
    if (s.stream < 0 || s.stream > e.num_aux_streams) {
      fail(where, ": stream ", s.stream, " is outside 0..", e.num_aux_streams,
           " (the number of aux streams)");
    }
    if (s.params.size() > UINT32_MAX)
      fail(where, ": ", s.params.size(), " bytes of parameters exceed 4 GiB");
  }
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (step_of[n] == -1)
      fail("steps: node ", n, " ", quoted(g.nodes[n].name), " is run by no step");
  }
}

void check_profiles(const runtime::EngineData& e) {
  const ir::Graph& g = e.graph;
  for (size_t p = 0; p < e.profiles.size(); ++p) {
    const runtime::ProfileData& profile = e.profiles[p];
    std::string where = str_cat("profiles: profile ", p);
    if (profile.inputs.size() != g.inputs.size()) {
      fail(where, ": has shapes for ", profile.inputs.size(), " inputs, the graph has ",
           g.inputs.size());
    }
    for (size_t i = 0; i < profile.inputs.size(); ++i) {
      const ir::Tensor& t = g.tensors[g.inputs[i]];
      std::string in_where = str_cat(where, ": input ", quoted(t.name));
      check_dims(profile.inputs[i].min, -1, t.type, in_where + " min");
      check_dims(profile.inputs[i].opt, -1, t.type, in_where + " opt");
      check_dims(profile.inputs[i].max, -1, t.type, in_where + " max");
    }
    const runtime::MemoryPlan& m = profile.memory;
    if (m.arena_size < 0) fail(where, ": arena size ", m.arena_size, " is negative");
    if (m.offsets.size() != g.tensors.size()) {
      fail(where, ": memory plan has ", m.offsets.size(), " offsets, the graph has ",
           g.tensors.size(), " tensors");
    }
    for (size_t t = 0; t < m.offsets.size(); ++t) {
      if (m.offsets[t] < -1 || m.offsets[t] > m.arena_size) {
        fail(where, ": tensor ", quoted(g.tensors[t].name), " has arena offset ", m.offsets[t],
             ", outside -1..", m.arena_size);
      }
    }
  }
}

// The refit section: each target holds the entry's values (same count; same type, or float32
// lowered to float16/bfloat16), names are unique, and roles name refittable weights.
void check_refit(const runtime::EngineData& e) {
  const ir::Graph& g = e.graph;
  const runtime::RefitData& r = e.refit;
  std::unordered_set<std::string_view> names;
  for (const runtime::RefitWeights& w : r.weights) {
    std::string where = str_cat("refit: weights ", quoted(w.name));
    if (!enum_in_range<DataType>(static_cast<int32_t>(w.type)))
      fail(where, ": invalid data type ", static_cast<int32_t>(w.type));
    check_dims(w.dims, 0, w.type, where);
    if (!names.insert(w.name).second) fail(where, ": listed twice");
    if (w.targets.empty()) fail(where, ": has no target weights");
    for (int32_t t : w.targets) {
      check_index(t, 0, g.weights.size(), where, "target weights");
      const ir::WeightsData& target = g.weights[t];
      bool lowered = w.type == DataType::kFLOAT &&
                     (target.type == DataType::kHALF || target.type == DataType::kBF16);
      if (volume(target.dims) != volume(w.dims) || (target.type != w.type && !lowered)) {
        fail(where, " (", w.dims, " of ", w.type, ") cannot fill weights ", quoted(target.name),
             " (", target.dims, " of ", target.type, ")");
      }
    }
  }
  for (const runtime::RefitRole& role : r.roles) {
    std::string where = str_cat("refit: layer ", quoted(role.layer));
    if (role.role < 0 || role.role > static_cast<int32_t>(WeightsRole::kANY))
      fail(where, ": invalid weights role ", role.role);
    if (!names.count(role.weights))
      fail(where, ": role names weights ", quoted(role.weights), " that are not refittable");
  }
}

}  // namespace

void validate(const runtime::EngineData& engine) {
  if (!enum_in_range<DeviceType>(static_cast<int32_t>(engine.device))) {
    fail("header: invalid backend ", static_cast<int32_t>(engine.device));
  }
  const ir::Graph& g = engine.graph;
  constexpr size_t kMaxIndex = INT32_MAX;  // indices are int32
  if (g.tensors.size() > kMaxIndex || g.nodes.size() > kMaxIndex || g.weights.size() > kMaxIndex) {
    fail("tensors: the graph has more than 2^31 - 1 tensors, nodes or weights");
  }
  check_tensors(engine);
  check_nodes(engine);
  check_graph_io(engine);
  check_weights(engine);
  check_steps(engine);
  check_profiles(engine);
  check_refit(engine);
}

}  // namespace kiln::plan
