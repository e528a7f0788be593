// Shape tensors: values of small integer tensors inferred from shapes and constants (shape, gather,
// concatenation, elementwise, select, cast, slice, reduce, shuffle), and the layers that take
// their dims from one (shuffle input 1, slice input 2, fill input 0), at definition time with -1,
// and built for a dynamic profile and run on the CPU at several shapes.
#include <memory>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "ir/graph.h"
#include "kiln/kiln.h"
#include "test_util.h"

namespace kiln {
namespace {

Logger& quiet() {
  static Logger logger(Logger::Severity::kINTERNAL_ERROR);
  return logger;
}

Tensor& int64s(NetworkDefinition& n, const std::vector<int64_t>& v) {
  Dims d{static_cast<int64_t>(v.size())};
  return *n.add_constant(d, Weights{DataType::kINT64, v.data(), static_cast<int64_t>(v.size())})
              ->get_output(0);
}

Tensor& scalar64(NetworkDefinition& n, int64_t v) {
  return *n.add_constant(Dims{}, Weights{DataType::kINT64, &v, 1})->get_output(0);
}

// The inferred value of a tensor of the network ("none" when it has none; ? for unknown).
std::string value_of(NetworkDefinition& n, Tensor& t) {
  (void)t.dimensions();  // makes the inference current
  const ir::Graph& g = n.graph();
  const ir::Tensor& it = g.tensors[g.find_tensor(t.name())];
  if (!it.has_value) return "none";
  std::string s;
  for (int64_t v : it.value) {
    s += s.empty() ? "" : ",";
    s += v == ir::kUnknownValue ? "?" : std::to_string(v);
  }
  return "[" + s + "]";
}

TEST(ShapeTensor, ValuesFlowThroughShapeArithmetic) {
  Builder builder(quiet());
  auto n = builder.create_network();
  Tensor& x = *n->add_input("x", DataType::kFLOAT, Dims{-1, 3, 4});
  Tensor& shape = *n->add_shape(x)->get_output(0);
  EXPECT_EQ(value_of(*n, shape), "[?,3,4]");

  Tensor& idx = int64s(*n, {2, -2});
  Tensor& picked = *n->add_gather(shape, idx, 0)->get_output(0);
  EXPECT_EQ(value_of(*n, picked), "[4,3]");

  Tensor& product =
      *n->add_elementwise(picked, int64s(*n, {10, 1}), ElementWiseOperation::kPROD)->get_output(0);
  EXPECT_EQ(value_of(*n, product), "[40,3]");

  Tensor* parts[2] = {&shape, &product};
  Tensor& joined = *n->add_concatenation(parts, 2)->get_output(0);
  EXPECT_EQ(value_of(*n, joined), "[?,3,4,40,3]");

  // Unknown elements stay unknown through arithmetic; known ones are computed.
  Tensor& plus =
      *n->add_elementwise(shape, int64s(*n, {1}), ElementWiseOperation::kSUM)->get_output(0);
  EXPECT_EQ(value_of(*n, plus), "[?,4,5]");
  Tensor& floor_div = *n->add_elementwise(int64s(*n, {-7, 7}), int64s(*n, {2, -2}),
                                          ElementWiseOperation::kFLOOR_DIV)
                           ->get_output(0);
  EXPECT_EQ(value_of(*n, floor_div), "[-4,-4]");

  // Equal + Where, as exporters replace -1 in a target shape.
  Tensor& target = int64s(*n, {-1, 12});
  Tensor& is_minus =
      *n->add_elementwise(target, int64s(*n, {-1}), ElementWiseOperation::kEQUAL)->get_output(0);
  EXPECT_EQ(value_of(*n, is_minus), "[1,0]");
  Tensor& where = *n->add_select(is_minus, int64s(*n, {1, 1}), target)->get_output(0);
  EXPECT_EQ(value_of(*n, where), "[1,12]");

  Tensor& as32 = *n->add_cast(where, DataType::kINT32)->get_output(0);
  EXPECT_EQ(value_of(*n, as32), "[1,12]");
  Tensor& as_float = *n->add_cast(where, DataType::kFLOAT)->get_output(0);
  EXPECT_EQ(value_of(*n, as_float), "none");

  Tensor& tail = *n->add_slice(shape, Dims{1}, Dims{2}, Dims{1})->get_output(0);
  EXPECT_EQ(value_of(*n, tail), "[3,4]");
  Tensor& volume = *n->add_reduce(tail, ReduceOperation::kPROD, 1u, false)->get_output(0);
  EXPECT_EQ(value_of(*n, volume), "[12]");
  EXPECT_EQ(volume.dimensions().nb_dims, 0);

  // Unsqueeze of a scalar (reshape to [1] through the second transpose) keeps the value.
  ShuffleLayer& unsqueeze = *n->add_shuffle(volume);
  unsqueeze.set_reshape_dimensions(Dims{1});
  EXPECT_EQ(value_of(*n, *unsqueeze.get_output(0)), "[12]");
  Tensor& negated = *n->add_unary(*unsqueeze.get_output(0), UnaryOperation::kNEG)->get_output(0);
  EXPECT_EQ(value_of(*n, negated), "[-12]");

  // A float tensor or a network input has no value.
  EXPECT_EQ(value_of(*n, x), "none");
}

TEST(ShapeTensor, ReshapeTakesItsDimsFromInput1) {
  Builder builder(quiet());
  auto n = builder.create_network();
  Tensor& x = *n->add_input("x", DataType::kFLOAT, Dims{-1, 3, 4});
  Tensor& shape = *n->add_shape(x)->get_output(0);
  Tensor& batch = *n->add_slice(shape, Dims{0}, Dims{1}, Dims{1})->get_output(0);
  Tensor* parts[2] = {&batch, &int64s(*n, {12})};
  Tensor& spec = *n->add_concatenation(parts, 2)->get_output(0);
  ShuffleLayer& reshape = *n->add_shuffle(x);
  reshape.set_input(1, spec);
  EXPECT_EQ(reshape.num_inputs(), 2);
  EXPECT_EQ(reshape.get_output(0)->dimensions(), (Dims{-1, 12}));

  // The -1 of a shape tensor is inferred like reshape_dims' -1.
  ShuffleLayer& flat = *n->add_shuffle(x);
  flat.set_input(1, int64s(*n, {-1}));
  EXPECT_EQ(flat.get_output(0)->dimensions(), (Dims{-1}));
  ShuffleLayer& known = *n->add_shuffle(x);
  known.set_input(1, int64s(*n, {0, -1}));
  EXPECT_EQ(known.get_output(0)->dimensions(), (Dims{-1, 12}));
}

TEST(ShapeTensor, DataDependentShapesAreRefusedNamingTheLayer) {
  Builder builder(quiet());
  auto n = builder.create_network();
  Tensor& x = *n->add_input("x", DataType::kFLOAT, Dims{2, 6});
  Tensor& dims = *n->add_input("dims", DataType::kINT64, Dims{2});
  ShuffleLayer& reshape = *n->add_shuffle(x);
  reshape.set_name("from_data");
  reshape.set_input(1, dims);
  expect_error([&] { (void)reshape.get_output(0)->dimensions(); },
               {"[shuffle 'from_data']", "input 1 (reshape dimensions)", "not a shape tensor",
                "data-dependent"});

  auto m = builder.create_network();
  Tensor& y = *m->add_input("y", DataType::kFLOAT, Dims{2, 6});
  ShuffleLayer& bad = *m->add_shuffle(y);
  bad.set_name("float_dims");
  Tensor& f = *m->add_cast(int64s(*m, {3, 4}), DataType::kFLOAT)->get_output(0);
  bad.set_input(1, f);
  expect_error([&] { (void)bad.get_output(0)->dimensions(); },
               {"[shuffle 'float_dims']", "int32 or int64 shape tensor"});
  ShuffleLayer& wrong = *m->add_shuffle(y);
  wrong.set_name("wrong_volume");
  wrong.set_input(1, int64s(*m, {5, 5}));
  expect_error([&] { (void)wrong.get_output(0)->dimensions(); },
               {"[shuffle 'wrong_volume']", "cannot reshape"});
  expect_error([&] { wrong.set_input(2, y); }, {"set_input(2)", "takes 2 inputs"});
}

// The output "y" of one run with x = 0, 1, 2, ... of `shape`.
struct RunResult {
  Dims out_dims;
  std::vector<float> out;
};

RunResult run_at(ExecutionContext& ctx, const Dims& shape) {
  std::vector<float> in(static_cast<size_t>(volume(shape)));
  std::iota(in.begin(), in.end(), 0.0f);
  EXPECT_NO_THROW(ctx.set_input_shape("x", shape));
  RunResult r;
  r.out_dims = ctx.get_tensor_shape("y");
  r.out.assign(static_cast<size_t>(std::max<int64_t>(volume(r.out_dims), 0)), -1.0f);
  ctx.set_tensor_address("x", in.data());
  ctx.set_tensor_address("y", r.out.data());
  ctx.execute_async_v3(nullptr);
  return r;
}

std::unique_ptr<Engine> build_cpu(Builder& builder, NetworkDefinition& n, const Dims& min,
                                  const Dims& opt, const Dims& max) {
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("x", min, opt, max);
  config->add_optimization_profile(*p);
  std::vector<uint8_t> plan = builder.build_serialized_network(n, *config);
  Runtime runtime(quiet());
  return runtime.deserialize_cuda_engine(plan.data(), plan.size());
}

TEST(ShapeTensor, DynamicReshapeRunsAtTwoShapesOfOneProfile) {
  Builder builder(quiet());
  auto n = builder.create_network();
  // y = reshape(x [B, S, 6], [B * S, 2, 3]) with B * S computed from the shape.
  Tensor& x = *n->add_input("x", DataType::kFLOAT, Dims{-1, -1, 6});
  Tensor& shape = *n->add_shape(x)->get_output(0);
  Tensor& b = *n->add_gather(shape, scalar64(*n, 0), 0)->get_output(0);
  Tensor& s = *n->add_gather(shape, scalar64(*n, 1), 0)->get_output(0);
  Tensor& bs = *n->add_elementwise(b, s, ElementWiseOperation::kPROD)->get_output(0);
  ShuffleLayer& one = *n->add_shuffle(bs);
  one.set_reshape_dimensions(Dims{1});
  Tensor* parts[2] = {one.get_output(0), &int64s(*n, {2, 3})};
  Tensor& spec = *n->add_concatenation(parts, 2)->get_output(0);
  ShuffleLayer& reshape = *n->add_shuffle(x);
  reshape.set_input(1, spec);
  reshape.get_output(0)->set_name("y");
  n->mark_output(*reshape.get_output(0));
  EXPECT_EQ(reshape.get_output(0)->dimensions(), (Dims{-1, 2, 3}));

  auto engine = build_cpu(builder, *n, Dims{1, 1, 6}, Dims{2, 4, 6}, Dims{4, 8, 6});
  ASSERT_NE(engine, nullptr);
  auto ctx = engine->create_execution_context();
  for (Dims shape_at : {Dims{2, 3, 6}, Dims{4, 8, 6}, Dims{1, 1, 6}}) {
    RunResult r = run_at(*ctx, shape_at);
    int64_t rows = shape_at.d[0] * shape_at.d[1];
    EXPECT_EQ(r.out_dims, (Dims{rows, 2, 3}));
    std::vector<float> expected(static_cast<size_t>(rows * 6));
    std::iota(expected.begin(), expected.end(), 0.0f);
    EXPECT_EQ(r.out, expected) << to_string(shape_at);
  }
}

TEST(ShapeTensor, SliceSizeAndFillDimsFromShapeTensors) {
  Builder builder(quiet());
  auto n = builder.create_network();
  // y = x[:, :S-1] + range(S - 1) along the last axis, for x [B, S].
  Tensor& x = *n->add_input("x", DataType::kFLOAT, Dims{-1, -1});
  Tensor& shape = *n->add_shape(x)->get_output(0);
  Tensor& size =
      *n->add_elementwise(shape, int64s(*n, {0, 1}), ElementWiseOperation::kSUB)->get_output(0);
  SliceLayer& slice = *n->add_slice(x, Dims{0, 0}, Dims{0, 0}, Dims{1, 1});
  slice.set_input(2, size);
  EXPECT_EQ(slice.get_output(0)->dimensions(), (Dims{-1, -1}));
  FillLayer& fill = *n->add_fill(Dims{0}, FillOperation::kLINSPACE, DataType::kFLOAT);
  fill.set_alpha(0.0);
  fill.set_beta(1.0);
  Tensor& length = *n->add_slice(size, Dims{1}, Dims{1}, Dims{1})->get_output(0);
  fill.set_input(0, length);
  Tensor& y =
      *n->add_elementwise(*slice.get_output(0), *fill.get_output(0), ElementWiseOperation::kSUM)
           ->get_output(0);
  y.set_name("y");
  n->mark_output(y);

  auto engine = build_cpu(builder, *n, Dims{1, 2}, Dims{2, 4}, Dims{3, 9});
  auto ctx = engine->create_execution_context();
  for (Dims at : {Dims{2, 4}, Dims{3, 9}, Dims{1, 2}}) {
    RunResult r = run_at(*ctx, at);
    int64_t rows = at.d[0], cols = at.d[1] - 1;
    ASSERT_EQ(r.out_dims, (Dims{rows, cols}));
    std::vector<float> expected;
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j)
        expected.push_back(static_cast<float>(i * at.d[1] + j + j));
    }
    EXPECT_EQ(r.out, expected) << to_string(at);
  }
}

