// The differential harness: one network, built for the GPU and for the CPU, run on the same inputs.
#include "cuda/differential.h"

#include <cuda_runtime_api.h>

#include <cmath>
#include <cstring>
#include <random>

#include "backends/cpu/common.h"
#include "backends/device.h"

namespace kiln::test {

namespace {

Logger& harness_logger() {
  static Logger logger(Logger::Severity::kERROR);
  return logger;
}

#define HARNESS_CUDA(call)                                                         \
  do {                                                                             \
    cudaError_t e = (call);                                                        \
    if (e != cudaSuccess) FAIL() << #call << " failed: " << cudaGetErrorString(e); \
  } while (0)

std::vector<uint8_t> make_values(const DiffInput& in, std::mt19937& gen) {
  int64_t n = volume(in.dims);
  std::vector<uint8_t> bytes(static_cast<size_t>(n * element_size(in.type)));
  cpu::dispatch(in.type, [&](auto tag) {
    using T = decltype(tag);
    T* p = reinterpret_cast<T*>(bytes.data());
    for (int64_t i = 0; i < n; ++i) {
      double v;
      if (!in.values.empty()) {
        v = in.values[static_cast<size_t>(i)];
      } else if constexpr (std::is_same_v<T, bool>) {
        v = static_cast<double>(gen() & 1u);
      } else if constexpr (std::is_integral_v<T>) {
        std::uniform_int_distribution<int64_t> dist(static_cast<int64_t>(std::ceil(in.lo)),
                                                    static_cast<int64_t>(std::floor(in.hi)));
        v = static_cast<double>(dist(gen));
      } else {
        std::uniform_real_distribution<double> dist(in.lo, in.hi);
        v = dist(gen);
      }
      if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, int32_t>) {
        p[i] = static_cast<T>(v);  // exact; a float detour would round large values
      } else {
        p[i] = cpu::from_f32<T>(static_cast<float>(v));
      }
    }
  });
  return bytes;
}

std::vector<double> as_doubles(const std::vector<uint8_t>& bytes, DataType type) {
  int64_t n = static_cast<int64_t>(bytes.size()) / element_size(type);
  std::vector<double> out(static_cast<size_t>(n));
  cpu::dispatch(type, [&](auto tag) {
    using T = decltype(tag);
    const T* p = reinterpret_cast<const T*>(bytes.data());
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, half_t> || std::is_same_v<T, bfloat16_t>) {
        out[i] = cpu::to_f32(p[i]);
      } else {
        out[i] = static_cast<double>(p[i]);
      }
    }
  });
  return out;
}

std::vector<uint8_t> build(
    const std::function<void(NetworkDefinition&, std::vector<Tensor*>&)>& define,
    const std::vector<DiffInput>& inputs, DeviceType device, const DiffOptions& o) {
  Builder builder(harness_logger());
  auto net = builder.create_network();
  std::vector<Tensor*> tensors;
  for (const DiffInput& in : inputs) tensors.push_back(net->add_input(in.name, in.type, in.dims));
  define(*net, tensors);
  auto config = builder.create_builder_config();
  config->clear_flag(BuilderFlag::kTF32);  // DiffOptions says what the GPU build allows
  config->set_default_device_type(device);
  if (device == DeviceType::kGPU) {
    if (o.fp16) config->set_flag(BuilderFlag::kFP16);
    if (o.bf16) config->set_flag(BuilderFlag::kBF16);
    if (o.tf32) config->set_flag(BuilderFlag::kTF32);
    config->set_tactic_sources(o.tactic_sources);
    config->set_builder_optimization_level(o.optimization_level);
    config->set_algorithm_selector(o.selector);
    config->set_timing_cache(o.timing_cache, false);
    config->set_memory_pool_limit(MemoryPoolType::kWORKSPACE, o.workspace_limit);
  }
  return builder.build_serialized_network(*net, *config);
}

}  // namespace

bool gpu_available() {
  return query_cuda_device().available;
}

