#include "core/error.h"

namespace kiln {

std::ostream& operator<<(std::ostream& out, const Dims& dims) {
  return out << to_string(dims);
}
std::ostream& operator<<(std::ostream& out, DataType type) {
  return out << to_string(type);
}

void check_failed(const char* condition, const char* file, int line, const std::string& message) {
  throw Error(str_cat("internal error (a kiln bug): ", condition, " failed at ", file, ":", line,
                      message.empty() ? "" : ": ", message));
}

}  // namespace kiln
