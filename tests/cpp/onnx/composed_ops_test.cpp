// ONNX ops that kiln imports as compositions of existing layers (src/onnx/importers/quantized.cpp,
// rearrange.cpp, pool_slices.cpp, spectral.cpp, rotary.cpp), checked against naive
// implementations written here, and their errors naming the node.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "onnx/onnx_model.h"
#include "onnx/typed_run.h"
#include "test_util.h"

namespace kiln {
namespace {

using namespace test::pb;
using test::buf;

std::vector<float> rnd(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  for (float& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<float>((seed >> 8) % 2001) / 1000.0f - 1.0f;
  }
  return v;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-5f + 1e-4f * std::fabs(want[i])) << "at " << i;
}

// A one-node model with float input "x" of `dims`, output "y", initializers `inits`.
std::string one_node(const std::string& op, const std::vector<int64_t>& dims,
                     std::vector<std::string> inputs, std::vector<Msg> inits,
                     std::vector<Msg> attrs, int64_t opset = 22, int32_t elem = onnx::kFloat) {
  GraphSpec g;
  g.inputs.push_back(value_info("x", elem, dims));
  g.outputs.push_back(value_info("y", onnx::kFloat, {}));
  g.initializers = std::move(inits);
  inputs.insert(inputs.begin(), "x");
  g.nodes.push_back(node(op, inputs, {"y"}, "n", attrs));
  return model(g, opset);
}

std::vector<float> run1(const std::string& m, const Dims& dims, const std::vector<float>& x,
                        Dims* out_dims = nullptr) {
  auto out = test::run_typed(m, {{"x", buf(dims, DataType::kFLOAT, x)}});
  if (!out.count("y")) return {};
  if (out_dims) *out_dims = out["y"].dims;
  return out["y"].as<float>();
}

TEST(OnnxComposed, QLinearMatMulMatchesIntegerArithmetic) {
  std::vector<uint8_t> a = {10, 200, 3, 77, 128, 255}, b = {1, 50, 90, 20, 255, 0};
  GraphSpec g;
  g.inputs.push_back(value_info("a", onnx::kUint8, {2, 3}));
  g.outputs.push_back(value_info("y", onnx::kUint8, {}));
  g.initializers = {tensor("as", {}, {0.05f}),
                    raw_tensor<uint8_t>("az", {}, onnx::kUint8, {113}),
                    raw_tensor<uint8_t>("b", {3, 2}, onnx::kUint8, b),
                    tensor("bs", {}, {0.02f}),
                    raw_tensor<uint8_t>("bz", {}, onnx::kUint8, {114}),
                    tensor("ys", {}, {0.1f}),
                    raw_tensor<uint8_t>("yz", {}, onnx::kUint8, {118})};
  g.nodes.push_back(node("QLinearMatMul", {"a", "as", "az", "b", "bs", "bz", "ys", "yz"}, {"y"}));
  auto out = test::run_typed(model(g), {{"a", buf(Dims{2, 3}, DataType::kUINT8, a)}});
  ASSERT_EQ(out["y"].type, DataType::kUINT8);
  std::vector<uint8_t> y = out["y"].as<uint8_t>();
  float factor = 0.05f * 0.02f / 0.1f;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      int32_t acc = 0;
      for (int k = 0; k < 3; ++k) acc += (a[i * 3 + k] - 113) * (b[k * 2 + j] - 114);
      float v = std::nearbyint(static_cast<float>(acc) * factor) + 118;
      EXPECT_EQ(y[i * 2 + j], static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f))) << i << "," << j;
    }
  }
}

