// Refitter: new values for the weights of a BuilderFlag::kREFIT engine, checked when they are
// set and written into the engine (host copy and backend copy) in one step (docs/refit.md).
#include "kiln/refit.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "builder/passes.h"
#include "core/error.h"
#include "kiln/builder.h"
#include "runtime/engine_state.h"
#include "runtime/refit_impl.h"

namespace kiln {

const char* to_string(WeightsRole role) {
  switch (role) {
    case WeightsRole::kKERNEL:
      return "KERNEL";
    case WeightsRole::kBIAS:
      return "BIAS";
    case WeightsRole::kSHIFT:
      return "SHIFT";
    case WeightsRole::kSCALE:
      return "SCALE";
    case WeightsRole::kCONSTANT:
      return "CONSTANT";
    case WeightsRole::kANY:
      return "ANY";
  }
  return "unknown role";
}

const runtime::RefitWeights& Refitter::Impl::find(const std::string& name) const {
  for (const runtime::RefitWeights& w : refit().weights) {
    if (w.name == name) return w;
  }
  for (const ir::WeightsData& w : state->data.graph.weights) {
    if (w.name == name && !w.name.empty()) {
      fail("refit: weights '", name,
           "' are not refittable: the builder derived them from other "
           "weights (e.g. folded constants) or they are not floating-point; refit the network "
           "weights they came from (get_all_weights lists them)");
    }
  }
  fail("refit: this engine has no refittable weights named '", name, "' (get_all_weights lists ",
       "the ", refit().weights.size(), " it has)");
}

void Refitter::Impl::apply(void* stream, bool sync) {
  struct Replacement {
    int32_t weights;
    std::shared_ptr<const std::vector<uint8_t>> bytes;
  };
  auto& engine = const_cast<runtime::EngineState&>(*state);  // created mutable by load_engine
  std::unique_lock lock(engine.refit_mutex);  // waits for running executions, holds back new ones
  const ir::Graph& graph = engine.data.graph;
  std::vector<Replacement> replacements;
  for (const auto& [name, values] : pending) {
    const runtime::RefitWeights& w = find(name);
    for (int32_t t : w.targets) {
      DataType type = graph.weights[t].type;
      replacements.push_back(
          {t, type == w.type ? values : builder::convert_float32_weights(*values, type)});
      KILN_CHECK(replacements.back().bytes->size() == graph.weights[t].bytes->size(), "refit of '",
                 name, "' changes the size of weights '", graph.weights[t].name, "'");
    }
  }
  std::vector<runtime::BackendEngine::WeightsCopy> copies;
  for (const Replacement& r : replacements) copies.push_back({r.weights, r.bytes.get()});
  engine.backend->refit(copies, stream, sync);
  for (const Replacement& r : replacements) engine.data.graph.weights[r.weights].bytes = r.bytes;
  lock.unlock();
  logger.report(Logger::Severity::kINFO, str_cat("refit: ", pending.size(), " weights written (",
                                                 replacements.size(), " engine weights)"));
  pending.clear();
}

std::shared_ptr<const std::vector<uint8_t>> Refitter::Impl::check(const std::string& name,
                                                                  const Weights& weights) const {
  const runtime::RefitWeights& w = find(name);
  int64_t count = volume(w.dims);
  if (weights.type != w.type) {
    fail("refit: weights '", name, "' are ", w.dims, " of ", w.type, "; got ", weights.type,
         " values");
  }
  if (weights.count != count) {
    fail("refit: weights '", name, "' are ", w.dims, " of ", w.type, " (", count, " values); got ",
         weights.count, " values");
  }
  if (count > 0 && weights.values == nullptr) {
    fail("refit: weights '", name, "': the values pointer is null");
  }
  const auto* p = static_cast<const uint8_t*>(weights.values);
  return std::make_shared<const std::vector<uint8_t>>(p, p + count * element_size(w.type));
}

Refitter::Refitter(Engine& engine, Logger& logger) : impl_(new Impl{engine.state_, logger, {}}) {
  const runtime::EngineData& data = impl_->state->data;
  if (!((data.builder_flags >> static_cast<uint32_t>(BuilderFlag::kREFIT)) & 1u)) {
    fail(
        "refit: the engine was built without BuilderFlag::kREFIT, so its weights cannot be "
        "refitted; rebuild it with config.set_flag(BuilderFlag::kREFIT)");
  }
}

Refitter::~Refitter() = default;

void Refitter::set_named_weights(const std::string& name, Weights weights) {
  auto values = impl_->check(name, weights);
  impl_->pending[name] = std::move(values);
}

void Refitter::set_weights(const std::string& layer, WeightsRole role, Weights weights) {
  std::vector<const runtime::RefitRole*> roles;
  for (const runtime::RefitRole& r : impl_->refit().roles) {
    if (r.layer == layer) roles.push_back(&r);
  }
  if (roles.empty())
    fail("refit: the engine has no refittable weights of a layer named '", layer, "'");
  std::string has;
  for (const runtime::RefitRole* r : roles) {
    if (r->role == static_cast<int32_t>(role)) return set_named_weights(r->weights, weights);
    has += str_cat(has.empty() ? "" : ", ", to_string(static_cast<WeightsRole>(r->role)));
  }
  if (role == WeightsRole::kANY && roles.size() == 1) {
    return set_named_weights(roles[0]->weights, weights);
  }
  fail("refit: layer '", layer, "' has no refittable weights in role ", to_string(role),
       role == WeightsRole::kANY ? " (it has several; name one)" : "", "; it has ", has);
}

std::vector<std::string> Refitter::get_all_weights() const {
  std::vector<std::string> names;
  for (const runtime::RefitWeights& w : impl_->refit().weights) names.push_back(w.name);
  return names;
}

std::vector<std::pair<std::string, WeightsRole>> Refitter::get_all() const {
  std::vector<std::pair<std::string, WeightsRole>> all;
  for (const runtime::RefitRole& r : impl_->refit().roles) {
    all.emplace_back(r.layer, static_cast<WeightsRole>(r.role));
  }
  return all;
}

std::vector<std::string> Refitter::get_missing_weights() const {
  return {};
}

bool Refitter::refit_cuda_engine() {
  impl_->apply(nullptr, true);
  return true;
}

bool Refitter::refit_cuda_engine_async(void* stream) {
  impl_->apply(stream, false);
  return true;
}

}  // namespace kiln
