// Spatial layers whose shapes depend on setters called after the add (padding, stride): a 3x3
// convolution or a 3x3 max pool on a 2x2 input is valid once padding 1 is set, as in TensorRT and
// ONNX; without the padding the error names the layer when the shape is next needed.
#include <gtest/gtest.h>

#include "kiln/kiln.h"
#include "onnx/onnx_model.h"
#include "onnx/onnx_test_util.h"
#include "test_util.h"

namespace kiln {
namespace {

TEST(SpatialSetters, KernelLargerThanTheUnpaddedInputIsValidOncePaddingIsSet) {
  Logger logger(Logger::Severity::kINTERNAL_ERROR);
  Builder builder(logger);
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{1, 1, 2, 2});
  std::vector<float> w(9, 1.0f);
  auto* conv = net->add_convolution_nd(*x, 1, Dims{3, 3}, Weights{DataType::kFLOAT, w.data(), 9},
                                       Weights{DataType::kFLOAT, nullptr, 0});
  conv->set_padding_nd(Dims{1, 1});
  EXPECT_EQ(conv->get_output(0)->dimensions(), (Dims{1, 1, 2, 2}));
  auto* pool = net->add_pooling_nd(*conv->get_output(0), PoolingType::kMAX, Dims{3, 3});
  pool->set_stride_nd(Dims{2, 2});
  pool->set_padding_nd(Dims{1, 1});
  EXPECT_EQ(pool->get_output(0)->dimensions(), (Dims{1, 1, 1, 1}));
  net->mark_output(*pool->get_output(0));

  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
  Runtime runtime(logger);
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  auto ctx = engine->create_execution_context();
  std::vector<float> in = {1, 2, 3, 4}, out(1, -1);
  ctx->set_tensor_address("x", in.data());
  ctx->set_tensor_address(engine->get_tensor_name(1), out.data());
  ctx->execute_async_v3(nullptr);
  EXPECT_EQ(out[0], 10.0f);  // every 3x3 window covers the whole padded input
}

TEST(SpatialSetters, WithoutThePaddingTheNextInferenceNamesTheLayer) {
  Logger logger(Logger::Severity::kINTERNAL_ERROR);
  Builder builder(logger);
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{1, 1, 2, 2});
  std::vector<float> w(9, 1.0f);
  auto* conv = net->add_convolution_nd(*x, 1, Dims{3, 3}, Weights{DataType::kFLOAT, w.data(), 9},
                                       Weights{DataType::kFLOAT, nullptr, 0});
  conv->set_name("big");
  expect_error([&] { net->add_activation(*conv->get_output(0), ActivationType::kRELU); },
               {"'big'", "the output would be empty"});
  EXPECT_EQ(net->num_layers(), 2);  // the kernel constant and the convolution stay
  net->mark_output(*conv->get_output(0));
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  expect_error([&] { builder.build_serialized_network(*net, *config); },
               {"'big'", "the output would be empty"});
}

TEST(SpatialSetters, OnnxConvAndPoolWithPaddingOnATinyInput) {
  using namespace test::pb;
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {1, 1, 2, 2}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {1, 1, 1, 1}));
  g.initializers.push_back(tensor("w", {1, 1, 3, 3}, std::vector<float>(9, 1.0f)));
  g.nodes.push_back(node("Conv", {"x", "w"}, {"c"}, "conv", {attr_ints("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(node("MaxPool", {"c"}, {"y"}, "pool",
                         {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}),
                          attr_ints("pads", {1, 1, 1, 1})}));
  auto out = test::run_onnx(model(g), {{"x", {Dims{1, 1, 2, 2}, {1, 2, 3, 4}}}});
  EXPECT_EQ(out["y"], (std::vector<float>{10}));
}

}  // namespace
}  // namespace kiln