TEST(OnnxComposed, MatMulIntegerAndConvIntegerAreExact) {
  std::vector<uint8_t> a = {11, 7, 3, 250, 0, 9};
  GraphSpec g;
  g.inputs.push_back(value_info("a", onnx::kUint8, {2, 3}));
  g.outputs.push_back(value_info("y", onnx::kInt32, {}));
  g.initializers = {raw_tensor<uint8_t>("b", {3, 1}, onnx::kUint8, {2, 4, 6}),
                    raw_tensor<uint8_t>("az", {}, onnx::kUint8, {5})};
  g.nodes.push_back(node("MatMulInteger", {"a", "b", "az"}, {"y"}));
  auto out = test::run_typed(model(g), {{"a", buf(Dims{2, 3}, DataType::kUINT8, a)}});
  EXPECT_EQ(out["y"].as<int32_t>(),
            (std::vector<int32_t>{6 * 2 + 2 * 4 - 2 * 6, 245 * 2 - 5 * 4 + 4 * 6}));

  // ConvInteger: 1x1x3x3 input, 2x2 kernel of ones minus zero point 1 (so all 1s), padding 1.
  std::vector<uint8_t> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  GraphSpec c;
  c.inputs.push_back(value_info("x", onnx::kUint8, {1, 1, 3, 3}));
  c.outputs.push_back(value_info("y", onnx::kInt32, {}));
  c.initializers = {raw_tensor<uint8_t>("w", {1, 1, 2, 2}, onnx::kUint8, {2, 2, 2, 2}),
                    raw_tensor<uint8_t>("xz", {}, onnx::kUint8, {1}),
                    raw_tensor<uint8_t>("wz", {}, onnx::kUint8, {1})};
  c.nodes.push_back(
      node("ConvInteger", {"x", "w", "xz", "wz"}, {"y"}, "", {attr_ints("pads", {1, 1, 1, 1})}));
  out = test::run_typed(model(c), {{"x", buf(Dims{1, 1, 3, 3}, DataType::kUINT8, x)}});
  std::vector<int32_t> want;
  for (int i = -1; i < 3; ++i) {
    for (int j = -1; j < 3; ++j) {
      int32_t s = 0;
      for (int di = 0; di < 2; ++di)
        for (int dj = 0; dj < 2; ++dj) {
          int r = i + di, q = j + dj;
          if (r >= 0 && r < 3 && q >= 0 && q < 3) s += x[r * 3 + q] - 1;
        }
      want.push_back(s);
    }
  }
  EXPECT_EQ(out["y"].dims, (Dims{1, 1, 4, 4}));
  EXPECT_EQ(out["y"].as<int32_t>(), want);
}

TEST(OnnxComposed, DynamicQuantizeLinear) {
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {4}));
  for (const char* o : {"y", "s", "z"}) g.outputs.push_back(value_info(o, onnx::kFloat, {}));
  g.nodes.push_back(node("DynamicQuantizeLinear", {"x"}, {"y", "s", "z"}));
  auto out = test::run_typed(
      model(g),
      {{"x", buf(Dims{4}, DataType::kFLOAT, std::vector<float>{-1.0f, 0.0f, 2.0f, 0.5f})}});
  float scale = 3.0f / 255.0f;
  EXPECT_FLOAT_EQ(out["s"].as<float>()[0], scale);
  EXPECT_EQ(out["z"].as<uint8_t>()[0], 85);  // round(1 / scale)
  EXPECT_EQ(
      out["y"].as<uint8_t>(),
      (std::vector<uint8_t>{0, 85, 255, static_cast<uint8_t>(std::nearbyint(0.5f / scale) + 85)}));
}

TEST(OnnxComposed, CompressReverseSequenceAndCenterCropPad) {
  std::vector<float> x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};  // [3, 4]
  std::string m =
      one_node("Compress", {3, 4}, {"c"},
               {raw_tensor<uint8_t>("c", {4}, onnx::kBool, {1, 0, 0, 1})}, {attr_int("axis", 1)});
  EXPECT_EQ(run1(m, Dims{3, 4}, x), (std::vector<float>{0, 3, 4, 7, 8, 11}));

  // time axis 0, batch axis 1: column b reversed in its first lens[b] rows.
  m = one_node("ReverseSequence", {3, 4}, {"l"}, {int64_tensor("l", {4}, {3, 2, 1, 0})}, {});
  EXPECT_EQ(run1(m, Dims{3, 4}, x), (std::vector<float>{8, 5, 2, 3, 4, 1, 6, 7, 0, 9, 10, 11}));

  // rows cropped from 3 to 1 (the middle), columns padded from 4 to 7 (1 before, 2 after).
  m = one_node("CenterCropPad", {3, 4}, {"s"}, {int64_tensor("s", {2}, {1, 7})}, {}, 18);
  Dims d;
  EXPECT_EQ(run1(m, Dims{3, 4}, x, &d), (std::vector<float>{0, 4, 5, 6, 7, 0, 0}));
  EXPECT_EQ(d, (Dims{1, 7}));
}

