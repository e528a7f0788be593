// The few CUDA runtime calls the CLI makes (pinned host memory, device memory, streams, events,
// copies), behind plain functions so that the rest of the CLI builds without CUDA. gpu_cuda.cpp
// implements them with the CUDA runtime; gpu_none.cpp (KILN_CUDA=OFF) throws Error from each.
#pragma once

#include <cstddef>
#include <string>

namespace kiln::cli::gpu {

// True when a CUDA device answers; else false with the reason in `why`.
bool available(std::string& why);
std::string device_name();

void* host_alloc(size_t bytes);  // pinned (page-locked) host memory
void host_free(void* p);
void* device_alloc(size_t bytes);
void device_free(void* p);
void copy_to_device(void* dst, const void* src, size_t bytes, void* stream);  // async
void copy_to_host(void* dst, const void* src, size_t bytes, void* stream);    // async

void* stream_create();
void stream_destroy(void* stream);
void stream_synchronize(void* stream);

void* event_create();
void event_destroy(void* event);
void event_record(void* event, void* stream);
void event_synchronize(void* event);
float event_elapsed_ms(void* start, void* end);

}  // namespace kiln::cli::gpu
