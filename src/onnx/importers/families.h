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
void register_quantized(ImporterMap& m);    // MatMulInteger, ConvInteger, QLinear*, DynamicQuantize
void register_rearrange(ImporterMap& m);    // Compress, ReverseSequence, CenterCropPad, Col2Im, ...
void register_recurrent(ImporterMap& m);    // RNN, GRU, LSTM (unrolled over time)
void register_spectral(ImporterMap& m);     // DFT, STFT
void register_rotary(ImporterMap& m);       // RotaryEmbedding
void register_grid_sample(ImporterMap& m);  // GridSample (the built-in GridSample plugin)
void register_linalg(ImporterMap& m);       // Det

// Elementwise op with numpy broadcasting, `a` and `b` of the same type.
Tensor& elementwise(ImportContext& ctx, Tensor& a, Tensor& b, ElementWiseOperation op,
                    const std::string& suffix);
Tensor& unary(ImportContext& ctx, Tensor& x, UnaryOperation op, const std::string& suffix);

// A convolution or pooling window: kernel_shape, strides, dilations, pads and auto_pad (and
// ceil_mode as extra post padding) for the spatial dims of input `x` (conv_pool.cpp).
struct Window {
  Dims kernel, stride, dilation, pre, post;
};
Window window_attrs(ImportContext& ctx, const Dims& x, const Dims& kernel, bool ceil_mode);

// Pooling as one strided slice per window tap (pool_slices.cpp): dilations, and average pooling
// that counts padding under ceil_mode. kLP is (sum |x|^p)^(1/p).
enum class PoolKind { kMAX, kAVERAGE, kLP };
Tensor& pool_by_slices(ImportContext& ctx, Tensor& x, PoolKind kind, const Dims& kernel,
                       bool ceil_mode, bool include_pad, float p);

}  // namespace kiln::onnx
