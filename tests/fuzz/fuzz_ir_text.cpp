// libFuzzer target: the textual IR (ir::parse): tokens, names, attribute values of every field
// type, pointwise programs, weights, and shape inference of the parsed graph. A graph that parses
// must print to text that parses back to the same text. Seeds: tests/fuzz/corpus/ir_text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "fuzz_util.h"
#include "ir/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string printed;
  try {
    printed = kiln::ir::print(kiln::ir::parse(text));
  } catch (const kiln::Error&) {
    return 0;
  }
  std::string reprinted = kiln::ir::print(kiln::ir::parse(printed));
  KILN_FUZZ_EXPECT(reprinted == printed);
  return 0;
}
