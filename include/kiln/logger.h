// kiln — the logger every builder, runtime and parser reports through.
#pragma once

#include <functional>
#include <mutex>
#include <string_view>

namespace kiln {

class Logger {
 public:
  enum class Severity : int32_t { kINTERNAL_ERROR, kERROR, kWARNING, kINFO, kVERBOSE };
  using Sink = std::function<void(Severity, std::string_view)>;

  // Messages less severe than `min_severity` are dropped.
  explicit Logger(Severity min_severity = Severity::kWARNING);
  virtual ~Logger() = default;

  // Delivers one message. The default writes "[kiln] [W] message" to stderr, or hands the message
  // to the sink when one is set. Subclasses may override it (the Python ILogger does). May be
  // called from several threads at once; the default serialises delivery.
  virtual void log(Severity severity, std::string_view message);

  void set_sink(Sink sink);
  void set_min_severity(Severity severity) { min_severity_ = severity; }
  Severity min_severity() const { return min_severity_; }
  bool enabled(Severity severity) const { return severity <= min_severity_; }

  // Filters by severity, then calls log().
  void report(Severity severity, std::string_view message);

 private:
  Severity min_severity_;
  Sink sink_;
  std::mutex mutex_;
};

const char* to_string(Logger::Severity severity);

}  // namespace kiln
