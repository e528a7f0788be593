// OnnxParser on models built in the test: graph inputs, initializers and outputs keep their ONNX
// names, importers compute the right values, build-time shape arithmetic folds, and errors name
// the node.
#include "kiln/onnx_parser.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "ir/graph.h"
#include "onnx/onnx_model.h"
#include "onnx/onnx_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using namespace test::pb;

TEST(OnnxParser, AddReluWithAnInitializerRuns) {
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {2, 3}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {2, 3}));
  g.initializers.push_back(tensor("bias", {3}, {1, -2, 3}));
  g.nodes.push_back(node("Add", {"x", "bias"}, {"sum"}, "add"));
  g.nodes.push_back(node("Relu", {"sum"}, {"y"}, "relu"));
  std::vector<float> x = {0, 1, -5, 2, 3, 4};
  auto out = test::run_onnx(model(g), {{"x", {Dims{2, 3}, x}}});
  EXPECT_EQ(out["y"], (std::vector<float>{1, 0, 0, 3, 1, 7}));
}

TEST(OnnxParser, KeepsOnnxNamesAndMakesSymbolicDimsDynamic) {
  GraphSpec g;
  g.inputs.push_back(value_info("images", onnx::kFloat, {-1, 3}));
  g.outputs.push_back(value_info("logits", onnx::kFloat, {-1, 3}));
  g.initializers.push_back(tensor("fc.bias", {3}, {1, 2, 3}));
  g.nodes.push_back(node("Add", {"images", "fc.bias"}, {"logits"}, "fc/add"));
  std::string bytes = model(g);
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, test::onnx_quiet_logger());
  ASSERT_TRUE(parser.parse(bytes.data(), bytes.size()));
  ASSERT_EQ(network->num_inputs(), 1);
  EXPECT_EQ(network->get_input(0)->name(), "images");
  EXPECT_EQ(network->get_input(0)->dimensions(), (Dims{-1, 3}));
  ASSERT_EQ(network->num_outputs(), 1);
  EXPECT_EQ(network->get_output(0)->name(), "logits");
  const ir::Graph& graph = network->graph();
  EXPECT_GE(graph.find_tensor("fc.bias"), 0);
  EXPECT_GE(graph.find_node("fc.bias"), 0);  // the initializer's constant layer
  EXPECT_GE(graph.find_node("fc/add"), 0);
  bool named_weights = false;
  for (const ir::WeightsData& w : graph.weights) named_weights |= w.name == "fc.bias";
  EXPECT_TRUE(named_weights);
}

TEST(OnnxParser, ConvWithInitializerWeights) {
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {1, 1, 3, 3}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {1, 1, 3, 3}));
  g.initializers.push_back(tensor("w", {1, 1, 3, 3}, {0, 0, 0, 0, 1, 1, 0, 0, 0}));
  g.initializers.push_back(tensor("b", {1}, {10}));
  g.nodes.push_back(node("Conv", {"x", "w", "b"}, {"y"}, "conv",
                         {attr_ints("pads", {1, 1, 1, 1}), attr_ints("kernel_shape", {3, 3})}));
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  auto out = test::run_onnx(model(g), {{"x", {Dims{1, 1, 3, 3}, x}}});
  // y[i][j] = x[i][j] + x[i][j+1] + 10
  EXPECT_EQ(out["y"], (std::vector<float>{13, 15, 13, 19, 21, 16, 25, 27, 19}));
}

TEST(OnnxParser, FoldsShapeArithmeticAtBuildTime) {
  // y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): [2, 3, 4] -> [2, 12]
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {2, 3, 4}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {2, 12}));
  g.initializers.push_back(int64_tensor("zero", {}, {0}));
  g.initializers.push_back(int64_tensor("minus_one", {1}, {-1}));
  g.initializers.push_back(int64_tensor("axes0", {1}, {0}));
  g.nodes.push_back(node("Shape", {"x"}, {"s"}, "shape"));
  g.nodes.push_back(node("Gather", {"s", "zero"}, {"batch"}, "gather"));
  g.nodes.push_back(node("Unsqueeze", {"batch", "axes0"}, {"batch1"}, "unsqueeze"));
  g.nodes.push_back(
      node("Concat", {"batch1", "minus_one"}, {"target"}, "concat", {attr_int("axis", 0)}));
  g.nodes.push_back(node("Reshape", {"x", "target"}, {"y"}, "reshape"));
  std::string bytes = model(g, 13);
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, test::onnx_quiet_logger());
  ASSERT_TRUE(parser.parse(bytes.data(), bytes.size())) << parser.get_error(0).desc();
  EXPECT_EQ(network->get_output(0)->dimensions(), (Dims{2, 12}));
}

