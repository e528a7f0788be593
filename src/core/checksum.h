// A fast 64-bit non-cryptographic checksum, for detecting corrupted files (plans, caches).
#pragma once

#include <cstddef>
#include <cstdint>

namespace kiln {

// Hashes `size` bytes at `data`. Reads 8-byte little-endian words, four independent lanes at a
// time, so it runs at memory speed on large weight blobs. Any change confined to one 8-byte word
// always changes the result; other changes go unnoticed with probability about 2^-64. Chaining
// (passing one result as the next call's seed) hashes data held in several pieces.
uint64_t checksum64(const void* data, size_t size, uint64_t seed = 0);

}  // namespace kiln
