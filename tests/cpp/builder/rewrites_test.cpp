// The optimizer's rewrites, each stated as the graph before and after in the textual IR
// (ir/text.h), plus the textual IR's own round trip and the pass manager's verification.
#include <gtest/gtest.h>

#include "builder/pass_manager.h"
#include "builder/rewrites/rewrites.h"
#include "e2e/e2e_util.h"
#include "ir/pointwise_program.h"
#include "ir/text.h"

namespace kiln::builder {
namespace {

using test::quiet_logger;

// Applies `pass` to the parsed `before`, verifies the result and returns its text.
template <typename Pass>
std::string rewrite(const std::string& before, Pass pass) {
  ir::Graph g = ir::parse(before);
  ir::Graph after = compact(pass(g));
  verify_graph(after, "test");
  return ir::print(after);
}

TEST(TextIR, RoundTrips) {
  const std::string text =
      "input x float32 [-1,4]\n"
      "input \"odd name\" float16 [2]\n"
      "weights w float32 [4] = [0.5, -1, 2.25, 1e-07]\n"
      "weights big float32 [4,64]\n"
      "node \"fc + bias\" matrix_multiply(op_a=0 op_b=0 fused_activation=false "
      "fused_activation_type=0 fused_activation_alpha=0 fused_activation_beta=0) x, big -> t0\n"
      "node ln layer_norm(epsilon=1e-05 rms=false num_outputs=1) x, -, w, - -> t1\n"
      "node pw fused_pointwise(program=\"in 0; relu %0; out %1 float32\" num_outputs=1) t1 -> "
      "y\n"
      "outputs y, t0\n";
  ir::Graph g = ir::parse(text);
  EXPECT_EQ(ir::print(g), text);
  EXPECT_EQ(g.tensors[g.find_tensor("t0")].dims, (Dims{-1, 64}));
  EXPECT_EQ(g.nodes[1].inputs[1], -1);
  verify_graph(g, "parse");
}

TEST(TextIR, ErrorsNameTheLine) {
  auto error = [](const std::string& text) {
    try {
      ir::parse(text);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error("input x float32 [2]\nnode a relu(x) x -> y\n").find("line 2: unknown op kind"),
            std::string::npos);
  EXPECT_NE(error("node a activation(type=0) q -> y\n").find("'q' is used before it is defined"),
            std::string::npos);
  EXPECT_NE(error("input x float32 [2]\nnode a activation(kind=0) x -> y\n")
                .find("no attribute 'kind' in activation"),
            std::string::npos);
  EXPECT_NE(error("input x float32 [2]\ninput x float32 [2]\n").find("defined twice"),
            std::string::npos);
  EXPECT_NE(error("input x float32 [2\n").find("line 1"), std::string::npos);
}

TEST(PointwiseProgram, TextRoundTripsAndRejectsBadPrograms) {
  const std::string text =
      "in 0; const 0.5; mul %0 %1; erf %2; leaky_relu[0.01,0] %3; in 1; select %5 %0 "
      "%4; cast float16 %6; out %7 float16; out %3 float32";
  ir::PwProgram p = ir::parse_pointwise(text);
  EXPECT_EQ(ir::to_text(p), text);
  EXPECT_EQ(p.num_inputs(), 2);
  for (const char* bad : {"in 0; mul %0 %1; out %1 float32", "in 0; frobnicate %0; out %1 float32",
                          "in 0", "in 0; out %0 int32", "in 0; exp %0 %0; out %1 float32"}) {
    EXPECT_THROW(ir::parse_pointwise(bad), Error) << bad;
  }
}

// Plans carry programs and tests carry IR text: mangled text must be refused with an Error, never
// crash or loop (ASan runs this in CI).
TEST(PointwiseProgram, MangledTextIsRefusedOrRoundTrips) {
  const std::string program =
      "in 0; const -0.5; mul %0 %1; in 1; select %3 %2 %0; gelu_tanh %4; cast bfloat16 %5; "
      "out %6 bfloat16; out %4 bool";
  const std::string graph =
      "input x float32 [-1,4]\nweights w float32 [4] = [1, 2, 3, 4]\n"
      "node n fused_pointwise(program=\"in 0; in 1; add %0 %1; out %2 float32\" num_outputs=1) x, "
      "w -> y\noutputs y\n";
  uint32_t state = 12345;
  auto next = [&] { return state = state * 1664525u + 1013904223u; };
  const std::string alphabet = "%;[], 0123456789.-eabcdfinoutx\"=()->\n";
  int parsed = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string p = round % 2 ? program : graph;
    for (int edits = 1 + next() % 4; edits > 0; --edits) {
      size_t at = next() % p.size();
      switch (next() % 3) {
        case 0:
          p[at] = alphabet[next() % alphabet.size()];
          break;
        case 1:
          p.erase(at, 1 + next() % 3);
          break;
        default:
          p.insert(at, 1, alphabet[next() % alphabet.size()]);
          break;
      }
      if (p.empty()) p = "x";
    }
    try {
      if (round % 2) {
        ir::PwProgram parsed_program = ir::parse_pointwise(p);
        EXPECT_EQ(ir::to_text(ir::parse_pointwise(ir::to_text(parsed_program))),
                  ir::to_text(parsed_program));
      } else {
        ir::Graph g = ir::parse(p);
        EXPECT_EQ(ir::print(ir::parse(ir::print(g))), ir::print(g));
      }
      ++parsed;
    } catch (const Error&) {
    }
  }
  EXPECT_GT(parsed, 10);  // some mutations stay valid (a changed digit, a changed name)
}

TEST(Rewrites, GeluErfDecomposition) {
  EXPECT_EQ(rewrite("input x float32 [2,8]\n"
                    "weights sqrt2 float32 [] = [1.41421354]\n"
                    "weights one float32 [] = [1]\n"
                    "weights half float32 [] = [0.5]\n"
                    "node div elementwise(op=5) x, sqrt2 -> t0\n"
                    "node erf unary(op=9) t0 -> t1\n"
                    "node add elementwise(op=0) t1, one -> t2\n"
                    "node mul elementwise(op=1) x, t2 -> t3\n"
                    "node mul2 elementwise(op=1) t3, half -> y\n"
                    "outputs y\n",
                    [](const ir::Graph& g) { return fuse_gelu(g, quiet_logger()); }),
            "input x float32 [2,8]\n"
            "node \"div + erf + add + mul + mul2\" activation(type=9 alpha=0 beta=0) x -> y\n"
            "outputs y\n");
}

TEST(Rewrites, GeluErfWithHalfFirstAndMultiplyByReciprocal) {
  // (x * 0.5) * (1 + erf(x * 0.7071))
  EXPECT_EQ(rewrite("input x float32 [4]\n"
                    "weights r float32 [1] = [0.707106769]\n"
                    "weights one float32 [1] = [1]\n"
                    "weights half float32 [1] = [0.5]\n"
                    "node h elementwise(op=1) x, half -> t0\n"
                    "node s elementwise(op=1) x, r -> t1\n"
                    "node erf unary(op=9) t1 -> t2\n"
                    "node add elementwise(op=0) one, t2 -> t3\n"
                    "node mul elementwise(op=1) t0, t3 -> y\n"
                    "outputs y\n",
                    [](const ir::Graph& g) { return fuse_gelu(g, quiet_logger()); }),
            "input x float32 [4]\n"
            "node \"h + s + erf + add + mul\" activation(type=9 alpha=0 beta=0) x -> y\n"
            "outputs y\n");
}

TEST(Rewrites, GeluTanhDecomposition) {
  EXPECT_EQ(rewrite("input x float32 [4]\n"
                    "weights three float32 [] = [3]\n"
                    "weights c float32 [] = [0.044715]\n"
                    "weights k float32 [] = [0.797884583]\n"
                    "weights one float32 [] = [1]\n"
                    "weights half float32 [] = [0.5]\n"
                    "node pow elementwise(op=6) x, three -> t0\n"
                    "node cm elementwise(op=1) c, t0 -> t1\n"
                    "node in elementwise(op=0) x, t1 -> t2\n"
                    "node km elementwise(op=1) t2, k -> t3\n"
                    "node tanh activation(type=2 alpha=0 beta=0) t3 -> t4\n"
                    "node add elementwise(op=0) t4, one -> t5\n"
                    "node hm elementwise(op=1) t5, half -> t6\n"
                    "node mul elementwise(op=1) t6, x -> y\n"
                    "outputs y\n",
                    [](const ir::Graph& g) { return fuse_gelu(g, quiet_logger()); }),
            "input x float32 [4]\n"
            "node \"pow + cm + in + km + tanh + add + hm + mul\" activation(type=10 alpha=0 "
            "beta=0) x -> y\n"
            "outputs y\n");
}

TEST(Rewrites, GeluNotFusedWhenAnIntermediateIsReadElsewhere) {
  const std::string before =
      "input x float32 [2]\n"
      "weights sqrt2 float32 [] = [1.41421354]\n"
      "weights one float32 [] = [1]\n"
      "weights half float32 [] = [0.5]\n"
      "node div elementwise(op=5) x, sqrt2 -> t0\n"
      "node erf unary(op=9) t0 -> t1\n"
      "node add elementwise(op=0) t1, one -> t2\n"
      "node mul elementwise(op=1) x, t2 -> t3\n"
      "node mul2 elementwise(op=1) t3, half -> y\n"
      "outputs y, t1\n";
  EXPECT_EQ(rewrite(before, [](const ir::Graph& g) { return fuse_gelu(g, quiet_logger()); }),
            ir::print(ir::parse(before)));
}

TEST(Rewrites, DecomposedLayerNormWithResidual) {
  // s = a + b; LayerNorm(s) * gamma + beta, with s also read by a later residual add.
  EXPECT_EQ(rewrite("input a float32 [2,3,4]\n"
                    "input b float32 [2,3,4]\n"
                    "weights eps float32 [] = [1e-06]\n"
                    "weights two float32 [] = [2]\n"
                    "weights gamma float32 [4] = [1, 2, 3, 4]\n"
                    "weights beta float32 [1,1,4] = [0, 0.5, 0, 0.5]\n"
                    "node res elementwise(op=0) a, b -> s\n"
                    "node mean reduce(op=4 axes=4 keep_dims=true) s -> m\n"
                    "node sub elementwise(op=4) s, m -> d\n"
                    "node sq elementwise(op=6) d, two -> d2\n"
                    "node var reduce(op=4 axes=4 keep_dims=true) d2 -> v\n"
                    "node addeps elementwise(op=0) v, eps -> ve\n"
                    "node sqrt unary(op=2) ve -> sd\n"
                    "node div elementwise(op=5) d, sd -> n\n"
                    "node scale elementwise(op=1) n, gamma -> ns\n"
                    "node shift elementwise(op=0) ns, beta -> y\n"
                    "node next elementwise(op=0) y, s -> z\n"
                    "outputs z\n",
                    [](const ir::Graph& g) { return fuse_layer_norm(g, quiet_logger()); }),
            "input a float32 [2,3,4]\n"
            "input b float32 [2,3,4]\n"
            "weights gamma float32 [4] = [1, 2, 3, 4]\n"
            "weights beta.fused_bias float32 [4] = [0, 0.5, 0, 0.5]\n"
            "node \"res + mean + sub + sq + var + addeps + sqrt + div + scale + shift\" "
            "layer_norm(epsilon=1e-06 rms=false num_outputs=2) a, b, gamma, "
            "beta.fused_bias -> y, s\n"
            "node next elementwise(op=0) y, s -> z\n"
            "outputs z\n");
}

TEST(Rewrites, RmsNormWithReciprocal) {
  EXPECT_EQ(rewrite("input x float16 [3,8]\n"
                    "weights eps float16 [] = [1e-05]\n"
                    "weights w float16 [8] = [1, 1, 1, 1, 2, 2, 2, 2]\n"
                    "node sq elementwise(op=1) x, x -> x2\n"
                    "node mean reduce(op=4 axes=2 keep_dims=true) x2 -> m\n"
                    "node add elementwise(op=0) m, eps -> me\n"
                    "node sqrt unary(op=2) me -> s\n"
                    "node inv unary(op=3) s -> r\n"
                    "node mul elementwise(op=1) x, r -> n\n"
                    "node w elementwise(op=1) w, n -> y\n"
                    "outputs y\n",
                    [](const ir::Graph& g) { return fuse_layer_norm(g, quiet_logger()); }),
            "input x float16 [3,8]\n"
            "weights w float16 [8] = [1, 1, 1, 1, 2, 2, 2, 2]\n"
            "node \"sq + mean + add + sqrt + inv + mul + w\" layer_norm(epsilon=1.001358e-05 "
            "rms=true num_outputs=1) x, -, w, - -> y\n"
            "outputs y\n");
}

TEST(Rewrites, NormalizationLayerOverTheLastAxis) {
  EXPECT_EQ(rewrite("input x float32 [2,5,6]\n"
                    "weights g float32 [1,1,6] = [1, 2, 3, 4, 5, 6]\n"
                    "weights b float32 [1,1,6] = [6, 5, 4, 3, 2, 1]\n"
                    "node ln normalization(axes=4 epsilon=1e-12 num_groups=1) x, g, b "
                    "-> y\n"
                    "node other normalization(axes=6 epsilon=1e-12 num_groups=1) y, g, "
                    "b -> z\n"
                    "outputs z\n",
                    [](const ir::Graph& g) { return fuse_layer_norm(g, quiet_logger()); }),
            "input x float32 [2,5,6]\n"
            "weights g float32 [1,1,6] = [1, 2, 3, 4, 5, 6]\n"
            "weights b float32 [1,1,6] = [6, 5, 4, 3, 2, 1]\n"
            "weights g.fused_bias float32 [6] = [1, 2, 3, 4, 5, 6]\n"
            "weights b.fused_bias float32 [6] = [6, 5, 4, 3, 2, 1]\n"
            "node ln layer_norm(epsilon=1e-12 rms=false num_outputs=1) x, -, "
            "g.fused_bias, b.fused_bias -> y\n"
            "node other normalization(axes=6 epsilon=1e-12 num_groups=1) y, g, b -> z\n"
            "outputs z\n");
}

TEST(Rewrites, PointwiseRegionBecomesOneFusedOp) {
  // y = relu(x + bias) * 2, and t = x + bias is also an output: two outputs.
  EXPECT_EQ(rewrite("input x float16 [2,3,8]\n"
                    "weights bias float16 [8] = [1, 2, 3, 4, 5, 6, 7, 8]\n"
                    "weights two float16 [] = [2]\n"
                    "node add elementwise(op=0) x, bias -> t\n"
                    "node relu activation(type=0 alpha=0 beta=0) t -> r\n"
                    "node mul elementwise(op=1) r, two -> y\n"
                    "outputs y, t\n",
                    [](const ir::Graph& g) { return fuse_pointwise(g, quiet_logger()); }),
            "input x float16 [2,3,8]\n"
            "weights bias float16 [8] = [1, 2, 3, 4, 5, 6, 7, 8]\n"
            "node \"add + relu + mul\" fused_pointwise(program=\"in 0; in 1; add %0 %1; relu %2; "
            "const 2; mul %3 %4; out %2 float16; out %5 float16\" num_outputs=2) x, bias -> t, "
            "y\n"
            "outputs y, t\n");
}

TEST(Rewrites, PointwiseFusionStopsAtShapeChangesAndKeepsWeightsForRefit) {
  // a [4,1] + b [1,4] -> [4,4]: the add's output shape differs from its inputs, so the exp of a
  // (shape [4,1]) starts another region; with keep_weights the scalar stays an input.
  EXPECT_EQ(rewrite("input a float32 [4,1]\n"
                    "input b float32 [1,4]\n"
                    "weights k float32 [] = [3]\n"
                    "node e unary(op=0) a -> ea\n"
                    "node add elementwise(op=0) ea, b -> s\n"
                    "node mul elementwise(op=1) s, k -> y\n"
                    "outputs y\n",
                    [](const ir::Graph& g) { return fuse_pointwise(g, quiet_logger(), true); }),
            "input a float32 [4,1]\n"
            "input b float32 [1,4]\n"
            "weights k float32 [] = [3]\n"
            "node e unary(op=0) a -> ea\n"
            "node \"add + mul\" fused_pointwise(program=\"in 0; in 1; add %0 %1; in 2; mul %2 %3; "
            "out %4 float32\" num_outputs=1) ea, b, k -> y\n"
            "outputs y\n");
}

TEST(Rewrites, PointwiseFusionDoesNotCreateCycles) {
  // r = relu(x); m = matmul(r, w); y = r + m: the add cannot join relu's region, since its
  // other input depends on that region.
  const std::string before =
      "input x float32 [4,4]\n"
      "weights w float32 [4,4]\n"
      "node relu activation(type=0 alpha=0 beta=0) x -> r\n"
      "node mm matrix_multiply(op_a=0 op_b=0 fused_activation=false fused_activation_type=0 "
      "fused_activation_alpha=0 fused_activation_beta=0) r, w -> m\n"
      "node add elementwise(op=0) r, m -> y\n"
      "outputs y\n";
  EXPECT_EQ(rewrite(before, [](const ir::Graph& g) { return fuse_pointwise(g, quiet_logger()); }),
            ir::print(ir::parse(before)));
}

TEST(Rewrites, PointwiseBranchesMeetingInALayerMerge) {
  // gelu(y) + y * 0.25 where y comes from a non-pointwise layer: both branches start regions of
  // their own, which merge in the add.
  EXPECT_EQ(rewrite("input x float32 [2,8]\n"
                    "weights q float32 [] = [0.25]\n"
                    "node sm softmax(axes=2) x -> y\n"
                    "node g activation(type=9 alpha=0 beta=0) y -> a\n"
                    "node m elementwise(op=1) y, q -> b\n"
                    "node add elementwise(op=0) a, b -> z\n"
                    "outputs z\n",
                    [](const ir::Graph& g) { return fuse_pointwise(g, quiet_logger()); }),
            "input x float32 [2,8]\n"
            "node sm softmax(axes=2) x -> y\n"
            "node \"g + m + add\" fused_pointwise(program=\"in 0; gelu_erf %0; const 0.25; mul %0 "
            "%2; add %1 %3; out %4 float32\" num_outputs=1) y -> z\n"
            "outputs z\n");
}

TEST(Rewrites, BatchNormScaleAndShiftFoldIntoTheConvolution) {
  const std::string conv_attrs =
      "convolution(num_output_maps=2 kernel_shape=[1,1] stride=[1,1] pre_padding=[0,0] "
      "post_padding=[0,0] dilation=[1,1] num_groups=1 fused_activation=false "
      "fused_activation_type=0 fused_activation_alpha=0 fused_activation_beta=0)";
  EXPECT_EQ(rewrite("input x float32 [1,3,4,4]\n"
                    "weights w float32 [2,3,1,1] = [1, 2, 3, 4, 5, 6]\n"
                    "weights b float32 [2] = [1, -1]\n"
                    "weights s float32 [1,2,1,1] = [2, 0.5]\n"
                    "weights t float32 [1,2,1,1] = [10, 20]\n"
                    "node conv " +
                        conv_attrs +
                        " x, w, b -> c\n"
                        "node bn_mul elementwise(op=1) c, s -> m\n"
                        "node bn_add elementwise(op=0) m, t -> a\n"
                        "node relu activation(type=0 alpha=0 beta=0) a -> y\n"
                        "outputs y\n",
                    [](const ir::Graph& g) { return fold_scale_into_conv(g, quiet_logger()); }),
            "input x float32 [1,3,4,4]\n"
            "weights w.folded_scale float32 [2,3,1,1] = [2, 4, 6, 2, 2.5, 3]\n"
            "weights \"conv + bn_mul + bn_add.folded_bias\" float32 [2] = [12, 19.5]\n"
            "node \"conv + bn_mul + bn_add\" " +
                conv_attrs +
                " x, w.folded_scale, \"conv + bn_mul + bn_add.folded_bias\" -> a\n"
                "node relu activation(type=0 alpha=0 beta=0) a -> y\n"
                "outputs y\n");
}

TEST(Rewrites, HeadSplitAndMergeShufflesMerge) {
  // [2,6,8] -> reshape [2,6,2,4] -> transpose (0,2,1,3) -> [2,2,6,4] -> transpose (0,2,1,3)
  // -> reshape [2,6,8]: two shuffles, the first reshapes, the second merges three.
  EXPECT_EQ(rewrite("input x float32 [2,6,8]\n"
                    "node split shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
                    "reshape_dims=[2,6,2,4] zero_is_placeholder=true "
                    "second_transpose=(0,1,2,3,4,5,6,7)) x -> a\n"
                    "node heads shuffle(first_transpose=(0,2,1,3,4,5,6,7) has_reshape=false "
                    "reshape_dims=[] zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) "
                    "a -> b\n"
                    "node relu activation(type=0 alpha=0 beta=0) b -> c\n"
                    "node back shuffle(first_transpose=(0,2,1,3,4,5,6,7) has_reshape=false "
                    "reshape_dims=[] zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) "
                    "c -> d\n"
                    "node merge shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
                    "reshape_dims=[2,6,8] zero_is_placeholder=true "
                    "second_transpose=(0,1,2,3,4,5,6,7)) d -> y\n"
                    "outputs y\n",
                    [](const ir::Graph& g) { return merge_shuffles(g, quiet_logger()); }),
            "input x float32 [2,6,8]\n"
            "node \"split + heads\" shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
            "reshape_dims=[2,6,2,4] zero_is_placeholder=true second_transpose=(0,2,1,3,4,5,6,7)) "
            "x -> b\n"
            "node relu activation(type=0 alpha=0 beta=0) b -> c\n"
            "node \"back + merge\" shuffle(first_transpose=(0,2,1,3,4,5,6,7) has_reshape=true "
            "reshape_dims=[2,6,8] zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) "
            "c -> y\n"
            "outputs y\n");
}

TEST(Rewrites, AReshapeSplittingDimsMovesBeforeTheTranspose) {
  // PyTorch's multi-head attention: [S,B,E] -> view [S,B*H,D] -> transpose(0,1) -> view
  // [B,H,S,D] is one reshape [S,B,H,D] and one transpose (1,2,0,3).
  EXPECT_EQ(rewrite("input x float32 [5,2,12]\n"
                    "node a shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
                    "reshape_dims=[5,6,4] zero_is_placeholder=true "
                    "second_transpose=(1,0,2,3,4,5,6,7)) x -> t\n"
                    "node b shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
                    "reshape_dims=[2,3,5,4] zero_is_placeholder=true "
                    "second_transpose=(0,1,2,3,4,5,6,7)) t -> y\n"
                    "outputs y\n",
                    [](const ir::Graph& g) { return merge_shuffles(g, quiet_logger()); }),
            "input x float32 [5,2,12]\n"
            "node \"a + b\" shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
            "reshape_dims=[5,2,3,4] zero_is_placeholder=false second_transpose=(1,2,0,3,4,5,6,7)) "
            "x -> y\n"
            "outputs y\n");
  // A reshape that merges dims (not a split) stays a second shuffle.
  const std::string merge_back =
      "input x float32 [5,2,12]\n"
      "node a shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true reshape_dims=[5,6,4] "
      "zero_is_placeholder=true second_transpose=(1,0,2,3,4,5,6,7)) x -> t\n"
      "node b shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true reshape_dims=[6,20] "
      "zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) t -> y\n"
      "outputs y\n";
  EXPECT_EQ(
      rewrite(merge_back, [](const ir::Graph& g) { return merge_shuffles(g, quiet_logger()); }),
      merge_back);
}

TEST(Rewrites, TransposesFoldIntoMatrixMultiplies) {
  const std::string mm =
      "matrix_multiply(op_a=0 op_b=0 fused_activation=false fused_activation_type=0 "
      "fused_activation_alpha=0 fused_activation_beta=0)";
  const std::string mm_bt =
      "matrix_multiply(op_a=0 op_b=1 fused_activation=false fused_activation_type=0 "
      "fused_activation_alpha=0 fused_activation_beta=0)";
  // k^T as a plain transpose disappears; k2 split into heads and transposed keeps its head split.
  EXPECT_EQ(
      rewrite("input q float32 [2,3,4]\n"
              "input k float32 [2,3,4]\n"
              "input k2 float32 [3,8]\n"
              "node kt shuffle(first_transpose=(0,2,1,3,4,5,6,7) has_reshape=false "
              "reshape_dims=[] zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) "
              "k -> kT\n"
              "node s " +
                  mm +
                  " q, kT -> y\n"
                  "node split shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
                  "reshape_dims=[3,2,4] zero_is_placeholder=true "
                  "second_transpose=(1,2,0,3,4,5,6,7)) k2 -> h\n"
                  "node s2 " +
                  mm +
                  " q, h -> z\n"
                  "outputs y, z\n",
              [](const ir::Graph& g) { return fold_transpose_into_matmul(g, quiet_logger()); }),
      "input q float32 [2,3,4]\n"
      "input k float32 [2,3,4]\n"
      "input k2 float32 [3,8]\n"
      "node \"kt + s\" " +
          mm_bt +
          " q, k -> y\n"
          "node split shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
          "reshape_dims=[3,2,4] zero_is_placeholder=true second_transpose=(1,0,2,3,4,5,6,7)) "
          "k2 -> h\n"
          "node \"split + s2\" " +
          mm_bt +
          " q, h -> z\n"
          "outputs y, z\n");
  // q's head split (0,2,1,3) keeps its last dim last: nothing to gain, nothing changes.
  const std::string q_split =
      "input x float32 [2,5,12]\n"
      "input k float32 [2,3,5,4]\n"
      "node split shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
      "reshape_dims=[2,5,3,4] zero_is_placeholder=true second_transpose=(0,2,1,3,4,5,6,7)) x -> "
      "q\n"
      "node s " +
      mm_bt +
      " q, k -> y\n"
      "outputs y\n";
  EXPECT_EQ(
      rewrite(q_split,
              [](const ir::Graph& g) { return fold_transpose_into_matmul(g, quiet_logger()); }),
      q_split);
}

const char* kMatmul =
    "matrix_multiply(op_a=0 op_b=0 fused_activation=false fused_activation_type=0 "
    "fused_activation_alpha=0 fused_activation_beta=0)";
const char* kMatmulBt =
    "matrix_multiply(op_a=0 op_b=1 fused_activation=false fused_activation_type=0 "
    "fused_activation_alpha=0 fused_activation_beta=0)";

TEST(Rewrites, AttentionWithScaleAndMaskBecomesOneOp) {
  // BERT's export after fold_transpose_into_matmul: q.k^T / 8 + mask, softmax, times v.
  EXPECT_EQ(rewrite(std::string("input q float32 [2,12,7,64]\n"
                                "input k float32 [2,12,7,64]\n"
                                "input v float32 [2,12,7,64]\n"
                                "input mask float32 [2,1,1,7]\n"
                                "weights eight float32 [] = [8]\n"
                                "node qk ") +
                        kMatmulBt +
                        " q, k -> s\n"
                        "node div elementwise(op=5) s, eight -> t\n"
                        "node add elementwise(op=0) t, mask -> u\n"
                        "node sm softmax(axes=8) u -> p\n"
                        "node pv " +
                        kMatmul +
                        " p, v -> y\n"
                        "outputs y\n",
                    [](const ir::Graph& g) { return fuse_attention(g, quiet_logger()); }),
            "input q float32 [2,12,7,64]\n"
            "input k float32 [2,12,7,64]\n"
            "input v float32 [2,12,7,64]\n"
            "input mask float32 [2,1,1,7]\n"
            "node \"qk + div + add + sm + pv\" attention(scale=0.125 causal=false kv_group=1 "
            "q_perm=(0,1,2,3,4,5,6,7) "
            "k_perm=(0,1,2,3,4,5,6,7) v_perm=(0,1,2,3,4,5,6,7) out_perm=(0,1,2,3,4,5,6,7)) q, k, "
            "v, mask -> y\n"
            "outputs y\n");
}

TEST(Rewrites, AttentionWithScaledQAndKAndATransposeOfK) {
  // PyTorch's scaled_dot_product_attention export: q and k^T each times sqrt(scale), k^T from a
  // head split whose final swap the op takes over (the split's reshape and (0,2,1,3) stay).
  EXPECT_EQ(
      rewrite(std::string("input q float32 [2,3,5,4]\n"
                          "input k float32 [2,5,12]\n"
                          "input v float32 [2,3,5,4]\n"
                          "weights r float32 [] = [0.5]\n"
                          "weights r2 float32 [] = [0.25]\n"
                          "node kt shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
                          "reshape_dims=[2,5,3,4] zero_is_placeholder=true "
                          "second_transpose=(0,2,3,1,4,5,6,7)) k -> kT\n"
                          "node qs elementwise(op=1) q, r -> q2\n"
                          "node ks elementwise(op=1) r2, kT -> k2\n"
                          "node qk ") +
                  kMatmul +
                  " q2, k2 -> s\n"
                  "node sm softmax(axes=8) s -> p\n"
                  "node pv " +
                  kMatmul +
                  " p, v -> y\n"
                  "outputs y\n",
              [](const ir::Graph& g) { return fuse_attention(g, quiet_logger()); }),
      "input q float32 [2,3,5,4]\n"
      "input k float32 [2,5,12]\n"
      "input v float32 [2,3,5,4]\n"
      "node kt shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
      "reshape_dims=[2,5,3,4] zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) k "
      "-> kT\n"
      "node \"qs + ks + qk + sm + pv\" attention(scale=0.125 causal=false kv_group=1 "
      "q_perm=(0,1,2,3,4,5,6,7) k_perm=(0,2,1,3,4,5,6,7) v_perm=(0,1,2,3,4,5,6,7) "
      "out_perm=(0,1,2,3,4,5,6,7)) q, kT, v, - -> y\n"
      "outputs y\n");
}

TEST(Rewrites, AttentionWithAConstantCausalMaskTakesTheCausalFlag) {
  const std::string head = std::string(
                               "input q float32 [1,2,3,4]\n"
                               "input k float32 [1,2,3,4]\n"
                               "input v float32 [1,2,3,4]\n") +
                           "node qk " + kMatmulBt + " q, k -> s\n";
  const std::string tail = std::string(
                               "node add elementwise(op=0) s, causal -> u\n"
                               "node sm softmax(axes=8) u -> p\n"
                               "node pv ") +
                           kMatmul + " p, v -> y\noutputs y\n";
  EXPECT_EQ(
      rewrite("weights causal float32 [3,3] = [0, -inf, -inf, 0, 0, -inf, 0, 0, 0]\n" + head + tail,
              [](const ir::Graph& g) { return fuse_attention(g, quiet_logger()); }),
      "input q float32 [1,2,3,4]\n"
      "input k float32 [1,2,3,4]\n"
      "input v float32 [1,2,3,4]\n"
      "node \"qk + add + sm + pv\" attention(scale=1 causal=true kv_group=1 "
      "q_perm=(0,1,2,3,4,5,6,7) "
      "k_perm=(0,1,2,3,4,5,6,7) v_perm=(0,1,2,3,4,5,6,7) out_perm=(0,1,2,3,4,5,6,7)) q, k, v, - "
      "-> y\n"
      "outputs y\n");
  // Not causal (one entry off): the constant stays the op's mask.
  EXPECT_EQ(
      rewrite("weights causal float32 [3,3] = [0, -inf, -inf, 0, 0, -1, 0, 0, 0]\n" + head + tail,
              [](const ir::Graph& g) { return fuse_attention(g, quiet_logger()); }),
      "input q float32 [1,2,3,4]\n"
      "input k float32 [1,2,3,4]\n"
      "input v float32 [1,2,3,4]\n"
      "weights causal float32 [3,3] = [0, -inf, -inf, 0, 0, -1, 0, 0, 0]\n"
      "node \"qk + add + sm + pv\" attention(scale=1 causal=false kv_group=1 "
      "q_perm=(0,1,2,3,4,5,6,7) "
      "k_perm=(0,1,2,3,4,5,6,7) v_perm=(0,1,2,3,4,5,6,7) out_perm=(0,1,2,3,4,5,6,7)) q, k, v, "
      "causal -> y\n"
      "outputs y\n");
}

TEST(Rewrites, AttentionReadsAndWritesHeadsInPlace) {
  // BERT's heads: x [2,7,48] split into 3 heads of 16 by reshape + transpose (k straight to k^T
  // with (0,2,3,1)), merged back by transpose + reshape. The op reads [B,S,H,D] and writes
  // [B,S,H,D] through its permutations; every shuffle keeps only its reshape.
  const std::string split =
      "shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true reshape_dims=[2,7,3,16] "
      "zero_is_placeholder=true second_transpose=";
  const std::string reshape_only = split + "(0,1,2,3,4,5,6,7))";
  EXPECT_EQ(
      rewrite("input x float32 [2,7,48]\n"
              "input y float32 [2,7,48]\n"
              "input z float32 [2,7,48]\n"
              "weights c float32 [] = [0.25]\n"
              "node qh " +
                  split + "(0,2,1,3,4,5,6,7)) x -> q\n" + "node kh " + split +
                  "(0,2,3,1,4,5,6,7)) y -> kT\n" + "node vh " + split +
                  "(0,2,1,3,4,5,6,7)) z -> v\n" + "node qk " + kMatmul +
                  " q, kT -> s\n"
                  "node mul elementwise(op=1) s, c -> t\n"
                  "node sm softmax(axes=8) t -> p\n"
                  "node pv " +
                  kMatmul +
                  " p, v -> o\n"
                  "node merge shuffle(first_transpose=(0,2,1,3,4,5,6,7) has_reshape=true "
                  "reshape_dims=[2,7,48] zero_is_placeholder=true "
                  "second_transpose=(0,1,2,3,4,5,6,7)) o -> out\n"
                  "outputs out\n",
              [](const ir::Graph& g) { return fuse_attention(g, quiet_logger()); }),
      "input x float32 [2,7,48]\n"
      "input y float32 [2,7,48]\n"
      "input z float32 [2,7,48]\n"
      "node qh " +
          reshape_only + " x -> q\n" + "node kh " + reshape_only + " y -> kT\n" + "node vh " +
          reshape_only +
          " z -> v\n"
          "node \"qk + mul + sm + pv\" attention(scale=0.25 causal=false kv_group=1 "
          "q_perm=(0,2,1,3,4,5,6,7) k_perm=(0,2,1,3,4,5,6,7) v_perm=(0,2,1,3,4,5,6,7) "
          "out_perm=(0,2,1,3,4,5,6,7)) q, kT, v, - -> o\n"
          "node merge shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
          "reshape_dims=[2,7,48] zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) o "
          "-> out\n"
          "outputs out\n");
}

TEST(Rewrites, AttentionReadsGroupedQueryHeadsShared) {
  // K/V with 2 heads repeated to q's 4 by a gather ([0,0,1,1]): kv_group 2, no gather left.
  const std::string head = std::string(
                               "input q float32 [1,4,5,8]\n"
                               "input k float32 [1,2,5,8]\n"
                               "input v float32 [1,2,5,8]\n") +
                           "weights idx int32 [4] = [0, 0, 1, 1]\n";
  const std::string body = std::string(
                               "node kr gather(axis=1 mode=0 num_elementwise_dims=0) k, idx -> k4\n"
                               "node vr gather(axis=1 mode=0 num_elementwise_dims=0) v, idx -> v4\n"
                               "node qk ") +
                           kMatmulBt +
                           " q, k4 -> s\n"
                           "node sm softmax(axes=8) s -> p\n"
                           "node pv " +
                           kMatmul + " p, v4 -> y\noutputs y\n";
  EXPECT_EQ(
      rewrite(head + body, [](const ir::Graph& g) { return fuse_attention(g, quiet_logger()); }),
      "input q float32 [1,4,5,8]\n"
      "input k float32 [1,2,5,8]\n"
      "input v float32 [1,2,5,8]\n"
      "node \"kr + vr + qk + sm + pv\" attention(scale=1 causal=false kv_group=2 "
      "q_perm=(0,1,2,3,4,5,6,7) k_perm=(0,1,2,3,4,5,6,7) v_perm=(0,1,2,3,4,5,6,7) "
      "out_perm=(0,1,2,3,4,5,6,7)) q, k, v, - -> y\n"
      "outputs y\n");
  // Another index pattern ([0,1,0,1]) is no grouped-query repeat: the gathers stay.
  std::string other = head + body;
  other.replace(other.find("[0, 0, 1, 1]"), 12, "[0, 1, 0, 1]");
  const std::string after =
      rewrite(other, [](const ir::Graph& g) { return fuse_attention(g, quiet_logger()); });
  EXPECT_NE(after.find("kv_group=1"), std::string::npos) << after;
  EXPECT_NE(after.find("node kr gather"), std::string::npos) << after;
}

TEST(Rewrites, AttentionNotFusedWhenTheProbabilitiesAreReadElsewhereOrForRefit) {
  const std::string text = std::string(
                               "input q float32 [4,6,8]\n"
                               "input k float32 [4,6,8]\n"
                               "input v float32 [4,6,8]\n"
                               "weights c float32 [] = [0.375]\n"
                               "node qk ") +
                           kMatmulBt +
                           " q, k -> s\n"
                           "node mul elementwise(op=1) s, c -> t\n"
                           "node sm softmax(axes=4) t -> p\n"
                           "node pv " +
                           kMatmul + " p, v -> y\n";
  // The attention weights are a network output (need_weights): nothing changes.
  const std::string with_weights = text + "outputs y, p\n";
  EXPECT_EQ(
      rewrite(with_weights, [](const ir::Graph& g) { return fuse_attention(g, quiet_logger()); }),
      with_weights);
  // REFIT: the scale is a weights constant a refit may change.
  const std::string plain = text + "outputs y\n";
  EXPECT_EQ(
      rewrite(plain, [](const ir::Graph& g) { return fuse_attention(g, quiet_logger(), true); }),
      plain);
  // A softmax over another axis is no attention.
  std::string other_axis = plain;
  other_axis.replace(other_axis.find("axes=4"), 6, "axes=2");
  EXPECT_EQ(
      rewrite(other_axis, [](const ir::Graph& g) { return fuse_attention(g, quiet_logger()); }),
      other_axis);
}

TEST(Rewrites, ReshapesBecomeViewsExceptNetworkOutputs) {
  EXPECT_EQ(
      rewrite("input x float32 [2,6]\n"
              "node r shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
              "reshape_dims=[3,4] zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) "
              "x -> a\n"
              "node relu activation(type=0 alpha=0 beta=0) a -> b\n"
              "node t shuffle(first_transpose=(1,0,2,3,4,5,6,7) has_reshape=false "
              "reshape_dims=[] zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) "
              "b -> c\n"
              "node out shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
              "reshape_dims=[12] zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) "
              "b -> y\n"
              "outputs y, c\n",
              [](const ir::Graph& g) { return make_views(g, quiet_logger()); }),
      "input x float32 [2,6]\n"
      "node r view(has_reshape=true reshape_dims=[3,4] zero_is_placeholder=true) x -> a\n"
      "node relu activation(type=0 alpha=0 beta=0) a -> b\n"
      "node t shuffle(first_transpose=(1,0,2,3,4,5,6,7) has_reshape=false reshape_dims=[] "
      "zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) b -> c\n"
      "node out shuffle(first_transpose=(0,1,2,3,4,5,6,7) has_reshape=true "
      "reshape_dims=[12] zero_is_placeholder=true second_transpose=(0,1,2,3,4,5,6,7)) b -> "
      "y\n"
      "outputs y, c\n");
}

TEST(Rewrites, IdentitiesAndNoOpCastsAreRemoved) {
  EXPECT_EQ(rewrite("input x float32 [3]\n"
                    "node id identity(output_type=0) x -> a\n"
                    "node c cast(to_type=0) a -> b\n"
                    "node h cast(to_type=1) b -> c\n"
                    "node relu activation(type=0 alpha=0 beta=0) b -> y\n"
                    "node out identity(output_type=1) c -> z\n"
                    "outputs y, z\n",
                    [](const ir::Graph& g) { return remove_identities(g, quiet_logger()); }),
            "input x float32 [3]\n"
            "node h cast(to_type=1) x -> c\n"
            "node relu activation(type=0 alpha=0 beta=0) x -> y\n"
            "node out identity(output_type=1) c -> z\n"
            "outputs y, z\n");
}

TEST(PassManager, VerifyNamesThePassThatBrokeTheGraph) {
  ir::Graph g = ir::parse(
      "input x float32 [3]\n"
      "node relu activation(type=0 alpha=0 beta=0) x -> y\n"
      "outputs y\n");
  PassManager pm(quiet_logger());
  pm.set_verify(true);
  pm.run("fine", g, [](const ir::Graph& in) { return in; });
  try {
    pm.run("breaks_it", g, [](const ir::Graph& in) {
      ir::Graph out = in;
      out.tensors[out.nodes[0].outputs[0]].dims = Dims{4};  // recorded dims no longer inferred
      return out;
    });
    FAIL() << "verification passed a broken graph";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("after pass 'breaks_it'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(pm.history(), (std::vector<std::string>{"fine", "breaks_it"}));
}

}  // namespace
}  // namespace kiln::builder