TEST(ShapeTensor, ExpandBySliceWithStrideZeroAndSerializedPlan) {
  Builder builder(quiet());
  auto n = builder.create_network();
  // y = broadcast of a [1, 3] constant to x's shape [B, 3], plus x.
  Tensor& x = *n->add_input("x", DataType::kFLOAT, Dims{-1, 3});
  std::vector<float> row = {10, 20, 30};
  Tensor& c = *n->add_constant(Dims{1, 3}, Weights{DataType::kFLOAT, row.data(), 3})->get_output(0);
  SliceLayer& expand = *n->add_slice(c, Dims{0, 0}, Dims{0, 0}, Dims{0, 1});
  expand.set_input(2, *n->add_shape(x)->get_output(0));
  Tensor& y =
      *n->add_elementwise(*expand.get_output(0), x, ElementWiseOperation::kSUM)->get_output(0);
  y.set_name("y");
  n->mark_output(y);
  auto engine = build_cpu(builder, *n, Dims{1, 3}, Dims{2, 3}, Dims{5, 3});
  // The plan keeps the optional input: a reloaded engine runs the same.
  std::vector<uint8_t> bytes = engine->serialize();
  Runtime runtime(quiet());
  auto reloaded = runtime.deserialize_cuda_engine(bytes.data(), bytes.size());
  auto ctx = reloaded->create_execution_context();
  for (int64_t b : {5, 2}) {
    RunResult r = run_at(*ctx, Dims{b, 3});
    ASSERT_EQ(r.out_dims, (Dims{b, 3}));
    for (int64_t i = 0; i < b * 3; ++i) EXPECT_EQ(r.out[i], row[i % 3] + static_cast<float>(i));
  }
  // A shape outside what the profile planned is refused before running.
  expect_error([&] { ctx->set_input_shape("x", Dims{6, 3}); }, {"outside optimization profile"});
}

}  // namespace
}  // namespace kiln
