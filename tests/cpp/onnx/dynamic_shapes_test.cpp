// ONNX shape arithmetic at run time: models whose Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape, Expand, ConstantOfShape, Range, Slice and Where chains depend on symbolic dims parse,
// build once for a dynamic profile and run correctly at several shapes of it (references computed
// here), while static models keep folding at build time.
#include <functional>
#include <memory>
#include <numeric>

#include "onnx/onnx_model.h"
#include "onnx/onnx_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

using namespace test::pb;

// One ONNX model built for the CPU with input "x" in [min, max].
class DynamicModel {
 public:
  DynamicModel(const std::string& bytes, const Dims& min, const Dims& opt, const Dims& max) {
    Builder builder(test::onnx_quiet_logger());
    auto network = builder.create_network();
    OnnxParser parser(*network, test::onnx_quiet_logger());
    bool ok = parser.parse(bytes.data(), bytes.size());
    EXPECT_TRUE(ok) << (parser.num_errors() ? parser.get_error(0).desc() : "");
    if (!ok) return;
    num_layers_in_network = network->num_layers();
    auto config = builder.create_builder_config();
    config->set_default_device_type(DeviceType::kCPU);
    OptimizationProfile* p = builder.create_optimization_profile();
    p->set_shape("x", min, opt, max);
    config->add_optimization_profile(*p);
    std::vector<uint8_t> plan = builder.build_serialized_network(*network, *config);
    Runtime runtime(test::onnx_quiet_logger());
    engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
    context = engine->create_execution_context();
  }

  // Runs with x = 0, 1, 2, ... of `shape`; returns y and sets y_dims.
  std::vector<float> run(const Dims& shape, Dims& y_dims) {
    std::vector<float> x(static_cast<size_t>(volume(shape)));
    std::iota(x.begin(), x.end(), 0.0f);
    context->set_input_shape("x", shape);
    y_dims = context->get_tensor_shape("y");
    std::vector<float> y(static_cast<size_t>(volume(y_dims)), -999.0f);
    context->set_tensor_address("x", x.data());
    context->set_tensor_address("y", y.data());
    context->execute_async_v3(nullptr);
    return y;
  }

  int32_t num_layers_in_network = 0;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<ExecutionContext> context;
};

Msg ints(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
  return int64_tensor(name, dims, v);
}

TEST(OnnxDynamicShapes, ShapeGatherUnsqueezeConcatReshape) {
  // x [B, S, 6] -> reshape to [B, S, 2, 3] with B and S taken from Shape(x), then to [B*S, 6].
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {-1, -1, 6}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {-1, 6}));
  g.initializers.push_back(ints("i0", {}, {0}));
  g.initializers.push_back(ints("i1", {}, {1}));
  g.initializers.push_back(ints("axes0", {1}, {0}));
  g.initializers.push_back(ints("heads", {2}, {2, 3}));
  g.initializers.push_back(ints("width", {1}, {6}));
  g.nodes.push_back(node("Shape", {"x"}, {"shape"}, "shape"));
  g.nodes.push_back(node("Gather", {"shape", "i0"}, {"b"}, "gather_b"));
  g.nodes.push_back(node("Gather", {"shape", "i1"}, {"s"}, "gather_s"));
  g.nodes.push_back(node("Unsqueeze", {"b", "axes0"}, {"b1"}, "unsqueeze_b"));
  g.nodes.push_back(node("Unsqueeze", {"s", "axes0"}, {"s1"}, "unsqueeze_s"));
  g.nodes.push_back(
      node("Concat", {"b1", "s1", "heads"}, {"split_shape"}, "concat", {attr_int("axis", 0)}));
  g.nodes.push_back(node("Reshape", {"x", "split_shape"}, {"split"}, "split"));
  g.nodes.push_back(node("Mul", {"b", "s"}, {"rows"}, "rows"));
  g.nodes.push_back(node("Unsqueeze", {"rows", "axes0"}, {"rows1"}, "unsqueeze_rows"));
  g.nodes.push_back(
      node("Concat", {"rows1", "width"}, {"flat_shape"}, "concat_flat", {attr_int("axis", 0)}));
  g.nodes.push_back(node("Reshape", {"split", "flat_shape"}, {"y"}, "flat"));
  DynamicModel m(model(g), Dims{1, 1, 6}, Dims{2, 3, 6}, Dims{4, 5, 6});
  ASSERT_NE(m.context, nullptr);
  for (Dims at : {Dims{2, 3, 6}, Dims{4, 5, 6}, Dims{1, 1, 6}}) {
    Dims y_dims;
    std::vector<float> y = m.run(at, y_dims);
    EXPECT_EQ(y_dims, (Dims{at.d[0] * at.d[1], 6}));
    std::vector<float> expected(static_cast<size_t>(volume(at)));
    std::iota(expected.begin(), expected.end(), 0.0f);
    EXPECT_EQ(y, expected) << to_string(at);
  }
}

