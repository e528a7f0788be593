#include "backends/cpu/tactics.h"

#if KILN_HAVE_ONEDNN
#include "backends/cpu/onednn/onednn.h"
#endif

namespace kiln::cpu {

std::span<const Tactic> library_tactics() {
#if KILN_HAVE_ONEDNN
  return onednn::tactics();
#else
  return {};
#endif
}

const Tactic* find_tactic(std::string_view name) {
  for (const Tactic& t : library_tactics()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string_view library_version() {
#if KILN_HAVE_ONEDNN
  return onednn::version();
#else
  return "";
#endif
}

}  // namespace kiln::cpu
