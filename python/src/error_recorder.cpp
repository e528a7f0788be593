// IErrorRecorder from Python: a Python recorder (any object with report_error(code, desc)) set
// as error_recorder on a Builder, Runtime, ICudaEngine or IExecutionContext is wrapped in a C++
// ErrorRecorder that forwards report_error with TensorRT's ErrorCodeTRT. The wrapper lives as long
// as a kiln object holds it (its reference count), so engines and contexts that inherited it keep
// it alive after the Python attribute changes.
#include <nanobind/stl/string.h>

#include <atomic>

#include "bindings.h"

namespace kiln::python {

namespace {

class PyErrorRecorder final : public ErrorRecorder {
 public:
  explicit PyErrorRecorder(nb::object recorder) : recorder_(std::move(recorder)) {}

  nb::handle recorder() const { return recorder_; }

  // kiln calls only report_error; the queries forward too, for C++ code that reads a recorder
  // it did not write.
  int32_t get_num_errors() const noexcept override {
    return query<int32_t>(has("get_num_errors") ? "get_num_errors" : "num_errors", 0);
  }
  ErrorCode get_error_code(int32_t index) const noexcept override {
    return static_cast<ErrorCode>(query<int32_t>("get_error_code", 1, index));
  }
  const char* get_error_desc(int32_t index) const noexcept override {
    desc_ = query<std::string>("get_error_desc", std::string(), index);
    return desc_.c_str();
  }
  bool has_overflowed() const noexcept override { return query<bool>("has_overflowed", false); }
  void clear() noexcept override { query<bool>("clear", false); }

  bool report_error(ErrorCode code, const char* desc) noexcept override {
    nb::gil_scoped_acquire gil;
    try {
      nb::object codes = nb::module_::import_("kiln").attr("ErrorCodeTRT");
      nb::object result =
          recorder_.attr("report_error")(codes(static_cast<int32_t>(code)), nb::str(desc));
      return result.is_none() || PyObject_IsTrue(result.ptr()) == 1;
    } catch (nb::python_error& e) {
      e.discard_as_unraisable("kiln.IErrorRecorder.report_error");
    } catch (const std::exception& e) {
      PySys_WriteStderr("[kiln] IErrorRecorder.report_error failed: %s\n", e.what());
    }
    return true;
  }

  RefCount inc_ref_count() noexcept override { return ++refs_; }
  RefCount dec_ref_count() noexcept override {
    RefCount left = --refs_;
    if (left == 0) {
      nb::gil_scoped_acquire gil;  // dropping the Python object
      delete this;
    }
    return left;
  }

 private:
  bool has(const char* method) const {
    nb::gil_scoped_acquire gil;
    return nb::hasattr(recorder_, method);
  }
  template <typename T, typename... Args>
  T query(const char* method, T fallback, Args... args) const noexcept {
    nb::gil_scoped_acquire gil;
    try {
      return nb::cast<T>(recorder_.attr(method)(args...));
    } catch (nb::python_error& e) {
      e.discard_as_unraisable((std::string("kiln.IErrorRecorder.") + method).c_str());
    } catch (const std::exception&) {
    }
    return fallback;
  }

  nb::object recorder_;
  mutable std::string desc_;
  std::atomic<RefCount> refs_{0};
};

}  // namespace

ErrorRecorder* error_recorder_from_python(nb::handle recorder) {
  if (recorder.is_none()) return nullptr;
  if (!nb::hasattr(recorder, "report_error")) {
    throw nb::type_error("error_recorder: expected an IErrorRecorder (an object with "
                         "report_error(code, desc)) or None");
  }
  return new PyErrorRecorder(nb::borrow(recorder));  // freed when its last holder lets go
}

nb::object error_recorder_to_python(ErrorRecorder* recorder) {
  if (recorder == nullptr) return nb::none();
  if (auto* py = dynamic_cast<PyErrorRecorder*>(recorder)) return nb::borrow(py->recorder());
  return nb::none();  // a C++ recorder (set by C++ code) has no Python face
}

}  // namespace kiln::python
