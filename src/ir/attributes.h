// The typed attributes of every layer kind, one struct each (named by layer_list.def).
//
// Each struct lists its fields once in fields(visitor): the plan writer and reader, the graph dump
// and the node signature all walk that list, so a new field is serialised, printed and hashed
// without touching them. Field types: bool, int32_t, int64_t, uint32_t, float, double, Dims,
// Permutation, std::string, std::vector<uint8_t> and the enums of kiln/types.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/network.h"
#include "kiln/plugin.h"
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

// An activation the builder's epilogue fusion folded into the layer before it (never set through
// the API): applied to the layer's output, after its bias.
struct FusedActivation {
  bool enabled = false;
  ActivationType type = ActivationType::kRELU;
  float alpha = 0.0f;
  float beta = 0.0f;
  template <typename F>
  void fields(F&& f, const char* prefix_enabled, const char* prefix_type, const char* prefix_alpha,
              const char* prefix_beta) {
    f(prefix_enabled, enabled);
    f(prefix_type, type);
    f(prefix_alpha, alpha);
    f(prefix_beta, beta);
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
  FusedActivation epilogue;  // set by the builder's epilogue fusion only
  template <typename F>
  void fields(F&& f) {
    f("num_output_maps", num_output_maps);
    f("kernel_shape", kernel_shape);
    f("stride", stride);
    f("pre_padding", pre_padding);
    f("post_padding", post_padding);
    f("dilation", dilation);
    f("num_groups", num_groups);
    epilogue.fields(f, "fused_activation", "fused_activation_type", "fused_activation_alpha",
                    "fused_activation_beta");
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

// Inputs: data, indices (int32 or int64). kDEFAULT: ONNX Gather along `axis`; kELEMENT: ONNX
// GatherElements along `axis` (indices of data's rank, output of the indices' shape); kND: ONNX
// GatherND with num_elementwise_dims leading batch dims (`axis` unused).
struct GatherAttrs {
  int32_t axis = 0;  // negative counts from the back
  GatherMode mode = GatherMode::kDEFAULT;
  int32_t num_elementwise_dims = 0;
  template <typename F>
  void fields(F&& f) {
    f("axis", axis);
    f("mode", mode);
    f("num_elementwise_dims", num_elementwise_dims);
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
// Inputs: a, b and, after epilogue fusion only, a bias [N] added along the output's last dim.
struct MatrixMultiplyAttrs {
  MatrixOperation op_a = MatrixOperation::kNONE;
  MatrixOperation op_b = MatrixOperation::kNONE;
  FusedActivation epilogue;
  template <typename F>
  void fields(F&& f) {
    f("op_a", op_a);
    f("op_b", op_b);
    epilogue.fields(f, "fused_activation", "fused_activation_type", "fused_activation_alpha",
                    "fused_activation_beta");
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

// Output[i] = input[start + i * stride] per dimension; stride may be negative or 0. Where
// that lies outside the input, `mode` says what is read (kSTRICT_BOUNDS: nothing may).
struct SliceAttrs {
  Dims start, size, stride;
  SampleMode mode = SampleMode::kSTRICT_BOUNDS;
  double fill_value = 0.0;  // kFILL, converted to the input type
  template <typename F>
  void fields(F&& f) {
    f("start", start);
    f("size", size);
    f("stride", stride);
    f("mode", mode);
    f("fill_value", fill_value);
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

// ---------------------------------------------------------------------------------------------
// Layers appended after the first release (layer_list.def order).

// Inputs: x [N, C, spatial...] (1 to 3 spatial dims), kernel [C, K / groups, kernel_shape...],
// optional bias [K]. Output [N, K, out...], out = (in - 1) * stride + dilation * (k - 1) + 1 -
// pre - post. post_padding may be negative down to -(stride - 1): ONNX ConvTranspose's
// output_padding p maps to post_padding = end pad - p.
struct DeconvolutionAttrs {
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

// Input x of any rank. The output shape is output_dims, or floor(in * scale) per dimension when
// use_scales. Formulas of ONNX Resize; see ResizeLayer in kiln/layers.h.
struct ResizeAttrs {
  bool use_scales = false;
  Dims output_dims;
  float scales[Dims::kMaxDims] = {1, 1, 1, 1, 1, 1, 1, 1};
  int32_t num_scales = 0;
  InterpolationMode mode = InterpolationMode::kNEAREST;
  ResizeCoordinateTransformation transformation = ResizeCoordinateTransformation::kASYMMETRIC;
  ResizeSelector selector = ResizeSelector::kFORMULA;
  ResizeRoundMode nearest_rounding = ResizeRoundMode::kFLOOR;
  float cubic_coeff = -0.75f;
  bool exclude_outside = false;
  template <typename F>
  void fields(F&& f) {
    static constexpr const char* kScaleNames[Dims::kMaxDims] = {
        "scale_0", "scale_1", "scale_2", "scale_3", "scale_4", "scale_5", "scale_6", "scale_7"};
    f("use_scales", use_scales);
    f("output_dims", output_dims);
    f("num_scales", num_scales);
    for (int32_t i = 0; i < Dims::kMaxDims; ++i) f(kScaleNames[i], scales[i]);
    f("mode", mode);
    f("transformation", transformation);
    f("selector", selector);
    f("nearest_rounding", nearest_rounding);
    f("cubic_coeff", cubic_coeff);
    f("exclude_outside", exclude_outside);
  }
};

// Inputs: data, indices (int32 or int64), updates. Output: data with the updates written (or
// combined by `reduction`) at the indexed places. kELEMENT: ONNX ScatterElements along `axis`;
// kND: ONNX ScatterND.
struct ScatterAttrs {
  ScatterMode mode = ScatterMode::kELEMENT;
  int32_t axis = 0;
  ScatterReduction reduction = ScatterReduction::kNONE;
  template <typename F>
  void fields(F&& f) {
    f("mode", mode);
    f("axis", axis);
    f("reduction", reduction);
  }
};

// Input: any tensor. Output: int64 [rank], its dimensions.
struct ShapeAttrs {
  template <typename F>
  void fields(F&&) {}
};

// Running sum along `axis` (ONNX CumSum).
struct CumulativeAttrs {
  CumulativeOperation op = CumulativeOperation::kSUM;
  int32_t axis = 0;  // negative counts from the back
  bool exclusive = false;
  bool reverse = false;
  template <typename F>
  void fields(F&& f) {
    f("op", op);
    f("axis", axis);
    f("exclusive", exclusive);
    f("reverse", reverse);
  }
};

// Local response normalization across channels (dimension 1), ONNX LRN:
// y = x / (k + alpha / window * sum of x^2 over the window)^beta.
struct LRNAttrs {
  int64_t window = 1;
  float alpha = 1e-4f;
  float beta = 0.75f;
  float k = 1.0f;
  template <typename F>
  void fields(F&& f) {
    f("window", window);
    f("alpha", alpha);
    f("beta", beta);
    f("k", k);
  }
};

// Inputs: indices (int32 or int64), values [off, on]. Output: indices' shape with a `depth` axis
// inserted at `axis`, of the values' type.
struct OneHotAttrs {
  int64_t depth = 1;
  int32_t axis = -1;  // of the output; negative counts from the back
  template <typename F>
  void fields(F&& f) {
    f("depth", depth);
    f("axis", axis);
  }
};

// No inputs. kLINSPACE: a 1-D output, element i = alpha + i * beta.
struct FillAttrs {
  Dims dims;
  FillOperation op = FillOperation::kLINSPACE;
  DataType output_type = DataType::kFLOAT;
  double alpha = 0.0;
  double beta = 1.0;
  template <typename F>
  void fields(F&& f) {
    f("dims", dims);
    f("op", op);
    f("output_type", output_type);
    f("alpha", alpha);
    f("beta", beta);
  }
};

// A user's plugin (kiln/plugin.h). Inputs: the plugin's inputs, then num_shape_inputs shape inputs.
// The plan stores the key and fields; `plugin` is re-created through the registry when a plan is
// read (plan/reader.cpp) and shared by copies of the graph.
struct PluginV3Attrs {
  std::string plugin_name;
  std::string plugin_version;
  std::string plugin_namespace;
  std::vector<uint8_t> plugin_fields;  // plugin/fields.h encoding of get_fields_to_serialize()
  int32_t num_outputs = 0;
  int32_t num_shape_inputs = 0;
  std::shared_ptr<PluginV3> plugin;  // not a field
  template <typename F>
  void fields(F&& f) {
    f("plugin_name", plugin_name);
    f("plugin_version", plugin_version);
    f("plugin_namespace", plugin_namespace);
    f("plugin_fields", plugin_fields);
    f("num_outputs", num_outputs);
    f("num_shape_inputs", num_shape_inputs);
  }
};

}  // namespace kiln
