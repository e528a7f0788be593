// The optimizer's internal ops on the GPU against the CPU backend: fused pointwise regions as
// NVRTC-generated kernels (vectorized and strided paths, several outputs, bool, fp16) and the
// layer_norm kernel (vectorized and scalar rows, residual with its sum output, RMSNorm). Skipped
// without a GPU.
#include <cmath>

#include "core/error.h"
#include "cuda/differential.h"

namespace kiln::test {
namespace {

Tensor* constant(NetworkDefinition& net, const Dims& dims, const std::vector<float>& v) {
  return net
      .add_constant(dims, Weights{DataType::kFLOAT, v.data(), static_cast<int64_t>(v.size())})
      ->get_output(0);
}

std::vector<float>* keep(std::vector<float> v) {
  static std::vector<std::unique_ptr<std::vector<float>>> store;
  store.push_back(std::make_unique<std::vector<float>>(std::move(v)));
  return store.back().get();
}

std::vector<float> wave(size_t n, float phase) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(phase + 0.7f * static_cast<float>(i));
  return v;
}

// y = gelu_erf(x + bias) written out, and t = (x + bias) > 0 selecting x or -x.
void pointwise_chain(NetworkDefinition& net, std::vector<Tensor*>& in, int64_t h) {
  auto* bias = keep(wave(h, 0.3f));
  auto* half = keep({0.5f});
  auto* one = keep({1.0f});
  auto* rsqrt2 = keep({0.70710678f});
  auto* zero = keep({0.0f});
  auto ew = [&](Tensor* a, Tensor* b, ElementWiseOperation op) {
    return net.add_elementwise(*a, *b, op)->get_output(0);
  };
  Tensor* s = ew(in[0], constant(net, Dims{1, h}, *bias), ElementWiseOperation::kSUM);
  Tensor* e = net.add_unary(*ew(s, constant(net, Dims{1, 1}, *rsqrt2), ElementWiseOperation::kPROD),
                            UnaryOperation::kERF)
                  ->get_output(0);
  Tensor* y = ew(ew(s, constant(net, Dims{1, 1}, *half), ElementWiseOperation::kPROD),
                 ew(e, constant(net, Dims{1, 1}, *one), ElementWiseOperation::kSUM),
                 ElementWiseOperation::kPROD);
  Tensor* pos = ew(s, constant(net, Dims{1, 1}, *zero), ElementWiseOperation::kGREATER);
  Tensor* neg = net.add_unary(*in[0], UnaryOperation::kNEG)->get_output(0);
  Tensor* t = net.add_select(*pos, *in[0], *neg)->get_output(0);
  y->set_name("y");
  t->set_name("t");
  net.mark_output(*y);
  net.mark_output(*t);
}

TEST(CudaGenerated, PointwiseChainVectorized) {
  KILN_REQUIRE_GPU();
  expect_gpu_matches_cpu(
      [](NetworkDefinition& n, std::vector<Tensor*>& in) { pointwise_chain(n, in, 64); },
      {{"x", DataType::kFLOAT, Dims{32, 64}}}, {{1e-5, 1e-5}});
}

TEST(CudaGenerated, PointwiseChainScalarTailAndFp16) {
  KILN_REQUIRE_GPU();
  for (int64_t h : {7, 768}) {
    for (bool fp16 : {false, true}) {
      SCOPED_TRACE(str_cat("h ", h, fp16 ? " fp16" : " fp32"));
      DiffOptions o;
      o.fp16 = fp16;
      o.tol = fp16 ? Tolerance{2e-3, 2e-3} : Tolerance{1e-5, 1e-5};
      expect_gpu_matches_cpu(
          [h](NetworkDefinition& n, std::vector<Tensor*>& in) { pointwise_chain(n, in, h); },
          {{"x", DataType::kFLOAT, Dims{5, h}}}, o);
    }
  }
}

TEST(CudaGenerated, PointwiseOuterBroadcastTakesTheStridedPath) {
  KILN_REQUIRE_GPU();
  expect_gpu_matches_cpu(
      [](NetworkDefinition& n, std::vector<Tensor*>& in) {
        Tensor* s = n.add_elementwise(*in[0], *in[1], ElementWiseOperation::kSUM)->get_output(0);
        Tensor* y = n.add_activation(*s, ActivationType::kSILU)->get_output(0);
        Tensor* z = n.add_elementwise(*y, *in[1], ElementWiseOperation::kPROD)->get_output(0);
        z->set_name("z");
        n.mark_output(*z);
      },
      {{"a", DataType::kFLOAT, Dims{16, 1}}, {"b", DataType::kFLOAT, Dims{1, 24}}});
}

void layer_norm(NetworkDefinition& net, std::vector<Tensor*>& in, int64_t h, bool residual_out) {
  auto* g = keep(wave(h, 0.1f));
  auto* b = keep(wave(h, 2.0f));
  Tensor* s = net.add_elementwise(*in[0], *in[1], ElementWiseOperation::kSUM)->get_output(0);
  auto* norm = net.add_normalization(*s, *constant(net, Dims{1, 1, h}, *g),
                                     *constant(net, Dims{1, 1, h}, *b), 4u);
  Tensor* y = norm->get_output(0);
  if (residual_out) {
    y = net.add_elementwise(*y, *s, ElementWiseOperation::kSUM)->get_output(0);
  }
  y->set_name("y");
  net.mark_output(*y);
}

TEST(CudaGenerated, LayerNormWithResidual) {
  KILN_REQUIRE_GPU();
  for (int64_t h : {768, 100, 4096}) {
    for (bool fp16 : {false, true}) {
      for (bool sum_out : {false, true}) {
        SCOPED_TRACE(str_cat("h ", h, fp16 ? " fp16" : " fp32", sum_out ? " sum read" : ""));
        DiffOptions o;
        o.fp16 = fp16;
        o.tol = fp16 ? Tolerance{1e-2, 1e-2} : Tolerance{1e-4, 1e-4};
        expect_gpu_matches_cpu(
            [h, sum_out](NetworkDefinition& n, std::vector<Tensor*>& in) {
              layer_norm(n, in, h, sum_out);
            },
            {{"x", DataType::kFLOAT, Dims{3, 5, h}}, {"r", DataType::kFLOAT, Dims{3, 5, h}}}, o);
      }
    }
  }
}

}  // namespace
}  // namespace kiln::test