TEST(OnnxComposed, Col2ImSumsOverlappingBlocks) {
  // C = 2, block 2x2, image 4x5, stride 1x2, pad 1 on every side, dilation 1.
  int64_t C = 2, kh = 2, kw = 2, H = 4, W = 5, sh = 1, sw = 2, p = 1;
  int64_t bh = (H + 2 * p - kh) / sh + 1, bw = (W + 2 * p - kw) / sw + 1;
  std::vector<float> x = rnd(static_cast<size_t>(C * kh * kw * bh * bw), 3);
  std::string m = one_node("Col2Im", {1, C * kh * kw, bh * bw}, {"img", "blk"},
                           {int64_tensor("img", {2}, {H, W}), int64_tensor("blk", {2}, {kh, kw})},
                           {attr_ints("pads", {p, p, p, p}), attr_ints("strides", {sh, sw})}, 18);
  std::vector<float> want(static_cast<size_t>(C * H * W), 0.0f);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j)
        for (int64_t a = 0; a < bh; ++a)
          for (int64_t b = 0; b < bw; ++b) {
            int64_t r = a * sh - p + i, q = b * sw - p + j;
            if (r < 0 || r >= H || q < 0 || q >= W) continue;
            want[(c * H + r) * W + q] += x[((c * kh + i) * kw + j) * bh * bw + a * bw + b];
          }
  Dims d;
  expect_close(run1(m, Dims{1, C * kh * kw, bh * bw}, x, &d), want);
  EXPECT_EQ(d, (Dims{1, C, H, W}));
}

TEST(OnnxComposed, MaxUnpoolTensorScatterAndAffineGrid) {
  std::string m =
      one_node("MaxUnpool", {1, 1, 2, 2}, {"i"}, {int64_tensor("i", {1, 1, 2, 2}, {5, 7, 13, 15})},
               {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})});
  std::vector<float> want(16, 0.0f);
  want[5] = 1, want[7] = 2, want[13] = 3, want[15] = 4;
  EXPECT_EQ(run1(m, Dims{1, 1, 2, 2}, {1, 2, 3, 4}), want);

  // Cache [2, 3, 1] (batch 2, length 3); update [2, 2, 1] at 2 and 0, circular.
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {2, 3, 1}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {}));
  g.initializers = {tensor("u", {2, 2, 1}, {10, 11, 20, 21}), int64_tensor("w", {2}, {2, 0})};
  g.nodes.push_back(
      node("TensorScatter", {"x", "u", "w"}, {"y"}, "", {attr_string("mode", "circular")}));
  EXPECT_EQ(run1(model(g, 24), Dims{2, 3, 1}, {0, 1, 2, 3, 4, 5}),
            (std::vector<float>{11, 1, 10, 20, 21, 5}));

  // AffineGrid 2-D, align_corners 0: grid[n, h, w] = theta[n] (x_w, y_h, 1).
  std::vector<float> theta = rnd(6, 9);
  m = one_node("AffineGrid", {1, 2, 3}, {"size"}, {int64_tensor("size", {4}, {1, 1, 2, 3})}, {},
               20);
  std::vector<float> grid;
  for (int h = 0; h < 2; ++h)
    for (int w = 0; w < 3; ++w) {
      float gx = (2.0f * w + 1) / 3 - 1, gy = (2.0f * h + 1) / 2 - 1;
      for (int k = 0; k < 2; ++k)
        grid.push_back(theta[k * 3] * gx + theta[k * 3 + 1] * gy + theta[k * 3 + 2]);
    }
  Dims d;
  expect_close(run1(m, Dims{1, 2, 3}, theta, &d), grid);
  EXPECT_EQ(d, (Dims{1, 2, 3, 2}));
}

