// QuantizeLinear and DequantizeLinear (per-tensor and per-axis; int8/uint8/int32) composed from
// casts and elementwise layers. Blocked quantization is not supported.
#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

// A per-axis scale or zero point [C] reshaped to broadcast along `axis` of an input of `rank`.
Tensor& along_axis(ImportContext& ctx, Tensor& p, int32_t rank, int64_t axis, const char* name) {
  Dims d = p.dimensions();
  if (d.nb_dims == 0 || (d.nb_dims == 1 && d.d[0] == 1)) return p;
  if (d.nb_dims != 1)
    ctx.unsupported(str_cat("blocked quantization (", name, " of rank ", d.nb_dims, ")"));
  Dims out = Dims::filled(rank, 1);
  out.d[normalize_axis(ctx, axis, rank)] = d.d[0];
  return reshape(ctx, p, out, name);
}

void dequantize(ImportContext& ctx) {
  if (ctx.attr_int("block_size", 0) > 0) ctx.unsupported("block_size > 0");
  Tensor& x = ctx.input(0);
  Tensor& scale = ctx.input(1);
  int32_t rank = x.dimensions().nb_dims;
  int64_t axis = ctx.attr_int("axis", 1);
  Tensor* y = &cast(ctx, x, scale.type(), "x_float");
  if (ctx.has_input(2)) {
    Tensor& zp =
        along_axis(ctx, cast(ctx, ctx.input(2), scale.type(), "zp_float"), rank, axis, "zp");
    y = &elementwise(ctx, *y, zp, ElementWiseOperation::kSUB, "centered");
  }
  ctx.set_output(0, elementwise(ctx, *y, along_axis(ctx, scale, rank, axis, "scale"),
                                ElementWiseOperation::kPROD, ""));
}

void quantize(ImportContext& ctx) {
  if (ctx.attr_int("block_size", 0) > 0) ctx.unsupported("block_size > 0");
  Tensor& x = ctx.input(0);
  Tensor& scale = ctx.input(1);
  int32_t rank = x.dimensions().nb_dims;
  int64_t axis = ctx.attr_int("axis", 1);
  DataType out = DataType::kUINT8;
  if (ctx.has_input(2)) {
    out = ctx.input_type(2);
  } else if (ctx.has_attr("output_dtype") &&
             !to_kiln_type(static_cast<int32_t>(ctx.attr_int("output_dtype", 2)), out)) {
    ctx.unsupported("an output_dtype kiln does not have");
  }
  double lo, hi;
  if (out == DataType::kUINT8) {
    lo = 0;
    hi = 255;
  } else if (out == DataType::kINT8) {
    lo = -128;
    hi = 127;
  } else {
    ctx.unsupported(str_cat("quantizing to ", out));
  }
  Tensor& xf = cast(ctx, x, DataType::kFLOAT, "x_float");
  Tensor& sf =
      along_axis(ctx, cast(ctx, scale, DataType::kFLOAT, "scale_float"), rank, axis, "scale");
  Tensor* y = &unary(ctx, elementwise(ctx, xf, sf, ElementWiseOperation::kDIV, "scaled"),
                     UnaryOperation::kROUND, "rounded");
  if (ctx.has_input(2)) {
    Tensor& zp =
        along_axis(ctx, cast(ctx, ctx.input(2), DataType::kFLOAT, "zp_float"), rank, axis, "zp");
    y = &elementwise(ctx, *y, zp, ElementWiseOperation::kSUM, "shifted");
  }
  y = &elementwise(ctx, *y, ctx.scalar(DataType::kFLOAT, lo, rank, "lo"),
                   ElementWiseOperation::kMAX, "low");
  y = &elementwise(ctx, *y, ctx.scalar(DataType::kFLOAT, hi, rank, "hi"),
                   ElementWiseOperation::kMIN, "high");
  ctx.set_output(0, cast(ctx, *y, out, ""));
}

}  // namespace

void register_quantize(ImporterMap& m) {
  m["QuantizeLinear"] = quantize;
  m["DequantizeLinear"] = dequantize;
}

}  // namespace kiln::onnx
