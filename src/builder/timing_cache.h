// The timing cache's contents: measured times per (node signature, tactic, configuration) for one
// device and set of library versions. Keys are strings the tactic selection builds
// (select.cpp); the cache does not look inside them.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "kiln/tuning.h"

namespace kiln {

struct TimingEntry {
  float time_ms = 0.0f;
  int64_t workspace = 0;
};

struct TimingCache::Impl {
  // "" until the cache meets a device (an empty cache fits any device).
  std::string device;
  std::map<std::string, TimingEntry> entries;  // ordered: serialization is deterministic
};

// Bytes of a cache, and back; parse throws Error saying what is wrong with a corrupt, truncated or
// foreign blob.
std::vector<uint8_t> serialize_timing_cache(const TimingCache::Impl& cache);
TimingCache::Impl parse_timing_cache(const void* data, size_t size);

// The key a build on `device` uses; the cache keeps the first device it met.
std::string device_fingerprint();

// A node's part of a timing key: kind, a checksum of its attributes, and its inputs' and outputs'
// types and shapes ("matrix_multiply|123|float32[2,4];-;->float32[2,8];"; "-" for an absent
// input). CUDA keys append the flags that change what a tactic runs; CPU timings use it as is.
std::string node_signature(const ir::Node& node, std::span<const ir::TensorDesc> in,
                           std::span<const ir::TensorDesc> out);

}  // namespace kiln
