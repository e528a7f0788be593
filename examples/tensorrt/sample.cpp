// A TensorRT 10-style C++ program, written against TensorRT's API only (NvInfer.h,
// NvOnnxParser.h): it builds a small MLP with the network API, and the same MLP from an ONNX file
// with the ONNX parser, then runs both with setInputShape / setTensorAddress / enqueueV3 and
// checks them against a plain C++ reference. Built against kiln's compatibility headers
// (include/kiln/compat, CMake target kiln::nvinfer) it runs on kiln.
//
//   sample [model.onnx]        (tests/fixtures/onnx/tiny_mlp.onnx; the network-API part always
//   runs)
//
// Buffers are host memory: kiln's CPU backend takes host addresses. With TensorRT (or a kiln GPU
// engine) they would be cudaMalloc'ed device buffers.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "NvInfer.h"
#include "NvOnnxParser.h"

using namespace nvinfer1;

namespace {

class Logger : public ILogger {
 public:
  void log(Severity severity, const char* msg) noexcept override {
    if (severity <= Severity::kWARNING) std::printf("[%d] %s\n", static_cast<int>(severity), msg);
  }
};

constexpr int kIn = 4;
constexpr int kOut = 3;

float weight(int i, int j) {
  return 0.1f * static_cast<float>(i + 1) - 0.2f * static_cast<float>(j);
}
float bias(int j) {
  return 0.05f * static_cast<float>(j) - 0.1f;
}

// softmax(relu(x W + b)) row by row.
std::vector<float> reference(const std::vector<float>& x, int batch) {
  std::vector<float> out(static_cast<size_t>(batch) * kOut);
  for (int n = 0; n < batch; ++n) {
    float row[kOut];
    float total = 0;
    for (int j = 0; j < kOut; ++j) {
      float a = bias(j);
      for (int i = 0; i < kIn; ++i) a += x[n * kIn + i] * weight(i, j);
      row[j] = std::exp(std::max(a, 0.0f));
      total += row[j];
    }
    for (int j = 0; j < kOut; ++j) out[n * kOut + j] = row[j] / total;
  }
  return out;
}

// The MLP through INetworkDefinition's calls.
bool defineNetwork(INetworkDefinition& network, std::vector<float>& w, std::vector<float>& b) {
  ITensor* x = network.addInput("x", DataType::kFLOAT, Dims2{-1, kIn});
  for (int i = 0; i < kIn; ++i)
    for (int j = 0; j < kOut; ++j) w.push_back(weight(i, j));
  for (int j = 0; j < kOut; ++j) b.push_back(bias(j));
  IConstantLayer* wc =
      network.addConstant(Dims2{kIn, kOut}, Weights{DataType::kFLOAT, w.data(), kIn * kOut});
  IConstantLayer* bc =
      network.addConstant(Dims2{1, kOut}, Weights{DataType::kFLOAT, b.data(), kOut});
  if (x == nullptr || wc == nullptr || bc == nullptr) return false;
  IMatrixMultiplyLayer* mm = network.addMatrixMultiply(*x, MatrixOperation::kNONE,
                                                       *wc->getOutput(0), MatrixOperation::kNONE);
  IElementWiseLayer* add =
      network.addElementWise(*mm->getOutput(0), *bc->getOutput(0), ElementWiseOperation::kSUM);
  IActivationLayer* relu = network.addActivation(*add->getOutput(0), ActivationType::kRELU);
  ISoftMaxLayer* softmax = network.addSoftMax(*relu->getOutput(0));
  if (softmax == nullptr) return false;
  softmax->setAxes(1U << 1);
  softmax->getOutput(0)->setName("prob");
  network.markOutput(*softmax->getOutput(0));
  return true;
}

// Builds, deserializes and runs a network on a batch of 3; true when it matches the reference.
bool buildAndRun(IBuilder& builder, INetworkDefinition& network, Logger& logger, const char* what) {
  std::unique_ptr<IBuilderConfig> config{builder.createBuilderConfig()};
  config->setMemoryPoolLimit(MemoryPoolType::kWORKSPACE, 1U << 26);
#ifdef KILN_NVINFER_COMPAT
  config->setDefaultDeviceType(DeviceType::kCPU);  // kiln extension: host buffers below
#endif
  IOptimizationProfile* profile = builder.createOptimizationProfile();
  profile->setDimensions("x", OptProfileSelector::kMIN, Dims2{1, kIn});
  profile->setDimensions("x", OptProfileSelector::kOPT, Dims2{4, kIn});
  profile->setDimensions("x", OptProfileSelector::kMAX, Dims2{8, kIn});
  config->addOptimizationProfile(profile);

  std::unique_ptr<IHostMemory> plan{builder.buildSerializedNetwork(network, *config)};
  if (!plan) return false;
  std::unique_ptr<IRuntime> runtime{createInferRuntime(logger)};
  std::unique_ptr<ICudaEngine> engine{runtime->deserializeCudaEngine(plan->data(), plan->size())};
  if (!engine) return false;
  std::unique_ptr<IExecutionContext> context{engine->createExecutionContext()};

  const int batch = 3;
  std::vector<float> x = {0.5f, -1.0f, 2.0f,  0.25f, 1.0f, 1.0f,
                          1.0f, 1.0f,  -2.0f, 0.0f,  3.0f, -0.5f};
  std::vector<float> prob(batch * kOut, -1.0f);
  for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
    const char* name = engine->getIOTensorName(i);
    std::printf("%s: I/O tensor %s (%s)\n", what, name,
                engine->getTensorIOMode(name) == TensorIOMode::kINPUT ? "input" : "output");
  }
  if (!context->setInputShape("x", Dims2{batch, kIn})) return false;
  Dims out = context->getTensorShape("prob");
  if (out.nbDims != 2 || out.d[0] != batch || out.d[1] != kOut) return false;
  context->setTensorAddress("x", x.data());
  context->setTensorAddress("prob", prob.data());
  if (!context->enqueueV3(nullptr)) return false;

  std::vector<float> expected = reference(x, batch);
  for (size_t i = 0; i < expected.size(); ++i) {
    if (std::fabs(prob[i] - expected[i]) > 1e-5f) {
      std::printf("%s: prob[%zu] = %f, expected %f\n", what, i, prob[i], expected[i]);
      return false;
    }
  }
  std::printf("%s: %d rows match the reference (first row %.4f %.4f %.4f)\n", what, batch, prob[0],
              prob[1], prob[2]);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Logger logger;
  std::unique_ptr<IBuilder> builder{createInferBuilder(logger)};
  if (!builder) return 1;

  std::unique_ptr<INetworkDefinition> network{builder->createNetworkV2(0)};
  std::vector<float> w, b;  // must outlive the build in TensorRT
  if (!defineNetwork(*network, w, b) || !buildAndRun(*builder, *network, logger, "network API")) {
    std::printf("network API: FAILED\n");
    return 1;
  }

  if (argc > 1) {
    std::unique_ptr<INetworkDefinition> onnx{builder->createNetworkV2(0)};
    std::unique_ptr<nvonnxparser::IParser> parser{nvonnxparser::createParser(*onnx, logger)};
    if (!parser->parseFromFile(argv[1], static_cast<int32_t>(ILogger::Severity::kWARNING))) {
      for (int32_t i = 0; i < parser->getNbErrors(); ++i)
        std::printf("parser: %s\n", parser->getError(i)->desc());
      return 1;
    }
    if (!buildAndRun(*builder, *onnx, logger, "ONNX parser")) {
      std::printf("ONNX parser: FAILED\n");
      return 1;
    }
  }
  std::printf("PASSED\n");
  return 0;
}
