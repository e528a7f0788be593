// Inputs the libFuzzer targets (tests/fuzz/, docs/reliability.md) found to crash kiln, each kept
// as a test of the fix: the input is refused with a kiln::Error naming what is wrong.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "e2e/e2e_util.h"
#include "ir/text.h"
#include "plan/format.h"
#include "plan/plan.h"

namespace kiln::test {
namespace {

std::vector<uint8_t> fixture(const std::string& name) {
  std::ifstream in(std::string(KILN_SOURCE_DIR) + "/tests/fixtures/fuzz/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// volume() multiplied without a check: a shape whose element count passes 2^63 overflowed
// (undefined behaviour; UBSan stopped fuzz_plan and fuzz_ir_text on it).
TEST(FuzzRegressions, VolumeRefusesShapesPastSixtyFourBits) {
  EXPECT_EQ(volume(Dims{2, 3, 4}), 24);
  EXPECT_EQ(volume(Dims{kMax, 3, 0}), 0);  // a zero dimension: no elements, however large the rest
  EXPECT_EQ(volume(Dims{kMax, -1}), -1);
  std::string message = error_of([] { volume(Dims{kMax, 3}); });
  EXPECT_NE(message.find("has more elements than 64 bits count"), std::string::npos) << message;
}

// fuzz_plan: a plan whose shuffle node's reshape dimensions multiply past 2^63; found with the
// header's size and checksum patched (as the harness does), so the plan loader ran shape inference
// on the mutated attribute.
TEST(FuzzRegressions, PlanWithOverflowingReshapeIsRefused) {
  std::vector<uint8_t> plan = fixture("plan-reshape-volume-overflow.bin");
  ASSERT_GE(plan.size(), plan::kHeaderSize);
  for (int i = 0; i < 8; ++i)
    plan[plan::kOffFileSize + i] = static_cast<uint8_t>(uint64_t{plan.size()} >> (8 * i));
  plan::refresh_checksum(plan);
  Runtime runtime(quiet_logger());
  std::string message = error_of([&] { runtime.deserialize_cuda_engine(plan.data(), plan.size()); });
  EXPECT_NE(message.find("more elements than 64 bits count"), std::string::npos) << message;
}

// fuzz_ir_text: a reshape dimension of 112 digits, which strtoll saturated to INT64_MAX instead of
// refusing; the saturated shape then overflowed volume().
TEST(FuzzRegressions, IrTextRefusesOutOfRangeIntegersAndOverflowingReshapes) {
  std::vector<uint8_t> bytes = fixture("ir-reshape-dim-out-of-range.txt");
  std::string text(bytes.begin(), bytes.end());
  std::string message = error_of([&] { ir::parse(text); });
  EXPECT_NE(message.find("out of the range of a 64-bit integer"), std::string::npos) << message;

  // In range, but the product overflows: refused by the reshape's shape inference, naming it.
  message = error_of([] {
    ir::parse(
        "input v float32 [3]\n"
        "node r view(has_reshape=true reshape_dims=[1,3,1,4611686018427387904] "
        "zero_is_placeholder=false) v -> y\n"
        "outputs y\n");
  });
  EXPECT_NE(message.find("more elements than 64 bits count"), std::string::npos) << message;
  EXPECT_NE(message.find("'r'"), std::string::npos) << message;
}

// The same through the network API: the shuffle layer is refused, naming it.
TEST(FuzzRegressions, NetworkReshapeOverflowNamesTheLayer) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{2, 3});
  auto* shuffle = net->add_shuffle(*x);
  shuffle->set_name("too_big");
  std::string message =
      error_of([&] { shuffle->set_reshape_dimensions(Dims{3, kMax / 2, 2}); });
  EXPECT_NE(message.find("too_big"), std::string::npos) << message;
  EXPECT_NE(message.find("more elements than 64 bits count"), std::string::npos) << message;
}

}  // namespace
}  // namespace kiln::test
