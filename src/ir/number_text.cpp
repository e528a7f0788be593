// Numbers in text form (number_text.h).
#include "ir/number_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace kiln::ir {

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
    return buf;
  }
  const float f = static_cast<float>(v);
  if (static_cast<double>(f) == v) {
    for (int digits = 1; digits <= 9; ++digits) {
      std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
      if (std::strtof(buf, nullptr) == f) return buf;
    }
  }
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

bool parse_number(std::string_view s, double* out) {
  if (s == "nan") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (s == "inf" || s == "-inf") {
    *out = s[0] == '-' ? -std::numeric_limits<double>::infinity()
                       : std::numeric_limits<double>::infinity();
    return true;
  }
  std::string copy(s);
  char* end = nullptr;
  double d = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) return false;
  *out = d;
  return true;
}

}  // namespace kiln::ir
