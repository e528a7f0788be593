// Build progress reporting through the user's ProgressMonitor (may be null: then nothing happens).
#pragma once

#include <cstdint>
#include <exception>
#include <string>

#include "core/error.h"
#include "kiln/tuning.h"

namespace kiln::builder {

// One phase: phase_start on construction, phase_finish on destruction (also when the build
// throws). step() reports a finished step and throws Error when the monitor cancels the build.
// Only ever a local variable: its destructor passes on what phase_finish throws when the phase
// ends normally, so a failing monitor fails the build (docs/reliability.md).
class ProgressPhase {
 public:
  ProgressPhase(ProgressMonitor* monitor, const char* name, const ProgressPhase* parent,
                int32_t num_steps)
      : monitor_(monitor), name_(name), unwinding_at_start_(std::uncaught_exceptions()) {
    if (monitor_) monitor_->phase_start(name_, parent ? parent->name_ : nullptr, num_steps);
  }
  ~ProgressPhase() noexcept(false) {
    if (!monitor_) return;
    try {
      monitor_->phase_finish(name_);
    } catch (...) {
      // While the build unwinds from another error, that error wins (a second throw would be
      // terminate()).
      if (std::uncaught_exceptions() == unwinding_at_start_) throw;
    }
  }
  ProgressPhase(const ProgressPhase&) = delete;
  ProgressPhase& operator=(const ProgressPhase&) = delete;

  void step(int32_t index) {
    if (monitor_ && !monitor_->step_complete(name_, index)) {
      fail("build cancelled by the progress monitor during '", name_, "' (step ", index, ")");
    }
  }
  const char* name() const { return name_; }

 private:
  ProgressMonitor* monitor_;
  const char* name_;
  int unwinding_at_start_;
};

}  // namespace kiln::builder
