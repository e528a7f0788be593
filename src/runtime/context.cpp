// ExecutionContext: input shapes checked against the active profile, output shapes inferred at run
// time, tensor addresses, and running the steps over the activation arena.
#include "core/error.h"
#include "ir/op.h"
#include "kiln/runtime.h"
#include "runtime/engine_state.h"

namespace kiln {

namespace runtime {

void ContextState::select_profile(int32_t index) {
  const EngineData& data = engine->data;
  if (index < 0 || index >= static_cast<int32_t>(data.profiles.size())) {
    fail("optimization profile ", index, " does not exist; the engine has ", data.profiles.size());
  }
  profile = index;
  input_dims.clear();
  for (int32_t t : data.graph.inputs) {
    Dims d = data.graph.tensors[t].dims;
    if (d.is_dynamic()) d.nb_dims = -1;  // must be set by the user
    input_dims.push_back(d);
  }
  shapes_valid = false;
  backend->select_profile(index);
}

void ContextState::infer_shapes() {
  if (shapes_valid) return;
  const ir::Graph& graph = engine->data.graph;
  descs = ir::tensor_descs(graph);  // weights keep their dims (and small integer values)
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    if (input_dims[i].nb_dims < 0) {
      fail("the shape of input '", graph.tensors[graph.inputs[i]].name,
           "' is not set; call set_input_shape first");
    }
    descs[graph.inputs[i]].dims = input_dims[i];
  }
  std::vector<ir::TensorDesc> in, out;
  for (const StepData& step : engine->data.steps) {
    const ir::Node& node = graph.nodes[step.node];
    ir::node_descs(node, descs, in, out);
    ir::infer_node(node, in, out);
    for (size_t i = 0; i < out.size(); ++i) {
      int32_t t = node.outputs[i];
      const ir::TensorDesc& max = engine->max_descs[profile][t];
      int64_t bytes = volume(out[i].dims) * element_size(out[i].type);
      int64_t planned = volume(max.dims) * element_size(max.type);
      if (bytes > planned) {
        fail("tensor '", graph.tensors[t].name, "' needs ", bytes, " bytes at shape ", out[i].dims,
             ", more than the ", planned, " bytes optimization profile ", profile,
             " planned for it at its max shapes");
      }
      descs[t] = out[i];
    }
  }
  backend->reshape(descs);
  shapes_valid = true;
}

void ContextState::execute(void* stream) {
  infer_shapes();
  const ir::Graph& graph = engine->data.graph;
  for (size_t i = 0; i < engine->io.size(); ++i) {
    int32_t t = engine->io[i];
    if (addresses[i] == nullptr && volume(descs[t].dims) > 0) {
      fail("no address is set for ", engine->is_input(static_cast<int32_t>(i)) ? "input" : "output",
           " '", graph.tensors[t].name, "'; call set_tensor_address first");
    }
  }
  std::shared_lock lock(engine->refit_mutex);  // a refit waits for running executions
  backend->enqueue(descs, addresses, stream);
}

}  // namespace runtime

ExecutionContext::ExecutionContext(std::unique_ptr<runtime::ContextState> state)
    : state_(std::move(state)) {}
ExecutionContext::~ExecutionContext() = default;

void ExecutionContext::set_input_shape(const std::string& name, const Dims& dims) try {
  const runtime::EngineState& engine = *state_->engine;
  int32_t i = engine.find_io(name);
  if (i < 0 || !engine.is_input(i))
    fail("set_input_shape: '", name, "' is not an input of this engine");
  const ProfileDims& range = engine.data.profiles[state_->profile].inputs[i];
  if (dims.nb_dims != range.min.nb_dims) {
    fail("set_input_shape: input '", name, "' has rank ", range.min.nb_dims, ", got shape ", dims);
  }
  for (int32_t d = 0; d < dims.nb_dims; ++d) {
    if (dims.d[d] < range.min.d[d] || dims.d[d] > range.max.d[d]) {
      fail("set_input_shape: input '", name, "' dimension ", d, " is ", dims.d[d],
           ", outside optimization profile ", state_->profile, "'s range ", range.min.d[d], "..",
           range.max.d[d], " (shape ", dims, ", profile min ", range.min, ", max ", range.max, ")");
    }
  }
  state_->input_dims[i] = dims;
  state_->shapes_valid = false;
} catch (...) {
  error_recorder_.report_current_exception(ErrorCode::kINVALID_ARGUMENT);
  throw;
}

