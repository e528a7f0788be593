// Differential tests of the CUDA convolution tactics (cuDNN, kiln's own kernels) and of kiln's
// pooling tactic against the CPU backend, over ranks, strides, padding, dilation and groups.
//
// Every convolution case runs twice: with every tactic source (cuDNN where it applies) and with
// cuDNN switched off (kiln's kernels). Inputs are uniform in [-1, 1], weights in [-s, s] with
// s = 1/sqrt(depth), depth = channels per group x kernel volume, so outputs are O(1) at any depth.
// Tolerances. float32: atol = rtol = 1e-4: both sides accumulate in float32, in different
// orders (cuDNN runs without TF32, see convolution_cudnn.cpp). float16 engine (kFP16) against the
// float32 reference: x and w are rounded to fp16 (2^-11 relative each) and the output too, so
// atol = 2e-3 * (1 + sqrt(depth) / 4) and rtol = 2e-3. Networks declared in fp16 or bf16: both
// sides see the same rounded values; only the sum order and the final rounding differ: one ulp
// of the output type for |y| < 4, atol = rtol = 2e-3 (fp16) and 1.6e-2 (bf16). Pooling: float32
// max exact, average within 1e-6; the fp16 engine within one fp16 ulp of the float32 reference.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cuda/differential.h"

namespace kiln::test {
namespace {

constexpr uint32_t kAllSources = 0xF;
constexpr uint32_t kWithoutCudnn =
    kAllSources & ~(1u << static_cast<uint32_t>(TacticSource::kCUDNN));

std::vector<float> uniform(int64_t n, uint32_t seed, float bound) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-bound, bound);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(gen);
  return v;
}

Weights floats(const std::vector<float>& v) {
  return Weights{DataType::kFLOAT, v.data(), static_cast<int64_t>(v.size())};
}

Dims filled(int32_t rank, int64_t value) {
  return Dims::filled(rank, value);
}

struct ConvCase {
  std::string name{};
  Dims input{};  // [N, C, spatial...]
  int64_t maps = 1;
  Dims kernel{};
  Dims stride{}, pre{}, post{}, dilation{};  // empty: 1, 0, 0, 1
  int64_t groups = 1;
  bool bias = true;

  int32_t rank() const { return kernel.nb_dims; }
  int64_t depth() const { return input.d[1] / groups * volume(kernel); }
};

// The layer of `c` on `x`, with deterministic weights.
Tensor* add_conv(NetworkDefinition& net, Tensor& x, const ConvCase& c, uint32_t seed) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(c.depth()));
  std::vector<float> w = uniform(c.maps * c.depth(), seed, bound);
  std::vector<float> b = c.bias ? uniform(c.maps, seed + 1, 0.5f) : std::vector<float>{};
  ConvolutionLayer* l = net.add_convolution_nd(x, c.maps, c.kernel, floats(w), floats(b));
  const int32_t r = c.rank();
  l->set_stride_nd(c.stride.nb_dims ? c.stride : filled(r, 1));
  l->set_pre_padding(c.pre.nb_dims ? c.pre : filled(r, 0));
  l->set_post_padding(c.post.nb_dims ? c.post : filled(r, 0));
  l->set_dilation_nd(c.dilation.nb_dims ? c.dilation : filled(r, 1));
  l->set_num_groups(c.groups);
  return l->get_output(0);
}

DiffInput input_of(const ConvCase& c, DataType type = DataType::kFLOAT) {
  DiffInput in;
  in.name = "x";
  in.type = type;
  in.dims = c.input;
  in.lo = -1.0;
  in.hi = 1.0;
  return in;
}

DiffOptions options(uint32_t sources, double atol, double rtol, bool fp16 = false) {
  DiffOptions o;
  o.tactic_sources = sources;
  o.tol = {atol, rtol};
  o.fp16 = fp16;
  return o;
}

