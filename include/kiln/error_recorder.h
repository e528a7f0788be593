// kiln — ErrorRecorder: TensorRT's IErrorRecorder. Set one on a Builder, Runtime, Engine or
// ExecutionContext and every error those objects raise (kiln::Error, which the C++ API still
// throws) is also reported to it, with a TensorRT error code and the message, before the throw.
// An Engine takes its Runtime's recorder when it is loaded, a context its Engine's when it is
// created; each may be replaced afterwards (docs/reliability.md).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace kiln {

// TensorRT's ErrorCode values.
enum class ErrorCode : int32_t {
  kSUCCESS = 0,
  kUNSPECIFIED_ERROR = 1,
  kINTERNAL_ERROR = 2,
  kINVALID_ARGUMENT = 3,
  kINVALID_CONFIG = 4,
  kFAILED_ALLOCATION = 5,
  kFAILED_INITIALIZATION = 6,
  kFAILED_EXECUTION = 7,
  kFAILED_COMPUTATION = 8,
  kINVALID_STATE = 9,
  kUNSUPPORTED_STATE = 10,
};
const char* to_string(ErrorCode code);

// The interface (TensorRT 10's, in snake_case). kiln calls only report_error, inc_ref_count and
// dec_ref_count; the rest is for the application. report_error may be called from several
// threads at once (contexts on different threads sharing one recorder) and must not throw.
class ErrorRecorder {
 public:
  using RefCount = int32_t;
  static constexpr int32_t kMAX_DESC_LENGTH = 127;  // TensorRT's; kiln passes longer messages

  virtual ~ErrorRecorder() = default;
  virtual int32_t get_num_errors() const noexcept = 0;
  virtual ErrorCode get_error_code(int32_t index) const noexcept = 0;
  virtual const char* get_error_desc(int32_t index) const noexcept = 0;
  virtual bool has_overflowed() const noexcept = 0;
  virtual void clear() noexcept = 0;
  // Returns true when the error should stop the work in progress (kiln stops either way: the
  // error is thrown after it is reported).
  virtual bool report_error(ErrorCode code, const char* desc) noexcept = 0;
  // Objects holding the recorder count themselves in while they hold it.
  virtual RefCount inc_ref_count() noexcept = 0;
  virtual RefCount dec_ref_count() noexcept = 0;
};

// Holds a recorder (not owned) and counts itself in (inc_ref_count) while it does: the member
// through which Builder, Runtime, Engine and ExecutionContext keep theirs.
class ErrorRecorderRef {
 public:
  ErrorRecorderRef() = default;
  ErrorRecorderRef(const ErrorRecorderRef&) = delete;
  ErrorRecorderRef& operator=(const ErrorRecorderRef&) = delete;
  ~ErrorRecorderRef() { reset(nullptr); }
  void reset(ErrorRecorder* recorder) noexcept;
  ErrorRecorder* get() const noexcept { return recorder_; }
  // Inside a catch block: reports the exception being handled with `code` (kFAILED_ALLOCATION for
  // std::bad_alloc, kINTERNAL_ERROR for kiln's internal errors), when a recorder is set.
  void report_current_exception(ErrorCode code) const noexcept;

 private:
  ErrorRecorder* recorder_ = nullptr;
};

// A ready recorder: keeps up to `capacity` errors (then has_overflowed), thread-safe, counts
// references. Descriptions stay valid until clear().
class SimpleErrorRecorder : public ErrorRecorder {
 public:
  explicit SimpleErrorRecorder(int32_t capacity = 256) : capacity_(capacity) {}
  int32_t get_num_errors() const noexcept override;
  ErrorCode get_error_code(int32_t index) const noexcept override;
  const char* get_error_desc(int32_t index) const noexcept override;
  bool has_overflowed() const noexcept override;
  void clear() noexcept override;
  bool report_error(ErrorCode code, const char* desc) noexcept override;
  RefCount inc_ref_count() noexcept override;
  RefCount dec_ref_count() noexcept override;
  RefCount ref_count() const noexcept;

 private:
  struct Entry {
    ErrorCode code;
    std::string desc;
  };
  mutable std::mutex mutex_;
  int32_t capacity_;
  bool overflowed_ = false;
  std::vector<Entry> errors_;
  RefCount refs_ = 0;
};

}  // namespace kiln