TEST(OnnxComposed, DilatedPoolingMatchesNaive) {
  int64_t H = 6, W = 7;
  std::vector<float> x = rnd(static_cast<size_t>(H * W), 5);
  for (bool max : {true, false}) {
    std::string m = one_node(max ? "MaxPool" : "AveragePool", {1, 1, H, W}, {}, {},
                             {attr_ints("kernel_shape", {2, 2}), attr_ints("dilations", {2, 3}),
                              attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {2, 1})});
    int64_t oh = (H + 2 - 3) / 2 + 1, ow = (W + 2 - 4) / 1 + 1;
    std::vector<float> want;
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        float acc = max ? -INFINITY : 0.0f;
        int n = 0;
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b) {
            int64_t r = i * 2 - 1 + a * 2, q = j - 1 + b * 3;
            if (r < 0 || r >= H || q < 0 || q >= W) continue;
            float v = x[r * W + q];
            acc = max ? std::max(acc, v) : acc + v;
            ++n;
          }
        want.push_back(max ? acc : acc / static_cast<float>(n));
      }
    Dims d;
    expect_close(run1(m, Dims{1, 1, H, W}, x, &d), want);
    EXPECT_EQ(d, (Dims{1, 1, oh, ow}));
  }
}

TEST(OnnxComposed, DftAndStftMatchNaive) {
  // Real [1, 6, 2, 1] transformed along axis 1, onesided; and the inverse of a complex input.
  std::vector<float> x = rnd(12, 7);
  std::string m =
      one_node("DFT", {1, 6, 2, 1}, {}, {}, {attr_int("axis", 1), attr_int("onesided", 1)}, 17);
  std::vector<float> want;
  for (int k = 0; k < 4; ++k)
    for (int c = 0; c < 2; ++c) {
      double re = 0, im = 0;
      for (int n = 0; n < 6; ++n) {
        double a = 2 * std::numbers::pi * k * n / 6;
        re += x[n * 2 + c] * std::cos(a);
        im -= x[n * 2 + c] * std::sin(a);
      }
      want.push_back(static_cast<float>(re));
      want.push_back(static_cast<float>(im));
    }
  Dims d;
  expect_close(run1(m, Dims{1, 6, 2, 1}, x, &d), want);
  EXPECT_EQ(d, (Dims{1, 4, 2, 2}));

  std::vector<float> z = rnd(10, 8);  // [1, 5, 2] complex
  m = one_node("DFT", {1, 5, 2}, {}, {}, {attr_int("inverse", 1)}, 17);
  want.clear();
  for (int k = 0; k < 5; ++k) {
    double re = 0, im = 0;
    for (int n = 0; n < 5; ++n) {
      double a = 2 * std::numbers::pi * k * n / 5, c = std::cos(a), s = std::sin(a);
      re += z[n * 2] * c - z[n * 2 + 1] * s;
      im += z[n * 2] * s + z[n * 2 + 1] * c;
    }
    want.push_back(static_cast<float>(re / 5));
    want.push_back(static_cast<float>(im / 5));
  }
  expect_close(run1(m, Dims{1, 5, 2}, z), want);

  // STFT: signal of 10, frames of 4 every 3 (3 frames), a window, onesided (3 bins).
  std::vector<float> sig = rnd(10, 9), win = {0.5f, 1.0f, 1.0f, 0.5f};
  m = one_node("STFT", {1, 10, 1}, {"step", "win"},
               {int64_tensor("step", {}, {3}), tensor("win", {4}, win)}, {}, 17);
  want.clear();
  for (int f = 0; f < 3; ++f)
    for (int k = 0; k < 3; ++k) {
      double re = 0, im = 0;
      for (int n = 0; n < 4; ++n) {
        double a = 2 * std::numbers::pi * k * n / 4, v = sig[f * 3 + n] * win[n];
        re += v * std::cos(a);
        im -= v * std::sin(a);
      }
      want.push_back(static_cast<float>(re));
      want.push_back(static_cast<float>(im));
    }
  expect_close(run1(m, Dims{1, 10, 1}, sig, &d), want);
  EXPECT_EQ(d, (Dims{1, 3, 3, 2}));
}