void expect_conv(const ConvCase& c, const DiffInput& x, const DiffOptions& o) {
  SCOPED_TRACE(c.name + (o.tactic_sources == kWithoutCudnn ? " (kiln kernels)" : " (all sources)") +
               (o.fp16 ? " fp16" : "") + " " + to_string(x.type));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        net.mark_output(*add_conv(net, *in[0], c, 7));
      },
      {x}, o);
}

// Both tactic sources in float32 and through the fp16 engine.
void expect_conv_all_ways(const ConvCase& c) {
  const double fp16_atol = 2e-3 * (1.0 + std::sqrt(static_cast<double>(c.depth())) / 4.0);
  for (uint32_t sources : {kAllSources, kWithoutCudnn}) {
    expect_conv(c, input_of(c), options(sources, 1e-4, 1e-4));
    expect_conv(c, input_of(c), options(sources, fp16_atol, 2e-3, true));
  }
}

const std::vector<ConvCase> k2dCases = {
    {.name = "3x3 pad 1",
     .input = {2, 16, 20, 20},
     .maps = 32,
     .kernel = {3, 3},
     .pre = {1, 1},
     .post = {1, 1}},
    {.name = "3x3 stride 2 pad 1 no bias",
     .input = {1, 8, 17, 15},
     .maps = 64,
     .kernel = {3, 3},
     .stride = {2, 2},
     .pre = {1, 1},
     .post = {1, 1},
     .bias = false},
    {.name = "5x5 pad 2",
     .input = {2, 3, 24, 24},
     .maps = 16,
     .kernel = {5, 5},
     .pre = {2, 2},
     .post = {2, 2}},
    {.name = "5x5 stride 2 no padding",
     .input = {1, 12, 23, 21},
     .maps = 40,
     .kernel = {5, 5},
     .stride = {2, 2}},
    {.name = "3x3 dilation 2 pad 2",
     .input = {1, 8, 16, 16},
     .maps = 40,
     .kernel = {3, 3},
     .pre = {2, 2},
     .post = {2, 2},
     .dilation = {2, 2}},
    {.name = "3x3 dilation (1, 3) stride (2, 1)",
     .input = {2, 6, 13, 19},
     .maps = 24,
     .kernel = {3, 3},
     .stride = {2, 1},
     .pre = {1, 3},
     .post = {1, 3},
     .dilation = {1, 3}},
    {.name = "groups 4",
     .input = {2, 16, 12, 12},
     .maps = 32,
     .kernel = {3, 3},
     .pre = {1, 1},
     .post = {1, 1},
     .groups = 4},
    {.name = "groups 2, 64 maps each",
     .input = {1, 8, 10, 10},
     .maps = 128,
     .kernel = {3, 3},
     .pre = {1, 1},
     .post = {1, 1},
     .groups = 2},
    {.name = "depthwise 3x3",
     .input = {2, 32, 14, 14},
     .maps = 32,
     .kernel = {3, 3},
     .pre = {1, 1},
     .post = {1, 1},
     .groups = 32},
    {.name = "depthwise multiplier 2 stride 2",
     .input = {1, 16, 15, 15},
     .maps = 32,
     .kernel = {3, 3},
     .stride = {2, 2},
     .pre = {1, 1},
     .post = {1, 1},
     .groups = 16},
    {.name = "1x1", .input = {2, 64, 9, 9}, .maps = 48, .kernel = {1, 1}},
    {.name = "1x1 stride 2 no bias",
     .input = {1, 32, 10, 10},
     .maps = 32,
     .kernel = {1, 1},
     .stride = {2, 2},
     .bias = false},
    {.name = "deep 3x3: many k-tiles",
     .input = {1, 96, 12, 12},
     .maps = 80,
     .kernel = {3, 3},
     .pre = {1, 1},
     .post = {1, 1}},
    {.name = "odd 2x4 kernel stride (1, 3)",
     .input = {3, 5, 7, 9},
     .maps = 33,
     .kernel = {2, 4},
     .stride = {1, 3},
     .pre = {1, 1},
     .post = {1, 1}},
    {.name = "7x7 stride 2 pad 3 (stem)",
     .input = {1, 3, 32, 32},
     .maps = 64,
     .kernel = {7, 7},
     .stride = {2, 2},
     .pre = {3, 3},
     .post = {3, 3}},
};

