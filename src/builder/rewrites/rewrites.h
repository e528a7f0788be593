// The optimizer's pattern rewrites (docs/optimizer.md): each takes a graph and returns a new one
// computing the same outputs, is backend-independent (every op it creates runs on the CPU
// backend), lives in one file of builder/rewrites/, and has a before/after textual-IR test in
// tests/cpp/builder/rewrites_test.cpp. The pipeline runs them through the pass manager
// (builder/pass_manager.h), in the order listed in builder/pipeline.cpp.
#pragma once

#include <vector>

#include "builder/passes.h"
#include "ir/graph.h"
#include "kiln/logger.h"

namespace kiln::builder {

// Identity layers and casts to the type a tensor already has are removed (their readers read the
// input); a network output keeps its layer.
ir::Graph remove_identities(const ir::Graph& graph, Logger& logger);

// Two shuffle layers in a row (reshape + transpose chains) become one when at most one reshapes.
ir::Graph merge_shuffles(const ir::Graph& graph, Logger& logger);

// A shuffle ending in a swap of the last two dims, read only by a matrix multiply, hands the swap
// to the multiply's operand flag (kNONE <-> kTRANSPOSE); a shuffle left doing nothing goes.
ir::Graph fold_transpose_into_matmul(const ir::Graph& graph, Logger& logger);

// Shuffles that only reshape (and are no network output) become view ops, which copy nothing.
ir::Graph make_views(const ir::Graph& graph, Logger& logger);

// Scaled dot-product attention (q.k^T, an optional constant scale on the scores or on q/k, an
// optional additive mask, softmax over the last axis, times v) becomes one attention op. With
// `keep_weights` (REFIT builds) patterns whose scale is a weights constant stay as they are.
ir::Graph fuse_attention(const ir::Graph& graph, Logger& logger, bool keep_weights = false);

// The erf and tanh GELU decompositions become activation layers (GELU_ERF, GELU_TANH).
ir::Graph fuse_gelu(const ir::Graph& graph, Logger& logger);

// LayerNorm and RMSNorm become layer_norm ops: normalization layers over the last axis, the
// decomposed forms (ReduceMean, Sub, Pow/Mul, Add eps, Sqrt, Div, scale, bias), and a residual
// add in front folded in (skip-LayerNorm; its sum becomes a second output when read elsewhere).
// With `keep_weights` (REFIT builds) scale/bias weights are used as they are, never reshaped.
ir::Graph fuse_layer_norm(const ir::Graph& graph, Logger& logger, bool keep_weights = false);

// A per-output-channel scale and shift after a convolution (BatchNormalization in inference form)
// is folded into its weights and bias. Not with `keep_weights` (REFIT builds).
ir::Graph fold_scale_into_conv(const ir::Graph& graph, Logger& logger, bool keep_weights = false);

// Connected regions of pointwise layers (elementwise, unary, activation, select, cast, identity
// over float32/float16/bfloat16/bool) become fused_pointwise ops, one pass over the output each.
// One-element float weights become program constants unless `keep_weights` (REFIT). A layer joins
// a region only if its output has the region's shape, symbolically and in every entry of
// `instances` (the tensors' dims at each profile's min/opt/max shapes, indexed like the graph's
// tensors; may be empty).
ir::Graph fuse_pointwise(const ir::Graph& graph, Logger& logger, bool keep_weights = false,
                         const std::vector<std::vector<Dims>>& instances = {});

}  // namespace kiln::builder
