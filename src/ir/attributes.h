// The typed attributes of every layer kind, one struct each (named by layer_list.def).
//
// Each struct lists its fields once in fields(visitor): the plan writer and reader, the graph dump
// and the node signature all walk that list, so a new field is serialised, printed and hashed
// without touching them. Field types: bool, int32_t, int64_t, uint32_t, float, Dims, Permutation
// and the enums of kiln/types.h.
#pragma once

#include <cstdint>

#include "kiln/network.h"
#include "kiln/types.h"

namespace kiln {

struct ActivationAttrs {
  ActivationType type = ActivationType::kRELU;
  float alpha = 0.0f;
  float beta = 0.0f;
  template <typename F>
  void fields(F&& f) {
    f("type", type);
    f("alpha", alpha);
    f("beta", beta);
  }
};

struct CastAttrs {
  DataType to_type = DataType::kFLOAT;
  template <typename F>
  void fields(F&& f) {
    f("to_type", to_type);
  }
};

// Inputs: any number >= 1 of the same type and rank, equal except along `axis`.
struct ConcatenationAttrs {
  int32_t axis = 0;  // negative counts from the back
  template <typename F>
  void fields(F&& f) {
    f("axis", axis);
  }
};

// No inputs. The output has the weights' type and shape.
struct ConstantAttrs {
  int32_t weights = -1;  // index into Graph::weights
  template <typename F>
  void fields(F&& f) {
    f("weights", weights);
  }
};

// Inputs: x [N, C, spatial...] (1 to 3 spatial dims), kernel [K, C / groups, kernel_shape...],
// optional bias [K]. Output [N, K, out spatial...].
struct ConvolutionAttrs {
  int64_t num_output_maps = 0;
  Dims kernel_shape;
  Dims stride;  // all of these have kernel_shape's rank
  Dims pre_padding;
  Dims post_padding;
  Dims dilation;
  int64_t num_groups = 1;
  template <typename F>
  void fields(F&& f) {
    f("num_output_maps", num_output_maps);
    f("kernel_shape", kernel_shape);
    f("stride", stride);
    f("pre_padding", pre_padding);
    f("post_padding", post_padding);
    f("dilation", dilation);
    f("num_groups", num_groups);
  }
};

// Inputs a, b with numpy broadcasting (ranks are aligned at the back).
struct ElementWiseAttrs {
  ElementWiseOperation op = ElementWiseOperation::kSUM;
  template <typename F>
  void fields(F&& f) {
    f("op", op);
  }
};

// Inputs: data, indices (int32 or int64).
struct GatherAttrs {
  int32_t axis = 0;  // negative counts from the back
  template <typename F>
  void fields(F&& f) {
    f("axis", axis);
  }
};

struct IdentityAttrs {
  DataType output_type = DataType::kFLOAT;  // set to the input type when the layer is added
  template <typename F>
  void fields(F&& f) {
    f("output_type", output_type);
  }
};

// Inputs a, b. kNONE/kTRANSPOSE: the last two dims are the matrix; kVECTOR: the last dim is a
// vector. Leading (batch) dims broadcast.
struct MatrixMultiplyAttrs {
  MatrixOperation op_a = MatrixOperation::kNONE;
  MatrixOperation op_b = MatrixOperation::kNONE;
  template <typename F>
  void fields(F&& f) {
    f("op_a", op_a);
    f("op_b", op_b);
  }
};

// Inputs: x, scale, bias. See NormalizationLayer in kiln/layers.h.
struct NormalizationAttrs {
  uint32_t axes = 0;
  float epsilon = 1e-5f;
  int64_t num_groups = 1;
  template <typename F>
  void fields(F&& f) {
    f("axes", axes);
    f("epsilon", epsilon);
    f("num_groups", num_groups);
  }
};

// Input x [N, C, spatial...] with window's rank of spatial dims.
struct PoolingAttrs {
  PoolingType type = PoolingType::kMAX;
  Dims window;
  Dims stride;
  Dims pre_padding;
  Dims post_padding;
  bool average_count_excludes_padding = true;
  template <typename F>
  void fields(F&& f) {
    f("type", type);
    f("window", window);
    f("stride", stride);
    f("pre_padding", pre_padding);
    f("post_padding", post_padding);
    f("average_count_excludes_padding", average_count_excludes_padding);
  }
};

struct ReduceAttrs {
  ReduceOperation op = ReduceOperation::kSUM;
  uint32_t axes = 0;
  bool keep_dims = false;
  template <typename F>
  void fields(F&& f) {
    f("op", op);
    f("axes", axes);
    f("keep_dims", keep_dims);
  }
};

// Inputs: condition (bool), then, else, with numpy broadcasting.
struct SelectAttrs {
  template <typename F>
  void fields(F&&) {}
};

struct ShuffleAttrs {
  Permutation first_transpose;
  bool has_reshape = false;
  Dims reshape_dims;
  bool zero_is_placeholder = true;
  Permutation second_transpose;
  template <typename F>
  void fields(F&& f) {
    f("first_transpose", first_transpose);
    f("has_reshape", has_reshape);
    f("reshape_dims", reshape_dims);
    f("zero_is_placeholder", zero_is_placeholder);
    f("second_transpose", second_transpose);
  }
};

// Output[i] = input[start + i * stride] per dimension; stride may be negative, never 0.
struct SliceAttrs {
  Dims start, size, stride;
  template <typename F>
  void fields(F&& f) {
    f("start", start);
    f("size", size);
    f("stride", stride);
  }
};

struct SoftMaxAttrs {
  uint32_t axes = 0;  // nonzero; add_softmax sets the last axis when the user gives none
  template <typename F>
  void fields(F&& f) {
    f("axes", axes);
  }
};

// Outputs: values (input type), indices (int32).
struct TopKAttrs {
  TopKOperation op = TopKOperation::kMAX;
  int32_t k = 1;
  uint32_t axes = 0;  // exactly one bit
  template <typename F>
  void fields(F&& f) {
    f("op", op);
    f("k", k);
    f("axes", axes);
  }
};

struct UnaryAttrs {
  UnaryOperation op = UnaryOperation::kEXP;
  template <typename F>
  void fields(F&& f) {
    f("op", op);
  }
};

}  // namespace kiln
