// Fused epilogues on the GPU against the unfused CPU engine: matrix multiply + bias + activation
// (cuBLASLt's epilogues where it has them, kiln's kernels after the product otherwise) and
// convolution + bias + activation (a fused cuDNN graph for ReLU), for every tactic source and in
// fp16. Skipped without a GPU.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "cuda/differential.h"

namespace kiln::test {
namespace {

constexpr uint32_t bit(TacticSource s) {
  return 1u << static_cast<uint32_t>(s);
}
const uint32_t kLibraries = 0xF;
const uint32_t kOwn = bit(TacticSource::kKILN);

// Records the layer names the GPU build ends up with.
class Names : public AlgorithmSelector {
 public:
  std::vector<int32_t> select_algorithms(const AlgorithmContext&,
                                         std::span<const Algorithm>) override {
    return {};
  }
  void report_algorithms(std::span<const AlgorithmContext> contexts,
                         std::span<const Algorithm>) override {
    names.clear();
    for (const AlgorithmContext& c : contexts) names.push_back(c.layer_name);
  }
  std::vector<std::string> names;
};

std::vector<float> values(size_t n, float scale, float phase) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(phase + 0.61f * static_cast<float>(i));
  return v;
}

struct MatmulCase {
  ActivationType act;
  Dims a;
  Dims bias;  // the constant's shape: [N], [1, N] or [1, 1, N]
  bool bias_first;
};

void expect_fused_matmul(const MatmulCase& c, uint32_t sources, bool fp16) {
  SCOPED_TRACE(str_cat("activation ", static_cast<int>(c.act), " a ", c.a, " bias ", c.bias,
                       fp16 ? " fp16" : " fp32", sources == kOwn ? " own kernels" : " libraries"));
  const int64_t k = c.a.d[c.a.nb_dims - 1], n = 24;
  std::vector<float> w = values(static_cast<size_t>(k * n), 0.3f, 0.1f);
  std::vector<float> bias = values(static_cast<size_t>(n), 0.5f, 1.3f);
  Names names;
  DiffOptions o;
  o.tactic_sources = sources;
  o.fp16 = fp16;
  o.selector = &names;
  o.tol = fp16 ? Tolerance{2e-2, 2e-2} : Tolerance{1e-5, 1e-5};
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        Tensor* wt =
            net.add_constant(Dims{k, n}, Weights{DataType::kFLOAT, w.data(), k * n})->get_output(0);
        MatrixMultiplyLayer* mm =
            net.add_matrix_multiply(*in[0], MatrixOperation::kNONE, *wt, MatrixOperation::kNONE);
        mm->set_name("mm");
        Tensor* bt =
            net.add_constant(c.bias, Weights{DataType::kFLOAT, bias.data(), n})->get_output(0);
        ElementWiseLayer* add =
            c.bias_first ? net.add_elementwise(*bt, *mm->get_output(0), ElementWiseOperation::kSUM)
                         : net.add_elementwise(*mm->get_output(0), *bt, ElementWiseOperation::kSUM);
        add->set_name("bias");
        ActivationLayer* act = net.add_activation(*add->get_output(0), c.act);
        act->set_name("act");
        net.mark_output(*act->get_output(0));
      },
      {{"x", DataType::kFLOAT, c.a, -1.0, 1.0, {}}}, o);
  EXPECT_NE(std::find(names.names.begin(), names.names.end(), "mm + bias + act"), names.names.end())
      << "the GPU build did not fuse the chain";
}

TEST(CudaFusion, MatrixMultiplyBiasActivation) {
  KILN_REQUIRE_GPU();
  const MatmulCase cases[] = {
      {ActivationType::kRELU, Dims{40, 32}, Dims{24}, false},         // cuBLASLt RELU_BIAS
      {ActivationType::kGELU_TANH, Dims{40, 32}, Dims{1, 24}, true},  // cuBLASLt GELU_BIAS
      {ActivationType::kGELU_ERF, Dims{40, 32}, Dims{24}, false},     // bias native, GELU after
      {ActivationType::kRELU, Dims{2, 3, 10, 32}, Dims{1, 1, 24}, false},  // strided batch
      {ActivationType::kSIGMOID, Dims{7, 1, 32}, Dims{24}, true},
  };
  for (const MatmulCase& c : cases) {
    for (uint32_t sources : {kLibraries, kOwn}) {
      for (bool fp16 : {false, true}) expect_fused_matmul(c, sources, fp16);
    }
  }
}

TEST(CudaFusion, ConvolutionBiasActivation) {
  KILN_REQUIRE_GPU();
  for (ActivationType act : {ActivationType::kRELU, ActivationType::kSIGMOID}) {
    for (bool with_bias : {true, false}) {
      for (uint32_t sources : {kLibraries, kOwn}) {
        for (bool fp16 : {false, true}) {
          SCOPED_TRACE(str_cat("activation ", static_cast<int>(act), with_bias ? " bias" : "",
                               fp16 ? " fp16" : " fp32", sources == kOwn ? " own" : " libraries"));
          std::vector<float> w = values(16 * 8 * 9, 0.2f, 0.3f), b = values(16, 0.4f, 2.0f);
          Names names;
          DiffOptions o;
          o.tactic_sources = sources;
          o.fp16 = fp16;
          o.selector = &names;
          o.tol = fp16 ? Tolerance{2e-2, 2e-2} : Tolerance{1e-5, 1e-5};
          expect_gpu_matches_cpu(
              [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
                ConvolutionLayer* conv = net.add_convolution_nd(
                    *in[0], 16, Dims{3, 3}, Weights{DataType::kFLOAT, w.data(), 16 * 8 * 9},
                    with_bias ? Weights{DataType::kFLOAT, b.data(), 16} : Weights{});
                conv->set_padding_nd(Dims{1, 1});
                conv->set_name("conv");
                ActivationLayer* a = net.add_activation(*conv->get_output(0), act);
                a->set_name("act");
                net.mark_output(*a->get_output(0));
              },
              {{"x", DataType::kFLOAT, Dims{2, 8, 10, 10}, -1.0, 1.0, {}}}, o);
          EXPECT_NE(std::find(names.names.begin(), names.names.end(), "conv + act"),
                    names.names.end());
        }
      }
    }
  }
}

}  // namespace
}  // namespace kiln::test
