// A ResNet-50-sized network written with kiln's API (random weights; batch normalization folded
// into the convolution biases, as a deployed model has it): the 7x7 stem, 3-4-6-3 bottleneck
// blocks with projection shortcuts, global average pooling, a 1000-way fully connected layer and
// softmax. 53 convolutions, 25.5 M parameters. Used to measure build times.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "workloads.h"

namespace kiln::bench {

class ResNet50 {
 public:
  // Input "image" [N, 3, 224, 224] with N dynamic (-1); output "prob" [N, 1000, 1, 1].
  void define(NetworkDefinition& net) {
    Tensor* x = net.add_input("image", DataType::kFLOAT, Dims{-1, 3, 224, 224});
    x = conv(net, *x, 64, 7, 2, 3, true, "stem");
    PoolingLayer* pool = net.add_pooling_nd(*x, PoolingType::kMAX, Dims{3, 3});
    pool->set_stride_nd(Dims{2, 2});
    pool->set_padding_nd(Dims{1, 1});
    x = pool->get_output(0);
    const int blocks[4] = {3, 4, 6, 3};
    int64_t in_maps = 64;
    for (int stage = 0; stage < 4; ++stage) {
      int64_t width = int64_t{64} << stage;
      for (int b = 0; b < blocks[stage]; ++b) {
        std::string name = "s" + std::to_string(stage + 1) + "b" + std::to_string(b + 1);
        int stride = (b == 0 && stage > 0) ? 2 : 1;
        Tensor* y = conv(net, *x, width, 1, 1, 0, true, name + ".conv1");
        y = conv(net, *y, width, 3, stride, 1, true, name + ".conv2");
        y = conv(net, *y, width * 4, 1, 1, 0, false, name + ".conv3");
        Tensor* shortcut = x;
        if (b == 0) shortcut = conv(net, *x, width * 4, 1, stride, 0, false, name + ".proj");
        y = net.add_elementwise(*y, *shortcut, ElementWiseOperation::kSUM)->get_output(0);
        x = net.add_activation(*y, ActivationType::kRELU)->get_output(0);
        in_maps = width * 4;
      }
    }
    x = net.add_reduce(*x, ReduceOperation::kAVG, 0b1100, true)->get_output(0);  // [N,2048,1,1]
    Layer* fc =
        net.add_fully_connected(*x, 1000, weights(in_maps * 1000, in_maps), weights(1000, 0));
    SoftMaxLayer* softmax = net.add_softmax(*fc->get_output(0));
    softmax->set_axes(1u << 1);
    softmax->get_output(0)->set_name("prob");
    net.mark_output(*softmax->get_output(0));
  }

  int64_t parameters() const { return parameters_; }

 private:
  Tensor* conv(NetworkDefinition& net, Tensor& x, int64_t maps, int64_t k, int64_t stride,
               int64_t pad, bool relu, const std::string& name) {
    int64_t in = x.dimensions().d[1];
    ConvolutionLayer* c = net.add_convolution_nd(
        x, maps, Dims{k, k}, weights(maps * in * k * k, in * k * k), weights(maps, 0));
    c->set_stride_nd(Dims{stride, stride});
    c->set_padding_nd(Dims{pad, pad});
    c->set_name(name);
    Tensor* y = c->get_output(0);
    if (relu) y = net.add_activation(*y, ActivationType::kRELU)->get_output(0);
    return y;
  }

  // He-scaled uniform weights for `fan_in` inputs (biases, fan_in 0, small).
  Weights weights(int64_t count, int64_t fan_in) {
    float scale = fan_in > 0 ? std::sqrt(6.0f / static_cast<float>(fan_in)) : 0.05f;
    store_.push_back(random_uniform(static_cast<size_t>(count), store_.size() + 1, -scale, scale));
    parameters_ += count;
    return Weights{DataType::kFLOAT, store_.back().data(), count};
  }

  std::vector<std::vector<float>> store_;
  int64_t parameters_ = 0;
};

}  // namespace kiln::bench
