// Differential tests of the CUDA matrix_multiply tactics (cuBLASLt, and kiln's own GEMM kernel with
// cuBLASLt switched off) against the CPU reference: odd sizes, every operation, batches, fp16/bf16.
//
// Tolerances: inputs lie in [-1, 1] and both sides accumulate in float32 in different orders, so
// the error of a K-term dot product grows like sqrt(K): float32 allows 1e-4 * sqrt(K). float16 and
// bfloat16 outputs may also round one unit in the last place apart (2^-10 and 2^-7 relative), and
// the kFP16 build rounds its inputs to float16 too, which the CPU does not: they allow more.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backends/device.h"
#include "cuda/differential.h"
#include "e2e/e2e_util.h"

namespace kiln::test {
namespace {

constexpr uint32_t bit(TacticSource s) {
  return 1u << static_cast<uint32_t>(s);
}

struct Source {
  const char* tactic;  // the tactic the builder picks with this mask
  uint32_t mask;
};
// The builder prefers cuBLASLt when it is allowed; without it, kiln's kernel runs.
// cuBLAS takes products with at most one batch dim; with more, kiln's kernel runs instead.
const Source kSources[] = {
    {"cuda.cublaslt.matrix_multiply", bit(TacticSource::kCUBLAS_LT) | bit(TacticSource::kKILN)},
    {"cuda.cublas.matrix_multiply", bit(TacticSource::kCUBLAS) | bit(TacticSource::kKILN)},
    {"cuda.kiln.matrix_multiply", bit(TacticSource::kKILN)}};

constexpr MatrixOperation kNone = MatrixOperation::kNONE;
constexpr MatrixOperation kTrans = MatrixOperation::kTRANSPOSE;
constexpr MatrixOperation kVector = MatrixOperation::kVECTOR;

Tolerance tolerance(DataType type, int64_t k) {
  double root = std::sqrt(static_cast<double>(std::max<int64_t>(k, 1)));
  switch (type) {
    case DataType::kHALF:
      return {1e-3 * root, 2e-3};
    case DataType::kBF16:
      return {1e-3 * root, 1.6e-2};
    default:
      return {1e-4 * root, 1e-5};
  }
}

std::string op_name(MatrixOperation op) {
  return op == kNone ? "N" : op == kTrans ? "T" : "V";
}

// a (op_a) x b (op_b) on the GPU with `source`'s tactics vs the CPU; values in [-1, 1]. k is the
// inner dim (for the default tolerance); `options` gives fp16 and a tolerance when it has any.
void expect_matmul(const Source& source, DataType type, const Dims& a, MatrixOperation op_a,
                   const Dims& b, MatrixOperation op_b, int64_t k,
                   std::optional<DiffOptions> given = std::nullopt) {
  SCOPED_TRACE(std::string(source.tactic) + " " + to_string(type) + " " + to_string(a) +
               op_name(op_a) + " x " + to_string(b) + op_name(op_b));
  DiffInput in_a{"a", type, a, -1.0, 1.0, {}};
  DiffInput in_b{"b", type, b, -1.0, 1.0, {}};
  DiffOptions options;
  options.tol = tolerance(type, k);
  if (given) options = *given;
  options.tactic_sources = source.mask;
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        MatrixMultiplyLayer* mm = net.add_matrix_multiply(*in[0], op_a, *in[1], op_b);
        net.mark_output(*mm->get_output(0));
      },
      {in_a, in_b}, options);
}

// [M,K] ([K,M] transposed) x [K,N] ([N,K] transposed), with optional leading batch dims on each.
void expect_product(const Source& source, DataType type, int64_t m, int64_t k, int64_t n,
                    MatrixOperation op_a, MatrixOperation op_b, const Dims& batch_a = {},
                    const Dims& batch_b = {}) {
  Dims a = batch_a, b = batch_b;
  a.d[a.nb_dims++] = op_a == kTrans ? k : m;
  a.d[a.nb_dims++] = op_a == kTrans ? m : k;
  b.d[b.nb_dims++] = op_b == kTrans ? n : k;
  b.d[b.nb_dims++] = op_b == kTrans ? k : n;
  expect_matmul(source, type, a, op_a, b, op_b, k);
}

struct Mkn {
  int64_t m, k, n;
};