Dims ExecutionContext::get_tensor_shape(const std::string& name) const {
  const runtime::EngineState& engine = *state_->engine;
  int32_t i = engine.find_io(name);
  if (i < 0) fail("get_tensor_shape: '", name, "' is not an input or output of this engine");
  if (engine.is_input(i)) {
    return state_->input_dims[i].nb_dims < 0 ? engine.data.graph.tensors[engine.io[i]].dims
                                             : state_->input_dims[i];
  }
  if (!all_input_dimensions_specified()) return engine.data.graph.tensors[engine.io[i]].dims;
  state_->infer_shapes();
  return state_->descs[engine.io[i]].dims;
}

bool ExecutionContext::all_input_dimensions_specified() const {
  for (const Dims& d : state_->input_dims) {
    if (d.nb_dims < 0) return false;
  }
  return true;
}

void ExecutionContext::set_tensor_address(const std::string& name, void* address) try {
  int32_t i = state_->engine->find_io(name);
  if (i < 0) fail("set_tensor_address: '", name, "' is not an input or output of this engine");
  state_->addresses[i] = address;
} catch (...) {
  error_recorder_.report_current_exception(ErrorCode::kINVALID_ARGUMENT);
  throw;
}

void* ExecutionContext::get_tensor_address(const std::string& name) const {
  int32_t i = state_->engine->find_io(name);
  if (i < 0) fail("get_tensor_address: '", name, "' is not an input or output of this engine");
  return state_->addresses[i];
}

void ExecutionContext::set_optimization_profile_async(int32_t index, void* /*stream*/) try {
  state_->select_profile(index);
} catch (...) {
  error_recorder_.report_current_exception(ErrorCode::kINVALID_ARGUMENT);
  throw;
}

int32_t ExecutionContext::optimization_profile() const {
  return state_->profile;
}

void ExecutionContext::execute_async_v3(void* stream) try {
  state_->execute(stream);
} catch (...) {
  error_recorder_.report_current_exception(ErrorCode::kFAILED_EXECUTION);
  throw;
}

void ExecutionContext::set_aux_streams(void* const* streams, int32_t count) {
  if (count < 0 || (count > 0 && streams == nullptr)) fail("set_aux_streams: bad stream list");
  state_->backend->set_aux_streams({streams, static_cast<size_t>(count)});
}

int64_t ExecutionContext::device_memory_size() const {
  return state_->backend->device_memory_size();
}

void ExecutionContext::set_cuda_graph_mode(bool enabled) {
  state_->backend->set_cuda_graph_mode(enabled);
}

void ExecutionContext::set_profiler(Profiler* profiler) {
  state_->profiler = profiler;
  state_->backend->set_profiler(profiler);
}

Profiler* ExecutionContext::get_profiler() const {
  return state_->profiler;
}

void ExecutionContext::set_nvtx(bool enabled) {
  state_->nvtx = enabled;
  state_->backend->set_nvtx(enabled);
}

bool ExecutionContext::get_nvtx() const {
  return state_->nvtx;
}

void ExecutionContext::execute_v2(void* const* bindings) try {
  if (bindings == nullptr) fail("execute_v2: bindings is null");
  for (size_t i = 0; i < state_->addresses.size(); ++i) state_->addresses[i] = bindings[i];
  state_->execute(nullptr);
} catch (...) {
  error_recorder_.report_current_exception(ErrorCode::kFAILED_EXECUTION);
  throw;
}

}  // namespace kiln
