// materialize_outputs: a network output that folding turned into weights gets an identity layer,
// because outputs live in user memory and must be written by a step.
#include "builder/passes.h"

namespace kiln::builder {

ir::Graph materialize_outputs(const ir::Graph& graph) {
  ir::Graph out = graph;
  for (int32_t& output : out.outputs) {
    if (out.tensors[output].weights < 0) continue;
    // The weights move to a new tensor; the output tensor keeps its name and gets a producer.
    ir::Tensor source = out.tensors[output];
    source.name += ".value";
    int32_t source_index = static_cast<int32_t>(out.tensors.size());
    out.tensors.push_back(source);
    ir::Node copy;
    copy.name = out.tensors[output].name + ".copy";
    copy.attrs = IdentityAttrs{source.type};
    copy.inputs = {source_index};
    copy.outputs = {output};
    out.tensors[output].weights = -1;
    out.tensors[output].producer = static_cast<int32_t>(out.nodes.size());
    out.nodes.push_back(std::move(copy));
  }
  return out;
}

}  // namespace kiln::builder