void expect_gpu_matches_cpu(
    const std::function<void(NetworkDefinition&, std::vector<Tensor*>&)>& define,
    const std::vector<DiffInput>& inputs, const DiffOptions& options) {
  std::mt19937 gen(options.seed);
  std::vector<std::vector<uint8_t>> host_inputs;
  for (const DiffInput& in : inputs) host_inputs.push_back(make_values(in, gen));

  Runtime runtime(harness_logger());
  std::vector<uint8_t> cpu_plan = build(define, inputs, DeviceType::kCPU, options);
  std::vector<uint8_t> gpu_plan = build(define, inputs, DeviceType::kGPU, options);
  auto cpu_engine = runtime.deserialize_cuda_engine(cpu_plan.data(), cpu_plan.size());
  auto gpu_engine = runtime.deserialize_cuda_engine(gpu_plan.data(), gpu_plan.size());
  ASSERT_EQ(gpu_engine->device_type(), DeviceType::kGPU);
  auto cpu_ctx = cpu_engine->create_execution_context();
  auto gpu_ctx = gpu_engine->create_execution_context();

  std::vector<void*> device_buffers;
  cudaStream_t stream = nullptr;
  HARNESS_CUDA(cudaStreamCreate(&stream));
  for (size_t i = 0; i < inputs.size(); ++i) {
    void* d = nullptr;
    HARNESS_CUDA(cudaMalloc(&d, std::max<size_t>(host_inputs[i].size(), 1)));
    HARNESS_CUDA(
        cudaMemcpy(d, host_inputs[i].data(), host_inputs[i].size(), cudaMemcpyHostToDevice));
    device_buffers.push_back(d);
    cpu_ctx->set_tensor_address(inputs[i].name, host_inputs[i].data());
    gpu_ctx->set_tensor_address(inputs[i].name, d);
  }
  struct Output {
    std::string name;
    DataType type;
    std::vector<uint8_t> cpu, gpu;
    void* device = nullptr;
  };
  std::vector<Output> outputs;
  for (int32_t i = 0; i < cpu_engine->num_io_tensors(); ++i) {
    const std::string& name = cpu_engine->get_tensor_name(i);
    if (cpu_engine->get_tensor_mode(name) != TensorIOMode::kOUTPUT) continue;
    Output o{name, cpu_engine->get_tensor_dtype(name), {}, {}, nullptr};
    ASSERT_EQ(gpu_engine->get_tensor_dtype(name), o.type) << name;
    ASSERT_EQ(gpu_ctx->get_tensor_shape(name), cpu_ctx->get_tensor_shape(name)) << name;
    size_t bytes =
        static_cast<size_t>(volume(cpu_ctx->get_tensor_shape(name)) * element_size(o.type));
    o.cpu.assign(bytes, 0xAB);
    o.gpu.assign(bytes, 0xCD);
    HARNESS_CUDA(cudaMalloc(&o.device, std::max<size_t>(bytes, 1)));
    HARNESS_CUDA(cudaMemset(o.device, 0xCD, bytes));  // poison: unwritten elements show up
    outputs.push_back(std::move(o));
  }
  for (Output& o : outputs) {
    cpu_ctx->set_tensor_address(o.name, o.cpu.data());
    gpu_ctx->set_tensor_address(o.name, o.device);
  }
  cpu_ctx->execute_async_v3(nullptr);
  gpu_ctx->execute_async_v3(stream);
  HARNESS_CUDA(cudaStreamSynchronize(stream));
  for (Output& o : outputs) {
    HARNESS_CUDA(cudaMemcpy(o.gpu.data(), o.device, o.gpu.size(), cudaMemcpyDeviceToHost));
    std::vector<double> c = as_doubles(o.cpu, o.type), g = as_doubles(o.gpu, o.type);
    int reported = 0;
    double worst = 0;
    for (size_t i = 0; i < c.size(); ++i) {
      bool ok = std::isnan(c[i]) ? std::isnan(g[i])
                                 : g[i] == c[i] ||  // equal infinities have no finite difference
                                       std::abs(g[i] - c[i]) <=
                                           options.tol.atol + options.tol.rtol * std::abs(c[i]);
      if (!std::isnan(c[i]) && !std::isnan(g[i])) worst = std::max(worst, std::abs(g[i] - c[i]));
      if (!ok && reported++ < 5) {
        ADD_FAILURE() << "output '" << o.name << "' element " << i << ": gpu " << g[i] << ", cpu "
                      << c[i] << " (atol " << options.tol.atol << ", rtol " << options.tol.rtol
                      << ")";
      }
    }
    if (reported > 5)
      ADD_FAILURE() << "output '" << o.name << "': " << reported << " elements differ";
    ::testing::Test::RecordProperty("max_abs_error_" + o.name, std::to_string(worst));
    cudaFree(o.device);
  }
  for (void* d : device_buffers) cudaFree(d);
  cudaStreamDestroy(stream);
}

}  // namespace kiln::test