TEST(CudaMatrixMultiply, OddSizesEveryTransposeCombination) {
  KILN_REQUIRE_GPU();
  // Every size of {1, 7, 33, 130, 257} in every role, none a multiple of the kernel's tiles.
  const Mkn sizes[] = {{1, 1, 1},    {1, 257, 7},  {7, 33, 130},  {33, 130, 1},   {130, 7, 257},
                       {257, 1, 33}, {33, 33, 33}, {130, 130, 7}, {257, 257, 257}};
  for (const Source& source : kSources) {
    for (const Mkn& s : sizes) {
      for (MatrixOperation op_a : {kNone, kTrans}) {
        for (MatrixOperation op_b : {kNone, kTrans}) {
          expect_product(source, DataType::kFLOAT, s.m, s.k, s.n, op_a, op_b);
        }
      }
    }
  }
}

TEST(CudaMatrixMultiply, VectorOperands) {
  KILN_REQUIRE_GPU();
  for (const Source& source : kSources) {
    for (int64_t k : {1, 33, 257}) {
      expect_matmul(source, DataType::kFLOAT, Dims{k}, kVector, Dims{k, 130}, kNone, k);   // [130]
      expect_matmul(source, DataType::kFLOAT, Dims{k}, kVector, Dims{7, k}, kTrans, k);    // [7]
      expect_matmul(source, DataType::kFLOAT, Dims{33, k}, kNone, Dims{k}, kVector, k);    // [33]
      expect_matmul(source, DataType::kFLOAT, Dims{k, 130}, kTrans, Dims{k}, kVector, k);  // [130]
      expect_matmul(source, DataType::kFLOAT, Dims{k}, kVector, Dims{k}, kVector, k);  // a scalar
      expect_matmul(source, DataType::kFLOAT, Dims{3, k}, kVector, Dims{3, k, 7}, kNone,
                    k);  // [3,7]
      expect_matmul(source, DataType::kFLOAT, Dims{2, 33, k}, kNone, Dims{k}, kVector,
                    k);  // [2,33]
      expect_matmul(source, DataType::kFLOAT, Dims{4, k}, kVector, Dims{4, k}, kVector, k);  // [4]
    }
  }
}

TEST(CudaMatrixMultiply, Batched) {
  KILN_REQUIRE_GPU();
  for (const Source& source : kSources) {
    for (MatrixOperation op_a : {kNone, kTrans}) {
      for (MatrixOperation op_b : {kNone, kTrans}) {
        expect_product(source, DataType::kFLOAT, 33, 7, 130, op_a, op_b, Dims{3}, Dims{3});
        expect_product(source, DataType::kFLOAT, 1, 130, 7, op_a, op_b, Dims{2, 3}, Dims{2, 3});
      }
    }
    expect_product(source, DataType::kFLOAT, 64, 64, 64, kNone, kNone, Dims{5}, Dims{5});
  }
}

TEST(CudaMatrixMultiply, BroadcastBatch) {
  KILN_REQUIRE_GPU();
  for (const Source& source : kSources) {
    for (MatrixOperation op_a : {kNone, kTrans}) {
      for (MatrixOperation op_b : {kNone, kTrans}) {
        expect_product(source, DataType::kFLOAT, 33, 7, 130, op_a, op_b, Dims{4},
                       Dims{});  // [B,M,K] x [K,N]
        expect_product(source, DataType::kFLOAT, 33, 7, 130, op_a, op_b, Dims{1},
                       Dims{4});  // [1,M,K] x [B,K,N]
      }
    }
    // Patterns that are not one strided batch: cuBLASLt loops over the leading dims.
    expect_product(source, DataType::kFLOAT, 7, 33, 9, kNone, kNone, Dims{3, 1}, Dims{1, 4});
    expect_product(source, DataType::kFLOAT, 7, 33, 9, kTrans, kNone, Dims{2, 3}, Dims{3});
    expect_product(source, DataType::kFLOAT, 7, 33, 9, kNone, kTrans, Dims{4}, Dims{2, 1});
    expect_product(source, DataType::kFLOAT, 7, 33, 9, kNone, kNone, Dims{2, 1, 3}, Dims{1, 5, 3});
  }
}