TEST(OnnxDynamicShapes, ExpandConstantOfShapeAndWhereOnShapes) {
  // y = Expand(row [1, 4], Where(shape == -1, 1, shape)) + ConstantOfShape(Shape(x), 0.5) + x.
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {-1, 4}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {-1, 4}));
  g.initializers.push_back(tensor("row", {1, 4}, {10, 20, 30, 40}));
  g.initializers.push_back(ints("minus_one", {1}, {-1}));
  g.initializers.push_back(ints("ones", {2}, {1, 1}));
  Msg half;
  half.packed_ints(1, {1}).varint(2, 1).packed_floats(4, {0.5f});
  g.nodes.push_back(node("Shape", {"x"}, {"shape"}, "shape"));
  g.nodes.push_back(node("Equal", {"shape", "minus_one"}, {"is_minus"}, "equal"));
  g.nodes.push_back(node("Where", {"is_minus", "ones", "shape"}, {"target"}, "where"));
  g.nodes.push_back(node("Expand", {"row", "target"}, {"rows"}, "expand"));
  g.nodes.push_back(
      node("ConstantOfShape", {"shape"}, {"halves"}, "halves", {attr_tensor("value", half)}));
  g.nodes.push_back(node("Add", {"rows", "halves"}, {"sum"}, "add0"));
  g.nodes.push_back(node("Add", {"sum", "x"}, {"y"}, "add1"));
  DynamicModel m(model(g), Dims{1, 4}, Dims{2, 4}, Dims{6, 4});
  ASSERT_NE(m.context, nullptr);
  for (int64_t b : {3, 6, 1}) {
    Dims y_dims;
    std::vector<float> y = m.run(Dims{b, 4}, y_dims);
    ASSERT_EQ(y_dims, (Dims{b, 4}));
    for (int64_t i = 0; i < b * 4; ++i) {
      EXPECT_EQ(y[i], 10.0f * static_cast<float>(i % 4 + 1) + 0.5f + static_cast<float>(i)) << i;
    }
  }
}

TEST(OnnxDynamicShapes, RangeWithARunTimeLimitAndSliceWithRunTimeEnds) {
  // positions = Slice(table [1, 16], 0, S, axis 1) (BERT's position_ids[:, :S]), y = x +
  // positions + Cast(Range(0, S, 1)) + Cast(Range(0, 2S, 2)) + Cast(Range(0, -S, -1)), x [B, S].
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {-1, -1}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {-1, -1}));
  std::vector<float> table(16);
  for (int i = 0; i < 16; ++i) table[i] = 100.0f * static_cast<float>(i);
  g.initializers.push_back(tensor("table", {1, 16}, table));
  g.initializers.push_back(ints("i1", {}, {1}));
  g.initializers.push_back(ints("zero", {}, {0}));
  g.initializers.push_back(ints("one", {}, {1}));
  g.initializers.push_back(ints("two", {}, {2}));
  g.initializers.push_back(ints("minus_one", {}, {-1}));
  g.initializers.push_back(ints("starts", {1}, {0}));
  g.initializers.push_back(ints("axes", {1}, {1}));
  g.initializers.push_back(ints("axes0", {1}, {0}));
  g.nodes.push_back(node("Shape", {"x"}, {"shape"}, "shape"));
  g.nodes.push_back(node("Gather", {"shape", "i1"}, {"s"}, "gather_s"));
  g.nodes.push_back(node("Unsqueeze", {"s", "axes0"}, {"s1"}, "unsqueeze_s"));
  g.nodes.push_back(node("Slice", {"table", "starts", "s1", "axes"}, {"positions"}, "positions"));
  g.nodes.push_back(node("Range", {"zero", "s", "one"}, {"up"}, "range_up"));
  g.nodes.push_back(node("Mul", {"s", "two"}, {"s2"}, "double"));
  g.nodes.push_back(node("Range", {"zero", "s2", "two"}, {"evens"}, "range_evens"));
  g.nodes.push_back(node("Neg", {"s"}, {"minus_s"}, "negate"));
  g.nodes.push_back(node("Range", {"zero", "minus_s", "minus_one"}, {"down"}, "range_down"));
  g.nodes.push_back(node("Cast", {"up"}, {"up_f"}, "cast_up", {attr_int("to", onnx::kFloat)}));
  g.nodes.push_back(
      node("Cast", {"evens"}, {"evens_f"}, "cast_evens", {attr_int("to", onnx::kFloat)}));
  g.nodes.push_back(
      node("Cast", {"down"}, {"down_f"}, "cast_down", {attr_int("to", onnx::kFloat)}));
  g.nodes.push_back(node("Add", {"x", "positions"}, {"a"}, "add0"));
  g.nodes.push_back(node("Add", {"a", "up_f"}, {"b"}, "add1"));
  g.nodes.push_back(node("Add", {"b", "evens_f"}, {"c"}, "add2"));
  g.nodes.push_back(node("Add", {"c", "down_f"}, {"y"}, "add3"));
  DynamicModel m(model(g), Dims{1, 1}, Dims{2, 8}, Dims{3, 16});
  ASSERT_NE(m.context, nullptr);
  for (Dims at : {Dims{2, 5}, Dims{3, 16}, Dims{1, 1}}) {
    Dims y_dims;
    std::vector<float> y = m.run(at, y_dims);
    ASSERT_EQ(y_dims, at);
    for (int64_t i = 0; i < volume(at); ++i) {
      int64_t j = i % at.d[1];
      float expected = static_cast<float>(i) + 100.0f * static_cast<float>(j) +
                       static_cast<float>(j) + 2.0f * static_cast<float>(j) - static_cast<float>(j);
      EXPECT_EQ(y[i], expected) << to_string(at) << " element " << i;
    }
  }
}

