// Runtime and ExecutionContext behaviour a user relies on: clear errors for missing shapes and
// addresses and for bad plans, static networks, execute_v2, profile switching.
#include <gtest/gtest.h>

#include "e2e/e2e_util.h"
#include "test_util.h"

namespace kiln::test {
namespace {

std::vector<uint8_t> relu_plan(const Dims& dims, bool with_profile) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, dims);
  auto* relu = net->add_activation(*x, ActivationType::kRELU);
  relu->get_output(0)->set_name("y");
  net->mark_output(*relu->get_output(0));
  auto config = builder.create_builder_config();
  if (with_profile) {
    OptimizationProfile* p = builder.create_optimization_profile();
    p->set_shape("x", Dims{1, 3}, Dims{2, 3}, Dims{4, 3});
    config->add_optimization_profile(*p);
  }
  config->set_default_device_type(DeviceType::kCPU);
  return builder.build_serialized_network(*net, *config);
}

TEST(Context, StaticNetworkNeedsNoShapes) {
  std::vector<uint8_t> plan = relu_plan(Dims{2, 3}, false);
  Runtime runtime(quiet_logger());
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  auto ctx = engine->create_execution_context();
  EXPECT_TRUE(ctx->all_input_dimensions_specified());
  EXPECT_EQ(ctx->get_tensor_shape("y"), (Dims{2, 3}));
  std::vector<float> x = {-1, 2, -3, 4, -5, 6}, y(6, 99.0f);
  void* bindings[] = {x.data(), y.data()};
  ctx->execute_v2(bindings);
  EXPECT_EQ(y, (std::vector<float>{0, 2, 0, 4, 0, 6}));
}

TEST(Context, MissingShapeAndAddressAreReported) {
  std::vector<uint8_t> plan = relu_plan(Dims{-1, 3}, true);
  Runtime runtime(quiet_logger());
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  auto ctx = engine->create_execution_context();
  EXPECT_FALSE(ctx->all_input_dimensions_specified());
  EXPECT_EQ(ctx->get_tensor_shape("y"), (Dims{-1, 3}));
  EXPECT_NE(error_of([&] { ctx->execute_async_v3(nullptr); }).find("input 'x' is not set"),
            std::string::npos);
  ctx->set_input_shape("x", Dims{3, 3});
  EXPECT_EQ(ctx->get_tensor_shape("y"), (Dims{3, 3}));
  std::vector<float> x(9, -1.0f), y(9, 5.0f);
  ctx->set_tensor_address("x", x.data());
  EXPECT_NE(
      error_of([&] { ctx->execute_async_v3(nullptr); }).find("no address is set for output 'y'"),
      std::string::npos);
  ctx->set_tensor_address("y", y.data());
  EXPECT_EQ(ctx->get_tensor_address("y"), y.data());
  ctx->execute_async_v3(nullptr);
  EXPECT_EQ(y, std::vector<float>(9, 0.0f));
  EXPECT_NE(error_of([&] {
              ctx->set_tensor_address("z", nullptr);
            }).find("'z' is not an input or output"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              ctx->set_optimization_profile_async(3, nullptr);
            }).find("profile 3 does not exist"),
            std::string::npos);
}

TEST(Context, OutlivesItsEngine) {
  std::vector<uint8_t> plan = relu_plan(Dims{2, 3}, false);
  Runtime runtime(quiet_logger());
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  auto ctx = engine->create_execution_context();
  engine.reset();
  std::vector<float> x(6, -2.0f), y(6, 1.0f);
  ctx->set_tensor_address("x", x.data());
  ctx->set_tensor_address("y", y.data());
  ctx->execute_async_v3(nullptr);
  EXPECT_EQ(y, std::vector<float>(6, 0.0f));
}

TEST(Runtime, RefusesBadPlansAndKeepsWorking) {
  std::vector<uint8_t> plan = relu_plan(Dims{2, 3}, false);
  Runtime runtime(quiet_logger());
  std::vector<uint8_t> garbage(100, 0x41);
  EXPECT_NE(error_of([&] {
              runtime.deserialize_cuda_engine(garbage.data(), garbage.size());
            }).find("not a kiln plan"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              runtime.deserialize_cuda_engine(plan.data(), plan.size() / 2);
            }).find("truncated"),
            std::string::npos);
  std::vector<uint8_t> flipped = plan;
  flipped[flipped.size() / 2] ^= 0x10;
  EXPECT_NE(error_of([&] {
              runtime.deserialize_cuda_engine(flipped.data(), flipped.size());
            }).find("checksum"),
            std::string::npos);
  EXPECT_NE(error_of([&] { runtime.deserialize_cuda_engine(nullptr, 10); }).find("null"),
            std::string::npos);
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  EXPECT_EQ(engine->num_io_tensors(), 2);
}

TEST(Engine, QueriesRangeCheck) {
  std::vector<uint8_t> plan = relu_plan(Dims{-1, 3}, true);
  Runtime runtime(quiet_logger());
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  EXPECT_EQ(engine->get_tensor_name(0), "x");
  EXPECT_EQ(engine->get_tensor_name(1), "y");
  EXPECT_THROW(engine->get_tensor_name(2), Error);
  EXPECT_EQ(engine->get_tensor_mode("nope"), TensorIOMode::kNONE);
  EXPECT_THROW(engine->get_tensor_profile_shape("y", 0), Error);
  EXPECT_THROW(engine->get_tensor_profile_shape("x", 1), Error);
  EXPECT_EQ(engine->get_tensor_profile_shape("x", 0).opt, (Dims{2, 3}));
  EXPECT_EQ(engine->device_type(), DeviceType::kCPU);
  EXPECT_EQ(engine->num_aux_streams(), 0);
}

TEST(Logger, SinkReceivesFilteredMessages) {
  Logger logger(Logger::Severity::kINFO);
  std::vector<std::pair<Logger::Severity, std::string>> got;
  logger.set_sink(
      [&](Logger::Severity s, std::string_view m) { got.emplace_back(s, std::string(m)); });
  logger.report(Logger::Severity::kVERBOSE, "hidden");
  logger.report(Logger::Severity::kWARNING, "shown");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second, "shown");
  // The builder reports through it.
  Builder builder(logger);
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{2});
  net->mark_output(*net->add_activation(*x, ActivationType::kRELU)->get_output(0));
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  builder.build_serialized_network(*net, *config);
  bool saw_build = false;
  for (auto& [s, m] : got) saw_build |= m.find("built a CPU engine") != std::string::npos;
  EXPECT_TRUE(saw_build);
}

}  // namespace
}  // namespace kiln::test
