// A failed parse leaves the network as it was before parse(): nothing of the nodes imported
// before the failing one stays behind, and the network still takes a good model afterwards.
#include "kiln/onnx_parser.h"

#include "ir/graph.h"
#include "onnx/onnx_model.h"
#include "onnx/onnx_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using namespace test::pb;

std::string failing_model() {
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {2}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {2}));
  g.initializers.push_back(tensor("w", {2}, {1, 2}));
  g.nodes.push_back(node("Mul", {"x", "w"}, {"m"}, "first"));
  g.nodes.push_back(node("Relu", {"m"}, {"r"}, "second"));
  g.nodes.push_back(node("NoSuchOp", {"r"}, {"y"}, "third"));
  return model(g);
}

TEST(OnnxParser, FailedParseLeavesTheNetworkAsItWas) {
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  // Something the user added before parsing stays, names and output mark included.
  Tensor* own = network->add_input("own", DataType::kFLOAT, Dims{2});
  auto* relu = network->add_activation(*own, ActivationType::kRELU);
  relu->get_output(0)->set_name("mine");
  network->mark_output(*relu->get_output(0));
  size_t tensors = network->graph().tensors.size(), weights = network->graph().weights.size();

  OnnxParser parser(*network, test::onnx_quiet_logger());
  std::string bytes = failing_model();
  EXPECT_FALSE(parser.parse(bytes.data(), bytes.size()));
  ASSERT_EQ(parser.num_errors(), 1);
  EXPECT_STREQ(parser.get_error(0).node_name(), "third") << parser.get_error(0).desc();
  EXPECT_EQ(network->num_layers(), 1);
  EXPECT_EQ(network->num_inputs(), 1);
  EXPECT_EQ(network->num_outputs(), 1);
  EXPECT_EQ(network->get_output(0)->name(), "mine");
  EXPECT_EQ(network->graph().tensors.size(), tensors);
  EXPECT_EQ(network->graph().weights.size(), weights);
  EXPECT_LT(network->graph().find_node("first"), 0);
}

TEST(OnnxParser, NetworkTakesAGoodModelAfterAFailedParse) {
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, test::onnx_quiet_logger());
  std::string bad = failing_model();
  EXPECT_FALSE(parser.parse(bad.data(), bad.size()));
  EXPECT_EQ(network->num_layers(), 0);
  EXPECT_EQ(network->num_inputs(), 0);
  EXPECT_TRUE(network->graph().tensors.empty());

  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {2}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {2}));
  g.initializers.push_back(tensor("w", {2}, {1, 2}));
  g.nodes.push_back(node("Mul", {"x", "w"}, {"y"}, "first"));
  std::string good = model(g);
  ASSERT_TRUE(parser.parse(good.data(), good.size()));
  EXPECT_EQ(network->num_inputs(), 1);
  EXPECT_EQ(network->get_input(0)->name(), "x");  // not "x_2": the failed parse left no "x"
  EXPECT_EQ(network->get_output(0)->name(), "y");

  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  std::vector<uint8_t> plan = builder.build_serialized_network(*network, *config);
  Runtime runtime(test::onnx_quiet_logger());
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  auto ctx = engine->create_execution_context();
  std::vector<float> x = {3, -4}, y(2);
  ctx->set_tensor_address("x", x.data());
  ctx->set_tensor_address("y", y.data());
  ctx->execute_async_v3(nullptr);
  EXPECT_EQ(y, (std::vector<float>{3, -8}));
}

}  // namespace
}  // namespace kiln
