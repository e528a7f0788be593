// One registration function per importer family (src/onnx/importers/<family>.cpp).
#pragma once

#include "onnx/importer.h"

namespace kiln::onnx {

void register_elementwise(ImporterMap& m);    // Add, Sub, ..., comparisons, logic, Where, Mod
void register_activation(ImporterMap& m);     // Relu, Sigmoid, Clip, Gelu, PRelu, ...
void register_unary(ImporterMap& m);          // Exp, Sqrt, ..., Identity, Dropout, Cast
void register_matmul(ImporterMap& m);         // MatMul, Gemm
void register_conv_pool(ImporterMap& m);      // Conv, MaxPool, AveragePool, Global*Pool
void register_normalization(ImporterMap& m);  // Batch/Layer/Instance/GroupNormalization
void register_shape(ImporterMap& m);          // Reshape, Transpose, Concat, Slice, Gather, ...
void register_reduce(ImporterMap& m);         // Reduce*, ArgMax/ArgMin, TopK, Softmax
void register_resize(ImporterMap& m);         // Resize, Upsample
void register_indexing(ImporterMap& m);       // Gather/ScatterElements/ND, OneHot, CumSum, Trilu
void register_deconv_pad(ImporterMap& m);     // ConvTranspose, Pad, LRN
void register_attention(ImporterMap& m);      // Attention
void register_quantize(ImporterMap& m);       // QuantizeLinear, DequantizeLinear
void register_losses(ImporterMap& m);         // NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss

// Elementwise op with numpy broadcasting, `a` and `b` of the same type.
Tensor& elementwise(ImportContext& ctx, Tensor& a, Tensor& b, ElementWiseOperation op,
                    const std::string& suffix);
Tensor& unary(ImportContext& ctx, Tensor& x, UnaryOperation op, const std::string& suffix);

}  // namespace kiln::onnx