TEST(OnnxComposed, RotaryEmbeddingInterleavedWithPositionIds) {
  // [B=1, heads=2, S=2, D=4], rotary dim 2 (interleaved): pairs (0, 1) rotated, (2, 3) kept.
  std::vector<float> x = rnd(16, 10), cos = {1.0f, 0.5f, 0.0f}, sin = {0.0f, 0.25f, 1.0f};
  std::string m = one_node(
      "RotaryEmbedding", {1, 2, 2, 4}, {"cos", "sin", "pos"},
      {tensor("cos", {3, 1}, cos), tensor("sin", {3, 1}, sin), int64_tensor("pos", {1, 2}, {2, 1})},
      {attr_int("interleaved", 1), attr_int("rotary_embedding_dim", 2)}, 23);
  std::vector<float> want = x;
  for (int h = 0; h < 2; ++h)
    for (int s = 0; s < 2; ++s) {
      int pos = s == 0 ? 2 : 1;
      float* v = &want[(h * 2 + s) * 4];
      float a = x[(h * 2 + s) * 4], b = x[(h * 2 + s) * 4 + 1];
      v[0] = cos[pos] * a - sin[pos] * b;
      v[1] = sin[pos] * a + cos[pos] * b;
    }
  expect_close(run1(m, Dims{1, 2, 2, 4}, x), want);
}

// Naive 2-D GridSample: bilinear or nearest (half to even), zeros or border padding.
float naive_grid_sample(const std::vector<float>& x, int64_t H, int64_t W, float gx, float gy,
                        bool align, bool nearest, bool border) {
  auto unnorm = [&](float g, int64_t n) {
    return align ? (g + 1) / 2 * static_cast<float>(n - 1)
                 : ((g + 1) * static_cast<float>(n) - 1) / 2;
  };
  float fx = unnorm(gx, W), fy = unnorm(gy, H);
  auto pix = [&](int64_t r, int64_t c) -> float {
    if (border) {
      r = std::clamp<int64_t>(r, 0, H - 1);
      c = std::clamp<int64_t>(c, 0, W - 1);
    } else if (r < 0 || r >= H || c < 0 || c >= W) {
      return 0.0f;
    }
    return x[r * W + c];
  };
  if (border) {
    float lo = align ? 0.0f : -0.5f;
    if (fx < lo || fx > static_cast<float>(W) - 1 - lo)
      fx = std::clamp(fx, 0.0f, static_cast<float>(W - 1));
    if (fy < lo || fy > static_cast<float>(H) - 1 - lo)
      fy = std::clamp(fy, 0.0f, static_cast<float>(H - 1));
  }
  if (nearest) {
    return pix(static_cast<int64_t>(std::nearbyint(fy)), static_cast<int64_t>(std::nearbyint(fx)));
  }
  int64_t x0 = static_cast<int64_t>(std::floor(fx)), y0 = static_cast<int64_t>(std::floor(fy));
  float tx = fx - static_cast<float>(x0), ty = fy - static_cast<float>(y0);
  return pix(y0, x0) * (1 - tx) * (1 - ty) + pix(y0, x0 + 1) * tx * (1 - ty) +
         pix(y0 + 1, x0) * (1 - tx) * ty + pix(y0 + 1, x0 + 1) * tx * ty;
}

