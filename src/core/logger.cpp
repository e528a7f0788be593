#include "kiln/logger.h"

#include <cstdio>
#include <string>

namespace kiln {

Logger::Logger(Severity min_severity) : min_severity_(min_severity) {}

void Logger::set_sink(Sink sink) {
  std::lock_guard<std::mutex> lock(mutex_);
  sink_ = std::move(sink);
}

void Logger::log(Severity severity, std::string_view message) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (sink_) {
    sink_(severity, message);
    return;
  }
  static const char kLetters[] = {'F', 'E', 'W', 'I', 'V'};
  std::fprintf(stderr, "[kiln] [%c] %.*s\n", kLetters[static_cast<int>(severity)],
               static_cast<int>(message.size()), message.data());
}

void Logger::report(Severity severity, std::string_view message) {
  if (enabled(severity)) log(severity, message);
}

const char* to_string(Logger::Severity severity) {
  switch (severity) {
    case Logger::Severity::kINTERNAL_ERROR:
      return "internal_error";
    case Logger::Severity::kERROR:
      return "error";
    case Logger::Severity::kWARNING:
      return "warning";
    case Logger::Severity::kINFO:
      return "info";
    case Logger::Severity::kVERBOSE:
      return "verbose";
  }
  return "unknown";
}

}  // namespace kiln
