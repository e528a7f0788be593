// Errors: kiln::Error for what a user can cause, KILN_CHECK for kiln's own invariants.
#pragma once

#include <sstream>
#include <string>
#include <utility>

#include "kiln/types.h"

namespace kiln {

// Streams every argument into one string: str_cat("layer ", name, " has ", n, " inputs").
// Dims and DataType print as to_string() does.
template <typename... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Dims& dims);
std::ostream& operator<<(std::ostream& out, DataType type);

// Throws kiln::Error with the concatenated message.
template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
  throw Error(str_cat(args...));
}

// Reports a broken internal invariant (a kiln bug, not a user error).
[[noreturn]] void check_failed(const char* condition, const char* file, int line,
                               const std::string& message);

}  // namespace kiln

#define KILN_CHECK(cond, ...)                                                                   \
  do {                                                                                          \
    if (!(cond)) ::kiln::check_failed(#cond, __FILE__, __LINE__, ::kiln::str_cat(__VA_ARGS__)); \
  } while (0)
