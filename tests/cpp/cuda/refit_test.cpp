// Refit on the GPU: an engine refitted to new weights computes what a GPU engine built from them
// computes, including the fused epilogues (convolution + bias + ReLU, matrix multiply + bias +
// ReLU, where the bias is a fused copy of the network's weights) and float16 builds; the
// refitted plan keeps the new weights. Skipped without a GPU.
#include <cuda_runtime_api.h>

#include <cmath>
#include <map>

#include "cuda/differential.h"
#include "plan/plan.h"

namespace kiln::test {
namespace {

std::vector<float> values(size_t n, float scale, float phase) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(phase + 0.37f * static_cast<float>(i));
  return v;
}

Weights w_of(const std::vector<float>& v) {
  return Weights{DataType::kFLOAT, v.data(), static_cast<int64_t>(v.size())};
}

struct Net {
  std::vector<float> conv_w, conv_b, fc_w, fc_b;
  explicit Net(float phase)
      : conv_w(values(8 * 3 * 3 * 3, 0.4f, phase)),
        conv_b(values(8, 0.2f, phase + 1)),
        fc_w(values(8 * 6 * 6 * 10, 0.05f, phase + 2)),
        fc_b(values(10, 0.3f, phase + 3)) {}
};

Logger& logger() {
  static Logger l(Logger::Severity::kERROR);
  return l;
}

// x [2, 3, 8, 8] -> conv "conv1" (8 maps, 3x3, bias) + ReLU -> [2, 288] -> matmul with constant
// "fc_w" + constant "fc_b" [1, 10] + ReLU -> "y" [2, 10].
std::vector<uint8_t> build(const Net& w, DeviceType device, bool fp16) {
  Builder builder(logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{2, 3, 8, 8});
  auto* conv = net->add_convolution_nd(*x, 8, Dims{3, 3}, w_of(w.conv_w), w_of(w.conv_b));
  conv->set_name("conv1");
  auto* r1 = net->add_activation(*conv->get_output(0), ActivationType::kRELU);
  auto* flat = net->add_shuffle(*r1->get_output(0));
  flat->set_reshape_dimensions(Dims{2, 288});
  auto* fc_w = net->add_constant(Dims{288, 10}, w_of(w.fc_w));
  fc_w->set_name("fc_w");
  auto* mm = net->add_matrix_multiply(*flat->get_output(0), MatrixOperation::kNONE,
                                      *fc_w->get_output(0), MatrixOperation::kNONE);
  auto* fc_b = net->add_constant(Dims{1, 10}, w_of(w.fc_b));
  fc_b->set_name("fc_b");
  auto* add =
      net->add_elementwise(*mm->get_output(0), *fc_b->get_output(0), ElementWiseOperation::kSUM);
  auto* r2 = net->add_activation(*add->get_output(0), ActivationType::kRELU);
  r2->get_output(0)->set_name("y");
  net->mark_output(*r2->get_output(0));
  auto config = builder.create_builder_config();
  config->set_default_device_type(device);
  config->set_flag(BuilderFlag::kREFIT);
  config->clear_flag(BuilderFlag::kTF32);
  if (fp16) config->set_flag(BuilderFlag::kFP16);
  config->set_builder_optimization_level(0);  // heuristic tactics: the same in every build
  return builder.build_serialized_network(*net, *config);
}

std::unique_ptr<Engine> load(const std::vector<uint8_t>& plan) {
  Runtime runtime(logger());
  return runtime.deserialize_cuda_engine(plan.data(), plan.size());
}

const std::vector<float>& input() {
  static const std::vector<float> x = values(2 * 3 * 8 * 8, 1.0f, 0.5f);
  return x;
}

std::vector<float> run_gpu(Engine& engine) {
  auto ctx = engine.create_execution_context();
  const std::vector<float>& x = input();
  std::vector<float> y(20);
  void *dx = nullptr, *dy = nullptr;
  EXPECT_EQ(cudaMalloc(&dx, x.size() * 4), cudaSuccess);
  EXPECT_EQ(cudaMalloc(&dy, y.size() * 4), cudaSuccess);
  cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice);
  ctx->set_tensor_address("x", dx);
  ctx->set_tensor_address("y", dy);
  ctx->execute_async_v3(nullptr);
  EXPECT_EQ(cudaMemcpy(y.data(), dy, y.size() * 4, cudaMemcpyDeviceToHost), cudaSuccess);
  cudaFree(dx);
  cudaFree(dy);
  return y;
}