TEST(CudaConvolution, TwoD) {
  KILN_REQUIRE_GPU();
  for (const ConvCase& c : k2dCases) expect_conv_all_ways(c);
}

TEST(CudaConvolution, AsymmetricPadding) {
  KILN_REQUIRE_GPU();
  // cuDNN declines these (supports() is false), so both runs use kiln's kernel.
  expect_conv_all_ways({.name = "pre (1, 0) post (0, 2)",
                        .input = {1, 4, 10, 11},
                        .maps = 8,
                        .kernel = {3, 3},
                        .pre = {1, 0},
                        .post = {0, 2}});
  expect_conv_all_ways({.name = "pre (2, 1) post (0, 1) stride 2",
                        .input = {2, 6, 9, 9},
                        .maps = 40,
                        .kernel = {3, 3},
                        .stride = {2, 2},
                        .pre = {2, 1},
                        .post = {0, 1}});
  expect_conv_all_ways({.name = "1-D pre 0 post 3",
                        .input = {2, 4, 21},
                        .maps = 12,
                        .kernel = {4},
                        .pre = {0},
                        .post = {3}});
}

TEST(CudaConvolution, OneD) {
  KILN_REQUIRE_GPU();
  expect_conv_all_ways({.name = "1-D k5 stride 2 pad 2",
                        .input = {2, 8, 50},
                        .maps = 16,
                        .kernel = {5},
                        .stride = {2},
                        .pre = {2},
                        .post = {2}});
  expect_conv_all_ways({.name = "1-D k3 dilation 3",
                        .input = {1, 4, 30},
                        .maps = 36,
                        .kernel = {3},
                        .dilation = {3},
                        .bias = false});
  expect_conv_all_ways({.name = "1-D depthwise",
                        .input = {2, 12, 40},
                        .maps = 12,
                        .kernel = {7},
                        .pre = {3},
                        .post = {3},
                        .groups = 12});
}

TEST(CudaConvolution, ThreeD) {
  KILN_REQUIRE_GPU();
  expect_conv_all_ways({.name = "3-D 3x3x3 pad 1",
                        .input = {1, 4, 6, 8, 8},
                        .maps = 8,
                        .kernel = {3, 3, 3},
                        .pre = {1, 1, 1},
                        .post = {1, 1, 1}});
  expect_conv_all_ways({.name = "3-D stride 2 groups 2",
                        .input = {2, 4, 7, 9, 9},
                        .maps = 12,
                        .kernel = {2, 3, 3},
                        .stride = {2, 2, 2},
                        .pre = {0, 1, 1},
                        .post = {0, 1, 1},
                        .groups = 2});
  expect_conv_all_ways({.name = "3-D 64 maps dilation 2",
                        .input = {1, 8, 9, 9, 9},
                        .maps = 64,
                        .kernel = {3, 3, 3},
                        .pre = {2, 2, 2},
                        .post = {2, 2, 2},
                        .dilation = {2, 2, 2},
                        .bias = false});
}

