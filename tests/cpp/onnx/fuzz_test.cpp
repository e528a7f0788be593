// Robustness of the ONNX reader: every truncation and thousands of random mutations of a small
// model must give a clean parse failure (or a valid parse), never a crash or an out-of-bounds
// read. scripts/test.sh runs this under AddressSanitizer and UndefinedBehaviorSanitizer.
#include <random>

#include "kiln/onnx_parser.h"
#include "onnx/onnx_model.h"
#include "onnx/onnx_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using namespace test::pb;

// Opset first and the graph last, so that every proper prefix cuts into the graph.
std::string small_model() {
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {1, 2, 4, 4}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {1, 2, 2, 2}));
  g.initializers.push_back(tensor("w", {2, 2, 1, 1}, {1, 0, 0, 1}));
  g.initializers.push_back(tensor("b", {2}, {0.5f, -0.5f}));
  g.initializers.push_back(int64_tensor("shape", {4}, {1, 2, 2, 2}));
  g.nodes.push_back(
      node("Conv", {"x", "w", "b"}, {"c"}, "conv", {attr_ints("kernel_shape", {1, 1})}));
  g.nodes.push_back(node("Relu", {"c"}, {"r"}, "relu"));
  g.nodes.push_back(node("MaxPool", {"r"}, {"p"}, "pool",
                         {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})}));
  g.nodes.push_back(node("Reshape", {"p", "shape"}, {"y"}, "reshape"));
  Msg graph;
  for (const Msg& n : g.nodes) graph.msg(1, n);
  graph.str(2, "fuzz");
  for (const Msg& t : g.initializers) graph.msg(5, t);
  for (const Msg& v : g.inputs) graph.msg(11, v);
  for (const Msg& v : g.outputs) graph.msg(12, v);
  Msg opset;
  opset.str(1, "").varint(2, 17);
  Msg m;
  m.varint(1, 8).msg(8, opset).msg(7, graph);
  return m.bytes;
}

bool parse(const std::string& bytes) {
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, test::onnx_quiet_logger());
  bool ok = parser.parse(bytes.data(), bytes.size());
  EXPECT_EQ(ok, parser.num_errors() == 0);
  return ok;
}

TEST(OnnxFuzz, TheSmallModelParses) {
  EXPECT_TRUE(parse(small_model()));
}

TEST(OnnxFuzz, EveryTruncationIsACleanError) {
  std::string full = small_model();
  for (size_t n = 0; n < full.size(); ++n) {
    std::string prefix = full.substr(0, n);
    std::string msg = error_of([&] { onnx::decode_model(prefix.data(), prefix.size()); });
    EXPECT_NE(msg, "(no error)") << "prefix of " << n << " bytes decoded";
    EXPECT_TRUE(contains(msg, "byte") || contains(msg, "no graph")) << msg;
    EXPECT_FALSE(parse(prefix)) << n;
  }
}

TEST(OnnxFuzz, RandomMutationsNeverCrash) {
  std::string full = small_model();
  std::mt19937 rng(1234);
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string m = full;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % m.size();
      switch (rng() % 4) {
        case 0:
          m[at] = static_cast<char>(rng());
          break;  // overwrite
        case 1:
          m[at] = static_cast<char>(m[at] ^ (1 << (rng() % 8)));
          break;  // flip a bit
        case 2:
          m.insert(at, 1, static_cast<char>(0x80 | rng()));
          break;  // varint noise
        case 3:
          m.erase(at, 1 + rng() % 3);
          break;  // delete
      }
      if (m.empty()) m = "\x08";
    }
    parsed += parse(m) ? 1 : 0;
  }
  // Most mutations break the model; some (in names or float values) leave a valid one.
  EXPECT_LT(parsed, 3000);
}

}  // namespace
}  // namespace kiln