TEST(CudaMatrixMultiply, HalfAndBFloat16) {
  KILN_REQUIRE_GPU();
  for (const Source& source : kSources) {
    for (DataType type : {DataType::kHALF, DataType::kBF16}) {
      for (MatrixOperation op_a : {kNone, kTrans}) {
        for (MatrixOperation op_b : {kNone, kTrans}) {
          expect_product(source, type, 33, 130, 7, op_a, op_b);
          expect_product(source, type, 130, 257, 64, op_a, op_b, Dims{3}, Dims{});
          expect_product(source, type, 8, 64, 16, op_a, op_b, Dims{2}, Dims{2});
        }
      }
      expect_product(source, type, 1, 1, 1, kNone, kNone);
      expect_matmul(source, type, Dims{2, 257}, kVector, Dims{257, 33}, kNone, 257);
      expect_matmul(source, type, Dims{33, 257}, kNone, Dims{257}, kVector, 257);
    }
  }
}

// kFP16 runs the float32 network in float16: the GPU rounds the inputs, the CPU does not.
TEST(CudaMatrixMultiply, Fp16BuildOfFloat32Network) {
  KILN_REQUIRE_GPU();
  for (const Source& source : kSources) {
    for (const Mkn& s : {Mkn{33, 130, 7}, Mkn{130, 257, 33}}) {
      DiffOptions options;
      options.fp16 = true;
      options.tol = {4e-3 * std::sqrt(static_cast<double>(s.k)), 4e-3};
      expect_matmul(source, DataType::kFLOAT, Dims{2, s.m, s.k}, kNone, Dims{s.k, s.n}, kNone, s.k,
                    options);
    }
  }
}

// Scenario (d) of the foundation on the GPU: two independent chains of ten [2,4,128,128] matmuls
// over eleven inputs (variance 1/128 keeps the products near 1 along the chain).
TEST(CudaMatrixMultiply, TwoChainsOfTenBatchedMatmuls) {
  KILN_REQUIRE_GPU();
  const double bound = std::sqrt(3.0 / 128.0);
  std::vector<DiffInput> inputs;
  for (int i = 0; i <= 10; ++i) {
    inputs.push_back(
        {"x" + std::to_string(i), DataType::kFLOAT, Dims{2, 4, 128, 128}, -bound, bound, {}});
  }
  for (const Source& source : kSources) {
    SCOPED_TRACE(source.tactic);
    DiffOptions options;
    options.tactic_sources = source.mask;
    options.tol = {1e-4, 1e-3};
    expect_gpu_matches_cpu(
        [](NetworkDefinition& net, std::vector<Tensor*>& x) {
          Tensor* chain0 = x[0];
          Tensor* chain1 = x[0];
          for (int i = 1; i <= 10; ++i) {
            chain0 = net.add_matrix_multiply(*chain0, kNone, *x[i], kNone)->get_output(0);
            chain1 = net.add_matrix_multiply(*chain1, kNone, *x[11 - i], kNone)->get_output(0);
          }
          chain0->set_name("out0");
          chain1->set_name("out1");
          net.mark_output(*chain0);
          net.mark_output(*chain1);
        },
        inputs, options);
  }
}

// Copies float32 inputs to the device, runs the GPU engine, and returns its outputs.
std::map<std::string, std::vector<float>> run_float_on_gpu(
    ExecutionContext& ctx, const Engine& engine,
    const std::map<std::string, std::pair<Dims, std::vector<float>>>& inputs) {
  std::vector<void*> buffers;
  auto device_buffer = [&](size_t bytes) {
    void* d = nullptr;
    EXPECT_EQ(cudaMalloc(&d, std::max<size_t>(bytes, 1)), cudaSuccess);
    buffers.push_back(d);
    return d;
  };
  for (const auto& [name, value] : inputs) {
    size_t bytes = value.second.size() * sizeof(float);
    void* d = device_buffer(bytes);
    EXPECT_EQ(cudaMemcpy(d, value.second.data(), bytes, cudaMemcpyHostToDevice), cudaSuccess);
    ctx.set_input_shape(name, value.first);
    ctx.set_tensor_address(name, d);
  }
  std::map<std::string, std::vector<float>> outputs;
  std::map<std::string, void*> device_outputs;
  for (int32_t i = 0; i < engine.num_io_tensors(); ++i) {
    const std::string& name = engine.get_tensor_name(i);
    if (engine.get_tensor_mode(name) != TensorIOMode::kOUTPUT) continue;
    outputs[name].assign(static_cast<size_t>(volume(ctx.get_tensor_shape(name))), -12345.0f);
    device_outputs[name] = device_buffer(outputs[name].size() * sizeof(float));
    ctx.set_tensor_address(name, device_outputs[name]);
  }
  cudaStream_t stream = nullptr;
  EXPECT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  ctx.execute_async_v3(stream);
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  for (auto& [name, host] : outputs) {
    EXPECT_EQ(cudaMemcpy(host.data(), device_outputs[name], host.size() * sizeof(float),
                         cudaMemcpyDeviceToHost),
              cudaSuccess);
  }
  cudaStreamDestroy(stream);
  for (void* d : buffers) cudaFree(d);
  return outputs;
}

