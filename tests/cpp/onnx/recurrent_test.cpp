// RNN, GRU and LSTM imported as unrolled layers (src/onnx/importers/recurrent.cpp), checked
// against a naive implementation of ONNX's equations written here: directions, layouts, biases,
// initial states, peepholes, linear_before_reset, sequence lengths, and errors naming the node.
#include <cmath>

#include "onnx/onnx_model.h"
#include "onnx/typed_run.h"
#include "test_util.h"

namespace kiln {
namespace {

using namespace test::pb;
using test::Buf;

std::vector<float> random_values(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  for (float& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<float>((seed >> 8) % 2001) / 1000.0f - 1.0f;
  }
  return v;
}

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

enum class Kind { kRNN, kGRU, kLSTM };

struct Problem {
  Kind kind;
  int64_t T, B, I, H;
  int dirs = 1;
  bool reverse = false, layout1 = false, bias = false, init = false, peep = false;
  bool lbr = false;                          // GRU linear_before_reset
  std::vector<int64_t> lens;                 // empty: all T
  std::vector<float> x, w, r, b, h0, c0, p;  // x and states in layout 0

  int64_t gates() const { return kind == Kind::kRNN ? 1 : (kind == Kind::kGRU ? 3 : 4); }
};

// Naive ONNX recurrence; y [T][dirs][B][H], yh and yc [dirs][B][H].
void reference(const Problem& q, std::vector<float>& y, std::vector<float>& yh,
               std::vector<float>& yc) {
  int64_t G = q.gates(), H = q.H, B = q.B, I = q.I, T = q.T;
  y.assign(static_cast<size_t>(T * q.dirs * B * H), 0);
  yh.assign(static_cast<size_t>(q.dirs * B * H), 0);
  yc = yh;
  for (int d = 0; d < q.dirs; ++d) {
    const float* W = q.w.data() + d * G * H * I;
    const float* R = q.r.data() + d * G * H * H;
    std::vector<float> Wb(G * H, 0), Rb(G * H, 0), P(3 * H, 0);
    if (q.bias) {
      for (int64_t k = 0; k < G * H; ++k) {
        Wb[k] = q.b[d * 2 * G * H + k];
        Rb[k] = q.b[d * 2 * G * H + G * H + k];
      }
    }
    if (q.peep) {
      for (int64_t k = 0; k < 3 * H; ++k) P[k] = q.p[d * 3 * H + k];
    }
    for (int64_t bb = 0; bb < B; ++bb) {
      std::vector<float> h(H, 0), c(H, 0);
      if (q.init) {
        for (int64_t k = 0; k < H; ++k) {
          h[k] = q.h0[(d * B + bb) * H + k];
          if (q.kind == Kind::kLSTM) c[k] = q.c0[(d * B + bb) * H + k];
        }
      }
      int64_t len = q.lens.empty() ? T : q.lens[bb];
      bool back = q.reverse || d == 1;
      for (int64_t i = 0; i < len; ++i) {
        int64_t t = back ? len - 1 - i : i;
        const float* xt = q.x.data() + (t * B + bb) * I;
        std::vector<float> xg(G * H), hg(G * H);
        for (int64_t g = 0; g < G * H; ++g) {
          float a = Wb[g], e = Rb[g];
          for (int64_t k = 0; k < I; ++k) a += xt[k] * W[g * I + k];
          for (int64_t k = 0; k < H; ++k) e += h[k] * R[g * H + k];
          xg[g] = a;
          hg[g] = e;
        }
        std::vector<float> hn(H);
        if (q.kind == Kind::kRNN) {
          for (int64_t k = 0; k < H; ++k) hn[k] = std::tanh(xg[k] + hg[k]);
        } else if (q.kind == Kind::kGRU) {
          for (int64_t k = 0; k < H; ++k) {
            float z = sigmoid(xg[k] + hg[k]);
            float rr = sigmoid(xg[H + k] + hg[H + k]);
            float cand;
            if (q.lbr) {
              cand = std::tanh(xg[2 * H + k] + rr * hg[2 * H + k]);
            } else {
              float s = Rb[2 * H + k];
              for (int64_t m = 0; m < H; ++m) {
                float rm = sigmoid(xg[H + m] + hg[H + m]);
                s += rm * h[m] * R[(2 * H + k) * H + m];
              }
              cand = std::tanh(xg[2 * H + k] + s);
            }
            hn[k] = (1 - z) * cand + z * h[k];
          }
        } else {
          for (int64_t k = 0; k < H; ++k) {
            float ig = sigmoid(xg[k] + hg[k] + P[k] * c[k]);
            float fg = sigmoid(xg[2 * H + k] + hg[2 * H + k] + P[2 * H + k] * c[k]);
            float cc = std::tanh(xg[3 * H + k] + hg[3 * H + k]);
            c[k] = fg * c[k] + ig * cc;
            float og = sigmoid(xg[H + k] + hg[H + k] + P[H + k] * c[k]);
            hn[k] = og * std::tanh(c[k]);
          }
        }
        h = hn;
        for (int64_t k = 0; k < H; ++k) y[((t * q.dirs + d) * B + bb) * H + k] = h[k];
      }
      for (int64_t k = 0; k < H; ++k) {
        yh[(d * B + bb) * H + k] = h[k];
        yc[(d * B + bb) * H + k] = c[k];
      }
    }
  }
}

Dims to_dims(const std::vector<int64_t>& v) {
  Dims d;
  d.nb_dims = static_cast<int32_t>(v.size());
  for (size_t i = 0; i < v.size(); ++i) d.d[i] = v[i];
  return d;
}

// Builds the ONNX model of `q` (weights as initializers) and runs it.
std::map<std::string, Buf> run(const Problem& q) {
  int64_t G = q.gates();
  const char* op = q.kind == Kind::kRNN ? "RNN" : (q.kind == Kind::kGRU ? "GRU" : "LSTM");
  GraphSpec g;
  std::vector<int64_t> xdims =
      q.layout1 ? std::vector<int64_t>{q.B, q.T, q.I} : std::vector<int64_t>{q.T, q.B, q.I};
  g.inputs.push_back(value_info("X", onnx::kFloat, xdims));
  g.initializers.push_back(tensor("W", {q.dirs, G * q.H, q.I}, q.w));
  g.initializers.push_back(tensor("R", {q.dirs, G * q.H, q.H}, q.r));
  std::vector<std::string> in = {"X", "W", "R"};
  in.push_back(q.bias ? "B" : "");
  if (q.bias) g.initializers.push_back(tensor("B", {q.dirs, 2 * G * q.H}, q.b));
  in.push_back(q.lens.empty() ? "" : "lens");
  if (!q.lens.empty())
    g.initializers.push_back(raw_tensor("lens", {q.B}, onnx::kInt32,
                                        std::vector<int32_t>(q.lens.begin(), q.lens.end())));
  auto state = [&](const std::vector<float>& v) {
    if (!q.layout1) return v;
    std::vector<float> o(v.size());  // [D, B, H] -> [B, D, H]
    for (int d = 0; d < q.dirs; ++d)
      for (int64_t b = 0; b < q.B; ++b)
        for (int64_t k = 0; k < q.H; ++k)
          o[(b * q.dirs + d) * q.H + k] = v[(d * q.B + b) * q.H + k];
    return o;
  };
  std::vector<int64_t> sdims =
      q.layout1 ? std::vector<int64_t>{q.B, q.dirs, q.H} : std::vector<int64_t>{q.dirs, q.B, q.H};
  in.push_back(q.init ? "h0" : "");
  if (q.init) g.initializers.push_back(tensor("h0", sdims, state(q.h0)));
  if (q.kind == Kind::kLSTM) {
    in.push_back(q.init ? "c0" : "");
    if (q.init) g.initializers.push_back(tensor("c0", sdims, state(q.c0)));
    in.push_back(q.peep ? "P" : "");
    if (q.peep) g.initializers.push_back(tensor("P", {q.dirs, 3 * q.H}, q.p));
  }
  while (!in.empty() && in.back().empty()) in.pop_back();
  std::vector<Msg> attrs = {attr_int("hidden_size", q.H), attr_int("layout", q.layout1)};
  if (q.dirs == 2) attrs.push_back(attr_string("direction", "bidirectional"));
  if (q.reverse) attrs.push_back(attr_string("direction", "reverse"));
  if (q.lbr) attrs.push_back(attr_int("linear_before_reset", 1));
  std::vector<std::string> outs = {"Y", "Y_h"};
  if (q.kind == Kind::kLSTM) outs.push_back("Y_c");
  g.nodes.push_back(node(op, in, outs, "rec", attrs));
  for (const std::string& o : outs) g.outputs.push_back(value_info(o, onnx::kFloat, {}));
  std::vector<float> x = q.x;
  if (q.layout1) {  // [T, B, I] -> [B, T, I]
    for (int64_t t = 0; t < q.T; ++t)
      for (int64_t b = 0; b < q.B; ++b)
        for (int64_t k = 0; k < q.I; ++k) x[(b * q.T + t) * q.I + k] = q.x[(t * q.B + b) * q.I + k];
  }
  return test::run_typed(model(g, 22), {{"X", test::buf(to_dims(xdims), DataType::kFLOAT, x)}});
}

void fill(Problem& q, uint32_t seed) {
  int64_t G = q.gates();
  q.x = random_values(q.T * q.B * q.I, seed);
  q.w = random_values(q.dirs * G * q.H * q.I, seed + 1);
  q.r = random_values(q.dirs * G * q.H * q.H, seed + 2);
  q.b = random_values(q.dirs * 2 * G * q.H, seed + 3);
  q.h0 = random_values(q.dirs * q.B * q.H, seed + 4);
  q.c0 = random_values(q.dirs * q.B * q.H, seed + 5);
  q.p = random_values(q.dirs * 3 * q.H, seed + 6);
}

void expect_near_all(const std::vector<float>& got, const std::vector<float>& want,
                     const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-5f + 1e-4f * std::fabs(want[i])) << what << " at " << i;
}

void check(const Problem& q) {
  std::vector<float> y, yh, yc;
  reference(q, y, yh, yc);
  auto out = run(q);
  ASSERT_TRUE(out.count("Y") && out.count("Y_h"));
  std::vector<float> gy = out["Y"].as<float>(), gh = out["Y_h"].as<float>();
  if (q.layout1) {  // [B, T, D, H] and [B, D, H] back to layout 0
    std::vector<float> y0(gy.size()), h0(gh.size());
    for (int64_t b = 0; b < q.B; ++b)
      for (int64_t t = 0; t < q.T; ++t)
        for (int d = 0; d < q.dirs; ++d)
          for (int64_t k = 0; k < q.H; ++k)
            y0[((t * q.dirs + d) * q.B + b) * q.H + k] = gy[((b * q.T + t) * q.dirs + d) * q.H + k];
    for (int64_t b = 0; b < q.B; ++b)
      for (int d = 0; d < q.dirs; ++d)
        for (int64_t k = 0; k < q.H; ++k)
          h0[(d * q.B + b) * q.H + k] = gh[(b * q.dirs + d) * q.H + k];
    gy = y0;
    gh = h0;
    EXPECT_EQ(out["Y"].dims, (Dims{q.B, q.T, q.dirs, q.H}));
  } else {
    EXPECT_EQ(out["Y"].dims, (Dims{q.T, q.dirs, q.B, q.H}));
  }
  expect_near_all(gy, y, "Y");
  expect_near_all(gh, yh, "Y_h");
  if (q.kind == Kind::kLSTM) expect_near_all(out["Y_c"].as<float>(), yc, "Y_c");
}

TEST(OnnxRecurrent, BidirectionalLstmWithPeepholesStatesAndSequenceLengths) {
  Problem q{Kind::kLSTM, 4, 2, 3, 5};
  q.dirs = 2;
  q.bias = q.init = q.peep = true;
  q.lens = {4, 2};
  fill(q, 11);
  check(q);
}

TEST(OnnxRecurrent, LstmBatchMajorLayout) {
  Problem q{Kind::kLSTM, 3, 2, 2, 4};
  q.layout1 = true;
  q.init = q.bias = true;
  fill(q, 21);
  check(q);
}

TEST(OnnxRecurrent, GruBothResetOrdersAndReverse) {
  for (bool lbr : {false, true}) {
    Problem q{Kind::kGRU, 3, 2, 3, 4};
    q.lbr = lbr;
    q.bias = q.init = true;
    q.reverse = lbr;
    fill(q, 31 + lbr);
    check(q);
  }
}

TEST(OnnxRecurrent, BidirectionalRnnBatchMajor) {
  Problem q{Kind::kRNN, 5, 3, 2, 3};
  q.dirs = 2;
  q.layout1 = true;
  q.bias = true;
  fill(q, 41);
  check(q);
}

TEST(OnnxRecurrent, BadWeightsNameTheNode) {
  GraphSpec g;
  g.inputs.push_back(value_info("X", onnx::kFloat, {2, 1, 3}));
  g.outputs.push_back(value_info("Y", onnx::kFloat, {}));
  g.initializers.push_back(tensor("W", {1, 8, 3}, random_values(24, 1)));  // LSTM needs 4 * H
  g.initializers.push_back(tensor("R", {1, 8, 4}, random_values(32, 2)));
  g.nodes.push_back(node("LSTM", {"X", "W", "R"}, {"Y"}, "lstm", {attr_int("hidden_size", 4)}));
  ParserErrorCode code{};
  std::string e = test::parse_error(model(g, 22), &code);
  EXPECT_TRUE(contains(e, "[LSTM node 'lstm' (#0)]")) << e;
  EXPECT_TRUE(contains(e, "W must be [1, 16, 3]")) << e;
  EXPECT_EQ(code, ParserErrorCode::kINVALID_NODE);

  g.nodes[0] = node("GRU", {"X", "W", "R"}, {"Y"}, "gru",
                    {attr_int("hidden_size", 4), attr_strings("activations", {"Sigmoid", "Foo"})});
  e = test::parse_error(model(g, 22), &code);
  EXPECT_TRUE(contains(e, "[GRU node 'gru' (#0)]")) << e;
  EXPECT_TRUE(contains(e, "activation 'Foo'")) << e;
  EXPECT_EQ(code, ParserErrorCode::kUNSUPPORTED_NODE);
}

}  // namespace
}  // namespace kiln
