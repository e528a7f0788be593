// The builder's passes, checked on the textual dump of the graph before and after.
#include <gtest/gtest.h>

#include "builder/passes.h"
#include "e2e/e2e_util.h"
#include "ir/graph.h"

namespace kiln::builder {
namespace {

using test::quiet_logger;

// y = relu(x + (c1 * c2)), plus a dead branch exp(x) that no output reads.
std::unique_ptr<NetworkDefinition> folding_network() {
  auto net = std::make_unique<NetworkDefinition>();
  static const std::vector<float> v1 = {1, 2, 3}, v2 = {4, 5, 6};
  Tensor* x = net->add_input("x", DataType::kFLOAT, Dims{3});
  auto* c1 = net->add_constant(Dims{3}, test::weights_of(v1));
  c1->set_name("c1");
  c1->get_output(0)->set_name("c1_out");
  auto* c2 = net->add_constant(Dims{3}, test::weights_of(v2));
  c2->set_name("c2");
  c2->get_output(0)->set_name("c2_out");
  auto* prod =
      net->add_elementwise(*c1->get_output(0), *c2->get_output(0), ElementWiseOperation::kPROD);
  prod->set_name("prod");
  prod->get_output(0)->set_name("prod_out");
  auto* sum = net->add_elementwise(*x, *prod->get_output(0), ElementWiseOperation::kSUM);
  sum->set_name("sum");
  sum->get_output(0)->set_name("sum_out");
  auto* relu = net->add_activation(*sum->get_output(0), ActivationType::kRELU);
  relu->set_name("relu");
  relu->get_output(0)->set_name("y");
  auto* dead = net->add_unary(*x, UnaryOperation::kEXP);
  dead->set_name("dead");
  dead->get_output(0)->set_name("dead_out");
  net->mark_output(*relu->get_output(0));
  return net;
}

TEST(Passes, BindFoldAndEliminate) {
  auto net = folding_network();
  ir::Graph g = bind_constants(net->graph());
  g = fold_constants(g, quiet_logger());
  g = eliminate_dead_layers(g, quiet_logger());
  EXPECT_EQ(ir::dump(g),
            "input x float32 [3]\n"
            "weights prod_out float32 [3] = [4, 10, 18]\n"
            "node sum elementwise(op=0) x, prod_out -> sum_out\n"
            "node relu activation(type=0 alpha=0 beta=0) sum_out -> y\n"
            "outputs y\n");
  ASSERT_EQ(g.weights.size(), 1u);
  EXPECT_EQ(g.weights[0].name, "prod.folded");
  const float* folded = reinterpret_cast<const float*>(g.weights[0].bytes->data());
  EXPECT_EQ(folded[0], 4.0f);
  EXPECT_EQ(folded[1], 10.0f);
  EXPECT_EQ(folded[2], 18.0f);
}

TEST(Passes, MaterializeOutputsCopiesFoldedOutputs) {
  NetworkDefinition net;
  static const std::vector<float> v = {1, -2};
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{2});
  auto* c = net.add_constant(Dims{2}, test::weights_of(v));
  auto* neg = net.add_unary(*c->get_output(0), UnaryOperation::kNEG);
  neg->get_output(0)->set_name("minus_c");
  auto* relu = net.add_activation(*x, ActivationType::kRELU);
  relu->get_output(0)->set_name("y");
  net.mark_output(*relu->get_output(0));
  net.mark_output(*neg->get_output(0));
  ir::Graph g = materialize_outputs(fold_constants(bind_constants(net.graph()), quiet_logger()));
  g = compact(g);
  // The folded output is written by a copy step, so it still lands in user memory.
  int32_t out = g.find_tensor("minus_c");
  ASSERT_GE(out, 0);
  EXPECT_EQ(g.tensors[out].weights, -1);
  ASSERT_GE(g.tensors[out].producer, 0);
  EXPECT_EQ(g.nodes[g.tensors[out].producer].kind(), LayerType::kIDENTITY);
}

TEST(Passes, BuiltEngineRunsFoldedNetwork) {
  auto net = folding_network();
  Builder builder(quiet_logger());
  auto config = builder.create_builder_config();
  auto engine = test::build_cpu_engine(builder, *net, *config);
  // sum and relu, fused into one step; the product was folded, exp was dead
  EXPECT_EQ(engine->num_layers(), 1);
  auto ctx = engine->create_execution_context();
  auto out = test::run_float(*ctx, *engine, {{"x", {Dims{3}, {-5.0f, 0.0f, -20.0f}}}});
  EXPECT_EQ(out["y"], (std::vector<float>{0.0f, 10.0f, 0.0f}));
}

TEST(BuilderErrors, NamesWhatIsWrong) {
  Builder builder(quiet_logger());
  auto expect_error = [&](NetworkDefinition& net, BuilderConfig& config,
                          const std::string& needle) {
    config.set_default_device_type(DeviceType::kCPU);
    try {
      builder.build_serialized_network(net, config);
      ADD_FAILURE() << "expected an error containing '" << needle << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  {
    NetworkDefinition net;
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{2});
    net.add_activation(*x, ActivationType::kRELU);
    auto config = builder.create_builder_config();
    expect_error(net, *config, "no outputs");
  }
  {
    NetworkDefinition net;
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 2});
    net.mark_output(*net.add_activation(*x, ActivationType::kRELU)->get_output(0));
    auto config = builder.create_builder_config();
    expect_error(net, *config, "input 'x' has dynamic dimensions");
    OptimizationProfile p;
    p.set_shape("y", Dims{1, 2}, Dims{1, 2}, Dims{1, 2});
    config->add_optimization_profile(p);
    expect_error(net, *config, "'y', which is not a network input");
  }
  {
    NetworkDefinition net;
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 2});
    net.mark_output(*net.add_activation(*x, ActivationType::kRELU)->get_output(0));
    auto config = builder.create_builder_config();
    OptimizationProfile p;
    p.set_shape("x", Dims{1, 1}, Dims{1, 2}, Dims{1, 3});
    config->add_optimization_profile(p);
    expect_error(net, *config,
                 "dimension 1 of input 'x' the range 1..3, but the network declares it 2");
  }
  {
    // A reshape that is valid at some batch sizes only: found at the profile's min shapes.
    NetworkDefinition net;
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 4});
    auto* r = net.add_shuffle(*x);
    r->set_name("pairs");
    r->set_reshape_dimensions(Dims{2, 4});
    net.mark_output(*r->get_output(0));
    auto config = builder.create_builder_config();
    OptimizationProfile p;
    p.set_shape("x", Dims{1, 4}, Dims{2, 4}, Dims{2, 4});
    config->add_optimization_profile(p);
    expect_error(net, *config, "optimization profile 0 min shapes");
  }
}

TEST(ProfileErrors, SetShapeValidates) {
  OptimizationProfile p;
  EXPECT_THROW(p.set_shape("x", Dims{1, 2}, Dims{1}, Dims{1, 2}), Error);
  EXPECT_THROW(p.set_shape("x", Dims{2}, Dims{1}, Dims{3}), Error);
  EXPECT_THROW(p.set_shape("x", Dims{-1}, Dims{1}, Dims{3}), Error);
  p.set_shape("x", Dims{1}, Dims{2}, Dims{3});
  p.set_shape("x", Dims{1}, Dims{1}, Dims{1});  // replaces
  EXPECT_EQ(p.get_shape("x").max, Dims{1});
  EXPECT_THROW(p.get_shape("y"), Error);
}

}  // namespace
}  // namespace kiln::builder
