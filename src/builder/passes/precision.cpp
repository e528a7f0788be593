// lower_precision: with BuilderFlag::kFP16 (or kBF16) every float32 tensor inside the network
// becomes float16 (bfloat16), weights are converted once at build time, and cast layers at the
// boundaries keep the network's inputs and outputs in their declared types.
#include "backends/cpu/common.h"
#include "builder/passes.h"

namespace kiln::builder {

std::shared_ptr<const std::vector<uint8_t>> convert_float32_weights(const std::vector<uint8_t>& f32,
                                                                    DataType to) {
  int64_t n = static_cast<int64_t>(f32.size() / sizeof(float));
  auto out = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(n * element_size(to)));
  const float* src = reinterpret_cast<const float*>(f32.data());
  cpu::dispatch(to, [&](auto tag) {
    using T = decltype(tag);
    T* dst = reinterpret_cast<T*>(out->data());
    for (int64_t i = 0; i < n; ++i) dst[i] = cpu::from_f32<T>(src[i]);
  });
  return out;
}

ir::Graph lower_precision(const ir::Graph& graph, DataType to) {
  ir::Graph out = graph;
  std::vector<bool> is_io(graph.tensors.size(), false);
  for (int32_t t : graph.inputs) is_io[t] = true;
  for (int32_t t : graph.outputs) is_io[t] = true;

  // Weights first: a float32 blob used by any tensor is converted once.
  std::vector<int32_t> converted(graph.weights.size(), -1);
  for (size_t i = 0; i < out.tensors.size(); ++i) {
    ir::Tensor& t = out.tensors[i];
    if (t.weights < 0 || t.type != DataType::kFLOAT || is_io[i]) continue;
    if (converted[t.weights] < 0) {
      const ir::WeightsData& w = graph.weights[t.weights];
      converted[t.weights] = static_cast<int32_t>(out.weights.size());
      out.weights.push_back({w.name, to, w.dims, convert_float32_weights(*w.bytes, to)});
    }
    t.weights = converted[t.weights];
    t.type = to;
  }
  // Layers whose attributes name float32 as their output type produce `to` inside the network.
  for (ir::Node& node : out.nodes) {
    bool internal = !is_io[node.outputs[0]];
    if (auto* cast = std::get_if<CastAttrs>(&node.attrs);
        cast && internal && cast->to_type == DataType::kFLOAT) {
      cast->to_type = to;
    }
    if (auto* id = std::get_if<IdentityAttrs>(&node.attrs);
        id && internal && id->output_type == DataType::kFLOAT) {
      id->output_type = to;
    }
  }
  // Float32 network inputs: consumers read a cast copy.
  for (int32_t input : graph.inputs) {
    if (graph.tensors[input].type != DataType::kFLOAT) continue;
    ir::Tensor low = graph.tensors[input];
    low.name += ".to_" + std::string(to_string(to));
    low.type = to;
    low.producer = static_cast<int32_t>(out.nodes.size());
    int32_t low_index = static_cast<int32_t>(out.tensors.size());
    out.tensors.push_back(low);
    for (ir::Node& node : out.nodes) {
      for (int32_t& t : node.inputs) {
        if (t == input) t = low_index;
      }
    }
    ir::Node cast;
    cast.name = low.name;
    cast.attrs = CastAttrs{to};
    cast.inputs = {input};
    cast.outputs = {low_index};
    out.nodes.push_back(std::move(cast));
  }
  // Float32 network outputs: the producer writes a low-precision tensor, a cast writes the output.
  for (int32_t output : graph.outputs) {
    const ir::Tensor& t = graph.tensors[output];
    if (t.type != DataType::kFLOAT || t.producer < 0) continue;
    ir::Tensor low = t;
    low.name += ".from_" + std::string(to_string(to));
    low.type = to;
    int32_t low_index = static_cast<int32_t>(out.tensors.size());
    out.tensors.push_back(low);
    for (int32_t& o : out.nodes[t.producer].outputs) {
      if (o == output) o = low_index;
    }
    for (ir::Node& node : out.nodes) {  // other layers reading the output read the low copy
      for (int32_t& i : node.inputs) {
        if (i == output) i = low_index;
      }
    }
    ir::Node cast;
    cast.name = t.name + ".to_float32";
    cast.attrs = CastAttrs{DataType::kFLOAT};
    cast.inputs = {low_index};
    cast.outputs = {output};
    out.tensors[output].producer = static_cast<int32_t>(out.nodes.size());
    out.nodes.push_back(std::move(cast));
  }
  // Everything else that inference makes float32 follows its inputs now; re-infer to settle types.
  ir::infer_graph(out);
  return compact(out);
}

}  // namespace kiln::builder
