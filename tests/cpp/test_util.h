// Small helpers every test file uses for checking kiln::Error messages.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kiln/types.h"

namespace kiln {

// The message of the kiln::Error fn throws, or "(no error)".
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Expects fn to throw a kiln::Error whose message contains every part.
inline void expect_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  std::string msg = error_of(fn);
  if (msg == "(no error)") {
    ADD_FAILURE() << "expected a kiln::Error";
    return;
  }
  for (const std::string& p : parts)
    EXPECT_TRUE(contains(msg, p)) << "'" << p << "' not in: " << msg;
}

}  // namespace kiln
