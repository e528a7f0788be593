// Scenario (a): an independent double-precision reference for the MNIST-style CNN of
// examples/mnist/mnist_network.h.
#pragma once

#include <cmath>
#include <vector>

#include "e2e/e2e_util.h"
#include "mnist/mnist_network.h"

namespace kiln::test {

using examples::define_mnist;
using examples::MnistWeights;

// Direct loops in double: [n, cin, h, w] -> [n, cout, h, w] for a 5x5 kernel with padding 2.
inline std::vector<double> ref_conv5(const std::vector<double>& x, int n, int cin, int h, int wd,
                                     const std::vector<float>& k, const std::vector<float>& b,
                                     int cout) {
  std::vector<double> y(static_cast<size_t>(n) * cout * h * wd);
  for (int i = 0; i < n; ++i)
    for (int o = 0; o < cout; ++o)
      for (int r = 0; r < h; ++r)
        for (int c = 0; c < wd; ++c) {
          double acc = b[o];
          for (int ci = 0; ci < cin; ++ci)
            for (int kr = 0; kr < 5; ++kr)
              for (int kc = 0; kc < 5; ++kc) {
                int rr = r + kr - 2, cc = c + kc - 2;
                if (rr < 0 || rr >= h || cc < 0 || cc >= wd) continue;
                acc += x[((static_cast<size_t>(i) * cin + ci) * h + rr) * wd + cc] *
                       k[((static_cast<size_t>(o) * cin + ci) * 5 + kr) * 5 + kc];
              }
          y[((static_cast<size_t>(i) * cout + o) * h + r) * wd + c] = std::max(acc, 0.0);  // + relu
        }
  return y;
}

inline std::vector<double> ref_pool2(const std::vector<double>& x, int n, int c, int h, int wd) {
  std::vector<double> y(static_cast<size_t>(n) * c * (h / 2) * (wd / 2));
  for (int i = 0; i < n * c; ++i)
    for (int r = 0; r < h / 2; ++r)
      for (int q = 0; q < wd / 2; ++q) {
        double m = -1e300;
        for (int dr = 0; dr < 2; ++dr)
          for (int dq = 0; dq < 2; ++dq)
            m = std::max(m, x[(static_cast<size_t>(i) * h + 2 * r + dr) * wd + 2 * q + dq]);
        y[(static_cast<size_t>(i) * (h / 2) + r) * (wd / 2) + q] = m;
      }
  return y;
}

// Softmax probabilities [n, 10] of the reference network.
inline std::vector<double> ref_mnist(const std::vector<float>& image, int n,
                                     const MnistWeights& w) {
  std::vector<double> x(image.begin(), image.end());
  x = ref_pool2(ref_conv5(x, n, 1, 28, 28, w.conv1_w, w.conv1_b, 32), n, 32, 28, 28);
  x = ref_pool2(ref_conv5(x, n, 32, 14, 14, w.conv2_w, w.conv2_b, 64), n, 64, 14, 14);
  std::vector<double> h(static_cast<size_t>(n) * 1024), logits(static_cast<size_t>(n) * 10);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < 1024; ++j) {
      double acc = w.fc1_b[j];
      for (int p = 0; p < 3136; ++p)
        acc += x[static_cast<size_t>(i) * 3136 + p] * w.fc1_w[static_cast<size_t>(p) * 1024 + j];
      h[static_cast<size_t>(i) * 1024 + j] = std::max(acc, 0.0);
    }
    double mx = -1e300;
    for (int j = 0; j < 10; ++j) {
      double acc = w.fc2_b[j];
      for (int p = 0; p < 1024; ++p)
        acc += h[static_cast<size_t>(i) * 1024 + p] * w.fc2_w[static_cast<size_t>(p) * 10 + j];
      logits[i * 10 + j] = acc;
      mx = std::max(mx, acc);
    }
    double sum = 0;
    for (int j = 0; j < 10; ++j) sum += std::exp(logits[i * 10 + j] - mx);
    for (int j = 0; j < 10; ++j) logits[i * 10 + j] = std::exp(logits[i * 10 + j] - mx) / sum;
  }
  return logits;
}

}  // namespace kiln::test
