// ErrorRecorder helpers: ErrorRecorderRef (reference counting, reporting the exception in flight)
// and SimpleErrorRecorder, the ready-made thread-safe recorder.
#include "kiln/error_recorder.h"

#include <exception>
#include <new>
#include <string_view>

namespace kiln {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kSUCCESS:
      return "SUCCESS";
    case ErrorCode::kUNSPECIFIED_ERROR:
      return "UNSPECIFIED_ERROR";
    case ErrorCode::kINTERNAL_ERROR:
      return "INTERNAL_ERROR";
    case ErrorCode::kINVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case ErrorCode::kINVALID_CONFIG:
      return "INVALID_CONFIG";
    case ErrorCode::kFAILED_ALLOCATION:
      return "FAILED_ALLOCATION";
    case ErrorCode::kFAILED_INITIALIZATION:
      return "FAILED_INITIALIZATION";
    case ErrorCode::kFAILED_EXECUTION:
      return "FAILED_EXECUTION";
    case ErrorCode::kFAILED_COMPUTATION:
      return "FAILED_COMPUTATION";
    case ErrorCode::kINVALID_STATE:
      return "INVALID_STATE";
    case ErrorCode::kUNSUPPORTED_STATE:
      return "UNSUPPORTED_STATE";
  }
  return "UNKNOWN";
}

void ErrorRecorderRef::reset(ErrorRecorder* recorder) noexcept {
  if (recorder == recorder_) return;
  if (recorder != nullptr) recorder->inc_ref_count();
  if (recorder_ != nullptr) recorder_->dec_ref_count();
  recorder_ = recorder;
}

void ErrorRecorderRef::report_current_exception(ErrorCode code) const noexcept {
  if (recorder_ == nullptr) return;
  try {
    throw;
  } catch (const std::bad_alloc& e) {
    recorder_->report_error(ErrorCode::kFAILED_ALLOCATION, e.what());
  } catch (const std::exception& e) {
    // check_failed's prefix (core/error.cpp): a broken invariant, not the caller's mistake.
    bool internal = std::string_view(e.what()).starts_with("internal error");
    recorder_->report_error(internal ? ErrorCode::kINTERNAL_ERROR : code, e.what());
  } catch (...) {
    recorder_->report_error(ErrorCode::kUNSPECIFIED_ERROR, "an exception of unknown type");
  }
}

int32_t SimpleErrorRecorder::get_num_errors() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int32_t>(errors_.size());
}

ErrorCode SimpleErrorRecorder::get_error_code(int32_t index) const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index < 0 || index >= static_cast<int32_t>(errors_.size())) return ErrorCode::kINVALID_ARGUMENT;
  return errors_[static_cast<size_t>(index)].code;
}

const char* SimpleErrorRecorder::get_error_desc(int32_t index) const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index < 0 || index >= static_cast<int32_t>(errors_.size())) return "";
  return errors_[static_cast<size_t>(index)].desc.c_str();
}

bool SimpleErrorRecorder::has_overflowed() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return overflowed_;
}

void SimpleErrorRecorder::clear() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  errors_.clear();
  overflowed_ = false;
}

bool SimpleErrorRecorder::report_error(ErrorCode code, const char* desc) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (static_cast<int32_t>(errors_.size()) >= capacity_) {
    overflowed_ = true;
    return true;
  }
  try {
    errors_.push_back({code, desc != nullptr ? desc : ""});
  } catch (...) {
    overflowed_ = true;  // no memory for the message: count it as lost
  }
  return true;
}

ErrorRecorder::RefCount SimpleErrorRecorder::inc_ref_count() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return ++refs_;
}

ErrorRecorder::RefCount SimpleErrorRecorder::dec_ref_count() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return --refs_;
}

ErrorRecorder::RefCount SimpleErrorRecorder::ref_count() const noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  return refs_;
}

}  // namespace kiln
