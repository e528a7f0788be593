// kiln's TensorRT compatibility headers (include/kiln/compat): the calls a TensorRT 10 program
// makes, their results on kiln's CPU backend, and failures reported TensorRT's way (nullptr/false
// plus a logged error, never an exception). The end-to-end sample is examples/tensorrt/sample.cpp
// (ctest -R tensorrt_sample).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "NvInfer.h"
#include "NvOnnxParser.h"

namespace {

using namespace nvinfer1;

class RecordingLogger : public ILogger {
 public:
  void log(Severity severity, const char* msg) noexcept override {
    if (severity <= Severity::kERROR) errors.emplace_back(msg);
    if (severity == Severity::kWARNING) warnings.emplace_back(msg);
  }
  bool errorContains(const std::string& text) const {
    for (const std::string& e : errors)
      if (e.find(text) != std::string::npos) return true;
    return false;
  }
  std::vector<std::string> errors, warnings;
};

struct Built {
  std::unique_ptr<IRuntime> runtime;
  std::unique_ptr<ICudaEngine> engine;
};

// y = relu(x) * 2 for x of shape (-1, 3); profile 1..4 rows.
Built buildRelu(RecordingLogger& logger) {
  std::unique_ptr<IBuilder> builder{createInferBuilder(logger)};
  std::unique_ptr<INetworkDefinition> network{builder->createNetworkV2(0)};
  ITensor* x = network->addInput("x", DataType::kFLOAT, Dims2{-1, 3});
  IActivationLayer* relu = network->addActivation(*x, ActivationType::kRELU);
  static const float two = 2.0f;
  IConstantLayer* c = network->addConstant(Dims2{1, 1}, Weights{DataType::kFLOAT, &two, 1});
  IElementWiseLayer* mul =
      network->addElementWise(*relu->getOutput(0), *c->getOutput(0), ElementWiseOperation::kPROD);
  mul->getOutput(0)->setName("y");
  network->markOutput(*mul->getOutput(0));
  std::unique_ptr<IBuilderConfig> config{builder->createBuilderConfig()};
  config->setDefaultDeviceType(DeviceType::kCPU);
  IOptimizationProfile* profile = builder->createOptimizationProfile();
  EXPECT_TRUE(profile->setDimensions("x", OptProfileSelector::kMIN, Dims2{1, 3}));
  EXPECT_TRUE(profile->setDimensions("x", OptProfileSelector::kOPT, Dims2{2, 3}));
  EXPECT_TRUE(profile->setDimensions("x", OptProfileSelector::kMAX, Dims2{4, 3}));
  EXPECT_EQ(config->addOptimizationProfile(profile), 0);
  std::unique_ptr<IHostMemory> plan{builder->buildSerializedNetwork(*network, *config)};
  EXPECT_NE(plan, nullptr);
  Built built;
  built.runtime.reset(createInferRuntime(logger));
  if (plan) built.engine.reset(built.runtime->deserializeCudaEngine(plan->data(), plan->size()));
  return built;
}

TEST(NvInferCompat, VersionAndEnumValuesAreTensorRTs) {
  EXPECT_EQ(NV_TENSORRT_MAJOR, 10);
  EXPECT_EQ(getInferLibVersion(), NV_TENSORRT_VERSION);
  EXPECT_EQ(static_cast<int>(DataType::kBF16), 7);
  EXPECT_EQ(static_cast<int>(LayerType::kCAST), 1);
  EXPECT_EQ(static_cast<int>(ActivationType::kGELU_ERF), 12);
  EXPECT_EQ(static_cast<int>(BuilderFlag::kVERSION_COMPATIBLE), 13);
}

TEST(NvInferCompat, NetworkLayersAndDowncast) {
  RecordingLogger logger;
  std::unique_ptr<IBuilder> builder{createInferBuilder(logger)};
  std::unique_ptr<INetworkDefinition> network{builder->createNetworkV2(0)};
  ITensor* x = network->addInput("x", DataType::kFLOAT, Dims4{1, 1, 4, 4});
  std::vector<float> kernel(2 * 9, 1.0f);
  IConvolutionLayer* conv =
      network->addConvolutionNd(*x, 2, DimsHW{3, 3}, Weights{DataType::kFLOAT, kernel.data(), 18},
                                Weights{DataType::kFLOAT, nullptr, 0});
  ASSERT_NE(conv, nullptr);
  conv->setPaddingNd(DimsHW{1, 1});
  conv->setName("conv");
  Dims out = conv->getOutput(0)->getDimensions();
  EXPECT_EQ(out.nbDims, 4);
  EXPECT_EQ(out.d[1], 2);
  EXPECT_EQ(out.d[3], 4);
  // kiln adds the kernel as a constant layer before the convolution.
  ILayer* layer = nullptr;
  for (int32_t i = 0; i < network->getNbLayers(); ++i) {
    if (network->getLayer(i)->getType() == LayerType::kCONVOLUTION) layer = network->getLayer(i);
  }
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(static_cast<IConvolutionLayer*>(layer)->getNbOutputMaps(), 2);  // TensorRT's downcast
  EXPECT_EQ(layer, conv);
  EXPECT_STREQ(layer->getName(), "conv");
  EXPECT_EQ(layer->getInput(0), x);
  EXPECT_EQ(network->getInput(0), x);
  EXPECT_EQ(network->getLayer(network->getNbLayers()), nullptr);
  EXPECT_FALSE(network->hasImplicitBatchDimension());

  layer->setPrecision(DataType::kHALF);  // recorded, not applied: a warning says so
  EXPECT_TRUE(layer->precisionIsSet());
  ASSERT_EQ(logger.warnings.size(), 1u);
  EXPECT_NE(logger.warnings[0].find("does not apply per-layer precision"), std::string::npos);
}

TEST(NvInferCompat, FailuresReturnNullAndLog) {
  RecordingLogger logger;
  std::unique_ptr<IBuilder> builder{createInferBuilder(logger)};
  std::unique_ptr<INetworkDefinition> network{builder->createNetworkV2(0)};
  ITensor* x = network->addInput("x", DataType::kFLOAT, Dims2{2, 3});
  EXPECT_EQ(network->addInput("x", DataType::kFLOAT, Dims2{2, 3}), nullptr);  // name taken
  EXPECT_TRUE(logger.errorContains("INetworkDefinition::addInput"));
  EXPECT_EQ(network->addInput("f8", DataType::kFP8, Dims2{2, 3}), nullptr);
  EXPECT_TRUE(logger.errorContains("FP8"));
  Dims bad;
  bad.nbDims = 9;
  EXPECT_EQ(network->addInput("big", DataType::kFLOAT, bad), nullptr);
  EXPECT_TRUE(logger.errorContains("nbDims is 9"));
  EXPECT_EQ(network->addPoolingNd(*x, PoolingType::kMAX, Dims2{5, 5}), nullptr);
  EXPECT_TRUE(logger.errorContains("INetworkDefinition::addPoolingNd"));

  std::unique_ptr<IBuilderConfig> config{builder->createBuilderConfig()};
  config->setFlag(BuilderFlag::kINT8);  // not implemented: kept, warned
  EXPECT_TRUE(config->getFlag(BuilderFlag::kINT8));
  EXPECT_FALSE(logger.warnings.empty());
  config->setFlag(BuilderFlag::kFP16);
  EXPECT_EQ(config->getFlags(), (1u << 0) | (1u << 1) | (1u << 6));  // FP16, INT8, TF32 (default)
  IOptimizationProfile* half = builder->createOptimizationProfile();
  half->setDimensions("x", OptProfileSelector::kMIN, Dims2{1, 3});
  EXPECT_EQ(config->addOptimizationProfile(half), -1);
  EXPECT_TRUE(logger.errorContains("lacks one of its kMIN/kOPT/kMAX"));

  std::unique_ptr<IRuntime> runtime{createInferRuntime(logger)};
  const char junk[] = "not a plan";
  EXPECT_EQ(runtime->deserializeCudaEngine(junk, sizeof junk), nullptr);
  EXPECT_TRUE(logger.errorContains("IRuntime::deserializeCudaEngine"));
}

TEST(NvInferCompat, RunWithEnqueueV3AndExecuteV2) {
  RecordingLogger logger;
  Built built = buildRelu(logger);
  ASSERT_NE(built.engine, nullptr);
  ICudaEngine& engine = *built.engine;
  ASSERT_EQ(engine.getNbIOTensors(), 2);
  EXPECT_STREQ(engine.getIOTensorName(0), "x");
  EXPECT_EQ(engine.getTensorIOMode("y"), TensorIOMode::kOUTPUT);
  EXPECT_EQ(engine.getTensorShape("x").d[0], -1);
  EXPECT_EQ(engine.getProfileShape("x", 0, OptProfileSelector::kMAX).d[0], 4);
  EXPECT_EQ(engine.getIOTensorName(2), nullptr);

  std::unique_ptr<IExecutionContext> context{engine.createExecutionContext()};
  EXPECT_FALSE(context->setInputShape("x", Dims2{5, 3}));  // outside the profile
  EXPECT_TRUE(logger.errorContains("IExecutionContext::setInputShape"));
  ASSERT_TRUE(context->setInputShape("x", Dims2{2, 3}));
  std::vector<float> x = {-1, 2, -3, 4, -5, 6}, y(6, 0.0f);
  EXPECT_FALSE(context->enqueueV3(nullptr));  // no addresses yet
  ASSERT_TRUE(context->setTensorAddress("x", x.data()));
  ASSERT_TRUE(context->setTensorAddress("y", y.data()));
  ASSERT_TRUE(context->enqueueV3(nullptr));
  EXPECT_EQ(y, (std::vector<float>{0, 4, 0, 8, 0, 12}));

  std::vector<float> y2(6, 0.0f);
  void* bindings[] = {x.data(), y2.data()};
  ASSERT_TRUE(context->executeV2(bindings));
  EXPECT_EQ(y2, y);
}

TEST(NvInferCompat, OnnxParserErrors) {
  RecordingLogger logger;
  std::unique_ptr<IBuilder> builder{createInferBuilder(logger)};
  std::unique_ptr<INetworkDefinition> network{builder->createNetworkV2(0)};
  std::unique_ptr<nvonnxparser::IParser> parser{nvonnxparser::createParser(*network, logger)};
  EXPECT_TRUE(parser->supportsOperator("Conv"));
  const char junk[] = "\x08\x07 not an onnx model";
  EXPECT_FALSE(parser->parse(junk, sizeof junk));
  ASSERT_GE(parser->getNbErrors(), 1);
  EXPECT_NE(std::string(parser->getError(0)->desc()), "");
  EXPECT_EQ(parser->getError(parser->getNbErrors()), nullptr);
  parser->clearErrors();
  EXPECT_EQ(parser->getNbErrors(), 0);
  EXPECT_FALSE(parser->parseFromFile("/nonexistent.onnx", 2));
  std::string path = std::string(KILN_SOURCE_DIR) + "/tests/fixtures/onnx/tiny_mlp.onnx";
  std::unique_ptr<INetworkDefinition> good{builder->createNetworkV2(0)};
  std::unique_ptr<nvonnxparser::IParser> parser2{nvonnxparser::createParser(*good, logger)};
  ASSERT_TRUE(parser2->parseFromFile(path.c_str(), 2));
  EXPECT_EQ(good->getNbInputs(), 1);
  EXPECT_STREQ(good->getOutput(0)->getName(), "prob");
}

}  // namespace
