// Shared pieces of the libFuzzer targets (docs/reliability.md): a silent logger, and a check
// that aborts (so libFuzzer records the input) when an invariant of a successful parse fails.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "kiln/logger.h"

namespace kiln::fuzz {

// Errors are the expected outcome for most inputs; printing them would drown the fuzzer's output.
class SilentLogger : public Logger {
 public:
  SilentLogger() : Logger(Logger::Severity::kINTERNAL_ERROR) {}
  void log(Severity, std::string_view) override {}
};

// Not assert(): NDEBUG builds must check too.
#define KILN_FUZZ_EXPECT(cond)                                                  \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond,      \
                   __FILE__, __LINE__);                                         \
      std::abort();                                                             \
    }                                                                           \
  } while (0)

}  // namespace kiln::fuzz
