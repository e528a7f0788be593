// Run-time shape tensors on the GPU: a network whose reshape dims, slice size (expand) and fill
// length come from shape arithmetic on its input's dims, built once for a dynamic profile, runs
// at several shapes and matches the CPU backend. Skipped without a GPU.
#include <cuda_runtime_api.h>

#include <memory>
#include <numeric>

#include "cuda/differential.h"

namespace kiln::test {
namespace {

Logger& quiet() {
  static Logger logger(Logger::Severity::kWARNING);
  return logger;
}

Tensor& int64s(NetworkDefinition& n, const std::vector<int64_t>& v) {
  return *n.add_constant(Dims{static_cast<int64_t>(v.size())},
                         Weights{DataType::kINT64, v.data(), static_cast<int64_t>(v.size())})
              ->get_output(0);
}

// y = reshape(x [B, S, 6], [B * S, 6]) + expand(row [1, 6], [B * S, 6]) + range(6) for x.
void define(NetworkDefinition& n) {
  Tensor& x = *n.add_input("x", DataType::kFLOAT, Dims{-1, -1, 6});
  Tensor& shape = *n.add_shape(x)->get_output(0);
  Tensor& bs = *n.add_reduce(*n.add_slice(shape, Dims{0}, Dims{2}, Dims{1})->get_output(0),
                             ReduceOperation::kPROD, 1u, true)
                    ->get_output(0);
  Tensor* parts[2] = {&bs, &int64s(n, {6})};
  Tensor& spec = *n.add_concatenation(parts, 2)->get_output(0);
  ShuffleLayer& reshape = *n.add_shuffle(x);
  reshape.set_input(1, spec);
  static const float row[6] = {1, 2, 3, 4, 5, 6};
  Tensor& c = *n.add_constant(Dims{1, 6}, Weights{DataType::kFLOAT, row, 6})->get_output(0);
  SliceLayer& expand = *n.add_slice(c, Dims{0, 0}, Dims{0, 0}, Dims{0, 1});
  expand.set_input(2, spec);
  FillLayer& fill = *n.add_fill(Dims{0}, FillOperation::kLINSPACE, DataType::kFLOAT);
  fill.set_alpha(0.5);
  fill.set_beta(1.0);
  fill.set_input(0, *n.add_slice(spec, Dims{1}, Dims{1}, Dims{1})->get_output(0));
  Tensor& sum =
      *n.add_elementwise(*reshape.get_output(0), *expand.get_output(0), ElementWiseOperation::kSUM)
           ->get_output(0);
  Tensor& y =
      *n.add_elementwise(sum, *fill.get_output(0), ElementWiseOperation::kSUM)->get_output(0);
  y.set_name("y");
  n.mark_output(y);
}

std::unique_ptr<Engine> build(DeviceType device) {
  Builder builder(quiet());
  auto n = builder.create_network();
  define(*n);
  auto config = builder.create_builder_config();
  config->set_default_device_type(device);
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("x", Dims{1, 1, 6}, Dims{2, 8, 6}, Dims{4, 16, 6});
  config->add_optimization_profile(*p);
  std::vector<uint8_t> plan = builder.build_serialized_network(*n, *config);
  Runtime runtime(quiet());
  return runtime.deserialize_cuda_engine(plan.data(), plan.size());
}

TEST(GpuShapeTensors, DynamicReshapeExpandAndFillMatchTheCpuAtSeveralShapes) {
  KILN_REQUIRE_GPU();
  auto gpu = build(DeviceType::kGPU);
  auto cpu = build(DeviceType::kCPU);
  ASSERT_NE(gpu, nullptr);
  ASSERT_NE(cpu, nullptr);
  auto gctx = gpu->create_execution_context();
  auto cctx = cpu->create_execution_context();
  float *dx = nullptr, *dy = nullptr;
  size_t max_elems = 4 * 16 * 6;
  ASSERT_EQ(cudaMalloc(reinterpret_cast<void**>(&dx), max_elems * sizeof(float)), cudaSuccess);
  ASSERT_EQ(cudaMalloc(reinterpret_cast<void**>(&dy), max_elems * sizeof(float)), cudaSuccess);
  for (Dims at : {Dims{2, 8, 6}, Dims{4, 16, 6}, Dims{3, 5, 6}, Dims{1, 1, 6}}) {
    size_t n = static_cast<size_t>(volume(at));
    std::vector<float> x(n);
    std::iota(x.begin(), x.end(), -7.0f);
    cctx->set_input_shape("x", at);
    gctx->set_input_shape("x", at);
    Dims expected_dims{at.d[0] * at.d[1], 6};
    ASSERT_EQ(cctx->get_tensor_shape("y"), expected_dims);
    ASSERT_EQ(gctx->get_tensor_shape("y"), expected_dims);
    std::vector<float> ref(n), out(n, -999.0f);
    cctx->set_tensor_address("x", x.data());
    cctx->set_tensor_address("y", ref.data());
    cctx->execute_async_v3(nullptr);
    ASSERT_EQ(cudaMemcpy(dx, x.data(), n * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
    gctx->set_tensor_address("x", dx);
    gctx->set_tensor_address("y", dy);
    gctx->execute_async_v3(nullptr);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    ASSERT_EQ(cudaMemcpy(out.data(), dy, n * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
    for (size_t i = 0; i < n; ++i) {
      float hand = x[i] + static_cast<float>(i % 6 + 1) + 0.5f + static_cast<float>(i % 6);
      ASSERT_EQ(ref[i], hand) << to_string(at) << " element " << i;
      ASSERT_EQ(out[i], ref[i]) << to_string(at) << " element " << i;
    }
  }
  cudaFree(dx);
  cudaFree(dy);
}

}  // namespace
}  // namespace kiln::test
