// The public API of the layers the ONNX importer needs: add_* and setters/getters, errors naming
// the layer, and small networks built into CPU engines (through a serialized plan) and run: ONNX
// Pad/Tile/Expand via slice modes, Resize, GatherND, ScatterElements, ConvTranspose, a Shape layer
// folded at build time or run at run time, Range via fill.
#include <gtest/gtest.h>

#include "builder/passes.h"
#include "e2e/e2e_util.h"
#include "ir/graph.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::build_cpu_engine;
using test::quiet_logger;
using test::run_float;

Weights floats(const std::vector<float>& v) {
  return Weights{DataType::kFLOAT, v.data(), static_cast<int64_t>(v.size())};
}

TEST(NewLayersApi, SliceModesAndFillValue) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{2, 2});
  SliceLayer* pad = net->add_slice(*x, Dims{-1, -1}, Dims{4, 5}, Dims{1, 1});
  // Out of bounds is refused in the default mode, accepted after set_mode.
  EXPECT_THROW(pad->get_output(0)->dimensions(), Error);
  pad->set_mode(SampleMode::kFILL);
  pad->set_fill_value(-1.5);
  EXPECT_EQ(pad->mode(), SampleMode::kFILL);
  EXPECT_EQ(pad->fill_value(), -1.5);
  EXPECT_EQ(pad->get_output(0)->dimensions(), (Dims{4, 5}));
  pad->get_output(0)->set_name("pad");
  net->mark_output(*pad->get_output(0));
  SliceLayer* tile = net->add_slice(*x, Dims{0, 0}, Dims{2, 6}, Dims{1, 1});
  tile->set_mode(SampleMode::kWRAP);
  tile->get_output(0)->set_name("tile");
  net->mark_output(*tile->get_output(0));
  SliceLayer* expand = net->add_slice(*x, Dims{0, 1}, Dims{2, 3}, Dims{1, 0});
  expand->get_output(0)->set_name("expand");
  net->mark_output(*expand->get_output(0));
  auto config = builder.create_builder_config();
  auto engine = build_cpu_engine(builder, *net, *config);
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, {{"x", {Dims{2, 2}, {1, 2, 3, 4}}}});
  EXPECT_EQ(out["pad"],
            (std::vector<float>{-1.5, -1.5, -1.5, -1.5, -1.5, -1.5, 1,    2,    -1.5, -1.5,
                                -1.5, 3,    4,    -1.5, -1.5, -1.5, -1.5, -1.5, -1.5, -1.5}));
  EXPECT_EQ(out["tile"], (std::vector<float>{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}));
  EXPECT_EQ(out["expand"], (std::vector<float>{2, 2, 2, 4, 4, 4}));
}

TEST(NewLayersApi, ResizeSettersAndRun) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{1, 1, -1, 2});
  ResizeLayer* r = net->add_resize(*x);
  EXPECT_EQ(r->get_output(0)->dimensions(), (Dims{1, 1, -1, 2}));  // scales 1 by default
  const float scales[] = {1, 1, 2, 2};
  r->set_scales(scales, 4);
  float got[4] = {};
  EXPECT_EQ(r->get_scales(4, got), 4);
  EXPECT_EQ(got[3], 2.0f);
  EXPECT_EQ(r->output_dimensions().nb_dims, -1);
  r->set_resize_mode(InterpolationMode::kLINEAR);
  r->set_coordinate_transformation(ResizeCoordinateTransformation::kHALF_PIXEL);
  r->set_nearest_rounding(ResizeRoundMode::kHALF_UP);
  r->set_selector_for_single_pixel(ResizeSelector::kUPPER);
  r->set_cubic_coeff(-0.5f);
  r->set_exclude_outside(true);
  EXPECT_EQ(r->resize_mode(), InterpolationMode::kLINEAR);
  EXPECT_EQ(r->coordinate_transformation(), ResizeCoordinateTransformation::kHALF_PIXEL);
  EXPECT_EQ(r->nearest_rounding(), ResizeRoundMode::kHALF_UP);
  EXPECT_EQ(r->selector_for_single_pixel(), ResizeSelector::kUPPER);
  EXPECT_EQ(r->cubic_coeff(), -0.5f);
  EXPECT_TRUE(r->exclude_outside());
  EXPECT_EQ(r->get_output(0)->dimensions(), (Dims{1, 1, -1, 4}));
  r->set_name("up");
  expect_error([&] { r->set_scales(scales, 3), r->get_output(0)->dimensions(); },
               {"[resize 'up'] 3 scales given for an input of rank 4"});
  expect_error([&] { r->set_scales(scales + 1, -1); }, {"set_scales: expected 0 to 8 scales"});
  r->set_scales(scales, 4);
  r->get_output(0)->set_name("y");
  net->mark_output(*r->get_output(0));
  auto config = builder.create_builder_config();
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("x", Dims{1, 1, 1, 2}, Dims{1, 1, 2, 2}, Dims{1, 1, 4, 2});
  config->add_optimization_profile(*p);
  auto engine = build_cpu_engine(builder, *net, *config);
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, {{"x", {Dims{1, 1, 2, 2}, {1, 2, 3, 4}}}});
  EXPECT_EQ(out["y"], (std::vector<float>{1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25,
                                          3.5, 3, 3.25, 3.75, 4}));
  r->set_output_dimensions(Dims{1, 1, 3, 3});
  EXPECT_EQ(r->get_output(0)->dimensions(), (Dims{1, 1, 3, 3}));
  EXPECT_EQ(r->get_scales(4, got), -1);
}