TEST(OnnxParser, SoftmaxBeforeOpset13FlattensTheTrailingAxes) {
  for (int64_t opset : {11, 13}) {
    GraphSpec g;
    g.inputs.push_back(value_info("x", onnx::kFloat, {1, 2, 2}));
    g.outputs.push_back(value_info("y", onnx::kFloat, {1, 2, 2}));
    g.nodes.push_back(node("Softmax", {"x"}, {"y"}, "softmax", {attr_int("axis", 1)}));
    std::vector<float> x = {0, 0, 0, std::log(5.0f)};
    auto out = test::run_onnx(model(g, opset), {{"x", {Dims{1, 2, 2}, x}}});
    std::vector<float> y = out["y"];
    ASSERT_EQ(y.size(), 4u);
    if (opset == 11) {  // softmax over all 4 values: 1, 1, 1, 5
      EXPECT_NEAR(y[3], 5.0f / 8.0f, 1e-6f);
      EXPECT_NEAR(y[0], 1.0f / 8.0f, 1e-6f);
    } else {  // softmax over axis 1 (columns): [0, 0] and [0, log 5]
      EXPECT_NEAR(y[0], 0.5f, 1e-6f);
      EXPECT_NEAR(y[3], 5.0f / 6.0f, 1e-6f);
    }
  }
}

TEST(OnnxParser, GemmWithTransposeAlphaBeta) {
  GraphSpec g;
  g.inputs.push_back(value_info("a", onnx::kFloat, {1, 2}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {1, 2}));
  g.initializers.push_back(tensor("b", {2, 2}, {1, 2, 3, 4}));  // transposed: [[1, 3], [2, 4]]
  g.initializers.push_back(tensor("c", {2}, {10, 20}));
  g.nodes.push_back(
      node("Gemm", {"a", "b", "c"}, {"y"}, "gemm",
           {attr_int("transB", 1), attr_float("alpha", 2.0f), attr_float("beta", 0.5f)}));
  auto out = test::run_onnx(model(g), {{"a", {Dims{1, 2}, {1, 1}}}});
  // a @ b^T = [3, 7]; * 2 = [6, 14]; + 0.5 * c = [11, 24]
  EXPECT_EQ(out["y"], (std::vector<float>{11, 24}));
}

TEST(OnnxParser, BatchNormalizationFoldsIntoScaleAndShift) {
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {1, 2, 1, 1}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {1, 2, 1, 1}));
  g.initializers.push_back(tensor("scale", {2}, {2, 1}));
  g.initializers.push_back(tensor("bias", {2}, {1, 0}));
  g.initializers.push_back(tensor("mean", {2}, {1, 5}));
  g.initializers.push_back(tensor("var", {2}, {4, 1}));
  g.nodes.push_back(node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, {"y"}, "bn",
                         {attr_float("epsilon", 0.0f)}));
  auto out = test::run_onnx(model(g, 15), {{"x", {Dims{1, 2, 1, 1}, {3, 7}}}});
  // (3 - 1) / 2 * 2 + 1 = 3; (7 - 5) / 1 * 1 + 0 = 2
  EXPECT_EQ(out["y"], (std::vector<float>{3, 2}));
}

TEST(OnnxParser, ReportsTheFailingNode) {
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {2}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {2}));
  g.nodes.push_back(node("Relu", {"x"}, {"r"}, "first"));
  g.nodes.push_back(node("FooBar", {"r"}, {"y"}, "second"));
  std::string bytes = model(g);
  std::vector<std::string> logged;
  Logger logger(Logger::Severity::kERROR);
  logger.set_sink([&](Logger::Severity, std::string_view m) { logged.emplace_back(m); });
  Builder builder(logger);
  auto network = builder.create_network();
  OnnxParser parser(*network, logger);
  EXPECT_FALSE(parser.parse(bytes.data(), bytes.size()));
  ASSERT_EQ(parser.num_errors(), 1);
  const ParserError& e = parser.get_error(0);
  EXPECT_EQ(e.node(), 1);
  EXPECT_STREQ(e.node_name(), "second");
  EXPECT_STREQ(e.node_operator(), "FooBar");
  EXPECT_EQ(e.code(), ParserErrorCode::kUNSUPPORTED_NODE);
  EXPECT_TRUE(contains(e.desc(), "no importer for op type 'FooBar'")) << e.desc();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_TRUE(contains(logged[0], "second")) << logged[0];
  parser.clear_errors();
  EXPECT_EQ(parser.num_errors(), 0);
  expect_error([&] { parser.get_error(0); }, {"out of range"});
}

