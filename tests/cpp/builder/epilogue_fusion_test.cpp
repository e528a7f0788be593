// Epilogue fusion: which chains the pass fuses (and which it must leave alone), and the CPU
// kernels of fused nodes against the unfused computation.
#include <gtest/gtest.h>

#include <cmath>

#include "builder/passes.h"
#include "e2e/e2e_util.h"
#include "ir/graph.h"
#include "op_test_util.h"
#include "test_util.h"

namespace kiln::builder {
namespace {

using test::HostTensor;
using test::quiet_logger;

// x[4,8] -> mm1 (W1 [8,5]) -> + b1 [1,5] -> relu1 -> mm2 (W2 [5,3]) -> b2 [3] + (bias first)
// -> gelu2 = y; and mm3 (W3 [8,2]) whose output is a network output and feeds relu3 = z.
std::unique_ptr<NetworkDefinition> mlp() {
  static const std::vector<float> w1(40, 0.1f), b1(5, 0.2f), w2(15, 0.3f), b2(3, 0.4f),
      w3(16, 0.5f);
  auto net = std::make_unique<NetworkDefinition>();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{4, 8});
  auto constant = [&](const Dims& d, const std::vector<float>& v, const char* name) {
    ConstantLayer* c = net->add_constant(d, test::weights_of(v));
    c->get_output(0)->set_name(name);
    return c->get_output(0);
  };
  auto layer = [](Layer* l, const char* name) {
    l->set_name(name);
    return l->get_output(0);
  };
  Tensor* h =
      layer(net->add_matrix_multiply(*x, MatrixOperation::kNONE, *constant(Dims{8, 5}, w1, "W1"),
                                     MatrixOperation::kNONE),
            "mm1");
  h = layer(net->add_elementwise(*h, *constant(Dims{1, 5}, b1, "b1"), ElementWiseOperation::kSUM),
            "bias1");
  h = layer(net->add_activation(*h, ActivationType::kRELU), "relu1");
  h = layer(net->add_matrix_multiply(*h, MatrixOperation::kNONE, *constant(Dims{5, 3}, w2, "W2"),
                                     MatrixOperation::kNONE),
            "mm2");
  h = layer(net->add_elementwise(*constant(Dims{3}, b2, "b2"), *h, ElementWiseOperation::kSUM),
            "bias2");
  Tensor* y = layer(net->add_activation(*h, ActivationType::kGELU_ERF), "gelu2");
  y->set_name("y");
  Tensor* m3 =
      layer(net->add_matrix_multiply(*x, MatrixOperation::kNONE, *constant(Dims{8, 2}, w3, "W3"),
                                     MatrixOperation::kNONE),
            "mm3");
  m3->set_name("m3");
  Tensor* z = layer(net->add_activation(*m3, ActivationType::kRELU), "relu3");
  z->set_name("z");
  net->mark_output(*y);
  net->mark_output(*m3);
  net->mark_output(*z);
  return net;
}

TEST(EpilogueFusion, FusesBiasAndActivationChainsOnly) {
  auto net = mlp();
  ir::Graph g = bind_constants(net->graph());
  g = fuse_epilogues(g, quiet_logger());
  g = compact(g);
  std::vector<std::string> names;
  for (const ir::Node& n : g.nodes) names.push_back(n.name);
  std::sort(names.begin(), names.end());
  // mm3's output is a network output: relu3 must stay a layer of its own.
  EXPECT_EQ(names, (std::vector<std::string>{"mm1 + bias1 + relu1", "mm2 + bias2 + gelu2", "mm3",
                                             "relu3"}));
  for (const ir::Node& n : g.nodes) {
    if (n.name == "mm2 + bias2 + gelu2") {
      ASSERT_EQ(n.inputs.size(), 3u);
      EXPECT_EQ(g.tensors[n.inputs[2]].dims, (Dims{3}));
      EXPECT_EQ(g.tensors[n.outputs[0]].name, "y");
      const FusedActivation& e = n.get<MatrixMultiplyAttrs>().epilogue;
      EXPECT_TRUE(e.enabled);
      EXPECT_EQ(e.type, ActivationType::kGELU_ERF);
    }
    if (n.name == "mm3") EXPECT_FALSE(n.get<MatrixMultiplyAttrs>().epilogue.enabled);
  }
  ir::infer_graph(g);  // the fused graph is valid
}

TEST(EpilogueFusion, LeavesBiasesThatDoNotRunAlongTheLastDim) {
  static const std::vector<float> w(6, 1.0f), b(2, 1.0f);
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{2, 3});
  Tensor* w_t = net.add_constant(Dims{3, 2}, test::weights_of(w))->get_output(0);
  Tensor* mm = net.add_matrix_multiply(*x, MatrixOperation::kNONE, *w_t, MatrixOperation::kNONE)
                   ->get_output(0);                                                // [2, 2]
  Tensor* b_t = net.add_constant(Dims{2, 1}, test::weights_of(b))->get_output(0);  // per row
  net.mark_output(*net.add_elementwise(*mm, *b_t, ElementWiseOperation::kSUM)->get_output(0));
  ir::Graph g = fuse_epilogues(bind_constants(net.graph()), quiet_logger());
  g = compact(g);
  EXPECT_EQ(g.nodes.size(), 2u);
}

