// libFuzzer target: plan bytes through plan::read (header, section table, every section,
// validation), the Runtime's engine loading and execution-context creation. The harness patches
// the header's file size and recomputes the checksum, so mutations reach the section parsers
// instead of stopping at the checksum (which a corrupted file on disk would hit first). Seeds:
// tests/fuzz/corpus/plan (scripts/make_fuzz_seeds.py) and tests/fixtures/plans.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "fuzz_util.h"
#include "kiln/runtime.h"
#include "plan/format.h"
#include "plan/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static kiln::fuzz::SilentLogger logger;
  std::vector<uint8_t> plan(data, data + size);  // exactly sized: ASan sees reads past the end
  if (plan.size() >= kiln::plan::kHeaderSize) {
    for (int i = 0; i < 8; ++i) {
      plan[kiln::plan::kOffFileSize + i] = static_cast<uint8_t>(uint64_t{plan.size()} >> (8 * i));
    }
    kiln::plan::refresh_checksum(plan);
  }
  kiln::runtime::EngineData engine;
  try {
    engine = kiln::plan::read(plan.data(), plan.size());
  } catch (const kiln::Error&) {
    return 0;  // refused: the expected outcome for most inputs
  }
  // What loads must write back to a plan that loads to the same bytes (the writer's promise).
  std::vector<uint8_t> again = kiln::plan::write(engine);
  std::vector<uint8_t> twice = kiln::plan::write(kiln::plan::read(again.data(), again.size()));
  KILN_FUZZ_EXPECT(again == twice);

  // The runtime may still refuse it (a kiln version it does not promise to read, a tactic it
  // lacks), but only with an Error. Contexts allocate each profile's arena: skip plans that ask
  // for more than 64 MiB, which would only measure the allocator.
  int64_t arena = 0;
  for (const auto& p : engine.profiles) arena += p.memory.arena_size;
  kiln::Runtime runtime(logger);
  try {
    auto loaded = runtime.deserialize_cuda_engine(plan.data(), plan.size());
    if (arena >= 0 && arena <= (int64_t{64} << 20)) {
      auto context = loaded->create_execution_context();
      KILN_FUZZ_EXPECT(context != nullptr);
    }
  } catch (const kiln::Error&) {
  }
  return 0;
}
