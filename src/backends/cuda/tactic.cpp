// The tactic registry and the library error checks.
#include "backends/cuda/tactic.h"

#include <mutex>

#include "backends/cuda/check.h"
#include "core/error.h"

namespace kiln::cuda {

namespace {

std::vector<std::unique_ptr<Tactic>>& registry() {
  static std::vector<std::unique_ptr<Tactic>> tactics;
  return tactics;
}

}  // namespace

void throw_cuda_error(const char* call, const char* file, int line, const char* what) {
  fail(call, " failed: ", what, " (", file, ":", line, ")");
}

void check_cublas(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw_cuda_error(call, file, line, cublasLtGetStatusString(status));
}

bool register_tactic(std::unique_ptr<Tactic> tactic) {
  KILN_CHECK(find_tactic(tactic->name()) == nullptr, "tactic ", tactic->name(),
             " registered twice");
  registry().push_back(std::move(tactic));
  return true;
}

const Tactic* find_tactic(std::string_view name) {
  for (const auto& t : registry()) {
    if (t->name() == name) return t.get();
  }
  return nullptr;
}

std::vector<const Tactic*> tactics_for(LayerType layer) {
  std::vector<const Tactic*> out;
  for (const auto& t : registry()) {
    if (t->layer() == layer) out.push_back(t.get());
  }
  return out;
}

}  // namespace kiln::cuda
