// ErrorRecorder (TensorRT's IErrorRecorder): errors the C++ API throws from a Builder, Runtime,
// Engine or ExecutionContext also reach the recorder set on it, with a code and the same message;
// engines and contexts inherit the recorder; holders count their references.
#include <gtest/gtest.h>

#include "e2e/e2e_util.h"
#include "kiln/error_recorder.h"

namespace kiln::test {
namespace {

std::vector<uint8_t> relu_plan() {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{-1, 3});
  auto* relu = net->add_activation(*x, ActivationType::kRELU);
  relu->get_output(0)->set_name("y");
  net->mark_output(*relu->get_output(0));
  auto config = builder.create_builder_config();
  OptimizationProfile* profile = builder.create_optimization_profile();
  profile->set_shape("x", Dims{1, 3}, Dims{2, 3}, Dims{4, 3});
  config->add_optimization_profile(*profile);
  config->set_default_device_type(DeviceType::kCPU);
  return builder.build_serialized_network(*net, *config);
}

// The message the throw carried, or "no error".
template <typename F>
std::string thrown(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ErrorRecorder, SimpleRecorderKeepsErrorsUpToItsCapacity) {
  SimpleErrorRecorder recorder(2);
  EXPECT_EQ(recorder.get_num_errors(), 0);
  EXPECT_TRUE(recorder.report_error(ErrorCode::kINVALID_ARGUMENT, "first"));
  recorder.report_error(ErrorCode::kFAILED_EXECUTION, "second");
  EXPECT_FALSE(recorder.has_overflowed());
  recorder.report_error(ErrorCode::kINTERNAL_ERROR, "third");
  EXPECT_TRUE(recorder.has_overflowed());
  ASSERT_EQ(recorder.get_num_errors(), 2);
  EXPECT_EQ(recorder.get_error_code(1), ErrorCode::kFAILED_EXECUTION);
  EXPECT_STREQ(recorder.get_error_desc(0), "first");
  EXPECT_STREQ(recorder.get_error_desc(7), "");  // out of range: empty, no crash
  recorder.clear();
  EXPECT_EQ(recorder.get_num_errors(), 0);
  EXPECT_FALSE(recorder.has_overflowed());
  EXPECT_STREQ(to_string(ErrorCode::kFAILED_ALLOCATION), "FAILED_ALLOCATION");
}

TEST(ErrorRecorder, BuilderReportsWhatItThrows) {
  SimpleErrorRecorder recorder;
  {
    Builder builder(quiet_logger());
    builder.set_error_recorder(&recorder);
    EXPECT_EQ(builder.get_error_recorder(), &recorder);
    EXPECT_EQ(recorder.ref_count(), 1);
    auto net = builder.create_network();
    net->add_input("x", DataType::kFLOAT, Dims{2, 3});  // no outputs: cannot be built
    auto config = builder.create_builder_config();
    config->set_default_device_type(DeviceType::kCPU);
    std::string message = thrown([&] { builder.build_serialized_network(*net, *config); });
    ASSERT_NE(message, "no error");
    ASSERT_EQ(recorder.get_num_errors(), 1);
    EXPECT_EQ(recorder.get_error_code(0), ErrorCode::kINVALID_ARGUMENT);
    EXPECT_EQ(recorder.get_error_desc(0), message);
  }
  EXPECT_EQ(recorder.ref_count(), 0);  // the builder let go of it
}

TEST(ErrorRecorder, RuntimeEngineAndContextReportAndInherit) {
  std::vector<uint8_t> plan = relu_plan();
  SimpleErrorRecorder recorder, other;
  Runtime runtime(quiet_logger());
  runtime.set_error_recorder(&recorder);

  std::vector<uint8_t> cut(plan.begin(), plan.begin() + 100);
  std::string message = thrown([&] { runtime.deserialize_cuda_engine(cut.data(), cut.size()); });
  ASSERT_EQ(recorder.get_num_errors(), 1);
  EXPECT_EQ(recorder.get_error_desc(0), message);
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;

  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  EXPECT_EQ(engine->get_error_recorder(), &recorder);
  auto context = engine->create_execution_context();
  EXPECT_EQ(context->get_error_recorder(), &recorder);
  EXPECT_EQ(recorder.ref_count(), 3);  // runtime, engine, context

  message = thrown([&] { context->set_input_shape("x", Dims{9, 3}); });
  ASSERT_EQ(recorder.get_num_errors(), 2);
  EXPECT_EQ(recorder.get_error_code(1), ErrorCode::kINVALID_ARGUMENT);
  EXPECT_EQ(recorder.get_error_desc(1), message);
  EXPECT_NE(message.find("input 'x' dimension 0 is 9"), std::string::npos) << message;

  context->set_input_shape("x", Dims{2, 3});
  message = thrown([&] { context->execute_async_v3(nullptr); });  // no addresses
  ASSERT_EQ(recorder.get_num_errors(), 3);
  EXPECT_EQ(recorder.get_error_code(2), ErrorCode::kFAILED_EXECUTION);
  EXPECT_EQ(recorder.get_error_desc(2), message);

  // A context's own recorder replaces the inherited one; the engine keeps its own.
  context->set_error_recorder(&other);
  EXPECT_EQ(recorder.ref_count(), 2);
  EXPECT_EQ(other.ref_count(), 1);
  thrown([&] { context->set_tensor_address("nope", nullptr); });
  EXPECT_EQ(other.get_num_errors(), 1);
  EXPECT_EQ(recorder.get_num_errors(), 3);
  EXPECT_NE(std::string(other.get_error_desc(0)).find("'nope'"), std::string::npos);

  // The context keeps working after the recorded errors.
  std::vector<float> in = {-1, 2, -3, 4, -5, 6}, out(6);
  context->set_tensor_address("x", in.data());
  context->set_tensor_address("y", out.data());
  context->execute_async_v3(nullptr);
  EXPECT_EQ(out, (std::vector<float>{0, 2, 0, 4, 0, 6}));
  EXPECT_EQ(other.get_num_errors(), 1);

  context.reset();
  engine.reset();
  EXPECT_EQ(other.ref_count(), 0);
  EXPECT_EQ(recorder.ref_count(), 1);
  runtime.set_error_recorder(nullptr);
  EXPECT_EQ(recorder.ref_count(), 0);
}

}  // namespace
}  // namespace kiln::test