TEST(CudaConvolution, HalfAndBfloat16Networks) {
  KILN_REQUIRE_GPU();
  // The network itself is fp16 / bf16 (weights converted when added): both backends see the
  // same rounded inputs, so only the sum order and the output's rounding differ.
  const ConvCase cases[] = {
      {.name = "3x3 pad 1",
       .input = {2, 16, 12, 12},
       .maps = 32,
       .kernel = {3, 3},
       .pre = {1, 1},
       .post = {1, 1}},
      {.name = "depthwise 5x5",
       .input = {1, 24, 11, 11},
       .maps = 24,
       .kernel = {5, 5},
       .pre = {2, 2},
       .post = {2, 2},
       .groups = 24},
      {.name = "groups 2 narrow",
       .input = {1, 8, 9, 9},
       .maps = 16,
       .kernel = {3, 3},
       .pre = {1, 1},
       .post = {1, 1},
       .groups = 2},
      // Tensor-core tiles with a tail in every dim: 72 maps, depth 1000, 143 positions.
      {.name = "deep 5x5, partial tiles",
       .input = {1, 40, 13, 11},
       .maps = 72,
       .kernel = {5, 5},
       .pre = {2, 2},
       .post = {2, 2}},
  };
  for (const ConvCase& c : cases) {
    for (uint32_t sources : {kAllSources, kWithoutCudnn}) {
      expect_conv(c, input_of(c, DataType::kHALF), options(sources, 2e-3, 2e-3));
      expect_conv(c, input_of(c, DataType::kBF16), options(sources, 1.6e-2, 1.6e-2));
    }
  }
}

TEST(CudaConvolution, MnistLayers) {
  KILN_REQUIRE_GPU();
  // examples/mnist: conv 5x5 -> 32 pad 2, relu, max pool 2; conv 5x5 -> 64 pad 2, relu, max pool 2.
  const ConvCase conv1{.name = "conv1",
                       .input = {4, 1, 28, 28},
                       .maps = 32,
                       .kernel = {5, 5},
                       .pre = {2, 2},
                       .post = {2, 2}};
  const ConvCase conv2{.name = "conv2",
                       .input = {4, 32, 14, 14},
                       .maps = 64,
                       .kernel = {5, 5},
                       .pre = {2, 2},
                       .post = {2, 2}};
  auto define = [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
    Tensor* t = add_conv(net, *in[0], conv1, 11);
    t = net.add_activation(*t, ActivationType::kRELU)->get_output(0);
    t = net.add_pooling_nd(*t, PoolingType::kMAX, Dims{2, 2})->get_output(0);
    t = add_conv(net, *t, conv2, 13);
    t = net.add_activation(*t, ActivationType::kRELU)->get_output(0);
    t = net.add_pooling_nd(*t, PoolingType::kMAX, Dims{2, 2})->get_output(0);
    net.mark_output(*t);
  };
  for (uint32_t sources : {kAllSources, kWithoutCudnn}) {
    SCOPED_TRACE(sources == kWithoutCudnn ? "kiln kernels" : "all sources");
    expect_gpu_matches_cpu(define, {input_of(conv1)}, options(sources, 1e-4, 1e-4));
    expect_gpu_matches_cpu(define, {input_of(conv1)}, options(sources, 2e-2, 1e-2, true));
  }
}

// ---- Pooling ---------------------------------------------------------------------------------

struct PoolCase {
  std::string name{};
  Dims input{};
  Dims window{}, stride{}, pre{}, post{};  // empty stride: the window; empty padding: 0
};

void expect_pool(const PoolCase& c, PoolingType type, bool excludes_padding, const DiffInput& x,
                 const DiffOptions& o) {
  SCOPED_TRACE(c.name + (type == PoolingType::kMAX ? " max" : " average") +
               (excludes_padding ? "" : " counting padding") + (o.fp16 ? " fp16" : "") + " " +
               to_string(x.type));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        PoolingLayer* l = net.add_pooling_nd(*in[0], type, c.window);
        const int32_t r = c.window.nb_dims;
        l->set_stride_nd(c.stride.nb_dims ? c.stride : c.window);
        l->set_pre_padding(c.pre.nb_dims ? c.pre : filled(r, 0));
        l->set_post_padding(c.post.nb_dims ? c.post : filled(r, 0));
        l->set_average_count_excludes_padding(excludes_padding);
        net.mark_output(*l->get_output(0));
      },
      {x}, o);
}