std::vector<float> run_cpu(Engine& engine) {
  auto ctx = engine.create_execution_context();
  std::vector<float> y(20);
  ctx->set_tensor_address("x", const_cast<float*>(input().data()));
  ctx->set_tensor_address("y", y.data());
  ctx->execute_async_v3(nullptr);
  return y;
}

void expect_near(const std::vector<float>& a, const std::vector<float>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], b[i], tol * (1 + std::abs(b[i]))) << "element " << i;
}

void set_all(Refitter& r, const Net& w) {
  r.set_named_weights("conv1.kernel", w_of(w.conv_w));
  r.set_weights("conv1", WeightsRole::kBIAS, w_of(w.conv_b));
  r.set_named_weights("fc_w", w_of(w.fc_w));
  r.set_named_weights("fc_b", w_of(w.fc_b));
}

void expect_refit_matches_rebuild(bool fp16) {
  KILN_REQUIRE_GPU();
  SCOPED_TRACE(fp16 ? "fp16" : "fp32");
  Net w1(0.0f), w2(0.9f);
  std::vector<uint8_t> plan = build(w1, DeviceType::kGPU, fp16);
  // The build fused the bias into the matrix multiply: refit must fill that copy too.
  runtime::EngineData data = plan::read(plan.data(), plan.size());
  bool fused = false;
  for (const ir::WeightsData& wd : data.graph.weights) fused |= wd.name == "fc_b.fused_bias";
  EXPECT_TRUE(fused) << ir::dump(data.graph);

  auto engine = load(plan);
  std::vector<float> before = run_gpu(*engine);
  Refitter refitter(*engine, logger());
  set_all(refitter, w2);
  cudaStream_t stream;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  EXPECT_TRUE(refitter.refit_cuda_engine_async(stream));
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  cudaStreamDestroy(stream);
  std::vector<float> after = run_gpu(*engine);
  EXPECT_NE(after, before);
  double tol = fp16 ? 2e-2 : 1e-5;
  expect_near(after, run_gpu(*load(build(w2, DeviceType::kGPU, fp16))), tol);
  expect_near(after, run_cpu(*load(build(w2, DeviceType::kCPU, false))), fp16 ? 3e-2 : 1e-4);
  // The refitted plan holds the new weights.
  expect_near(run_gpu(*load(engine->serialize())), after, 0);
  // And back, synchronously, in a second refit.
  set_all(refitter, w1);
  EXPECT_TRUE(refitter.refit_cuda_engine());
  expect_near(run_gpu(*engine), before, 0);
}

TEST(CudaRefit, FusedEpiloguesMatchRebuiltEngine) {
  expect_refit_matches_rebuild(false);
}

TEST(CudaRefit, Float16BuildMatchesRebuiltEngine) {
  expect_refit_matches_rebuild(true);
}

TEST(CudaRefit, BadWeightsLeaveGpuEngineUnchanged) {
  KILN_REQUIRE_GPU();
  Net w1(0.0f);
  auto engine = load(build(w1, DeviceType::kGPU, false));
  std::vector<float> before = run_gpu(*engine);
  Refitter refitter(*engine, logger());
  std::vector<float> wrong(7, 1.0f);
  EXPECT_THROW(refitter.set_named_weights("fc_b", w_of(wrong)), Error);
  EXPECT_THROW(refitter.set_named_weights("fc_b.fused_bias", w_of(wrong)), Error);
  EXPECT_TRUE(refitter.refit_cuda_engine());
  EXPECT_EQ(run_gpu(*engine), before);
}

}  // namespace
}  // namespace kiln::test