// One engine, several batch sizes in turn: reshape() must rebuild the descriptors each time.
TEST(CudaMatrixMultiply, FollowsInputShapeChanges) {
  KILN_REQUIRE_GPU();
  for (const Source& source : kSources) {
    SCOPED_TRACE(source.tactic);
    Builder builder(quiet_logger());
    auto net = builder.create_network();
    Tensor* a = net->add_input("a", DataType::kFLOAT, Dims{-1, 33, 7});
    Tensor* b = net->add_input("b", DataType::kFLOAT, Dims{7, 130});
    Tensor* c = net->add_input("c", DataType::kFLOAT, Dims{-1, 130, 9});
    Tensor* ab = net->add_matrix_multiply(*a, kNone, *b, kNone)->get_output(0);    // [B,33,130]
    Tensor* abc = net->add_matrix_multiply(*ab, kNone, *c, kNone)->get_output(0);  // [B,33,9]
    ab->set_name("ab");
    abc->set_name("abc");
    net->mark_output(*ab);
    net->mark_output(*abc);
    auto config = builder.create_builder_config();
    // float32 exactly and the heuristic choice (library first): the tolerances and tactic
    // expectations below assume both; tuning_test.cpp covers TF32 and timed selection.
    config->clear_flag(BuilderFlag::kTF32);
    config->set_builder_optimization_level(0);
    OptimizationProfile* p = builder.create_optimization_profile();
    p->set_shape("a", Dims{1, 33, 7}, Dims{3, 33, 7}, Dims{6, 33, 7});
    p->set_shape("c", Dims{1, 130, 9}, Dims{3, 130, 9}, Dims{6, 130, 9});
    config->add_optimization_profile(*p);
    config->set_tactic_sources(source.mask);
    std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
    Runtime runtime(quiet_logger());
    auto gpu = runtime.deserialize_cuda_engine(plan.data(), plan.size());
    ASSERT_EQ(gpu->device_type(), DeviceType::kGPU);
    auto cpu = build_cpu_engine(builder, *net, *config);
    auto gpu_ctx = gpu->create_execution_context();
    auto cpu_ctx = cpu->create_execution_context();
    for (int64_t batch : {2, 6, 1, 6}) {
      SCOPED_TRACE("batch " + std::to_string(batch));
      std::map<std::string, std::pair<Dims, std::vector<float>>> inputs;
      uint32_t seed = static_cast<uint32_t>(batch) * 7;
      inputs["a"] = {Dims{batch, 33, 7}, uniform(batch * 33 * 7, seed, -1, 1)};
      inputs["b"] = {Dims{7, 130}, uniform(7 * 130, seed + 1, -1, 1)};
      inputs["c"] = {Dims{batch, 130, 9}, uniform(batch * 130 * 9, seed + 2, -1, 1)};
      auto want = run_float(*cpu_ctx, *cpu, inputs);
      auto got = run_float_on_gpu(*gpu_ctx, *gpu, inputs);
      for (const auto& [name, values] : want) {
        ASSERT_EQ(got[name].size(), values.size()) << name;
        for (size_t i = 0; i < values.size(); ++i) {
          ASSERT_NEAR(got[name][i], values[i], 1e-3 + 1e-4 * std::abs(values[i]))
              << name << " element " << i;
        }
      }
    }
  }
}

