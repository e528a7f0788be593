// EngineInspector: what each step of a loaded engine runs (layer, fused parts, tactic, precision,
// tensors with their dims and per-profile ranges), as one line of text or as JSON.
#include <array>
#include <cstdio>
#include <string_view>

#include "builder/profiles.h"
#include "core/error.h"
#include "kiln/runtime.h"
#include "runtime/engine_state.h"

namespace kiln {

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string json_dims(const Dims& d) {
  std::string out = "[";
  for (int32_t i = 0; i < d.nb_dims; ++i) out += (i ? "," : "") + std::to_string(d.d[i]);
  return out + "]";
}

// The parts of a fused step: the epilogue fusion names it "a + b + c" after the layers it joined.
std::vector<std::string> parts_of(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at; (at = name.find(" + ", start)) != std::string::npos; start = at + 3) {
    parts.push_back(name.substr(start, at - start));
  }
  parts.push_back(name.substr(start));
  return parts;
}

// Every tensor's descs at every profile's min, opt and max shapes ([profile][0..2][tensor]).
std::vector<std::array<std::vector<ir::TensorDesc>, 3>> profile_descs(
    const runtime::EngineState& s) {
  std::vector<std::array<std::vector<ir::TensorDesc>, 3>> all;
  for (size_t p = 0; p < s.data.profiles.size(); ++p) {
    std::array<std::vector<ir::TensorDesc>, 3> at;
    for (int k = 0; k < 3; ++k) {
      if (k == 2) {
        at[k] = s.max_descs[p];
        continue;
      }
      std::vector<Dims> dims;
      for (const ProfileDims& r : s.data.profiles[p].inputs) dims.push_back(k == 0 ? r.min : r.opt);
      at[k] = ir::tensor_descs(
          builder::with_input_dims(s.data.graph, dims, str_cat("profile ", p, " shapes")));
    }
    all.push_back(std::move(at));
  }
  return all;
}

using ProfileDescs = std::vector<std::array<std::vector<ir::TensorDesc>, 3>>;

std::string tensor_json(const runtime::EngineState& s, const ProfileDescs& pd, int32_t t) {
  const ir::Tensor& tensor = s.data.graph.tensors[t];
  std::string out = "{\"name\":" + json_string(tensor.name) +
                    ",\"type\":" + json_string(to_string(tensor.type)) +
                    ",\"dims\":" + json_dims(tensor.dims);
  if (tensor.weights >= 0) return out + ",\"constant\":true}";
  if (tensor.dims.is_dynamic()) {
    out += ",\"profiles\":[";
    for (size_t p = 0; p < pd.size(); ++p) {
      out += str_cat(p ? "," : "", "{\"min\":", json_dims(pd[p][0][t].dims),
                     ",\"opt\":", json_dims(pd[p][1][t].dims),
                     ",\"max\":", json_dims(pd[p][2][t].dims), "}");
    }
    out += "]";
  }
  return out + "}";
}

// The data types a step computes in: its non-constant inputs' and its outputs' types.
std::string precision_of(const runtime::EngineState& s, const ir::Node& node) {
  const ir::Graph& g = s.data.graph;
  std::vector<std::string> seen;
  auto add = [&](int32_t t) {
    if (t < 0 || g.tensors[t].weights >= 0) return;
    std::string name = to_string(g.tensors[t].type);
    for (const std::string& x : seen) {
      if (x == name) return;
    }
    seen.push_back(name);
  };
  for (int32_t t : node.outputs) add(t);
  for (int32_t t : node.inputs) add(t);
  std::string out;
  for (const std::string& x : seen) out += (out.empty() ? "" : "+") + x;
  return out.empty() ? "none" : out;
}

std::string layer_json(const runtime::EngineState& s, const ProfileDescs& pd, int32_t index) {
  const runtime::StepData& step = s.data.steps[index];
  const ir::Node& node = s.data.graph.nodes[step.node];
  std::string out = str_cat("{\"index\":", index, ",\"name\":", json_string(node.name),
                            ",\"type\":", json_string(to_string(node.kind())), ",\"parts\":[");
  std::vector<std::string> parts = parts_of(node.name);
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + json_string(parts[i]);
  out += str_cat("],\"tactic\":", json_string(step.tactic),
                 ",\"precision\":", json_string(precision_of(s, node)), ",\"stream\":", step.stream,
                 ",\"inputs\":[");
  bool first = true;
  for (int32_t t : node.inputs) {
    if (t < 0) continue;
    out += (first ? "" : ",") + tensor_json(s, pd, t);
    first = false;
  }
  out += "],\"outputs\":[";
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    out += (i ? "," : "") + tensor_json(s, pd, node.outputs[i]);
  }
  return out + "]}";
}

std::string layer_line(const runtime::EngineState& s, int32_t index) {
  const runtime::StepData& step = s.data.steps[index];
  const ir::Graph& g = s.data.graph;
  const ir::Node& node = g.nodes[step.node];
  std::string out = str_cat(node.name, " [", to_string(node.kind()), "] tactic=", step.tactic,
                            " precision=", precision_of(s, node));
  if (step.stream > 0) out += str_cat(" stream=", step.stream);
  out += " :";
  bool first = true;
  for (int32_t t : node.inputs) {
    if (t < 0 || g.tensors[t].weights >= 0) continue;
    out += str_cat(first ? " " : ", ", g.tensors[t].name, g.tensors[t].dims);
    first = false;
  }
  out += " ->";
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    const ir::Tensor& t = g.tensors[node.outputs[i]];
    out += str_cat(i ? ", " : " ", t.name, t.dims);
  }
  return out;
}

}  // namespace

EngineInspector::EngineInspector(std::shared_ptr<const runtime::EngineState> state)
    : state_(std::move(state)) {}
EngineInspector::~EngineInspector() = default;

int32_t EngineInspector::num_layers() const {
  return static_cast<int32_t>(state_->data.steps.size());
}

std::string EngineInspector::get_layer_information(int32_t layer_index,
                                                   LayerInformationFormat format) const {
  if (layer_index < 0 || layer_index >= num_layers()) {
    fail("get_layer_information: layer index ", layer_index, " is out of range; the engine has ",
         num_layers(), " layers");
  }
  if (format == LayerInformationFormat::kONELINE) return layer_line(*state_, layer_index);
  return layer_json(*state_, profile_descs(*state_), layer_index);
}

std::string EngineInspector::get_engine_information(LayerInformationFormat format) const {
  const runtime::EngineState& s = *state_;
  if (format == LayerInformationFormat::kONELINE) {
    std::string out;
    for (int32_t i = 0; i < num_layers(); ++i) out += layer_line(s, i) + "\n";
    return out;
  }
  ProfileDescs pd = profile_descs(s);
  std::string out =
      str_cat("{\"device\":", json_string(s.data.device == DeviceType::kCPU ? "cpu" : "gpu"),
              ",\"compute_capability\":", s.data.compute_capability,
              ",\"num_profiles\":", s.data.profiles.size(),
              ",\"num_aux_streams\":", s.data.num_aux_streams, ",\"io\":[");
  for (size_t i = 0; i < s.io.size(); ++i) {
    std::string t = tensor_json(s, pd, s.io[i]);
    t.insert(1,
             str_cat("\"mode\":",
                     json_string(s.is_input(static_cast<int32_t>(i)) ? "input" : "output"), ","));
    out += (i ? "," : "") + t;
  }
  out += "],\"layers\":[";
  for (int32_t i = 0; i < num_layers(); ++i) out += (i ? "," : "") + layer_json(s, pd, i);
  return out + "]}";
}

}  // namespace kiln
