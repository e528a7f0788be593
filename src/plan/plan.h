// Plan files: an EngineData saved as versioned, checksummed bytes, and loaded back.
//
// read() never crashes or reads out of bounds, whatever the bytes: a file that is not a plan, is
// truncated, corrupted or of a newer format version is refused with a kiln::Error saying which.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/engine_data.h"

namespace kiln::plan {

// The fixed header, readable without loading the rest (e.g. to check the device first).
struct Header {
  uint32_t format_version = 0;
  uint32_t kiln_major = 0, kiln_minor = 0, kiln_patch = 0;  // the kiln that wrote the plan
  DeviceType device = DeviceType::kCPU;
  int32_t compute_capability = 0;
  uint32_t hardware_compatibility = 0;  // 0 = runs only on the build device's compute capability
  uint32_t builder_flags = 0;
  uint64_t file_size = 0;
  uint64_t checksum = 0;
};

// Serialises `engine`. Deterministic: the same EngineData gives the same bytes, and
// write(read(write(e))) == write(e). Throws kiln::Error if `engine` breaks an invariant that
// read() would refuse (a bad index, a weights size that does not match its dims, ...).
std::vector<uint8_t> write(const runtime::EngineData& engine);

// Parses and validates a whole plan. Throws kiln::Error: "not a kiln plan", "truncated: ...",
// "corrupted: checksum mismatch ...", "... format version N is newer ...", or
// "corrupted: <section>: <what>".
runtime::EngineData read(const void* data, size_t size);

// Checks magic, size and format version and returns the header; the checksum and sections are
// not checked (read() does that).
Header read_header(const void* data, size_t size);

// Checks the invariants read() relies on and write() guarantees: indices in range, enums valid,
// weights sizes matching their dims, output counts, one producer per tensor, every node run by
// exactly one step, profiles and memory plans sized to the graph. Throws kiln::Error
// "<section>: <what>" (read() prefixes "corrupted: ").
void validate(const runtime::EngineData& engine);

// Recomputes the checksum field after `plan`'s bytes were edited (a test hook). Needs at least a
// full header; leaves shorter buffers as they are.
void refresh_checksum(std::vector<uint8_t>& plan);

// A node's attributes as the plan stores them (the timing cache keys nodes by them).
std::vector<uint8_t> attrs_bytes(const ir::Attrs& attrs);

}  // namespace kiln::plan
