// Build progress reporting through the user's ProgressMonitor (may be null: then nothing happens).
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"
#include "kiln/tuning.h"

namespace kiln::builder {

// One phase: phase_start on construction, phase_finish on destruction (also when the build
// throws). step() reports a finished step and throws Error when the monitor cancels the build.
class ProgressPhase {
 public:
  ProgressPhase(ProgressMonitor* monitor, const char* name, const ProgressPhase* parent,
                int32_t num_steps)
      : monitor_(monitor), name_(name) {
    if (monitor_) monitor_->phase_start(name_, parent ? parent->name_ : nullptr, num_steps);
  }
  ~ProgressPhase() {
    if (!monitor_) return;
    try {
      monitor_->phase_finish(name_);
    } catch (...) {  // a throwing monitor must not turn an unwinding build into terminate()
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
};

}  // namespace kiln::builder
