// The workloads of bench/kiln_bench: the anchors' peer-baseline networks written with kiln's API,
// their FLOP and weight-byte counts, their input data and float64 host references for the check.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "mnist/mnist_network.h"

namespace kiln::bench {

// Uniform values from a counter hash (fast enough for 134 MB of input).
inline std::vector<float> random_uniform(size_t n, uint64_t seed, float lo, float hi) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t z = (seed << 40) + i + 0x9E3779B97F4A7C15ull * (seed + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    v[i] = lo + (hi - lo) * static_cast<float>((z >> 40) * (1.0 / 16777216.0));
  }
  return v;
}

// A host copy of one output: floats (int32 outputs converted).
struct HostOut {
  std::string name;
  std::vector<float> v;
};
using Inputs = std::vector<std::vector<float>>;
using Outputs = std::vector<HostOut>;

struct InputSpec {
  std::string name;
  Dims dims;  // concrete
  float lo, hi;
};

struct Workload {
  std::string name;
  std::vector<InputSpec> inputs;
  int aux = 0;
  bool fp16 = true;
  double flops = 0, weight_bytes = 0;
  std::function<void(NetworkDefinition&)> define;
  // Normalised max error (max |out - ref| / max |ref|) on sampled outputs against a double host
  // reference; throws when an output is malformed.
  std::function<double(const Inputs&, const Outputs&)> check;
};

// relu(bias[k] + sum_{c,r,s} in[c][y+r-pad][x+s-pad] * w[k][c][r][s]) for one image `in` [C,H,W].
template <typename T>
double conv_point(const T* in, int C, int H, int W, const float* w, const float* b, int k, int R,
                  int pad, int y, int x, bool relu) {
  double acc = b ? b[k] : 0.0;
  for (int c = 0; c < C; ++c)
    for (int r = 0; r < R; ++r) {
      int iy = y + r - pad;
      if (iy < 0 || iy >= H) continue;
      for (int s = 0; s < R; ++s) {
        int ix = x + s - pad;
        if (ix < 0 || ix >= W) continue;
        acc += static_cast<double>(in[(static_cast<size_t>(c) * H + iy) * W + ix]) *
               w[((static_cast<size_t>(k) * C + c) * R + r) * R + s];
      }
    }
  return relu ? std::max(acc, 0.0) : acc;
}

inline const HostOut& output(const Outputs& outs, const std::string& name) {
  for (const auto& o : outs)
    if (o.name == name) return o;
  throw std::runtime_error("no output '" + name + "'");
}

inline double normalised(double max_diff, double max_ref) {
  return max_diff / std::max(max_ref, 1e-30);
}

// (a) Two chains of 10 batched GEMMs on eleven inputs [4,4,128,128].
inline Workload gemm_chains(int aux) {
  Workload w;
  w.name = "gemm_chains_aux" + std::to_string(aux);
  w.aux = aux;
  w.fp16 = aux == 0;
  const float a = std::sqrt(3.0f / 128.0f);  // keeps the magnitude along the chain
  for (int i = 0; i <= 10; ++i)
    w.inputs.push_back({"x" + std::to_string(i), Dims{4, 4, 128, 128}, -a, a});
  w.flops = 20.0 * 2 * 16 * 128.0 * 128 * 128;
  w.define = [](NetworkDefinition& net) {
    std::vector<Tensor*> x;
    for (int i = 0; i <= 10; ++i)
      x.push_back(net.add_input("x" + std::to_string(i), DataType::kFLOAT, Dims{4, 4, 128, 128}));
    Tensor* c0 = x[0];
    Tensor* c1 = x[0];
    for (int i = 1; i <= 10; ++i) {
      c0 = net.add_matrix_multiply(*c0, MatrixOperation::kNONE, *x[i], MatrixOperation::kNONE)
               ->get_output(0);
      c1 = net.add_matrix_multiply(*c1, MatrixOperation::kNONE, *x[11 - i], MatrixOperation::kNONE)
               ->get_output(0);
    }
    c0->set_name("out0");
    c1->set_name("out1");
    net.mark_output(*c0);
    net.mark_output(*c1);
  };
  w.check = [](const Inputs& in, const Outputs& outs) {
    double diff = 0, ref_max = 0;
    for (int chain = 0; chain < 2; ++chain) {
      const HostOut& o = output(outs, chain ? "out1" : "out0");
      for (int b : {0, 7, 15})
        for (int row : {0, 77, 127}) {
          std::vector<double> v(128), next(128);
          for (int j = 0; j < 128; ++j) v[j] = in[0][(b * 128 + row) * 128 + j];
          for (int i = 1; i <= 10; ++i) {
            const float* m = in[chain ? 11 - i : i].data() + static_cast<size_t>(b) * 128 * 128;
            std::fill(next.begin(), next.end(), 0.0);
            for (int k = 0; k < 128; ++k)
              for (int j = 0; j < 128; ++j) next[j] += v[k] * m[k * 128 + j];
            v.swap(next);
          }
          for (int j = 0; j < 128; ++j) {
            diff = std::max(diff, std::abs(o.v[(b * 128 + row) * 128 + j] - v[j]));
            ref_max = std::max(ref_max, std::abs(v[j]));
          }
        }
    }
    return normalised(diff, ref_max);
  };
  return w;
}

