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

// The network API lets an invalid layer through until the build (a setter called next may fix
// it); the build then refuses it, naming the layer.
std::string build_error(Builder& builder, NetworkDefinition& net) {
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  return error_of([&] { builder.build_serialized_network(net, *config); });
}

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

// fuzz_plan: a slice whose start + (size - 1) * stride overflowed int64 while its bounds were
// checked (undefined behaviour); now refused as reading past 64-bit indices.
TEST(FuzzRegressions, PlanWithOverflowingSliceIsRefused) {
  std::vector<uint8_t> plan = fixture("plan-slice-index-overflow.bin");
  ASSERT_GE(plan.size(), plan::kHeaderSize);
  for (int i = 0; i < 8; ++i)
    plan[plan::kOffFileSize + i] = static_cast<uint8_t>(uint64_t{plan.size()} >> (8 * i));
  plan::refresh_checksum(plan);
  Runtime runtime(quiet_logger());
  std::string message = error_of([&] { runtime.deserialize_cuda_engine(plan.data(), plan.size()); });
  EXPECT_NE(message.find("reads past the range of 64-bit indices"), std::string::npos) << message;
}

// fuzz_ir_text (ASan heap-buffer-overflow): a topk node written with one output; shape inference
// wrote its second output past the end of the descs. Nodes must list every output of their kind.
TEST(FuzzRegressions, IrTextRefusesNodesWithTheWrongNumberOfOutputs) {
  std::string message = error_of([] {
    ir::parse(
        "input x float32 [4,4]\n"
        "node top topk(op=0 k=1 axes=2) x -> v\n"
        "outputs v\n");
  });
  EXPECT_NE(message.find("topk node 'top' has 1 outputs; it makes 2"), std::string::npos)
      << message;
  EXPECT_NE(message.find("line 2"), std::string::npos) << message;
  EXPECT_EQ(error_of([] {
              ir::parse(
                  "input x float32 [4,4]\n"
                  "node top topk(op=0 k=1 axes=2) x -> v, i\n"
                  "outputs v, i\n");
            }),
            "no error");
}


// fuzz_plan: a convolution whose dilation * (kernel - 1) overflowed int64 in shape inference.
TEST(FuzzRegressions, PlanWithOverflowingConvolutionIsRefused) {
  std::vector<uint8_t> plan = fixture("plan-convolution-size-overflow.bin");
  ASSERT_GE(plan.size(), plan::kHeaderSize);
  for (int i = 0; i < 8; ++i)
    plan[plan::kOffFileSize + i] = static_cast<uint8_t>(uint64_t{plan.size()} >> (8 * i));
  plan::refresh_checksum(plan);
  Runtime runtime(quiet_logger());
  std::string message = error_of([&] { runtime.deserialize_cuda_engine(plan.data(), plan.size()); });
  EXPECT_NE(message.find("pass the range of 64-bit sizes"), std::string::npos) << message;
}

// fuzz_plan: a tensor whose bytes (volume * element size) overflowed int64 while the loader
// checked that it fits its arena slot. The tensor is not an arena activation, so the plan may
// load; what matters is that the check no longer overflows (UBSan in the sanitized CI build stops
// on the old code) and that a context can be made from what loads.
TEST(FuzzRegressions, PlanWithOverflowingActivationBytesLoadsOrIsRefused) {
  std::vector<uint8_t> plan = fixture("plan-activation-bytes-overflow.bin");
  ASSERT_GE(plan.size(), plan::kHeaderSize);
  for (int i = 0; i < 8; ++i)
    plan[plan::kOffFileSize + i] = static_cast<uint8_t>(uint64_t{plan.size()} >> (8 * i));
  plan::refresh_checksum(plan);
  Runtime runtime(quiet_logger());
  std::unique_ptr<Engine> engine;
  std::string message = error_of([&] {
    engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  });
  if (engine) {
    EXPECT_EQ(message, "no error");
    EXPECT_NE(engine->create_execution_context(), nullptr);
  } else {
    EXPECT_NE(message.find("corrupted"), std::string::npos) << message;
  }
}