std::vector<float> relu(std::vector<float> v) {
  for (float& x : v) x = std::max(x, 0.0f);
  return v;
}

TEST(EpilogueFusion, CpuKernelsOfFusedNodesMatchTheUnfusedChain) {
  std::vector<float> a = test::random_floats(3 * 4 * 5, 1), b = test::random_floats(5 * 6, 2),
                     bias = test::random_floats(6, 3);
  MatrixMultiplyAttrs plain;
  std::vector<float> product =
      test::run_cpu(plain, {HostTensor::f32(Dims{3, 4, 5}, a), HostTensor::f32(Dims{5, 6}, b)})[0]
          .values<float>();
  for (size_t i = 0; i < product.size(); ++i) product[i] += bias[i % 6];
  MatrixMultiplyAttrs fused;
  fused.epilogue = {true, ActivationType::kRELU, 0.0f, 0.0f};
  std::vector<float> got =
      test::run_cpu(fused, {HostTensor::f32(Dims{3, 4, 5}, a), HostTensor::f32(Dims{5, 6}, b),
                            HostTensor::f32(Dims{6}, bias)})[0]
          .values<float>();
  std::vector<float> want = relu(product);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_FLOAT_EQ(got[i], want[i]) << i;
  expect_error(
      [&] {
        test::run_cpu(fused, {HostTensor::f32(Dims{3, 4, 5}, a), HostTensor::f32(Dims{5, 6}, b),
                              HostTensor::f32(Dims{5}, std::vector<float>(5, 0.0f))});
      },
      {"fused bias", "vector of 6"});

  ConvolutionAttrs conv;
  conv.num_output_maps = 2;
  conv.kernel_shape = Dims{1, 1};
  conv.stride = Dims{1, 1};
  conv.pre_padding = conv.post_padding = Dims{0, 0};
  conv.dilation = Dims{1, 1};
  std::vector<float> x = test::random_floats(1 * 3 * 2 * 2, 4), w = test::random_floats(6, 5);
  std::vector<HostTensor> in = {HostTensor::f32(Dims{1, 3, 2, 2}, x),
                                HostTensor::f32(Dims{2, 3, 1, 1}, w)};
  std::vector<float> unfused = test::run_cpu(conv, in)[0].values<float>();
  conv.epilogue = {true, ActivationType::kRELU, 0.0f, 0.0f};
  EXPECT_EQ(test::run_cpu(conv, in)[0].values<float>(), relu(unfused));
}

}  // namespace
}  // namespace kiln::builder