TEST(OnnxParser, RunTimeShapeTensorsAreReportedAsUnsupported) {
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {2, 3}));
  g.inputs.push_back(value_info("shape", onnx::kInt64, {2}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {3, 2}));
  g.nodes.push_back(node("Reshape", {"x", "shape"}, {"y"}, "reshape"));
  std::string bytes = model(g);
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, test::onnx_quiet_logger());
  EXPECT_FALSE(parser.parse(bytes.data(), bytes.size()));
  ASSERT_EQ(parser.num_errors(), 1);
  EXPECT_EQ(parser.get_error(0).node(), 0);
  EXPECT_STREQ(parser.get_error(0).node_operator(), "Reshape");
  // A shape read from a graph input's data is not a shape tensor (kiln has no data-dependent
  // shapes); shapes computed from dims are (tests/cpp/onnx/dynamic_shapes_test.cpp).
  EXPECT_TRUE(contains(parser.get_error(0).desc(), "data-dependent shapes are not supported"))
      << parser.get_error(0).desc();
  EXPECT_EQ(parser.get_error(0).code(), ParserErrorCode::kUNSUPPORTED_NODE);
}

TEST(OnnxParser, InvalidNodesNameTheLayerError) {
  GraphSpec g;
  g.inputs.push_back(value_info("a", onnx::kFloat, {2, 3}));
  g.inputs.push_back(value_info("b", onnx::kFloat, {4, 5}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {2, 5}));
  g.nodes.push_back(node("MatMul", {"a", "b"}, {"y"}, "mm"));
  std::string bytes = model(g);
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, test::onnx_quiet_logger());
  EXPECT_FALSE(parser.parse(bytes.data(), bytes.size()));
  EXPECT_EQ(parser.get_error(0).code(), ParserErrorCode::kINVALID_NODE);
  EXPECT_TRUE(contains(parser.get_error(0).desc(), "[MatMul node 'mm' (#0)]"));
  EXPECT_TRUE(contains(parser.get_error(0).desc(), "inner dimensions"))
      << parser.get_error(0).desc();
}

TEST(OnnxParser, MalformedBytesAreADeserializeError) {
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, test::onnx_quiet_logger());
  std::string junk = "\x3a\xff\xff\xff\x0f";  // graph field with a huge length
  EXPECT_FALSE(parser.parse(junk.data(), junk.size()));
  EXPECT_EQ(parser.get_error(0).code(), ParserErrorCode::kMODEL_DESERIALIZE_FAILED);
  EXPECT_TRUE(contains(parser.get_error(0).desc(), "at byte 1"));
  EXPECT_EQ(parser.get_error(0).node(), -1);
  EXPECT_FALSE(parser.parse_from_file("/nonexistent/model.onnx"));
}

TEST(OnnxParser, SupportsOperator) {
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, test::onnx_quiet_logger());
  for (const char* op : {"Conv", "Gemm", "LayerNormalization", "Softmax", "Reshape", "Resize"}) {
    EXPECT_TRUE(parser.supports_operator(op)) << op;
  }
  EXPECT_FALSE(parser.supports_operator("Loop"));
  EXPECT_FALSE(parser.supports_operator("FooBar"));
}

TEST(OnnxParser, ParseFromFileReadsExternalData) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "kiln_onnx_parse_file_test";
  std::filesystem::create_directories(dir);
  std::vector<float> w = {1, 2, 3};
  {
    std::ofstream out(dir / "weights.bin", std::ios::binary);
    out.write(reinterpret_cast<const char*>(w.data()), 12);
  }
  Msg loc;
  loc.str(1, "location").str(2, "weights.bin");
  Msg t;
  t.packed_ints(1, {3}).varint(2, onnx::kFloat).str(8, "w").msg(13, loc).varint(14, 1);
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {3}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {3}));
  g.initializers.push_back(t);
  g.nodes.push_back(node("Mul", {"x", "w"}, {"y"}, "mul"));
  std::string bytes = model(g);
  {
    std::ofstream out(dir / "model.onnx", std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, test::onnx_quiet_logger());
  EXPECT_TRUE(parser.parse_from_file((dir / "model.onnx").string()))
      << (parser.num_errors() ? parser.get_error(0).desc() : "");
  auto network2 = builder.create_network();
  OnnxParser no_path(*network2, test::onnx_quiet_logger());
  EXPECT_FALSE(no_path.parse(bytes.data(), bytes.size()));
  EXPECT_TRUE(contains(no_path.get_error(0).desc(), "external data"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kiln