TEST(OnnxComposed, GridSampleMatchesNaiveAndChecksShapes) {
  int64_t C = 2, H = 3, W = 4, Ho = 2, Wo = 5;
  std::vector<float> x = rnd(static_cast<size_t>(C * H * W), 12);
  std::vector<float> grid = rnd(static_cast<size_t>(Ho * Wo * 2), 13);
  for (float& g : grid) g *= 1.3f;  // some points outside [-1, 1]
  struct Mode {
    const char* mode;
    const char* padding;
    int64_t align;
  };
  for (Mode md :
       {Mode{"linear", "zeros", 0}, Mode{"nearest", "border", 1}, Mode{"linear", "border", 0}}) {
    GraphSpec g;
    g.inputs.push_back(value_info("x", onnx::kFloat, {1, C, H, W}));
    g.outputs.push_back(value_info("y", onnx::kFloat, {}));
    g.initializers.push_back(tensor("grid", {1, Ho, Wo, 2}, grid));
    g.nodes.push_back(node("GridSample", {"x", "grid"}, {"y"}, "gs",
                           {attr_string("mode", md.mode), attr_string("padding_mode", md.padding),
                            attr_int("align_corners", md.align)}));
    std::vector<float> want;
    for (int64_t c = 0; c < C; ++c) {
      std::vector<float> plane(x.begin() + c * H * W, x.begin() + (c + 1) * H * W);
      for (int64_t q = 0; q < Ho * Wo; ++q)
        want.push_back(naive_grid_sample(plane, H, W, grid[q * 2], grid[q * 2 + 1], md.align,
                                         std::string(md.mode) == "nearest",
                                         std::string(md.padding) == "border"));
    }
    Dims d;
    SCOPED_TRACE(std::string(md.mode) + " " + md.padding);
    expect_close(run1(model(g, 20), Dims{1, C, H, W}, x, &d), want);
    EXPECT_EQ(d, (Dims{1, C, Ho, Wo}));
  }
  // A grid whose last dimension does not match X's spatial rank names the node.
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {1, C, H, W}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {}));
  g.initializers.push_back(
      tensor("grid", {1, Ho, Wo, 3}, rnd(static_cast<size_t>(Ho * Wo * 3), 1)));
  g.nodes.push_back(node("GridSample", {"x", "grid"}, {"y"}, "gs"));
  std::string e = test::parse_error(model(g, 20));
  EXPECT_TRUE(contains(e, "[GridSample node 'gs' (#0)]")) << e;
  EXPECT_TRUE(contains(e, "grid's last dimension must be 2")) << e;
}

TEST(OnnxComposed, Uint8ArithmeticWrapsAndBoolReductions) {
  std::vector<uint8_t> a = {250, 3, 100, 7}, b = {10, 5, 3, 7};
  struct Case {
    const char* op;
    std::vector<uint8_t> want;
  };
  for (const Case& c : {Case{"Add", {4, 8, 103, 14}}, Case{"Sub", {240, 254, 97, 0}},
                        Case{"Mul", {196, 15, 44, 49}}, Case{"Div", {25, 0, 33, 1}},
                        Case{"Max", {250, 5, 100, 7}}, Case{"Mod", {0, 3, 1, 0}}}) {
    GraphSpec g;
    g.inputs.push_back(value_info("a", onnx::kUint8, {4}));
    g.outputs.push_back(value_info("y", onnx::kUint8, {}));
    g.initializers.push_back(raw_tensor<uint8_t>("b", {4}, onnx::kUint8, b));
    g.nodes.push_back(node(c.op, {"a", "b"}, {"y"}));
    auto out = test::run_typed(model(g), {{"a", buf(Dims{4}, DataType::kUINT8, a)}});
    EXPECT_EQ(out["y"].type, DataType::kUINT8) << c.op;
    EXPECT_EQ(out["y"].as<uint8_t>(), c.want) << c.op;
  }
  // ReduceMax of bool is "any", ReduceMin "all".
  for (const char* op : {"ReduceMax", "ReduceMin"}) {
    GraphSpec g;
    g.inputs.push_back(value_info("a", onnx::kBool, {2, 2}));
    g.outputs.push_back(value_info("y", onnx::kBool, {}));
    g.initializers.push_back(int64_tensor("axes", {1}, {1}));
    g.nodes.push_back(node(op, {"a", "axes"}, {"y"}, "", {attr_int("keepdims", 0)}));
    auto out = test::run_typed(
        model(g, 20), {{"a", buf(Dims{2, 2}, DataType::kBOOL, std::vector<uint8_t>{1, 0, 1, 1})}});
    EXPECT_EQ(out["y"].as<uint8_t>(), (std::string(op) == "ReduceMax" ? std::vector<uint8_t>{1, 1}
                                                                      : std::vector<uint8_t>{0, 1}))
        << op;
  }
}