// (b) The MNIST-style CNN of examples/mnist, batch 1.
inline Workload mnist() {
  Workload w;
  w.name = "mnist_bs1";
  auto weights = std::make_shared<examples::MnistWeights>();
  w.inputs.push_back({"image", Dims{1, 1, 28, 28}, 0.0f, 1.0f});
  w.flops = 2.0 * (28 * 28 * 32 * 25 + 14 * 14 * 64 * 800 + 3136 * 1024 + 1024 * 10);
  w.weight_bytes =
      4.0 * (weights->conv1_w.size() + weights->conv1_b.size() + weights->conv2_w.size() +
             weights->conv2_b.size() + weights->fc1_w.size() + weights->fc1_b.size() +
             weights->fc2_w.size() + weights->fc2_b.size());
  w.define = [weights](NetworkDefinition& net) { examples::define_mnist(net, *weights); };
  w.check = [weights](const Inputs& in, const Outputs& outs) {
    const examples::MnistWeights& m = *weights;
    // conv + relu + maxpool 2 on one image held in doubles.
    auto stage = [](const std::vector<double>& x, int C, int H, const std::vector<float>& wt,
                    const std::vector<float>& b, int K) {
      std::vector<double> y(static_cast<size_t>(K) * (H / 2) * (H / 2), -1e300);
      for (int k = 0; k < K; ++k)
        for (int i = 0; i < H; ++i)
          for (int j = 0; j < H; ++j) {
            double v = conv_point(x.data(), C, H, H, wt.data(), b.data(), k, 5, 2, i, j, true);
            double& p = y[(static_cast<size_t>(k) * (H / 2) + i / 2) * (H / 2) + j / 2];
            p = std::max(p, v);
          }
      return y;
    };
    std::vector<double> x(in[0].begin(), in[0].end());
    std::vector<double> h =
        stage(stage(x, 1, 28, m.conv1_w, m.conv1_b, 32), 32, 14, m.conv2_w, m.conv2_b, 64);
    std::vector<double> f1(1024), logits(10);
    for (int j = 0; j < 1024; ++j) {
      double acc = m.fc1_b[j];
      for (int i = 0; i < 3136; ++i) acc += h[i] * m.fc1_w[static_cast<size_t>(i) * 1024 + j];
      f1[j] = std::max(acc, 0.0);
    }
    double mx = -1e300, sum = 0, diff = 0;
    for (int j = 0; j < 10; ++j) {
      logits[j] = m.fc2_b[j];
      for (int i = 0; i < 1024; ++i) logits[j] += f1[i] * m.fc2_w[i * 10 + j];
      mx = std::max(mx, logits[j]);
    }
    for (double& l : logits) sum += (l = std::exp(l - mx));
    int best = 0;
    for (int j = 0; j < 10; ++j) {
      diff = std::max(diff, std::abs(output(outs, "prob").v[j] - logits[j] / sum));
      best = logits[j] > logits[best] ? j : best;
    }
    const double ref_max = logits[best] / sum;
    const int cls = static_cast<int>(output(outs, "class").v[0]);  // a near-tie may pick either
    if (cls < 0 || cls > 9 || logits[cls] / sum < ref_max - 1e-4)
      throw std::runtime_error("class " + std::to_string(cls) + ", expected " +
                               std::to_string(best));
    return normalised(diff, ref_max);
  };
  return w;
}

// (c) conv CIN->COUT RxR pad (R-1)/2 + bias + ReLU on [N,CIN,H,H].
inline Workload conv_relu(int n, int cin, int cout, int r, int hw) {
  Workload w;
  w.name = "conv" + std::to_string(cin) + "to" + std::to_string(cout) + "_" + std::to_string(r) +
           "x" + std::to_string(r);
  const int pad = (r - 1) / 2;
  const float bound =
      1.0f / std::sqrt(static_cast<float>(cin * r * r));  // torch's default init range
  auto wt = std::make_shared<std::vector<float>>(
      random_uniform(static_cast<size_t>(cout) * cin * r * r, 901, -bound, bound));
  auto bias = std::make_shared<std::vector<float>>(random_uniform(cout, 902, -bound, bound));
  w.inputs.push_back({"x", Dims{n, cin, hw, hw}, -1.0f, 1.0f});
  w.flops = 2.0 * n * cout * hw * hw * cin * r * r;
  w.weight_bytes = 4.0 * (wt->size() + bias->size());
  w.define = [=](NetworkDefinition& net) {
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{n, cin, hw, hw});
    auto* conv = net.add_convolution_nd(*x, cout, Dims{r, r}, examples::weights_of(*wt),
                                        examples::weights_of(*bias));
    conv->set_padding_nd(Dims{pad, pad});
    auto* relu = net.add_activation(*conv->get_output(0), ActivationType::kRELU);
    relu->get_output(0)->set_name("y");
    net.mark_output(*relu->get_output(0));
  };
  w.check = [=](const Inputs& in, const Outputs& outs) {
    const HostOut& y = output(outs, "y");
    std::vector<float> pts = random_uniform(4 * 512, 903, 0.0f, 1.0f);
    double diff = 0, ref_max = 0;
    for (int p = 0; p < 512; ++p) {
      int b = std::min(n - 1, static_cast<int>(pts[4 * p] * n)),
          k = std::min(cout - 1, static_cast<int>(pts[4 * p + 1] * cout));
      int i = std::min(hw - 1, static_cast<int>(pts[4 * p + 2] * hw)),
          j = p < 16 ? (p % 2) * (hw - 1) : std::min(hw - 1, static_cast<int>(pts[4 * p + 3] * hw));
      const float* img = in[0].data() + static_cast<size_t>(b) * cin * hw * hw;
      double ref = conv_point(img, cin, hw, hw, wt->data(), bias->data(), k, r, pad, i, j, true);
      diff = std::max(diff,
                      std::abs(y.v[((static_cast<size_t>(b) * cout + k) * hw + i) * hw + j] - ref));
      ref_max = std::max(ref_max, std::abs(ref));
    }
    return normalised(diff, ref_max);
  };
  return w;
}
}  // namespace kiln::bench
