// The builder's graph passes. Each takes a graph and returns a new one; builder/pipeline.cpp runs
// them in order. Every pass leaves a valid graph (inferred shapes, no dangling indices).
#pragma once

#include "ir/graph.h"
#include "kiln/logger.h"

namespace kiln::builder {

// Constant layers disappear: their output tensors become bound to their weights.
ir::Graph bind_constants(const ir::Graph& graph);

// Layers whose inputs are all bound weights are evaluated now, on the CPU; their outputs become
// weights named "<layer>.folded" (one per output). Fill layers fold, and shape layers whose
// input shape is static: in the network, or (given the resolved profiles) because every profile
// fixes every input to the same shape. With `keep_float_weights` (BuilderFlag::kREFIT), layers
// reading floating-point weights (other than shape layers) are not folded.
ir::Graph fold_constants(const ir::Graph& graph, Logger& logger);
ir::Graph fold_constants(const ir::Graph& graph, Logger& logger,
                         const std::vector<std::vector<ProfileDims>>& profiles,
                         bool keep_float_weights = false);

// Layers that no network output depends on are removed.
ir::Graph eliminate_dead_layers(const ir::Graph& graph, Logger& logger);

// GPU builds: a matrix multiply + constant bias along its last dim, and a matrix multiply or
// convolution + activation, become one node (epilogue fusion; see the pass's file).
ir::Graph fuse_epilogues(const ir::Graph& graph, Logger& logger);

// A network output that is bound weights (after folding) gets an identity layer, so that every
// output is written by a step.
ir::Graph materialize_outputs(const ir::Graph& graph);

// With a reduced-precision flag: float32 tensors inside the network become `to` (float16 or
// bfloat16), weights are converted, and casts keep the network's inputs and outputs float32.
ir::Graph lower_precision(const ir::Graph& graph, DataType to);
// float32 weight bytes converted to `to` (float16 or bfloat16), as lower_precision converts
// weights; the Refitter recomputes an engine's converted copies with it.
std::shared_ptr<const std::vector<uint8_t>> convert_float32_weights(const std::vector<uint8_t>& f32,
                                                                    DataType to);

// Drops tensors no node, input or output refers to and weights no tensor refers to, and puts
// the nodes in execution (topological) order; indices are renumbered.
ir::Graph compact(const ir::Graph& graph);

// The graph without the nodes whose `keep` entry is false; producers are renumbered, nothing else
// changes (the removed nodes' outputs stay, unproduced, until compact).
ir::Graph remove_nodes(const ir::Graph& graph, const std::vector<bool>& keep);

}  // namespace kiln::builder
