// Refitter's state, shared by the Refitter (src/runtime/refit.cpp) and the OnnxParserRefitter
// (src/onnx/refitter.cpp).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kiln/refit.h"
#include "runtime/engine_state.h"

namespace kiln {

struct Refitter::Impl {
  std::shared_ptr<const runtime::EngineState> state;
  Logger& logger;
  // Values set since the last refit, in the network weights' own type, by name.
  std::map<std::string, std::shared_ptr<const std::vector<uint8_t>>> pending;

  const runtime::RefitData& refit() const { return state->data.refit; }
  // The entry named `name`; throws Error saying why there is none.
  const runtime::RefitWeights& find(const std::string& name) const;
  // Checks `weights` against the entry (type, count) and returns a copy of the values.
  std::shared_ptr<const std::vector<uint8_t>> check(const std::string& name,
                                                    const Weights& weights) const;
  // Writes every pending value into the engine: all new host bytes are made first (nothing
  // changes if that fails), then, holding the engine's refit lock (no execution runs), the
  // backend copies them and the graph's host bytes are replaced, so serialize() saves them.
  void apply(void* stream, bool sync);
};

}  // namespace kiln