TEST(NewLayersApi, GatherAndScatterModes) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{2, 2});
  const int64_t idx[] = {1, 0, 0, 1};
  Tensor* indices = net->add_constant(Dims{2, 2}, Weights{DataType::kINT64, idx, 4})->get_output(0);
  GatherLayer* g = net->add_gather(*x, *indices, 0);
  g->set_mode(GatherMode::kND);
  EXPECT_EQ(g->mode(), GatherMode::kND);
  EXPECT_EQ(g->get_output(0)->dimensions(), (Dims{2}));
  g->set_num_elementwise_dims(1);
  g->set_name("gnd");
  expect_error(
      [&] { g->get_output(0)->dimensions(); },
      {"[gather 'gnd'] kND mode: the last dimension of indices [2,2] is 2; expected 1 to 1"});
  g->set_num_elementwise_dims(0);
  EXPECT_EQ(g->num_elementwise_dims(), 0);
  expect_error([&] { g->set_num_elementwise_dims(-1); }, {"set_num_elementwise_dims"});
  g->get_output(0)->set_name("gathered");
  net->mark_output(*g->get_output(0));

  ScatterLayer* s = net->add_scatter(*x, *indices, *x, ScatterMode::kELEMENT);
  s->set_axis(1);
  s->set_reduction(ScatterReduction::kADD);
  EXPECT_EQ(s->axis(), 1);
  EXPECT_EQ(s->mode(), ScatterMode::kELEMENT);
  EXPECT_EQ(s->reduction(), ScatterReduction::kADD);
  s->get_output(0)->set_name("scattered");
  net->mark_output(*s->get_output(0));
  auto config = builder.create_builder_config();
  auto engine = build_cpu_engine(builder, *net, *config);
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, {{"x", {Dims{2, 2}, {1, 2, 3, 4}}}});
  EXPECT_EQ(out["gathered"], (std::vector<float>{3, 2}));
  // Row 0: x[0][1] += 1, x[0][0] += 2; row 1: x[1][0] += 3, x[1][1] += 4.
  EXPECT_EQ(out["scattered"], (std::vector<float>{3, 3, 6, 8}));
}

