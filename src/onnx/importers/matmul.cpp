// MatMul (numpy semantics: 1-D operands are vectors, batch dims broadcast) and Gemm
// (alpha * A' B' + beta * C, as matrix_multiply plus elementwise layers).
#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

void matmul(ImportContext& ctx) {
  Tensor& a = ctx.input(0);
  Tensor& b = ctx.input(1);
  MatrixOperation op_a =
      a.dimensions().nb_dims == 1 ? MatrixOperation::kVECTOR : MatrixOperation::kNONE;
  MatrixOperation op_b =
      b.dimensions().nb_dims == 1 ? MatrixOperation::kVECTOR : MatrixOperation::kNONE;
  ctx.set_output(0, *ctx.named(ctx.network().add_matrix_multiply(a, op_a, b, op_b)).get_output(0));
}

void gemm(ImportContext& ctx) {
  Tensor& a = ctx.input(0);
  Tensor& b = ctx.input(1);
  if (a.dimensions().nb_dims != 2 || b.dimensions().nb_dims != 2) {
    ctx.invalid(str_cat("A and B must be 2-D, got ", a.dimensions(), " and ", b.dimensions()));
  }
  float alpha = ctx.attr_float("alpha", 1.0f);
  float beta = ctx.attr_float("beta", 1.0f);
  MatrixOperation op_a =
      ctx.attr_int("transA", 0) ? MatrixOperation::kTRANSPOSE : MatrixOperation::kNONE;
  MatrixOperation op_b =
      ctx.attr_int("transB", 0) ? MatrixOperation::kTRANSPOSE : MatrixOperation::kNONE;
  Tensor* y =
      ctx.named(ctx.network().add_matrix_multiply(a, op_a, b, op_b), "matmul").get_output(0);
  if (alpha != 1.0f) {
    y = &elementwise(ctx, *y, ctx.scalar(y->type(), alpha, 2, "alpha"), ElementWiseOperation::kPROD,
                     "scale");
  }
  if (ctx.has_input(2) && beta != 0.0f) {
    Tensor* c = &ctx.input(2);
    if (beta != 1.0f) {
      c = &elementwise(ctx, *c, ctx.scalar(c->type(), beta, c->dimensions().nb_dims, "beta"),
                       ElementWiseOperation::kPROD, "beta_c");
    }
    y = &elementwise(ctx, *y, *c, ElementWiseOperation::kSUM, "");
  }
  ctx.set_output(0, *y);
}

}  // namespace

void register_matmul(ImporterMap& m) {
  m["MatMul"] = matmul;
  m["Gemm"] = gemm;
}

}  // namespace kiln::onnx
