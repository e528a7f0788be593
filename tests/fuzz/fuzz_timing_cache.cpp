// libFuzzer target: timing-cache bytes through parse_timing_cache and the public TimingCache
// (deserialization, combine, serialize). The harness appends the checksum the format ends with,
// so mutations reach the entry parser. Seeds: tests/fuzz/corpus/timing_cache (without checksum).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "builder/timing_cache.h"
#include "core/checksum.h"
#include "core/error.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> blob(data, data + size);
  uint64_t sum = kiln::checksum64(blob.data(), blob.size());
  for (int i = 0; i < 8; ++i) blob.push_back(static_cast<uint8_t>(sum >> (8 * i)));
  kiln::TimingCache::Impl cache;
  try {
    cache = kiln::parse_timing_cache(blob.data(), blob.size());
  } catch (const kiln::Error&) {
    return 0;
  }
  // A cache that parses serializes to bytes that parse to the same entries.
  std::vector<uint8_t> again = kiln::serialize_timing_cache(cache);
  kiln::TimingCache::Impl back = kiln::parse_timing_cache(again.data(), again.size());
  KILN_FUZZ_EXPECT(back.device == cache.device);
  KILN_FUZZ_EXPECT(back.entries.size() == cache.entries.size());
  KILN_FUZZ_EXPECT(kiln::serialize_timing_cache(back) == again);
  return 0;
}