TEST(NewLayersApi, DeconvolutionLikeOnnxConvTranspose) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{1, 1, 3, 3});
  std::vector<float> w(18, 1.0f), b = {0.5f, -0.5f};
  DeconvolutionLayer* d = net->add_deconvolution_nd(*x, 2, Dims{3, 3}, floats(w), floats(b));
  EXPECT_EQ(d->num_groups(), 1);
  EXPECT_EQ(d->get_output(0)->dimensions(), (Dims{1, 2, 5, 5}));
  d->set_stride_nd(Dims{3, 2});
  d->set_post_padding(Dims{-1, -1});  // ONNX output_padding [1, 1]
  EXPECT_EQ(d->post_padding(), (Dims{-1, -1}));
  EXPECT_EQ(d->get_output(0)->dimensions(), (Dims{1, 2, 10, 8}));
  d->set_name("up");
  EXPECT_EQ(net->graph().tensors[net->graph().nodes.back().inputs[1]].name, "up.kernel");
  d->set_post_padding(Dims{-3, 0});
  expect_error([&] { d->get_output(0)->dimensions(); },
               {"[deconvolution 'up'] post_padding [-3,0] is below"});
  d->set_post_padding(Dims{-1, -1});
  expect_error(
      [&] {
        net->add_deconvolution_nd(*x, 2, Dims{3, 3}, floats(b), Weights{});
      },
      {"add_deconvolution_nd: kernel: expected input channels x num_output_maps x "
       "kernel_shape = 1 x 2 x [3,3] = 18 values"});
  d->get_output(0)->set_name("y");
  net->mark_output(*d->get_output(0));
  auto config = builder.create_builder_config();
  auto engine = build_cpu_engine(builder, *net, *config);
  auto ctx = engine->create_execution_context();
  std::vector<float> xv(9);
  for (int i = 0; i < 9; ++i) xv[i] = static_cast<float>(i);
  auto out = run_float(*ctx, *engine, {{"x", {Dims{1, 1, 3, 3}, xv}}});
  ASSERT_EQ(out["y"].size(), 160u);
  EXPECT_EQ(out["y"][4], 3.5f);   // row 0, col 4: 1 + 2 + bias
  EXPECT_EQ(out["y"][79], 0.5f);  // output padding: bias only
  EXPECT_EQ(out["y"][80 + 8 * 3 + 2], 7 - 0.5f);
}

// A shape layer on a static input folds into a constant; on a dynamic one it runs and reports
// the actual dims. Range via fill folds too.
TEST(NewLayersApi, ShapeFoldsWhenStaticAndRunsWhenDynamic) {
  for (bool dynamic : {false, true}) {
    Builder builder(quiet_logger());
    auto net = builder.create_network();
    Tensor* x = net->add_input("x", DataType::kFLOAT, dynamic ? Dims{-1, 3} : Dims{2, 3});
    ShapeLayer* shape = net->add_shape(*x);
    EXPECT_EQ(shape->get_output(0)->type(), DataType::kINT64);
    EXPECT_EQ(shape->get_output(0)->dimensions(), (Dims{2}));
    CastLayer* cast = net->add_cast(*shape->get_output(0), DataType::kFLOAT);
    cast->get_output(0)->set_name("dims");
    net->mark_output(*cast->get_output(0));
    FillLayer* range = net->add_fill(Dims{3}, FillOperation::kLINSPACE, DataType::kFLOAT);
    range->set_alpha(10);
    range->set_beta(-3);
    EXPECT_EQ(range->alpha(), 10.0);
    EXPECT_EQ(range->to_type(), DataType::kFLOAT);
    range->get_output(0)->set_name("range");
    net->mark_output(*range->get_output(0));
    ElementWiseLayer* sum = net->add_elementwise(*x, *x, ElementWiseOperation::kSUM);
    sum->get_output(0)->set_name("sum");
    net->mark_output(*sum->get_output(0));
    auto config = builder.create_builder_config();
    if (dynamic) {
      OptimizationProfile* p = builder.create_optimization_profile();
      p->set_shape("x", Dims{1, 3}, Dims{2, 3}, Dims{4, 3});
      config->add_optimization_profile(*p);
    }
    auto engine = build_cpu_engine(builder, *net, *config);
    // Static: sum, and copies of the folded shape/cast and range outputs. Dynamic: shape and
    // cast run.
    ir::Graph folded =
        builder::fold_constants(builder::bind_constants(net->graph()), quiet_logger());
    int32_t shapes = 0;
    for (const ir::Node& n : folded.nodes) shapes += n.kind() == LayerType::kSHAPE;
    EXPECT_EQ(shapes, dynamic ? 1 : 0);
    auto ctx = engine->create_execution_context();
    std::vector<float> xv(6, 1.0f);
    auto out = run_float(*ctx, *engine, {{"x", {Dims{2, 3}, xv}}});
    EXPECT_EQ(out["dims"], (std::vector<float>{2, 3}));
    EXPECT_EQ(out["range"], (std::vector<float>{10, 7, 4}));
  }
}