// CUDA graph mode at fixed addresses: the first run is eager, the second captures the matmul
// (cublasLtMatmul or kiln's kernel) into a graph, the third replays it. The output is poisoned
// before every run, so a replay that writes nothing fails.
TEST(CudaMatrixMultiply, RunsInCudaGraphMode) {
  KILN_REQUIRE_GPU();
  for (const Source& source : kSources) {
    SCOPED_TRACE(source.tactic);
    Builder builder(quiet_logger());
    auto net = builder.create_network();
    Tensor* a = net->add_input("a", DataType::kFLOAT, Dims{4, 33, 130});
    Tensor* b = net->add_input("b", DataType::kFLOAT, Dims{130, 7});
    Tensor* y = net->add_matrix_multiply(*a, kNone, *b, kNone)->get_output(0);
    y->set_name("y");
    net->mark_output(*y);
    auto config = builder.create_builder_config();
    // float32 exactly and the heuristic choice (library first): the tolerances and tactic
    // expectations below assume both; tuning_test.cpp covers TF32 and timed selection.
    config->clear_flag(BuilderFlag::kTF32);
    config->set_builder_optimization_level(0);
    config->set_tactic_sources(source.mask);
    std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
    Runtime runtime(quiet_logger());
    auto gpu = runtime.deserialize_cuda_engine(plan.data(), plan.size());
    auto cpu = build_cpu_engine(builder, *net, *config);
    std::map<std::string, std::pair<Dims, std::vector<float>>> inputs;
    inputs["a"] = {Dims{4, 33, 130}, uniform(4 * 33 * 130, 11, -1, 1)};
    inputs["b"] = {Dims{130, 7}, uniform(130 * 7, 12, -1, 1)};
    auto cpu_ctx = cpu->create_execution_context();
    std::vector<float> want = run_float(*cpu_ctx, *cpu, inputs)["y"];

    auto ctx = gpu->create_execution_context();
    ctx->set_cuda_graph_mode(true);
    std::map<std::string, void*> device;
    for (const auto& [name, value] : inputs) {
      ASSERT_EQ(cudaMalloc(&device[name], value.second.size() * sizeof(float)), cudaSuccess);
      ASSERT_EQ(cudaMemcpy(device[name], value.second.data(), value.second.size() * sizeof(float),
                           cudaMemcpyHostToDevice),
                cudaSuccess);
      ctx->set_tensor_address(name, device[name]);
    }
    ASSERT_EQ(cudaMalloc(&device["y"], want.size() * sizeof(float)), cudaSuccess);
    ctx->set_tensor_address("y", device["y"]);
    cudaStream_t stream = nullptr;
    ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
    for (int run = 0; run < 3; ++run) {
      SCOPED_TRACE("run " + std::to_string(run));
      ASSERT_EQ(cudaMemset(device["y"], 0xFF, want.size() * sizeof(float)), cudaSuccess);  // NaN
      ctx->execute_async_v3(stream);
      ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
      std::vector<float> got(want.size());
      ASSERT_EQ(
          cudaMemcpy(got.data(), device["y"], got.size() * sizeof(float), cudaMemcpyDeviceToHost),
          cudaSuccess);
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_NEAR(got[i], want[i], 1e-4 * std::sqrt(130.0)) << "element " << i;
      }
    }
    cudaStreamDestroy(stream);
    for (auto& [name, d] : device) cudaFree(d);
  }
}

// Which tactic the builder picks for each source mask at optimization level 0 (no timing: the
// library source first), as the algorithm selector's report shows it.
class ChoiceRecorder : public AlgorithmSelector {
 public:
  std::vector<int32_t> select_algorithms(const AlgorithmContext&,
                                         std::span<const Algorithm>) override {
    return {};
  }
  void report_algorithms(std::span<const AlgorithmContext>,
                         std::span<const Algorithm> choices) override {
    chosen.clear();
    for (const Algorithm& a : choices) chosen.push_back(a.implementation);
  }
  std::vector<std::string> chosen;
};

TEST(CudaMatrixMultiplyTactics, SelectionFollowsTacticSources) {
  KILN_REQUIRE_GPU();
  for (DataType type : {DataType::kFLOAT, DataType::kHALF, DataType::kBF16}) {
    Builder builder(quiet_logger());
    auto net = builder.create_network();
    Tensor* a = net->add_input("a", type, Dims{-1, 33, 7});
    Tensor* b = net->add_input("b", type, Dims{7, 130});
    net->mark_output(*net->add_matrix_multiply(*a, kNone, *b, kNone)->get_output(0));
    for (const Source& source : kSources) {
      auto config = builder.create_builder_config();
      OptimizationProfile* p = builder.create_optimization_profile();
      p->set_shape("a", Dims{1, 33, 7}, Dims{2, 33, 7}, Dims{4, 33, 7});
      config->add_optimization_profile(*p);
      config->set_builder_optimization_level(0);
      config->set_tactic_sources(source.mask);
      ChoiceRecorder recorder;
      config->set_algorithm_selector(&recorder);
      builder.build_serialized_network(*net, *config);
      EXPECT_EQ(recorder.chosen, std::vector<std::string>{source.tactic}) << to_string(type);
    }
  }
}

}  // namespace
}  // namespace kiln::test