// Found by reading after the convolution find: deconvolution and pooling had the same unchecked
// size arithmetic.
TEST(FuzzRegressions, DeconvolutionAndPoolingSizeOverflowNameTheLayer) {
  std::vector<float> w(1 * 1 * 2 * 2, 0.5f);
  {
    Builder builder(quiet_logger());
    auto net = builder.create_network();
    Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{1, 1, 4, 4});
    auto* deconv = net->add_deconvolution_nd(*x, 1, Dims{2, 2}, weights_of(w), Weights{});
    deconv->set_name("wide");
    deconv->set_stride_nd(Dims{kMax / 2, 1});
    net->mark_output(*deconv->get_output(0));
    std::string message = build_error(builder, *net);
    EXPECT_NE(message.find("'wide'"), std::string::npos) << message;
    EXPECT_NE(message.find("pass the range of 64-bit sizes"), std::string::npos) << message;
  }
  {
    Builder builder(quiet_logger());
    auto net = builder.create_network();
    Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{1, 1, 4, 4});
    auto* pool = net->add_pooling_nd(*x, PoolingType::kMAX, Dims{kMax, 2});
    pool->set_name("padded");
    pool->set_padding_nd(Dims{kMax - 1, 0});  // under the window, but in + 2 * padding overflows
    net->mark_output(*pool->get_output(0));
    std::string message = build_error(builder, *net);
    EXPECT_NE(message.find("'padded'"), std::string::npos) << message;
    EXPECT_NE(message.find("pass the range of 64-bit sizes"), std::string::npos) << message;
  }
}

TEST(FuzzRegressions, NetworkSliceOverflowNamesTheLayer) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{4});
  auto* slice = net->add_slice(*x, Dims{1}, Dims{3}, Dims{kMax / 2 + 1});
  slice->set_name("far");
  net->mark_output(*slice->get_output(0));
  std::string message = build_error(builder, *net);
  EXPECT_NE(message.find("'far'"), std::string::npos) << message;
  EXPECT_NE(message.find("reads past the range of 64-bit indices"), std::string::npos) << message;
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

// fuzz_ir_text: an int32 weight value of 11111111111 was converted from double to int32 out of
// range (undefined behaviour). Values that do not fit the weights' type are refused, naming them.
TEST(FuzzRegressions, IrTextRefusesWeightValuesOutsideTheirType) {
  std::string message = error_of([] {
    ir::parse("input x int32 [2]\nweights w int32 [2] = [11111111111, 0]\noutputs x\n");
  });
  EXPECT_NE(message.find("weights 'w' value "), std::string::npos) << message;
  EXPECT_NE(message.find("does not fit int32"), std::string::npos) << message;
  message = error_of([] { ir::parse("weights b int8 [1] = [300]\n"); });
  EXPECT_NE(message.find("does not fit"), std::string::npos) << message;
  message = error_of([] { ir::parse("weights q int64 [1] = [1e19]\n"); });
  EXPECT_NE(message.find("does not fit"), std::string::npos) << message;
  // In range still parses, and extreme floats stay floats.
  EXPECT_EQ(error_of([] {
              ir::parse("input x int32 [2]\nweights w int32 [2] = [-2147483648, 2147483647]\n"
                        "outputs x\n");
            }),
            "no error");
}

// The same through the network API: the build refuses the shuffle layer, naming it.
TEST(FuzzRegressions, NetworkReshapeOverflowNamesTheLayer) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{2, 3});
  auto* shuffle = net->add_shuffle(*x);
  shuffle->set_name("too_big");
  shuffle->set_reshape_dimensions(Dims{3, kMax / 2, 2});
  net->mark_output(*shuffle->get_output(0));
  std::string message = build_error(builder, *net);
  EXPECT_NE(message.find("too_big"), std::string::npos) << message;
  EXPECT_NE(message.find("more elements than 64 bits count"), std::string::npos) << message;
}

}  // namespace
}  // namespace kiln::test
