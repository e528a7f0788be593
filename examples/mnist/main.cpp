// kiln's main job on an example: define the MNIST-style CNN with the C++ API, build an engine for
// batch sizes 1..8 (on the GPU when there is one, else the CPU backend), save the plan, load it
// back and run it, printing what happened at each stage.
//
//   mnist_cnn [--device=auto|gpu|cpu] [--plan=mnist.plan] [--batch=N] [--iterations=N] [--verbose]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "mnist/mnist_network.h"

using namespace kiln;

namespace {

struct Options {
  std::string device = "auto";
  std::string plan_path = "mnist.plan";
  int batch = 4;
  int iterations = 20;
  bool verbose = false;
};

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      size_t n = std::strlen(flag);
      return a.compare(0, n, flag) == 0 ? a.c_str() + n : nullptr;
    };
    if (const char* v = value("--device=")) {
      o.device = v;
    } else if (const char* v = value("--plan=")) {
      o.plan_path = v;
    } else if (const char* v = value("--batch=")) {
      o.batch = std::atoi(v);
    } else if (const char* v = value("--iterations=")) {
      o.iterations = std::atoi(v);
    } else if (a == "--verbose") {
      o.verbose = true;
    } else {
      std::fprintf(stderr,
                   "unknown argument '%s'\nusage: mnist_cnn [--device=auto|gpu|cpu] "
                   "[--plan=FILE] [--batch=1..8] [--iterations=N] [--verbose]\n",
                   argv[i]);
      return false;
    }
  }
  if (o.device != "auto" && o.device != "gpu" && o.device != "cpu") {
    std::fprintf(stderr, "--device must be auto, gpu or cpu, got '%s'\n", o.device.c_str());
    return false;
  }
  if (o.batch < 1 || o.batch > 8 || o.iterations < 1) {
    std::fprintf(stderr, "--batch must be 1..8 and --iterations >= 1\n");
    return false;
  }
  return true;
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!parse(argc, argv, opt)) return 2;
  Logger logger(opt.verbose ? Logger::Severity::kVERBOSE : Logger::Severity::kINFO);
  try {
    // 1. Describe the network.
    Builder builder(logger);
    auto network = builder.create_network();
    examples::MnistWeights weights;
    examples::define_mnist(*network, weights);
    std::printf(
        "network: %d layers, input image [-1,1,28,28], outputs prob [-1,10] and class [-1,1]\n",
        network->num_layers());

    // 2. Build an engine for batch sizes 1..8.
    auto config = builder.create_builder_config();
    OptimizationProfile* profile = builder.create_optimization_profile();
    profile->set_shape("image", Dims{1, 1, 28, 28}, Dims{opt.batch, 1, 28, 28}, Dims{8, 1, 28, 28});
    config->add_optimization_profile(*profile);
    config->set_default_device_type(opt.device == "cpu" ? DeviceType::kCPU : DeviceType::kGPU);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<uint8_t> plan = builder.build_serialized_network(*network, *config);
    std::printf("build: %.1f ms, plan %zu bytes\n", ms_since(t0), plan.size());

    // 3. Save the plan, then load it as a deployment would.
    std::ofstream(opt.plan_path, std::ios::binary)
        .write(reinterpret_cast<const char*>(plan.data()),
               static_cast<std::streamsize>(plan.size()));
    std::ifstream in(opt.plan_path, std::ios::binary);
    std::vector<uint8_t> loaded((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
    Runtime runtime(logger);
    auto engine = runtime.deserialize_cuda_engine(loaded.data(), loaded.size());
    std::printf("plan saved to %s and loaded: %s engine, %d steps\n", opt.plan_path.c_str(),
                engine->device_type() == DeviceType::kCPU ? "CPU" : "GPU", engine->num_layers());
    if (engine->device_type() != DeviceType::kCPU) {
      std::fprintf(stderr,
                   "this example runs host buffers; GPU engines arrive with the CUDA backend\n");
      return 1;
    }

    // 4. Run a batch of (random) images.
    auto context = engine->create_execution_context();
    std::vector<float> images = examples::uniform(int64_t{opt.batch} * 784, 2024, 0.0f, 1.0f);
    std::vector<float> prob(static_cast<size_t>(opt.batch) * 10);
    std::vector<int32_t> cls(static_cast<size_t>(opt.batch));
    context->set_input_shape("image", Dims{opt.batch, 1, 28, 28});
    context->set_tensor_address("image", images.data());
    context->set_tensor_address("prob", prob.data());
    context->set_tensor_address("class", cls.data());
    context->execute_async_v3(nullptr);  // warm-up
    auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < opt.iterations; ++i) context->execute_async_v3(nullptr);
    double per_run = ms_since(t1) / opt.iterations;
    std::printf("inference: batch %d, %.3f ms per run (mean of %d)\n", opt.batch, per_run,
                opt.iterations);
    for (int i = 0; i < opt.batch; ++i) {
      std::printf("  image %d -> class %d (p = %.4f)\n", i, cls[i],
                  prob[static_cast<size_t>(i) * 10 + cls[i]]);
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