TEST(OnnxDynamicShapes, SliceAndTileAlongDynamicAxes) {
  // y = Tile(x[:, 1:-1], [1, 2]) for x [B, S]: the static path refused the dynamic axis before.
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {-1, -1}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {-1, -1}));
  g.initializers.push_back(ints("starts", {1}, {1}));
  g.initializers.push_back(ints("ends", {1}, {-1}));
  g.initializers.push_back(ints("axes", {1}, {1}));
  g.initializers.push_back(ints("repeats", {2}, {1, 2}));
  g.nodes.push_back(node("Slice", {"x", "starts", "ends", "axes"}, {"inner"}, "inner"));
  g.nodes.push_back(node("Tile", {"inner", "repeats"}, {"y"}, "tile"));
  DynamicModel m(model(g), Dims{1, 2}, Dims{2, 4}, Dims{4, 8});
  ASSERT_NE(m.context, nullptr);
  for (Dims at : {Dims{2, 4}, Dims{4, 8}, Dims{1, 2}}) {
    Dims y_dims;
    std::vector<float> y = m.run(at, y_dims);
    int64_t inner = at.d[1] - 2;
    ASSERT_EQ(y_dims, (Dims{at.d[0], 2 * inner}));
    std::vector<float> expected;
    for (int64_t r = 0; r < at.d[0]; ++r) {
      for (int64_t k = 0; k < 2 * inner; ++k)
        expected.push_back(static_cast<float>(r * at.d[1] + 1 + k % inner));
    }
    EXPECT_EQ(y, expected) << to_string(at);
  }
}

TEST(OnnxDynamicShapes, StaticShapesStillFoldAtBuildTime) {
  // The same Shape -> Gather -> Concat -> Reshape chain on a static input becomes one shuffle.
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {2, 3, 6}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {6, 6}));
  g.initializers.push_back(ints("i0", {1}, {0}));
  g.initializers.push_back(ints("i1", {1}, {1}));
  g.initializers.push_back(ints("width", {1}, {6}));
  g.nodes.push_back(node("Shape", {"x"}, {"shape"}, "shape"));
  g.nodes.push_back(node("Gather", {"shape", "i0"}, {"b"}, "gather_b"));
  g.nodes.push_back(node("Gather", {"shape", "i1"}, {"s"}, "gather_s"));
  g.nodes.push_back(node("Mul", {"b", "s"}, {"rows"}, "rows"));
  g.nodes.push_back(
      node("Concat", {"rows", "width"}, {"flat_shape"}, "concat", {attr_int("axis", 0)}));
  g.nodes.push_back(node("Reshape", {"x", "flat_shape"}, {"y"}, "flat"));
  DynamicModel m(model(g), Dims{2, 3, 6}, Dims{2, 3, 6}, Dims{2, 3, 6});
  ASSERT_NE(m.context, nullptr);
  EXPECT_EQ(m.num_layers_in_network, 1);  // the shuffle, with the folded shape as its dims
  Dims y_dims;
  std::vector<float> y = m.run(Dims{2, 3, 6}, y_dims);
  EXPECT_EQ(y_dims, (Dims{6, 6}));
}

TEST(OnnxDynamicShapes, DataDependentReshapeIsReportedNamingTheNode) {
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {2, 6}));
  g.inputs.push_back(value_info("dims", onnx::kInt64, {2}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {-1, -1}));
  g.nodes.push_back(node("Reshape", {"x", "dims"}, {"y"}, "from_data"));
  std::string bytes = model(g);
  Builder builder(test::onnx_quiet_logger());
  auto network = builder.create_network();
  OnnxParser parser(*network, test::onnx_quiet_logger());
  EXPECT_FALSE(parser.parse(bytes.data(), bytes.size()));
  ASSERT_GT(parser.num_errors(), 0);
  std::string desc = parser.get_error(0).desc();
  EXPECT_TRUE(contains(desc, "from_data")) << desc;
  EXPECT_TRUE(contains(desc, "not a shape tensor")) << desc;
  EXPECT_TRUE(contains(desc, "data-dependent shapes are not supported")) << desc;
  EXPECT_EQ(parser.get_error(0).code(), ParserErrorCode::kUNSUPPORTED_NODE);
}

}  // namespace
}  // namespace kiln
