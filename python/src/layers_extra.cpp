// Layers added to the C++ API after the first release (deconvolution, resize, scatter, shape,
// cumulative, LRN, one-hot, fill; slice and gather modes), their enums and their add_* calls.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"

namespace kiln::python {

namespace {

constexpr auto kRef = nb::rv_policy::reference_internal;

}  // namespace

void bind_layers_extra(nb::module_& m) {
  nb::enum_<SampleMode>(m, "SampleMode", nb::is_arithmetic(),
                        "What ISliceLayer reads outside its input.")
      .value("STRICT_BOUNDS", SampleMode::kSTRICT_BOUNDS)
      .value("WRAP", SampleMode::kWRAP)
      .value("CLAMP", SampleMode::kCLAMP)
      .value("FILL", SampleMode::kFILL)
      .value("REFLECT", SampleMode::kREFLECT);
  nb::enum_<InterpolationMode>(m, "InterpolationMode", nb::is_arithmetic())
      .value("NEAREST", InterpolationMode::kNEAREST)
      .value("LINEAR", InterpolationMode::kLINEAR)
      .value("CUBIC", InterpolationMode::kCUBIC);
  nb::enum_<ResizeCoordinateTransformation>(m, "ResizeCoordinateTransformation",
                                            nb::is_arithmetic())
      .value("ALIGN_CORNERS", ResizeCoordinateTransformation::kALIGN_CORNERS)
      .value("ASYMMETRIC", ResizeCoordinateTransformation::kASYMMETRIC)
      .value("HALF_PIXEL", ResizeCoordinateTransformation::kHALF_PIXEL)
      .value("PYTORCH_HALF_PIXEL", ResizeCoordinateTransformation::kPYTORCH_HALF_PIXEL)
      .value("TF_HALF_PIXEL_FOR_NN", ResizeCoordinateTransformation::kTF_HALF_PIXEL_FOR_NN);
  nb::enum_<ResizeSelector>(m, "ResizeSelector", nb::is_arithmetic())
      .value("FORMULA", ResizeSelector::kFORMULA)
      .value("UPPER", ResizeSelector::kUPPER);
  nb::enum_<ResizeRoundMode>(m, "ResizeRoundMode", nb::is_arithmetic())
      .value("HALF_UP", ResizeRoundMode::kHALF_UP)
      .value("HALF_DOWN", ResizeRoundMode::kHALF_DOWN)
      .value("FLOOR", ResizeRoundMode::kFLOOR)
      .value("CEIL", ResizeRoundMode::kCEIL);
  nb::enum_<GatherMode>(m, "GatherMode", nb::is_arithmetic())
      .value("DEFAULT", GatherMode::kDEFAULT)
      .value("ELEMENT", GatherMode::kELEMENT)
      .value("ND", GatherMode::kND);
  nb::enum_<ScatterMode>(m, "ScatterMode", nb::is_arithmetic())
      .value("ELEMENT", ScatterMode::kELEMENT)
      .value("ND", ScatterMode::kND);
  nb::enum_<ScatterReduction>(m, "ScatterReduction", nb::is_arithmetic(),
                              "kiln extension (ONNX's `reduction`).")
      .value("NONE", ScatterReduction::kNONE)
      .value("ADD", ScatterReduction::kADD)
      .value("MUL", ScatterReduction::kMUL)
      .value("MAX", ScatterReduction::kMAX)
      .value("MIN", ScatterReduction::kMIN);
  nb::enum_<CumulativeOperation>(m, "CumulativeOperation", nb::is_arithmetic())
      .value("SUM", CumulativeOperation::kSUM);
  nb::enum_<FillOperation>(m, "FillOperation", nb::is_arithmetic(),
                           "kiln runs LINSPACE only; the random ones are refused at build time.")
      .value("LINSPACE", FillOperation::kLINSPACE)
      .value("RANDOM_UNIFORM", FillOperation::kRANDOM_UNIFORM)
      .value("RANDOM_NORMAL", FillOperation::kRANDOM_NORMAL);

  nb::class_<DeconvolutionLayer, Layer>(m, "IDeconvolutionLayer")
      .def_prop_ro("num_output_maps", &DeconvolutionLayer::num_output_maps)
      .def_prop_ro("kernel_size_nd", &DeconvolutionLayer::kernel_size_nd)
      .def_prop_rw("stride_nd", &DeconvolutionLayer::stride_nd,
                   setter(&DeconvolutionLayer::set_stride_nd, "stride_nd"))
      .def_prop_rw("padding_nd", &DeconvolutionLayer::padding_nd,
                   setter(&DeconvolutionLayer::set_padding_nd, "padding_nd"))
      .def_prop_rw("pre_padding", &DeconvolutionLayer::pre_padding,
                   setter(&DeconvolutionLayer::set_pre_padding, "pre_padding"))
      .def_prop_rw("post_padding", &DeconvolutionLayer::post_padding,
                   setter(&DeconvolutionLayer::set_post_padding, "post_padding"))
      .def_prop_rw("dilation_nd", &DeconvolutionLayer::dilation_nd,
                   setter(&DeconvolutionLayer::set_dilation_nd, "dilation_nd"))
      .def_prop_rw("num_groups", &DeconvolutionLayer::num_groups,
                   setter(&DeconvolutionLayer::set_num_groups, "num_groups"));

  nb::class_<ResizeLayer, Layer>(m, "IResizeLayer")
      .def_prop_rw(
          "shape",
          [](const ResizeLayer& l) -> nb::object {
            Dims d = l.output_dimensions();
            if (d.nb_dims < 0) return nb::none();
            return dims_to_python(d);
          },
          setter(&ResizeLayer::set_output_dimensions, "shape"),
          "The output dimensions; None while scales are used.")
      .def_prop_rw(
          "scales",
          [](const ResizeLayer& l) -> nb::object {
            float values[Dims::kMaxDims];
            int32_t n = l.get_scales(Dims::kMaxDims, values);
            if (n < 0) return nb::none();
            nb::list scales;
            for (int32_t i = 0; i < n && i < Dims::kMaxDims; ++i) scales.append(values[i]);
            return scales;
          },
          [](ResizeLayer& l, const std::vector<float>& scales) {
            guarded_void(logger_of(l), "scales",
                         [&] { l.set_scales(scales.data(), static_cast<int32_t>(scales.size())); });
          },
          "One scale per dimension; None while output dimensions are used.")
      .def_prop_rw("resize_mode", &ResizeLayer::resize_mode,
                   setter(&ResizeLayer::set_resize_mode, "resize_mode"))
      .def_prop_rw("coordinate_transformation", &ResizeLayer::coordinate_transformation,
                   setter(&ResizeLayer::set_coordinate_transformation, "coordinate_transformation"))
      .def_prop_rw("selector_for_single_pixel", &ResizeLayer::selector_for_single_pixel,
                   setter(&ResizeLayer::set_selector_for_single_pixel, "selector_for_single_pixel"))
      .def_prop_rw("nearest_rounding", &ResizeLayer::nearest_rounding,
                   setter(&ResizeLayer::set_nearest_rounding, "nearest_rounding"))
      .def_prop_rw("cubic_coeff", &ResizeLayer::cubic_coeff,
                   setter(&ResizeLayer::set_cubic_coeff, "cubic_coeff"))
      .def_prop_rw("exclude_outside", &ResizeLayer::exclude_outside,
                   setter(&ResizeLayer::set_exclude_outside, "exclude_outside"));

  nb::class_<ScatterLayer, Layer>(m, "IScatterLayer")
      .def_prop_rw("mode", &ScatterLayer::mode, setter(&ScatterLayer::set_mode, "mode"))
      .def_prop_rw("axis", &ScatterLayer::axis, setter(&ScatterLayer::set_axis, "axis"))
      .def_prop_rw("reduction", &ScatterLayer::reduction,
                   setter(&ScatterLayer::set_reduction, "reduction"), "kiln extension.");

  nb::class_<ShapeLayer, Layer>(m, "IShapeLayer");

  nb::class_<CumulativeLayer, Layer>(m, "ICumulativeLayer")
      .def_prop_rw("op", &CumulativeLayer::operation, setter(&CumulativeLayer::set_operation, "op"))
      .def_prop_rw("axis", &CumulativeLayer::axis, setter(&CumulativeLayer::set_axis, "axis"))
      .def_prop_rw("exclusive", &CumulativeLayer::exclusive,
                   setter(&CumulativeLayer::set_exclusive, "exclusive"))
      .def_prop_rw("reverse", &CumulativeLayer::reverse,
                   setter(&CumulativeLayer::set_reverse, "reverse"));

  nb::class_<LRNLayer, Layer>(m, "ILRNLayer")
      .def_prop_rw("window_size", &LRNLayer::window_size,
                   setter(&LRNLayer::set_window_size, "window_size"))
      .def_prop_rw("alpha", &LRNLayer::alpha, setter(&LRNLayer::set_alpha, "alpha"))
      .def_prop_rw("beta", &LRNLayer::beta, setter(&LRNLayer::set_beta, "beta"))
      .def_prop_rw("k", &LRNLayer::k, setter(&LRNLayer::set_k, "k"));

  nb::class_<OneHotLayer, Layer>(m, "IOneHotLayer")
      .def_prop_rw("axis", &OneHotLayer::axis, setter(&OneHotLayer::set_axis, "axis"))
      .def_prop_rw("depth", &OneHotLayer::depth, setter(&OneHotLayer::set_depth, "depth"),
                   "kiln: a value (TensorRT takes a tensor).");

  nb::class_<FillLayer, Layer>(m, "IFillLayer")
      .def_prop_rw("shape", &FillLayer::dimensions, setter(&FillLayer::set_dimensions, "shape"))
      .def_prop_rw("operation", &FillLayer::operation,
                   setter(&FillLayer::set_operation, "operation"))
      .def_prop_rw("alpha", &FillLayer::alpha, setter(&FillLayer::set_alpha, "alpha"),
                   "LINSPACE start (a value, not a tensor as in TensorRT).")
      .def_prop_rw("beta", &FillLayer::beta, setter(&FillLayer::set_beta, "beta"),
                   "LINSPACE step (a value, not a tensor as in TensorRT).")
      .def_prop_rw("to_type", &FillLayer::to_type, setter(&FillLayer::set_to_type, "to_type"));
}

void bind_network_extra(nb::class_<PyNetwork>& network) {
  network
      .def(
          "add_deconvolution_nd",
          [](PyNetwork& n, Tensor& input, int64_t num_output_maps, const Dims& kernel_shape,
             nb::handle kernel, nb::handle bias) {
            PyWeights k = to_weights(kernel), b = to_weights(bias);
            return add(n, "add_deconvolution_nd", [&] {
              return n.def->add_deconvolution_nd(input, num_output_maps, kernel_shape, k.view(),
                                                 b.view());
            });
          },
          nb::arg("input"), nb::arg("num_output_maps"), nb::arg("kernel_shape"), nb::arg("kernel"),
          nb::arg("bias").none() = nb::none(), kRef,
          "kernel: input channels x (num_output_maps / groups) x kernel_shape values.")
      .def(
          "add_resize",
          [](PyNetwork& n, Tensor& input) {
            return add(n, "add_resize", [&] { return n.def->add_resize(input); });
          },
          nb::arg("input"), kRef)
      .def(
          "add_scatter",
          [](PyNetwork& n, Tensor& data, Tensor& indices, Tensor& updates, ScatterMode mode) {
            return add(n, "add_scatter",
                       [&] { return n.def->add_scatter(data, indices, updates, mode); });
          },
          nb::arg("data"), nb::arg("indices"), nb::arg("updates"), nb::arg("mode"), kRef)
      .def(
          "add_shape",
          [](PyNetwork& n, Tensor& input) {
            return add(n, "add_shape", [&] { return n.def->add_shape(input); });
          },
          nb::arg("input"), kRef, "The input's dimensions as a 1-D int64 tensor.")
      .def(
          "add_cumulative",
          [](PyNetwork& n, Tensor& input, int32_t axis, CumulativeOperation op, bool exclusive,
             bool reverse) {
            return add(n, "add_cumulative",
                       [&] { return n.def->add_cumulative(input, axis, op, exclusive, reverse); });
          },
          nb::arg("input"), nb::arg("axis"), nb::arg("op"), nb::arg("exclusive"),
          nb::arg("reverse"), kRef, "axis is an int (TensorRT takes a tensor).")
      .def(
          "add_lrn",
          [](PyNetwork& n, Tensor& input, int64_t window, float alpha, float beta, float k) {
            return add(n, "add_lrn", [&] { return n.def->add_lrn(input, window, alpha, beta, k); });
          },
          nb::arg("input"), nb::arg("window"), nb::arg("alpha"), nb::arg("beta"), nb::arg("k"),
          kRef)
      .def(
          "add_one_hot",
          [](PyNetwork& n, Tensor& indices, Tensor& values, int64_t depth, int32_t axis) {
            return add(n, "add_one_hot",
                       [&] { return n.def->add_one_hot(indices, values, depth, axis); });
          },
          nb::arg("indices"), nb::arg("values"), nb::arg("depth"), nb::arg("axis"), kRef,
          "values: [off, on]; depth is an int (TensorRT takes a tensor).")
      .def(
          "add_fill",
          [](PyNetwork& n, const Dims& shape, FillOperation op, DataType output_type) {
            return add(n, "add_fill", [&] { return n.def->add_fill(shape, op, output_type); });
          },
          nb::arg("shape"), nb::arg("op"), nb::arg("output_type") = DataType::kFLOAT, kRef,
          "LINSPACE: element i = alpha + i * beta (set layer.alpha / layer.beta).");
}

}  // namespace kiln::python
