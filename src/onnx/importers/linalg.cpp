// Det for matrices up to 6x6, by the Leibniz formula: one gather of the n entries each
// permutation picks ([..., n!, n]), a product over them, the permutations' signs and a sum.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

void det(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Dims d = x.dimensions();
  if (d.nb_dims < 2) ctx.invalid(str_cat("input must have rank 2 or more, got ", d));
  int64_t n = d.d[d.nb_dims - 1];
  if (n < 0 || d.d[d.nb_dims - 2] < 0) ctx.unsupported(str_cat("dynamic matrix dims ", d));
  if (d.d[d.nb_dims - 2] != n) ctx.invalid(str_cat("matrices must be square, got ", d));
  if (n == 0 || n > 6) ctx.unsupported(str_cat("Det of ", n, "x", n, " matrices (1 to 6 only)"));
  std::vector<int64_t> perm(static_cast<size_t>(n)), idx;
  std::iota(perm.begin(), perm.end(), 0);
  std::vector<double> sign;
  do {
    int64_t inversions = 0;
    for (int64_t i = 0; i < n; ++i) {
      idx.push_back(i * n + perm[static_cast<size_t>(i)]);
      for (int64_t j = i + 1; j < n; ++j)
        inversions += perm[static_cast<size_t>(i)] > perm[static_cast<size_t>(j)];
    }
    sign.push_back(inversions % 2 ? -1.0 : 1.0);
  } while (std::next_permutation(perm.begin(), perm.end()));
  int64_t terms = static_cast<int64_t>(sign.size());
  Dims flat = d;
  flat.nb_dims -= 1;
  flat.d[flat.nb_dims - 1] = n * n;
  for (int32_t i = 0; i < flat.nb_dims - 1; ++i) {
    if (flat.d[i] < 0) ctx.unsupported(str_cat("dynamic batch dims ", d));
  }
  Tensor& entries = reshape(ctx, x, flat, "flat");
  TensorValue iv;
  iv.type = DataType::kINT64;
  iv.dims = {terms, n};
  iv.bytes.resize(idx.size() * 8);
  std::memcpy(iv.bytes.data(), idx.data(), iv.bytes.size());
  int32_t last = flat.nb_dims - 1;
  Tensor& picked =
      *ctx.named(ctx.network().add_gather(entries, ctx.constant_tensor(iv, "picks"), last),
                 "picked")
           .get_output(0);  // [..., terms, n]
  Tensor& prod =
      *ctx.named(ctx.network().add_reduce(picked, ReduceOperation::kPROD, 1u << (last + 1), false),
                 "products")
           .get_output(0);  // [..., terms]
  std::vector<int64_t> sdims(static_cast<size_t>(flat.nb_dims), 1);
  sdims.back() = terms;
  Tensor& signed_terms =
      elementwise(ctx, prod, ctx.constant_tensor(make_value(x.type(), sdims, sign), "signs"),
                  ElementWiseOperation::kPROD, "signed");
  ctx.set_output(0, *ctx.named(ctx.network().add_reduce(signed_terms, ReduceOperation::kSUM,
                                                        1u << last, false))
                         .get_output(0));
}

}  // namespace

void register_linalg(ImporterMap& m) {
  m["Det"] = det;
}

}  // namespace kiln::onnx