TEST(OnnxComposed, DetOfABatchOf3x3AndOneHotWithFloatIndices) {
  std::vector<float> x = rnd(18, 14);  // [2, 3, 3]
  std::vector<float> want;
  for (int b = 0; b < 2; ++b) {
    const float* m = &x[b * 9];
    want.push_back(m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                   m[2] * (m[3] * m[7] - m[4] * m[6]));
  }
  Dims d;
  expect_close(run1(one_node("Det", {2, 3, 3}, {}, {}, {}), Dims{2, 3, 3}, x, &d), want);
  EXPECT_EQ(d, (Dims{2}));
  std::string e = test::parse_error(one_node("Det", {2, 3}, {}, {}, {}));
  EXPECT_TRUE(contains(e, "[Det node 'n' (#0)]")) << e;
  EXPECT_TRUE(contains(e, "matrices must be square")) << e;

  // OneHot with float indices (truncated), depth 3, values (off, on) = (0, 5), axis 0.
  std::string m =
      one_node("OneHot", {2}, {"depth", "values"},
               {tensor("depth", {}, {3}), tensor("values", {2}, {0, 5})}, {attr_int("axis", 0)});
  EXPECT_EQ(run1(m, Dims{2}, {2.0f, 0.0f}), (std::vector<float>{0, 5, 0, 0, 5, 0}));
}

TEST(OnnxComposed, WindowsOfABuildTimeSize) {
  // y = x * HannWindow(4) (periodic): 0.5 - 0.5 cos(2 pi n / 4) = 0, 0.5, 1, 0.5.
  GraphSpec g;
  g.inputs.push_back(value_info("x", onnx::kFloat, {4}));
  g.outputs.push_back(value_info("y", onnx::kFloat, {}));
  g.initializers.push_back(int64_tensor("size", {}, {4}));
  g.nodes.push_back(node("HannWindow", {"size"}, {"w"}));
  g.nodes.push_back(node("Mul", {"x", "w"}, {"y"}));
  expect_close(run1(model(g, 17), Dims{4}, {2, 2, 2, 2}), {0, 1, 2, 1});
  // A size known only at run time is refused, naming the node.
  GraphSpec r;
  r.inputs.push_back(value_info("size", onnx::kInt64, {}));
  r.outputs.push_back(value_info("y", onnx::kFloat, {}));
  r.nodes.push_back(node("BlackmanWindow", {"size"}, {"y"}, "win"));
  std::string e = test::parse_error(model(r, 17));
  EXPECT_TRUE(contains(e, "[BlackmanWindow node 'win' (#0)]")) << e;
  EXPECT_TRUE(contains(e, "the window size")) << e;
}

TEST(OnnxComposed, BadInputsNameTheNode) {
  struct Case {
    std::string model, where, what;
  };
  std::vector<Case> cases = {
      {one_node("Col2Im", {2, 4}, {"img", "blk"},
                {int64_tensor("img", {2}, {3, 3}), int64_tensor("blk", {2}, {2, 2})}, {}, 18),
       "[Col2Im node 'n' (#0)]", "input must have rank 3"},
      {one_node("DFT", {1, 4, 2}, {}, {}, {attr_int("axis", 2)}, 17), "[DFT node 'n' (#0)]",
       "is the batch or complex axis"},
      {one_node("RotaryEmbedding", {2, 4}, {"c", "s"},
                {tensor("c", {2, 2}, {1, 1, 1, 1}), tensor("s", {2, 2}, {0, 0, 0, 0})}, {}, 23),
       "[RotaryEmbedding node 'n' (#0)]", "input must have rank 3 or 4"},
      {one_node("ReverseSequence", {3, 2}, {"l"}, {int64_tensor("l", {3}, {1, 1, 1})}, {}),
       "[ReverseSequence node 'n' (#0)]", "sequence_lens has 3 values for a batch of 2"},
      {one_node("QLinearMatMul", {2, 2}, {"s"}, {tensor("s", {}, {1})}, {}),
       "[QLinearMatMul node 'n' (#0)]", "is required"},
  };
  for (const Case& c : cases) {
    ParserErrorCode code{};
    std::string e = test::parse_error(c.model, &code);
    EXPECT_TRUE(contains(e, c.where)) << e;
    EXPECT_TRUE(contains(e, c.what)) << e;
    EXPECT_EQ(code, ParserErrorCode::kINVALID_NODE) << e;
  }
}

}  // namespace
}  // namespace kiln
