// gpu.h without CUDA (KILN_CUDA=OFF): no device is ever available; the rest refuses.
#include "gpu.h"
#include "kiln/types.h"

namespace kiln::cli::gpu {

namespace {
[[noreturn]] void refuse() {
  throw Error("this kiln was built without CUDA (KILN_CUDA=OFF); use --device=cpu");
}
}  // namespace

bool available(std::string& why) {
  why = "this kiln was built without CUDA (KILN_CUDA=OFF)";
  return false;
}
std::string device_name() {
  refuse();
}
void* host_alloc(size_t) {
  refuse();
}
void host_free(void*) {}
void* device_alloc(size_t) {
  refuse();
}
void device_free(void*) {}
void copy_to_device(void*, const void*, size_t, void*) {
  refuse();
}
void copy_to_host(void*, const void*, size_t, void*) {
  refuse();
}
void* stream_create() {
  refuse();
}
void stream_destroy(void*) {}
void stream_synchronize(void*) {
  refuse();
}
void* event_create() {
  refuse();
}
void event_destroy(void*) {}
void event_record(void*, void*) {
  refuse();
}
void event_synchronize(void*) {
  refuse();
}
float event_elapsed_ms(void*, void*) {
  refuse();
}

}  // namespace kiln::cli::gpu
