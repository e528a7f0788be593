// The attention op on the GPU against the CPU backend's kernel: the flash kernel (float16 and
// bfloat16, head sizes 32 to 256, sequence lengths that fill no tile, padding masks that differ
// per batch row, causal) and the row kernel (float32, head sizes the flash kernel does not take,
// value head sizes unlike the key's). Each network is the exported pattern that fuse_attention
// turns into one op. Skipped without a GPU.
#include <cmath>
#include <limits>

#include "core/error.h"
#include "cuda/differential.h"

namespace kiln::test {
namespace {

struct Shape {
  int64_t b = 2, h = 3, sq = 197, sk = 197, d = 64, dv = 64;
  bool mask = false;    // additive [b, 1, 1, sk] input, -inf on each row's padding
  bool causal = false;  // constant causal mask (sq == sk)
};

std::vector<float>* keep(std::vector<float> v) {
  static std::vector<std::unique_ptr<std::vector<float>>> store;
  store.push_back(std::make_unique<std::vector<float>>(std::move(v)));
  return store.back().get();
}

void attention(NetworkDefinition& net, std::vector<Tensor*>& in, const Shape& s) {
  auto* scale = keep({static_cast<float>(1.0 / std::sqrt(static_cast<double>(s.d)))});
  Tensor* sc =
      net.add_matrix_multiply(*in[0], MatrixOperation::kNONE, *in[1], MatrixOperation::kTRANSPOSE)
          ->get_output(0);
  Tensor* c = net.add_constant(Dims{1, 1, 1, 1}, Weights{DataType::kFLOAT, scale->data(), 1})
                  ->get_output(0);
  sc = net.add_elementwise(*sc, *c, ElementWiseOperation::kPROD)->get_output(0);
  Tensor* bias = s.mask ? in[3] : nullptr;
  if (s.causal) {
    std::vector<float> m(static_cast<size_t>(s.sq * s.sk), 0.0f);
    for (int64_t i = 0; i < s.sq; ++i)
      for (int64_t j = i + 1; j < s.sk; ++j)
        m[i * s.sk + j] = -std::numeric_limits<float>::infinity();
    auto* mv = keep(std::move(m));
    Tensor* mt = net.add_constant(Dims{s.sq, s.sk}, Weights{DataType::kFLOAT, mv->data(),
                                                            static_cast<int64_t>(mv->size())})
                     ->get_output(0);
    // With a padding mask too, the two add up to one bias (as the ONNX importer builds it).
    bias = bias ? net.add_elementwise(*bias, *mt, ElementWiseOperation::kSUM)->get_output(0) : mt;
  }
  if (bias) sc = net.add_elementwise(*sc, *bias, ElementWiseOperation::kSUM)->get_output(0);
  Tensor* p = net.add_softmax(*sc)->get_output(0);
  Tensor* y = net.add_matrix_multiply(*p, MatrixOperation::kNONE, *in[2], MatrixOperation::kNONE)
                  ->get_output(0);
  y->set_name("y");
  net.mark_output(*y);
}

void check(const Shape& s, DataType precision) {
  std::vector<DiffInput> inputs = {{"q", DataType::kFLOAT, Dims{s.b, s.h, s.sq, s.d}, -1.0, 1.0},
                                   {"k", DataType::kFLOAT, Dims{s.b, s.h, s.sk, s.d}, -1.0, 1.0},
                                   {"v", DataType::kFLOAT, Dims{s.b, s.h, s.sk, s.dv}, -1.0, 1.0}};
  if (s.mask) {
    DiffInput m{"mask", DataType::kFLOAT, Dims{s.b, 1, 1, s.sk}};
    for (int64_t b = 0; b < s.b; ++b)
      for (int64_t j = 0; j < s.sk; ++j)
        m.values.push_back(j >= s.sk - 17 * b ? -std::numeric_limits<double>::infinity()
                                              : 0.05 * static_cast<double>(j % 7));
    inputs.push_back(m);
  }
  DiffOptions o;
  o.fp16 = precision == DataType::kHALF;
  o.bf16 = precision == DataType::kBF16;
  o.tol = o.fp16 ? Tolerance{1e-2, 1e-2} : o.bf16 ? Tolerance{4e-2, 4e-2} : Tolerance{1e-5, 1e-5};
  expect_gpu_matches_cpu(
      [s](NetworkDefinition& n, std::vector<Tensor*>& in) { attention(n, in, s); }, inputs, o);
}

TEST(CudaAttention, FlashHeadSizesFp16AndBf16) {
  KILN_REQUIRE_GPU();
  for (int64_t d : {32, 64, 80, 128, 256}) {
    for (DataType t : {DataType::kHALF, DataType::kBF16}) {
      SCOPED_TRACE(str_cat("d ", d, " ", t));
      Shape s;
      s.d = s.dv = d;
      s.sq = s.sk = d == 256 ? 77 : 197;
      check(s, t);
    }
  }
}

TEST(CudaAttention, FlashPaddingMaskPerRowAndUnequalLengths) {
  KILN_REQUIRE_GPU();
  Shape s;
  s.b = 3;
  s.sq = 65;
  s.sk = 130;
  s.mask = true;
  check(s, DataType::kHALF);
  s.sq = 1;
  check(s, DataType::kHALF);
  s.sq = s.sk = 128;
  check(s, DataType::kBF16);
}

TEST(CudaAttention, FlashCausal) {
  KILN_REQUIRE_GPU();
  Shape s;
  s.sq = s.sk = 150;
  s.causal = true;
  check(s, DataType::kHALF);
  s.mask = true;  // causal and padding together: one bias input, the flag stays off
  check(s, DataType::kHALF);
}

TEST(CudaAttention, RowKernelFloat32AndOtherHeadSizes) {
  KILN_REQUIRE_GPU();
  Shape s;
  s.sq = 33;
  s.sk = 70;
  s.mask = true;
  check(s, DataType::kFLOAT);
  s.d = 20;    // no multiple of 8: the row kernel in float16 too
  s.dv = 300;  // more than one pass of 256 columns
  check(s, DataType::kFLOAT);
  check(s, DataType::kHALF);
  s.causal = true;
  s.sq = s.sk = 40;
  check(s, DataType::kFLOAT);
}

// BERT's layout: [B, S, H*D] inputs split into heads by reshape + transpose, merged back after;
// the op reads and writes the heads in place (strides of H*D per row, D per head).
TEST(CudaAttention, HeadsReadAndWrittenInPlace) {
  KILN_REQUIRE_GPU();
  constexpr int64_t B = 2, S = 77, H = 4, D = 64;
  for (DataType t : {DataType::kHALF, DataType::kFLOAT}) {
    SCOPED_TRACE(str_cat(t));
    DiffOptions o;
    o.fp16 = t == DataType::kHALF;
    o.tol = o.fp16 ? Tolerance{1e-2, 1e-2} : Tolerance{1e-5, 1e-5};
    expect_gpu_matches_cpu(
        [](NetworkDefinition& net, std::vector<Tensor*>& in) {
          auto split = [&](Tensor* x, bool transposed_k) {
            auto* sh = net.add_shuffle(*x);
            sh->set_reshape_dimensions(Dims{B, S, H, D});
            sh->set_second_transpose(transposed_k ? Permutation{{0, 2, 3, 1, 4, 5, 6, 7}}
                                                  : Permutation{{0, 2, 1, 3, 4, 5, 6, 7}});
            return sh->get_output(0);
          };
          auto* scale = keep({0.125f});
          Tensor* s = net.add_matrix_multiply(*split(in[0], false), MatrixOperation::kNONE,
                                              *split(in[1], true), MatrixOperation::kNONE)
                          ->get_output(0);
          Tensor* c =
              net.add_constant(Dims{1, 1, 1, 1}, Weights{DataType::kFLOAT, scale->data(), 1})
                  ->get_output(0);
          s = net.add_elementwise(*s, *c, ElementWiseOperation::kPROD)->get_output(0);
          Tensor* p = net.add_softmax(*s)->get_output(0);
          Tensor* y = net.add_matrix_multiply(*p, MatrixOperation::kNONE, *split(in[2], false),
                                              MatrixOperation::kNONE)
                          ->get_output(0);
          auto* merge = net.add_shuffle(*y);
          merge->set_first_transpose(Permutation{{0, 2, 1, 3, 4, 5, 6, 7}});
          merge->set_reshape_dimensions(Dims{B, S, H * D});
          merge->get_output(0)->set_name("out");
          net.mark_output(*merge->get_output(0));
        },
        {{"x", DataType::kFLOAT, Dims{B, S, H * D}, -1.0, 1.0},
         {"y", DataType::kFLOAT, Dims{B, S, H * D}, -1.0, 1.0},
         {"z", DataType::kFLOAT, Dims{B, S, H * D}, -1.0, 1.0}},
        o);
  }
}

// Grouped-query attention: 8 query heads share 2 K/V heads (a gather repeats them); the flash
// kernel (fp16) and the row kernel (float32) read the shared heads.
TEST(CudaAttention, GroupedQueryHeads) {
  KILN_REQUIRE_GPU();
  constexpr int64_t B = 2, H = 8, KV = 2, S = 100, D = 64;
  static const int32_t idx[H] = {0, 0, 0, 0, 1, 1, 1, 1};
  for (DataType t : {DataType::kHALF, DataType::kFLOAT}) {
    SCOPED_TRACE(str_cat(t));
    DiffOptions o;
    o.fp16 = t == DataType::kHALF;
    o.tol = o.fp16 ? Tolerance{1e-2, 1e-2} : Tolerance{1e-5, 1e-5};
    expect_gpu_matches_cpu(
        [](NetworkDefinition& net, std::vector<Tensor*>& in) {
          Tensor* ix = net.add_constant(Dims{H}, Weights{DataType::kINT32, idx, H})->get_output(0);
          Tensor* k = net.add_gather(*in[1], *ix, 1)->get_output(0);
          Tensor* v = net.add_gather(*in[2], *ix, 1)->get_output(0);
          Tensor* s = net.add_matrix_multiply(*in[0], MatrixOperation::kNONE, *k,
                                              MatrixOperation::kTRANSPOSE)
                          ->get_output(0);
          Tensor* p = net.add_softmax(*s)->get_output(0);
          Tensor* y =
              net.add_matrix_multiply(*p, MatrixOperation::kNONE, *v, MatrixOperation::kNONE)
                  ->get_output(0);
          y->set_name("y");
          net.mark_output(*y);
        },
        {{"q", DataType::kFLOAT, Dims{B, H, S, D}, -1.0, 1.0},
         {"k", DataType::kFLOAT, Dims{B, KV, S, D}, -1.0, 1.0},
         {"v", DataType::kFLOAT, Dims{B, KV, S, D}, -1.0, 1.0}},
        o);
  }
}

}  // namespace
}  // namespace kiln::test