DiffInput pool_input(const PoolCase& c, DataType type = DataType::kFLOAT) {
  DiffInput in;
  in.name = "x";
  in.type = type;
  in.dims = c.input;
  in.lo = -4.0;
  in.hi = 4.0;
  return in;
}

const std::vector<PoolCase> kPoolCases = {
    {.name = "2-D 2x2", .input = {2, 3, 8, 8}, .window = {2, 2}},
    {.name = "2-D 3x3 stride 2 pad 1",
     .input = {1, 4, 9, 10},
     .window = {3, 3},
     .stride = {2, 2},
     .pre = {1, 1},
     .post = {1, 1}},
    {.name = "2-D 3x3 stride 1 pad 1",
     .input = {2, 2, 7, 6},
     .window = {3, 3},
     .stride = {1, 1},
     .pre = {1, 1},
     .post = {1, 1}},
    {.name = "2-D asymmetric padding",
     .input = {1, 3, 10, 9},
     .window = {2, 3},
     .stride = {2, 1},
     .pre = {1, 0},
     .post = {0, 2}},
    {.name = "1-D window 4 stride 3 pad 1",
     .input = {2, 3, 20},
     .window = {4},
     .stride = {3},
     .pre = {1},
     .post = {1}},
    {.name = "3-D 2x3x3 stride 2",
     .input = {1, 2, 6, 7, 8},
     .window = {2, 3, 3},
     .stride = {2, 2, 2},
     .pre = {1, 1, 0},
     .post = {1, 1, 2}},
    {.name = "2-D global 7x7", .input = {2, 16, 7, 7}, .window = {7, 7}},
};

TEST(CudaPooling, EveryRankAndPadding) {
  KILN_REQUIRE_GPU();
  for (const PoolCase& c : kPoolCases) {
    expect_pool(c, PoolingType::kMAX, true, pool_input(c), options(kAllSources, 0.0, 0.0));
    for (bool excludes : {true, false}) {
      expect_pool(c, PoolingType::kAVERAGE, excludes, pool_input(c),
                  options(kAllSources, 1e-6, 1e-6));
    }
  }
}

TEST(CudaPooling, HalfPrecision) {
  KILN_REQUIRE_GPU();
  for (const PoolCase& c : kPoolCases) {
    // fp16 engine against the float32 reference: the input's rounding, one fp16 ulp.
    expect_pool(c, PoolingType::kMAX, true, pool_input(c), options(kAllSources, 1e-6, 1e-3, true));
    expect_pool(c, PoolingType::kAVERAGE, false, pool_input(c),
                options(kAllSources, 2e-3, 2e-3, true));
    // A bf16 network: both sides see the same values; max is exact, average within one ulp.
    expect_pool(c, PoolingType::kMAX, true, pool_input(c, DataType::kBF16),
                options(kAllSources, 0.0, 0.0));
    expect_pool(c, PoolingType::kAVERAGE, true, pool_input(c, DataType::kBF16),
                options(kAllSources, 1.6e-2, 1.6e-2));
  }
}

TEST(CudaPooling, MaxPropagatesNaNAndInfinity) {
  KILN_REQUIRE_GPU();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  DiffInput x;
  x.name = "x";
  x.dims = Dims{1, 1, 4, 4};
  x.values = {1, nan, 2, 3, -inf, -inf, 0, 0, 5, 6, inf, -1, -2, -3, -4, -5};
  const PoolCase c{.name = "2-D 2x2 with NaN",
                   .input = x.dims,
                   .window = {2, 2},
                   .stride = {1, 1},
                   .pre = {1, 1},
                   .post = {0, 0}};
  expect_pool(c, PoolingType::kMAX, true, x, options(kAllSources, 0.0, 0.0));
}

}  // namespace
}  // namespace kiln::test
