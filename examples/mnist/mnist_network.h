// The MNIST-style CNN of kiln's examples and tests, written with the C++ network API:
// conv 5x5->32 pad 2 + relu + maxpool 2; conv 5x5->64 pad 2 + relu + maxpool 2; flatten to
// [-1, 3136]; matmul 3136x1024 + bias + relu; matmul 1024x10 + bias; softmax; top-1.
#pragma once

#include <random>
#include <vector>

#include "kiln/kiln.h"

namespace kiln::examples {

inline std::vector<float> uniform(int64_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(gen);
  return v;
}

inline Weights weights_of(const std::vector<float>& v) {
  return Weights{DataType::kFLOAT, v.data(), static_cast<int64_t>(v.size())};
}

// Random weights, the same on every run (the example has no training data).
struct MnistWeights {
  std::vector<float> conv1_w = uniform(32 * 1 * 5 * 5, 1, -0.2f, 0.2f);
  std::vector<float> conv1_b = uniform(32, 2, -0.1f, 0.1f);
  std::vector<float> conv2_w = uniform(64 * 32 * 5 * 5, 3, -0.035f, 0.035f);
  std::vector<float> conv2_b = uniform(64, 4, -0.1f, 0.1f);
  std::vector<float> fc1_w = uniform(3136 * 1024, 5, -0.03f, 0.03f);  // [3136, 1024]
  std::vector<float> fc1_b = uniform(1024, 6, -0.1f, 0.1f);
  std::vector<float> fc2_w = uniform(1024 * 10, 7, -0.06f, 0.06f);  // [1024, 10]
  std::vector<float> fc2_b = uniform(10, 8, -0.1f, 0.1f);
};

// Input "image" [-1, 1, 28, 28]. Outputs "prob" [N, 10] and "class" [N, 1] (int32).
inline void define_mnist(NetworkDefinition& net, const MnistWeights& w) {
  Tensor* x = net.add_input("image", DataType::kFLOAT, Dims{-1, 1, 28, 28});
  auto* c1 =
      net.add_convolution_nd(*x, 32, Dims{5, 5}, weights_of(w.conv1_w), weights_of(w.conv1_b));
  c1->set_padding_nd(Dims{2, 2});
  auto* r1 = net.add_activation(*c1->get_output(0), ActivationType::kRELU);
  auto* p1 = net.add_pooling_nd(*r1->get_output(0), PoolingType::kMAX, Dims{2, 2});
  auto* c2 = net.add_convolution_nd(*p1->get_output(0), 64, Dims{5, 5}, weights_of(w.conv2_w),
                                    weights_of(w.conv2_b));
  c2->set_padding_nd(Dims{2, 2});
  auto* r2 = net.add_activation(*c2->get_output(0), ActivationType::kRELU);
  auto* p2 = net.add_pooling_nd(*r2->get_output(0), PoolingType::kMAX, Dims{2, 2});
  auto* flat = net.add_shuffle(*p2->get_output(0));
  flat->set_reshape_dimensions(Dims{-1, 3136});
  auto* w1 = net.add_constant(Dims{3136, 1024}, weights_of(w.fc1_w));
  auto* m1 = net.add_matrix_multiply(*flat->get_output(0), MatrixOperation::kNONE,
                                     *w1->get_output(0), MatrixOperation::kNONE);
  auto* b1 = net.add_constant(Dims{1, 1024}, weights_of(w.fc1_b));
  auto* s1 =
      net.add_elementwise(*m1->get_output(0), *b1->get_output(0), ElementWiseOperation::kSUM);
  auto* r3 = net.add_activation(*s1->get_output(0), ActivationType::kRELU);
  auto* w2 = net.add_constant(Dims{1024, 10}, weights_of(w.fc2_w));
  auto* m2 = net.add_matrix_multiply(*r3->get_output(0), MatrixOperation::kNONE, *w2->get_output(0),
                                     MatrixOperation::kNONE);
  auto* b2 = net.add_constant(Dims{1, 10}, weights_of(w.fc2_b));
  auto* s2 =
      net.add_elementwise(*m2->get_output(0), *b2->get_output(0), ElementWiseOperation::kSUM);
  auto* sm = net.add_softmax(*s2->get_output(0));
  sm->set_axes(1u << 1);
  auto* top = net.add_topk(*sm->get_output(0), TopKOperation::kMAX, 1, 1u << 1);
  sm->get_output(0)->set_name("prob");
  top->get_output(1)->set_name("class");
  net.mark_output(*sm->get_output(0));
  net.mark_output(*top->get_output(1));
}

}  // namespace kiln::examples
