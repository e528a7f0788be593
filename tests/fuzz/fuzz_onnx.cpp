// libFuzzer target: ONNX bytes through kiln's protobuf reader, model reader and op importers
// (OnnxParser::parse). parse must return false with an error naming what is wrong, never throw,
// crash or read out of bounds. Seeds: tests/fuzz/corpus/onnx (scripts/make_fuzz_seeds.py).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "kiln/builder.h"
#include "kiln/onnx_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static kiln::fuzz::SilentLogger logger;
  kiln::Builder builder(logger);
  auto network = builder.create_network();
  kiln::OnnxParser parser(*network, logger);
  // No path: external data is refused rather than read from the fuzzer's working directory.
  bool ok = parser.parse(data, size);
  if (!ok) {
    KILN_FUZZ_EXPECT(parser.num_errors() > 0);
    for (int32_t i = 0; i < parser.num_errors(); ++i) {
      KILN_FUZZ_EXPECT(std::string(parser.get_error(i).desc()).size() > 0);
    }
  }
  return 0;
}
