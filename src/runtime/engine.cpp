// Runtime and Engine: loading a plan, checking it against this kiln, and the engine's queries.
#include "backends/cpu/thread_pool.h"
#include "builder/profiles.h"
#include "core/error.h"
#include "kiln/builder.h"
#include "kiln/runtime.h"
#include "plan/compatibility.h"
#include "plan/plan.h"
#include "runtime/engine_state.h"

namespace kiln {

namespace runtime {

int32_t EngineState::find_io(const std::string& name) const {
  for (size_t i = 0; i < io.size(); ++i) {
    if (data.graph.tensors[io[i]].name == name) return static_cast<int32_t>(i);
  }
  return -1;
}

std::shared_ptr<const EngineState> load_engine(EngineData data, int32_t cpu_threads) {
  auto state = std::make_shared<EngineState>();
  const ir::Graph& graph = data.graph;
  if (data.profiles.empty()) fail("plan is corrupted: it has no optimization profile");
  // Steps must run every node once, each after the producers of its inputs.
  std::vector<bool> written(graph.tensors.size(), false), ran(graph.nodes.size(), false);
  for (int32_t t : graph.inputs) written[t] = true;
  for (const ir::Tensor& t : graph.tensors) {
    if (t.weights >= 0) written[&t - graph.tensors.data()] = true;
  }
  for (const StepData& step : data.steps) {
    if (ran[step.node]) fail("plan is corrupted: node ", step.node, " is run by two steps");
    ran[step.node] = true;
    const ir::Node& node = graph.nodes[step.node];
    for (int32_t t : node.inputs) {
      if (t >= 0 && !written[t]) {
        fail("plan is corrupted: step for '", node.name, "' reads tensor '", graph.tensors[t].name,
             "' before anything writes it");
      }
    }
    for (int32_t t : node.outputs) written[t] = true;
  }
  for (int32_t t : graph.outputs) {
    if (!written[t]) fail("plan is corrupted: no step writes output '", graph.tensors[t].name, "'");
  }
  // Every activation must fit its arena slot at the profile's max shapes.
  std::vector<bool> is_output(graph.tensors.size(), false);
  for (int32_t t : graph.outputs) is_output[t] = true;
  for (size_t p = 0; p < data.profiles.size(); ++p) {
    const ProfileData& profile = data.profiles[p];
    std::vector<Dims> max;
    for (const ProfileDims& r : profile.inputs) max.push_back(r.max);
    std::vector<ir::TensorDesc> descs = ir::tensor_descs(
        builder::with_input_dims(graph, max, str_cat("profile ", p, " max shapes")));
    for (size_t t = 0; t < graph.tensors.size(); ++t) {
      int64_t bytes = 0, end = 0;  // plans may say anything (fuzz_plan): no overflow
      bool overflow = __builtin_mul_overflow(volume(descs[t].dims), element_size(descs[t].type),
                                             &bytes);
      // View outputs live in their input's memory (ir::alias_views), not in an arena slot.
      bool activation = graph.tensors[t].producer >= 0 && !is_output[t] &&
                        graph.nodes[graph.tensors[t].producer].kind() != ir::op::kVIEW;
      int64_t offset = profile.memory.offsets[t];
      overflow = overflow || __builtin_add_overflow(offset, bytes, &end);
      if (activation && (overflow || offset < 0 || end > profile.memory.arena_size)) {
        fail("plan is corrupted: tensor '", graph.tensors[t].name, "' (", bytes,
             " bytes at offset ", offset, ") does not fit the ", profile.memory.arena_size,
             "-byte arena of profile ", p);
      }
    }
    state->max_descs.push_back(std::move(descs));
  }
  for (int32_t t : graph.inputs) state->io.push_back(t);
  for (int32_t t : graph.outputs) state->io.push_back(t);
  if ((data.builder_flags >> static_cast<uint32_t>(BuilderFlag::kVERSION_COMPATIBLE)) & 1u) {
    state->load_notes = data.device == DeviceType::kCPU
                            ? rechoose_cpu_tactics(data)
                            : rechoose_cuda_tactics(data, state->max_descs[0]);
  }
  state->data = std::move(data);
  if (state->data.device == DeviceType::kCPU) {
    std::string warning;
    state->cpu_threads = cpu::resolve_threads(cpu_threads, &warning);
    if (!warning.empty()) state->warnings.push_back(warning);
  }
  state->backend = state->data.device == DeviceType::kCPU ? create_cpu_backend(*state)
                                                          : create_cuda_backend(*state);
  return state;
}

}  // namespace runtime

Runtime::Runtime(Logger& logger) : logger_(logger) {}

void Runtime::set_cpu_threads(int32_t n) {
  if (n < 0) fail("cpu_threads must be >= 1 (or 0 for the default), got ", n);
  cpu_threads_ = n;
}

std::unique_ptr<Engine> Runtime::deserialize_cuda_engine(const void* data, size_t size) try {
  if (data == nullptr) fail("deserialize_cuda_engine: the plan address is null");
  runtime::EngineData engine = plan::read(data, size);  // intact, of a format this kiln reads
  plan::Header header = plan::read_header(data, size);
  std::string refusal =
      plan::version_refusal(header.kiln_major, header.kiln_minor, header.kiln_patch,
                            header.builder_flags, KILN_VERSION_STRING);
  if (!refusal.empty()) fail(refusal);
  auto state = runtime::load_engine(std::move(engine), cpu_threads_);
  for (const std::string& warning : state->warnings) {
    logger_.report(Logger::Severity::kWARNING, warning);
  }
  for (const std::string& note : state->load_notes) {
    logger_.report(Logger::Severity::kWARNING,
                   str_cat("version-compatible plan: this kiln lacks a tactic it names: ", note));
  }
  logger_.report(Logger::Severity::kINFO,
                 str_cat("loaded a ", state->data.device == DeviceType::kCPU ? "CPU" : "GPU",
                         " engine: ", state->data.steps.size(), " steps, ", state->io.size(),
                         " I/O tensors, ", state->data.profiles.size(), " profile(s)"));
  std::unique_ptr<Engine> loaded(new Engine(std::move(state)));
  loaded->set_error_recorder(error_recorder_.get());
  return loaded;
} catch (...) {
  error_recorder_.report_current_exception(ErrorCode::kINVALID_ARGUMENT);
  throw;
}

Engine::Engine(std::shared_ptr<const runtime::EngineState> state) : state_(std::move(state)) {}
Engine::~Engine() = default;

namespace {

const ir::Tensor& io_tensor(const runtime::EngineState& s, const std::string& name) {
  int32_t i = s.find_io(name);
  if (i < 0) fail("'", name, "' is not an input or output of this engine");
  return s.data.graph.tensors[s.io[i]];
}

}  // namespace

int32_t Engine::num_io_tensors() const {
  return static_cast<int32_t>(state_->io.size());
}

const std::string& Engine::get_tensor_name(int32_t index) const {
  if (index < 0 || index >= num_io_tensors()) {
    fail("I/O tensor index ", index, " is out of range; the engine has ", num_io_tensors());
  }
  return state_->data.graph.tensors[state_->io[index]].name;
}

TensorIOMode Engine::get_tensor_mode(const std::string& name) const {
  int32_t i = state_->find_io(name);
  if (i < 0) return TensorIOMode::kNONE;
  return state_->is_input(i) ? TensorIOMode::kINPUT : TensorIOMode::kOUTPUT;
}

DataType Engine::get_tensor_dtype(const std::string& name) const {
  return io_tensor(*state_, name).type;
}
Dims Engine::get_tensor_shape(const std::string& name) const {
  return io_tensor(*state_, name).dims;
}

int32_t Engine::num_optimization_profiles() const {
  return static_cast<int32_t>(state_->data.profiles.size());
}

ProfileDims Engine::get_tensor_profile_shape(const std::string& name, int32_t profile) const {
  int32_t i = state_->find_io(name);
  if (i < 0 || !state_->is_input(i)) fail("'", name, "' is not an input of this engine");
  if (profile < 0 || profile >= num_optimization_profiles()) {
    fail("optimization profile ", profile, " does not exist; the engine has ",
         num_optimization_profiles());
  }
  return state_->data.profiles[profile].inputs[i];
}

int32_t Engine::num_layers() const {
  return static_cast<int32_t>(state_->data.steps.size());
}
int32_t Engine::num_aux_streams() const {
  return state_->data.num_aux_streams;
}
DeviceType Engine::device_type() const {
  return state_->data.device;
}
int64_t Engine::device_memory_size() const {
  return state_->backend->device_memory_size(*state_);
}
std::vector<uint8_t> Engine::serialize() const {
  std::shared_lock lock(state_->refit_mutex);  // not during a refit
  return plan::write(state_->data);
}

std::unique_ptr<EngineInspector> Engine::create_engine_inspector() const {
  return std::unique_ptr<EngineInspector>(new EngineInspector(state_));
}

std::unique_ptr<ExecutionContext> Engine::create_execution_context() const try {
  auto ctx = std::make_unique<runtime::ContextState>();
  ctx->engine = state_;
  ctx->addresses.assign(state_->io.size(), nullptr);
  ctx->backend = state_->backend->create_context(*state_);
  ctx->select_profile(0);
  std::unique_ptr<ExecutionContext> context(new ExecutionContext(std::move(ctx)));
  context->set_error_recorder(error_recorder_.get());
  return context;
} catch (...) {
  error_recorder_.report_current_exception(ErrorCode::kFAILED_INITIALIZATION);
  throw;
}

}  // namespace kiln
