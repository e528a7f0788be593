// libFuzzer target: the plugin-field encoding a plan stores for each plugin node
// (plugin::decode_fields / encode_fields), then the decoded fields handed to every registered
// plugin creator, as plan loading does. Seeds: tests/fuzz/corpus/plugin_fields.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "fuzz_util.h"
#include "kiln/plugin.h"
#include "plugin/fields.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static kiln::fuzz::SilentLogger logger;
  static const bool plugins = kiln::init_kiln_plugins(&logger);
  KILN_FUZZ_EXPECT(plugins);
  std::vector<uint8_t> bytes(data, data + size);  // exactly sized for ASan
  kiln::PluginFieldCollection fields;
  try {
    fields = kiln::plugin::decode_fields(bytes.data(), bytes.size(), "fuzz");
  } catch (const kiln::Error&) {
    return 0;
  }
  // Decoding is exact: what decodes encodes to the same bytes.
  std::vector<uint8_t> again = kiln::plugin::encode_fields(fields);
  KILN_FUZZ_EXPECT(again == bytes);
  for (const kiln::PluginField& f : fields) {
    KILN_FUZZ_EXPECT(f.length >= 0);
    KILN_FUZZ_EXPECT(static_cast<int64_t>(f.data.size()) == f.length * kiln::element_size(f.type));
  }
  for (const auto& creator : kiln::get_plugin_registry().get_all_creators()) {
    for (kiln::PluginPhase phase : {kiln::PluginPhase::kBUILD, kiln::PluginPhase::kRUNTIME}) {
      try {
        auto plugin = creator->create_plugin("fuzz", fields, phase);
        if (plugin) plugin->get_fields_to_serialize();
      } catch (const kiln::Error&) {
      }
    }
  }
  return 0;
}