TEST(NewLayersApi, ShapeFoldsWhenEveryProfileFixesTheInput) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{-1, 3});
  ShapeLayer* shape = net->add_shape(*x);
  net->mark_output(*shape->get_output(0));
  ir::Graph g = builder::bind_constants(net->graph());
  std::vector<std::vector<ProfileDims>> fixed = {{{Dims{5, 3}, Dims{5, 3}, Dims{5, 3}}}};
  ir::Graph folded = builder::fold_constants(g, quiet_logger(), fixed);
  ASSERT_EQ(folded.nodes.size(), 0u);
  ASSERT_EQ(folded.weights.size(), 1u);
  const auto* dims = reinterpret_cast<const int64_t*>(folded.weights[0].bytes->data());
  EXPECT_EQ(dims[0], 5);
  EXPECT_EQ(dims[1], 3);
  std::vector<std::vector<ProfileDims>> ranged = {{{Dims{1, 3}, Dims{5, 3}, Dims{5, 3}}}};
  EXPECT_EQ(builder::fold_constants(g, quiet_logger(), ranged).nodes.size(), 1u);
}

TEST(NewLayersApi, CumulativeLrnOneHot) {
  Builder builder(quiet_logger());
  auto net = builder.create_network();
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{1, 3, 1});
  CumulativeLayer* c = net->add_cumulative(*x, 1, CumulativeOperation::kSUM, false, true);
  EXPECT_TRUE(c->reverse());
  c->set_exclusive(true);
  EXPECT_TRUE(c->exclusive());
  c->set_axis(5);
  c->set_name("cs");
  expect_error([&] { c->get_output(0)->dimensions(); },
               {"[cumulative 'cs'] axis 5 is out of range for rank 3"});
  c->set_axis(-2);
  c->get_output(0)->set_name("cumsum");
  net->mark_output(*c->get_output(0));
  LRNLayer* l = net->add_lrn(*x, 3, 0.3f, 0.5f, 1.0f);
  EXPECT_EQ(l->window_size(), 3);
  EXPECT_THROW(l->set_window_size(0), Error);
  EXPECT_THROW(net->add_lrn(*x, 0, 1, 1, 1), Error);
  l->get_output(0)->set_name("lrn");
  net->mark_output(*l->get_output(0));
  const int32_t idx[] = {2, -1};
  const float values[] = {0, 1};
  Tensor* i = net->add_constant(Dims{2}, Weights{DataType::kINT32, idx, 2})->get_output(0);
  Tensor* v = net->add_constant(Dims{2}, Weights{DataType::kFLOAT, values, 2})->get_output(0);
  OneHotLayer* oh = net->add_one_hot(*i, *v, 3, 0);
  EXPECT_EQ(oh->get_output(0)->dimensions(), (Dims{3, 2}));
  oh->set_axis(-1);
  oh->set_depth(4);
  EXPECT_EQ(oh->get_output(0)->dimensions(), (Dims{2, 4}));
  EXPECT_THROW(oh->set_depth(-1), Error);
  oh->get_output(0)->set_name("onehot");
  net->mark_output(*oh->get_output(0));
  auto config = builder.create_builder_config();
  auto engine = build_cpu_engine(builder, *net, *config);
  auto ctx = engine->create_execution_context();
  auto out = run_float(*ctx, *engine, {{"x", {Dims{1, 3, 1}, {1, 2, 3}}}});
  EXPECT_EQ(out["cumsum"], (std::vector<float>{5, 3, 0}));
  EXPECT_NEAR(out["lrn"][1], 2 / std::sqrt(1 + 0.1 * 14), 1e-6);
  EXPECT_EQ(out["onehot"], (std::vector<float>{0, 0, 1, 0, 0, 0, 0, 1}));
}

}  // namespace
}  // namespace kiln
