// The network-definition API: names, every add_* and its inferred shapes, setters re-inferring,
// failing calls leaving the network unchanged, convolution constants, fully connected lowering.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/half.h"
#include "ir/graph.h"
#include "kiln/network.h"
#include "test_util.h"

namespace kiln {
namespace {

Weights floats(const std::vector<float>& v) {
  return Weights{DataType::kFLOAT, v.data(), static_cast<int64_t>(v.size())};
}

std::vector<float> ramp(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = 0.01f * static_cast<float>(i);
  return v;
}

std::string shape(const Tensor* t) {
  return to_string(t->dimensions());
}
std::string shape(const Layer* l, int32_t output = 0) {
  return shape(l->get_output(output));
}

// Expects fn to throw and the network to be exactly as before, and still buildable.
void expect_rejected(NetworkDefinition& net, const std::function<void()>& fn,
                     const std::vector<std::string>& parts = {}) {
  std::string before = ir::dump(net.graph());
  int32_t layers = net.num_layers();
  size_t tensors = net.graph().tensors.size();
  size_t weights = net.graph().weights.size();
  expect_error(fn, parts);
  EXPECT_EQ(net.num_layers(), layers);
  ASSERT_NO_THROW(net.graph());
  EXPECT_EQ(net.graph().tensors.size(), tensors);
  EXPECT_EQ(net.graph().weights.size(), weights);
  EXPECT_EQ(ir::dump(net.graph()), before);
}

// ---- names ----------------------------------------------------------------------------------

TEST(NetworkNames, GeneratedLikeTensorRT) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{2, 3});
  auto* relu = net.add_activation(*x, ActivationType::kRELU);
  EXPECT_EQ(relu->name(), "(Unnamed Layer* 0) [Activation]");
  EXPECT_EQ(relu->get_output(0)->name(), "(Unnamed Layer* 0) [Activation]_output");
  std::vector<float> values(12, 1.0f);
  auto* c = net.add_constant(Dims{3, 4}, floats(values));
  EXPECT_EQ(c->name(), "(Unnamed Layer* 1) [Constant]");
  auto* mm = net.add_matrix_multiply(*relu->get_output(0), MatrixOperation::kNONE,
                                     *c->get_output(0), MatrixOperation::kNONE);
  EXPECT_EQ(mm->name(), "(Unnamed Layer* 2) [Matrix Multiply]");
  EXPECT_EQ(mm->type(), LayerType::kMATRIX_MULTIPLY);
  auto* top = net.add_topk(*mm->get_output(0), TopKOperation::kMAX, 2, 1u << 1);
  ASSERT_EQ(top->num_outputs(), 2);
  EXPECT_EQ(top->get_output(0)->name(), "(Unnamed Layer* 3) [TopK]_output_0");
  EXPECT_EQ(top->get_output(1)->name(), "(Unnamed Layer* 3) [TopK]_output_1");
  // The graph holds the same names.
  EXPECT_EQ(net.graph().nodes[2].name, "(Unnamed Layer* 2) [Matrix Multiply]");
  EXPECT_EQ(net.graph().tensors[net.graph().nodes[0].outputs[0]].name,
            "(Unnamed Layer* 0) [Activation]_output");
}

TEST(NetworkNames, StayUniqueWhenAUserNameTakesAGeneratedOne) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{4});
  auto* a = net.add_activation(*x, ActivationType::kRELU);
  a->set_name("(Unnamed Layer* 1) [Activation]");
  a->get_output(0)->set_name("(Unnamed Layer* 1) [Activation]_output");
  auto* b = net.add_activation(*a->get_output(0), ActivationType::kRELU);
  EXPECT_NE(b->name(), a->name());
  EXPECT_NE(b->get_output(0)->name(), a->get_output(0)->name());
  const ir::Graph& g = net.graph();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (size_t j = i + 1; j < g.nodes.size(); ++j) EXPECT_NE(g.nodes[i].name, g.nodes[j].name);
  }
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    for (size_t j = i + 1; j < g.tensors.size(); ++j)
      EXPECT_NE(g.tensors[i].name, g.tensors[j].name);
  }
}

TEST(NetworkNames, RenameLayersAndTensors) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{4});
  auto* a = net.add_activation(*x, ActivationType::kRELU);
  auto* b = net.add_unary(*a->get_output(0), UnaryOperation::kEXP);
  a->set_name("relu");
  b->get_output(0)->set_name("y");
  EXPECT_EQ(a->name(), "relu");
  EXPECT_EQ(net.graph().nodes[0].name, "relu");
  EXPECT_EQ(net.graph().find_tensor("y"), net.graph().nodes[1].outputs[0]);
  a->set_name("relu");  // its own name: nothing to do

  expect_error([&] { b->set_name("relu"); }, {"relu", "(Unnamed Layer* 1) [Unary]", "already"});
  expect_error([&] { a->get_output(0)->set_name("x"); },
               {"'x'", "(Unnamed Layer* 0) [Activation]_output"});
  expect_error([&] { a->set_name(""); }, {"empty"});
  expect_error([&] { x->set_name(""); }, {"empty"});
  EXPECT_EQ(b->name(), "(Unnamed Layer* 1) [Unary]");
  EXPECT_EQ(x->name(), "x");
  // A layer may share a name with a tensor: they are different namespaces, as in TensorRT.
  EXPECT_NO_THROW(b->set_name("y"));
}

// ---- inputs and outputs -----------------------------------------------------------------------

TEST(NetworkInputs, AddInputChecksItsArguments) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kHALF, Dims{-1, 3, 8});
  EXPECT_EQ(x->type(), DataType::kHALF);
  EXPECT_EQ(shape(x), "[-1,3,8]");
  EXPECT_TRUE(x->is_network_input());
  EXPECT_FALSE(x->is_network_output());
  EXPECT_EQ(net.num_inputs(), 1);
  EXPECT_EQ(net.get_input(0), x);

  expect_error([&] { net.add_input("", DataType::kFLOAT, Dims{1}); }, {"name"});
  expect_error([&] { net.add_input("x", DataType::kFLOAT, Dims{1}); }, {"'x'", "already"});
  expect_error([&] { net.add_input("y", DataType::kFLOAT, Dims{1, -2}); }, {"'y'", "-2"});
  Dims bad;
  bad.nb_dims = 9;
  expect_error([&] { net.add_input("z", DataType::kFLOAT, bad); }, {"'z'", "rank"});
  EXPECT_EQ(net.num_inputs(), 1);
  EXPECT_EQ(net.graph().tensors.size(), 1u);
  Tensor* s = net.add_input("scalar", DataType::kINT32, Dims{});
  EXPECT_EQ(shape(s), "[]");
  expect_error([&] { net.get_input(2); }, {"get_input(2)", "2 inputs"});
}

TEST(NetworkOutputs, MarkAndUnmark) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{4});
  auto* a = net.add_activation(*x, ActivationType::kRELU);
  auto* b = net.add_activation(*x, ActivationType::kSIGMOID);
  Tensor* ya = a->get_output(0);
  Tensor* yb = b->get_output(0);
  net.mark_output(*yb);
  net.mark_output(*ya);
  net.mark_output(*yb);  // twice: no-op
  ASSERT_EQ(net.num_outputs(), 2);
  EXPECT_EQ(net.get_output(0), yb);  // in the order marked
  EXPECT_EQ(net.get_output(1), ya);
  EXPECT_TRUE(ya->is_network_output());
  net.unmark_output(*yb);
  EXPECT_EQ(net.num_outputs(), 1);
  EXPECT_FALSE(yb->is_network_output());
  EXPECT_EQ(net.get_output(0), ya);
  EXPECT_EQ(net.graph().outputs, std::vector<int32_t>{net.graph().find_tensor(ya->name())});
  expect_error([&] { net.get_output(1); }, {"get_output(1)"});

  expect_error([&] { net.mark_output(*x); }, {"'x'", "network input", "identity"});
  NetworkDefinition other;
  Tensor* z = other.add_input("z", DataType::kFLOAT, Dims{4});
  expect_error([&] { net.mark_output(*z); }, {"'z'", "another network"});
  EXPECT_EQ(net.num_outputs(), 1);
}

// ---- layers and their inputs ------------------------------------------------------------------

TEST(NetworkLayers, GetAndSetInputs) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{2, 3});
  Tensor* y = net.add_input("y", DataType::kFLOAT, Dims{5, 3});
  auto* relu = net.add_activation(*x, ActivationType::kRELU);
  auto* exp = net.add_unary(*relu->get_output(0), UnaryOperation::kEXP);
  EXPECT_EQ(net.num_layers(), 2);
  EXPECT_EQ(net.get_layer(1), exp);
  expect_error([&] { net.get_layer(2); }, {"get_layer(2)", "2 layers"});
  expect_error([&] { net.get_layer(-1); }, {"get_layer(-1)"});
  EXPECT_EQ(relu->num_inputs(), 1);
  EXPECT_EQ(relu->get_input(0), x);
  expect_error([&] { relu->get_input(1); }, {"get_input(1)"});
  expect_error([&] { relu->get_output(1); }, {"get_output(1)"});
  EXPECT_EQ(shape(exp), "[2,3]");

  relu->set_input(0, *y);
  EXPECT_EQ(relu->get_input(0), y);
  EXPECT_EQ(shape(exp), "[5,3]");  // re-inferred downstream

  // A cycle is reported when shapes are next needed, and undone by rewiring again.
  relu->set_input(0, *exp->get_output(0));
  expect_error([&] { net.graph(); }, {"cycle"});
  expect_error([&] { exp->get_output(0)->dimensions(); }, {"cycle"});
  relu->set_input(0, *x);
  EXPECT_EQ(shape(exp), "[2,3]");
  EXPECT_NO_THROW(net.graph());

  NetworkDefinition other;
  Tensor* z = other.add_input("z", DataType::kFLOAT, Dims{4});
  expect_error([&] { relu->set_input(0, *z); }, {"another network"});
  expect_error([&] { relu->set_input(1, *x); }, {"set_input(1)"});
}

TEST(NetworkLayers, ABrokenBranchDoesNotHideOtherShapes) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{2, 3});
  Tensor* y = net.add_input("y", DataType::kFLOAT, Dims{4, 5});
  auto* good = net.add_activation(*x, ActivationType::kRELU);
  auto* sum = net.add_elementwise(*x, *x, ElementWiseOperation::kSUM);
  sum->set_input(1, *y);  // [2,3] + [4,5] does not broadcast
  expect_error([&] { net.graph(); }, {sum->name(), "broadcast"});
  expect_error([&] { sum->get_output(0)->dimensions(); }, {sum->name()});
  EXPECT_EQ(shape(good), "[2,3]");
  // Adding after the good branch still works, and is inferred.
  auto* more = net.add_unary(*good->get_output(0), UnaryOperation::kABS);
  EXPECT_EQ(shape(more), "[2,3]");
  // Adding after the broken layer fails with its error and changes nothing.
  int32_t layers = net.num_layers();
  expect_error([&] { net.add_unary(*sum->get_output(0), UnaryOperation::kABS); }, {sum->name()});
  EXPECT_EQ(net.num_layers(), layers);
  sum->set_input(1, *x);
  EXPECT_EQ(shape(sum), "[2,3]");
  EXPECT_NO_THROW(net.graph());
}

TEST(NetworkLayers, EditsReachTheLayerAndItsReaders) {
  // An edit of a layer nothing reads yet re-infers only that layer; once a layer reads it, an
  // edit re-infers the readers too. Errors wait for the next read either way.
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{2, 8});
  auto* other = net.add_activation(*x, ActivationType::kRELU);
  auto* reshape = net.add_shuffle(*x);
  reshape->set_reshape_dimensions(Dims{4, 4});
  EXPECT_EQ(shape(reshape), "[4,4]");
  reshape->set_reshape_dimensions(Dims{3, 5});  // 15 values from 16: broken until fixed
  EXPECT_EQ(shape(other), "[2,8]");
  expect_error([&] { net.graph(); }, {reshape->name()});
  expect_error([&] { net.add_unary(*reshape->get_output(0), UnaryOperation::kABS); },
               {reshape->name()});
  reshape->set_reshape_dimensions(Dims{16});
  auto* abs = net.add_unary(*reshape->get_output(0), UnaryOperation::kABS);
  EXPECT_EQ(shape(abs), "[16]");
  reshape->set_reshape_dimensions(Dims{8, 2});
  EXPECT_EQ(shape(abs), "[8,2]");
  EXPECT_NO_THROW(net.graph());
}

// ---- each add_* and its shapes ----------------------------------------------------------------

TEST(NetworkShapes, ConvolutionWithDynamicBatch) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 1, 28, 28});
  std::vector<float> k = ramp(32 * 5 * 5), b = ramp(32);
  auto* conv = net.add_convolution_nd(*x, 32, Dims{5, 5}, floats(k), floats(b));
  EXPECT_EQ(shape(conv), "[-1,32,24,24]");
  EXPECT_EQ(conv->get_output(0)->type(), DataType::kFLOAT);
  EXPECT_EQ(conv->num_output_maps(), 32);
  EXPECT_EQ(conv->kernel_size_nd(), (Dims{5, 5}));
  EXPECT_EQ(conv->stride_nd(), (Dims{1, 1}));
  EXPECT_EQ(conv->padding_nd(), (Dims{0, 0}));
  EXPECT_EQ(conv->dilation_nd(), (Dims{1, 1}));
  EXPECT_EQ(conv->num_groups(), 1);
  conv->set_padding_nd(Dims{2, 2});
  EXPECT_EQ(shape(conv), "[-1,32,28,28]");
  EXPECT_EQ(conv->post_padding(), (Dims{2, 2}));
  conv->set_stride_nd(Dims{2, 2});
  EXPECT_EQ(shape(conv), "[-1,32,14,14]");
  conv->set_pre_padding(Dims{0, 0});
  EXPECT_EQ(shape(conv), "[-1,32,13,13]");
  conv->set_post_padding(Dims{0, 0});
  conv->set_stride_nd(Dims{1, 1});
  conv->set_dilation_nd(Dims{2, 3});
  EXPECT_EQ(shape(conv), "[-1,32,20,16]");
  EXPECT_EQ(net.graph().tensors[net.graph().nodes[2].outputs[0]].dims, (Dims{-1, 32, 20, 16}));
  // Setters check what needs no shapes.
  expect_error([&] { conv->set_stride_nd(Dims{1, 1, 1}); }, {conv->name(), "stride"});
  expect_error([&] { conv->set_dilation_nd(Dims{0, 1}); }, {"dilation"});
  expect_error([&] { conv->set_padding_nd(Dims{-1, 0}); }, {"padding"});
  EXPECT_EQ(conv->stride_nd(), (Dims{1, 1}));
}

TEST(NetworkShapes, Pooling) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 4, 8, 8});
  auto* pool = net.add_pooling_nd(*x, PoolingType::kMAX, Dims{2, 2});
  EXPECT_EQ(pool->stride_nd(), (Dims{2, 2}));  // the window by default
  EXPECT_EQ(pool->padding_nd(), (Dims{0, 0}));
  EXPECT_TRUE(pool->average_count_excludes_padding());
  EXPECT_EQ(shape(pool), "[-1,4,4,4]");
  pool->set_window_size_nd(Dims{4, 4});  // the default stride follows
  EXPECT_EQ(shape(pool), "[-1,4,2,2]");
  pool->set_stride_nd(Dims{1, 1});
  EXPECT_EQ(shape(pool), "[-1,4,5,5]");
  pool->set_padding_nd(Dims{1, 1});
  EXPECT_EQ(shape(pool), "[-1,4,7,7]");
  pool->set_pooling_type(PoolingType::kAVERAGE);
  EXPECT_EQ(pool->pooling_type(), PoolingType::kAVERAGE);
  expect_error([&] { net.add_pooling_nd(*x, PoolingType::kMAX, Dims{}); }, {"window"});
  expect_error([&] { pool->set_stride_nd(Dims{1}); }, {"stride"});
}

TEST(NetworkShapes, ElementwiseUnaryActivationMatrixMultiply) {
  NetworkDefinition net;
  Tensor* a = net.add_input("a", DataType::kFLOAT, Dims{-1, 2, 3});
  Tensor* b = net.add_input("b", DataType::kFLOAT, Dims{1, 3});
  auto* sum = net.add_elementwise(*a, *b, ElementWiseOperation::kSUM);
  EXPECT_EQ(shape(sum), "[-1,2,3]");
  sum->set_operation(ElementWiseOperation::kLESS);
  EXPECT_EQ(sum->operation(), ElementWiseOperation::kLESS);
  EXPECT_EQ(sum->get_output(0)->type(), DataType::kBOOL);
  auto* act = net.add_activation(*a, ActivationType::kLEAKY_RELU);
  EXPECT_EQ(act->alpha(), 0.0f);
  act->set_alpha(0.1f);
  act->set_beta(2.0f);
  EXPECT_EQ(act->alpha(), 0.1f);
  EXPECT_EQ(act->beta(), 2.0f);
  EXPECT_EQ(shape(act), "[-1,2,3]");
  auto* neg = net.add_unary(*act->get_output(0), UnaryOperation::kNEG);
  EXPECT_EQ(neg->operation(), UnaryOperation::kNEG);
  EXPECT_EQ(shape(neg), "[-1,2,3]");
  auto* mm = net.add_matrix_multiply(*a, MatrixOperation::kNONE, *b, MatrixOperation::kTRANSPOSE);
  EXPECT_EQ(shape(mm), "[-1,2,1]");
  Tensor* c = net.add_input("c", DataType::kFLOAT, Dims{2, 4});
  mm->set_input(1, *c);
  mm->set_operation(0, MatrixOperation::kTRANSPOSE);
  mm->set_operation(1, MatrixOperation::kNONE);
  EXPECT_EQ(mm->operation(0), MatrixOperation::kTRANSPOSE);
  EXPECT_EQ(shape(mm), "[-1,3,4]");
  expect_error([&] { mm->set_operation(2, MatrixOperation::kNONE); }, {"set_operation(2)"});
}

TEST(NetworkShapes, ConstantShuffleConcatenationSliceGatherSelectCast) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 6});
  std::vector<int32_t> idx = {2, 0};
  auto* c = net.add_constant(Dims{2}, Weights{DataType::kINT32, idx.data(), 2});
  EXPECT_EQ(c->dimensions(), (Dims{2}));
  EXPECT_EQ(c->get_output(0)->type(), DataType::kINT32);
  EXPECT_EQ(shape(c), "[2]");

  auto* shuffle = net.add_shuffle(*x);
  EXPECT_EQ(shuffle->reshape_dimensions().nb_dims, -1);
  EXPECT_EQ(shuffle->first_transpose(), Permutation{});
  EXPECT_TRUE(shuffle->zero_is_placeholder());
  EXPECT_EQ(shape(shuffle), "[-1,6]");
  shuffle->set_reshape_dimensions(Dims{0, 2, 3});
  EXPECT_EQ(shuffle->reshape_dimensions(), (Dims{0, 2, 3}));
  EXPECT_EQ(shape(shuffle), "[-1,2,3]");
  Permutation p;
  p.order[0] = 0;
  p.order[1] = 2;
  p.order[2] = 1;
  shuffle->set_second_transpose(p);
  EXPECT_EQ(shape(shuffle), "[-1,3,2]");

  Tensor* parts[] = {x, x, x};
  auto* cat = net.add_concatenation(parts, 3);
  EXPECT_EQ(cat->axis(), 0);
  EXPECT_EQ(cat->num_inputs(), 3);
  EXPECT_EQ(shape(cat), "[-1,6]");
  cat->set_axis(1);
  EXPECT_EQ(shape(cat), "[-1,18]");

  auto* slice = net.add_slice(*cat->get_output(0), Dims{0, 1}, Dims{1, 4}, Dims{1, 2});
  EXPECT_EQ(shape(slice), "[1,4]");
  slice->set_shape(Dims{1, 2});
  EXPECT_EQ(slice->shape(), (Dims{1, 2}));
  EXPECT_EQ(shape(slice), "[1,2]");

  auto* gather = net.add_gather(*x, *c->get_output(0), 1);
  EXPECT_EQ(shape(gather), "[-1,2]");
  gather->set_gather_axis(0);
  EXPECT_EQ(shape(gather), "[2,6]");

  auto* cast = net.add_cast(*x, DataType::kHALF);
  EXPECT_EQ(cast->get_output(0)->type(), DataType::kHALF);
  cast->set_to_type(DataType::kINT32);
  EXPECT_EQ(cast->get_output(0)->type(), DataType::kINT32);
  auto* cond = net.add_cast(*x, DataType::kBOOL);
  auto* select = net.add_select(*cond->get_output(0), *x, *shuffle->get_input(0));
  EXPECT_EQ(shape(select), "[-1,6]");
  EXPECT_EQ(select->get_output(0)->type(), DataType::kFLOAT);

  auto* id = net.add_identity(*cast->get_output(0));
  EXPECT_EQ(id->output_type(), DataType::kINT32);  // the input's type when added
  EXPECT_EQ(id->get_output(0)->type(), DataType::kINT32);
  id->set_output_type(DataType::kFLOAT);
  EXPECT_EQ(id->get_output(0)->type(), DataType::kFLOAT);
}

TEST(NetworkShapes, SoftmaxDefaultsToTheLastAxis) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 10, 4});
  auto* sm = net.add_softmax(*x);
  EXPECT_EQ(sm->axes(), 1u << 2);
  EXPECT_EQ(shape(sm), "[-1,10,4]");
  sm->set_axes(1u << 1);
  EXPECT_EQ(sm->axes(), 1u << 1);
  Tensor* s = net.add_input("s", DataType::kFLOAT, Dims{});
  expect_rejected(net, [&] { net.add_softmax(*s); }, {"0-d"});
}

TEST(NetworkShapes, TopK) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 10});
  auto* top = net.add_topk(*x, TopKOperation::kMAX, 3, 1u << 1);
  EXPECT_EQ(shape(top, 0), "[-1,3]");
  EXPECT_EQ(shape(top, 1), "[-1,3]");
  EXPECT_EQ(top->get_output(0)->type(), DataType::kFLOAT);
  EXPECT_EQ(top->get_output(1)->type(), DataType::kINT32);
  top->set_k(5);
  EXPECT_EQ(shape(top, 0), "[-1,5]");
  top->set_reduce_axes(1u << 0);
  EXPECT_EQ(shape(top, 1), "[5,10]");
  top->set_operation(TopKOperation::kMIN);
  EXPECT_EQ(top->operation(), TopKOperation::kMIN);
  expect_error([&] { top->set_k(0); }, {"k"});
  expect_error([&] { top->set_reduce_axes(3); }, {"one bit"});
  EXPECT_EQ(top->k(), 5);
}

TEST(NetworkShapes, Reduce) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 4, 6});
  auto* r = net.add_reduce(*x, ReduceOperation::kSUM, 1u << 2, false);
  EXPECT_EQ(shape(r), "[-1,4]");
  r->set_keep_dimensions(true);
  EXPECT_EQ(shape(r), "[-1,4,1]");
  r->set_reduce_axes((1u << 1) | (1u << 2));
  EXPECT_EQ(shape(r), "[-1,1,1]");
  r->set_operation(ReduceOperation::kMAX);
  EXPECT_EQ(r->operation(), ReduceOperation::kMAX);
}

TEST(NetworkShapes, Normalization) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 8, 5, 5});
  std::vector<float> ones(8, 1.0f);
  auto* scale = net.add_constant(Dims{1, 8, 1, 1}, floats(ones));
  auto* bias = net.add_constant(Dims{1, 8, 1, 1}, floats(ones));
  auto* norm =
      net.add_normalization(*x, *scale->get_output(0), *bias->get_output(0), (1u << 2) | (1u << 3));
  EXPECT_EQ(norm->epsilon(), 1e-5f);
  EXPECT_EQ(norm->nb_groups(), 1);
  EXPECT_EQ(shape(norm), "[-1,8,5,5]");
  norm->set_nb_groups(4);
  norm->set_epsilon(1e-3f);
  EXPECT_EQ(norm->nb_groups(), 4);
  EXPECT_EQ(shape(norm), "[-1,8,5,5]");
  expect_error([&] { norm->set_nb_groups(0); }, {"groups"});
}

// ---- failing add_* calls leave the network as it was ------------------------------------------

TEST(NetworkErrors, RejectedAddsLeaveTheNetworkUnchanged) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 3, 8, 8});
  Tensor* dyn = net.add_input("dyn", DataType::kFLOAT, Dims{1, -1, 8, 8});
  Tensor* m = net.add_input("m", DataType::kFLOAT, Dims{2, 5});
  auto* relu = net.add_activation(*x, ActivationType::kRELU);
  net.mark_output(*relu->get_output(0));
  std::vector<float> k = ramp(4 * 3 * 9), b = ramp(4), few = ramp(7);
  NetworkDefinition other;
  Tensor* foreign = other.add_input("foreign", DataType::kFLOAT, Dims{2, 5});

  // Convolution: weights that do not fit, bad arguments, and a failure in shape inference
  // (after the kernel constants were appended: they must go as well).
  expect_rejected(net,
                  [&] {
                    net.add_convolution_nd(*x, 4, Dims{3, 3}, floats(few), floats(b));
                  },
                  {"kernel", "expected", "108", "got 7"});
  expect_rejected(net,
                  [&] {
                    net.add_convolution_nd(*x, 4, Dims{3, 3}, floats(k), floats(few));
                  },
                  {"bias", "expected 4", "got 7"});
  expect_rejected(net,
                  [&] {
                    net.add_convolution_nd(*x, 4, Dims{3, 3, 3, 3}, floats(k), Weights{});
                  },
                  {"kernel_shape"});
  expect_rejected(net,
                  [&] {
                    net.add_convolution_nd(*x, 0, Dims{3, 3}, floats(k), Weights{});
                  },
                  {"num_output_maps"});
  expect_rejected(net,
                  [&] {
                    net.add_convolution_nd(*dyn, 4, Dims{3, 3}, floats(k), Weights{});
                  },
                  {"channel"});
  expect_rejected(net,
                  [&] {
                    net.add_convolution_nd(*x, 4, Dims{3, 3},
                                           Weights{DataType::kFLOAT, nullptr, 108}, Weights{});
                  },
                  {"null"});
  std::vector<int32_t> ints(108);
  expect_rejected(net,
                  [&] {
                    net.add_convolution_nd(*x, 4, Dims{3, 3},
                                           Weights{DataType::kINT32, ints.data(), 108}, Weights{});
                  },
                  {"float"});
  std::vector<float> k3 = ramp(4 * 3 * 27);
  expect_rejected(net,
                  [&] {
                    net.add_convolution_nd(*x, 4, Dims{3, 3, 3}, floats(k3), floats(b));
                  },
                  {"convolution"});  // a 3-D kernel on a 2-D image: fails in inference
  // (A 9x9 kernel on the 8x8 image is not rejected: padding set next makes it valid;
  // spatial_setters_test.cpp.)

  // Other layers.
  expect_rejected(net, [&] { net.add_elementwise(*x, *m, ElementWiseOperation::kSUM); },
                  {"broadcast"});
  expect_rejected(net, [&] {
    net.add_matrix_multiply(*m, MatrixOperation::kNONE, *m, MatrixOperation::kNONE);
  });
  expect_rejected(net, [&] { net.add_activation(*foreign, ActivationType::kRELU); },
                  {"another network"});
  expect_rejected(net, [&] { net.add_elementwise(*m, *foreign, ElementWiseOperation::kSUM); },
                  {"another network"});
  expect_rejected(net, [&] { net.add_topk(*m, TopKOperation::kMAX, 1, 3); }, {"one bit"});
  expect_rejected(net, [&] { net.add_topk(*m, TopKOperation::kMAX, 0, 1); }, {"k must"});
  expect_rejected(net,
                  [&] {
                    net.add_slice(*m, Dims{0}, Dims{1, 1}, Dims{1, 1});
                  },
                  {"same number"});
  expect_rejected(net,
                  [&] {
                    net.add_slice(*m, Dims{0, 0}, Dims{1, -1}, Dims{1, 1});
                  },
                  {"negative"});
  expect_rejected(net, [&] { net.add_concatenation(nullptr, 0); }, {"at least one"});
  Tensor* with_null[] = {m, nullptr};
  expect_rejected(net, [&] { net.add_concatenation(with_null, 2); }, {"input 1", "null"});
  Tensor* mismatched[] = {m, x};
  expect_rejected(net, [&] { net.add_concatenation(mismatched, 2); });
  expect_rejected(net, [&] { net.add_gather(*m, *m, 0); });  // float indices
  expect_rejected(net, [&] { net.add_constant(Dims{2, 3}, floats(few)); }, {"expected 6", "got 7"});
  expect_rejected(net, [&] { net.add_constant(Dims{-1, 7}, floats(few)); }, {"known"});
  expect_rejected(net,
                  [&] {
                    net.add_constant(Dims{7}, Weights{DataType::kFLOAT, nullptr, 7});
                  },
                  {"null"});
  expect_rejected(net, [&] { net.add_pooling_nd(*m, PoolingType::kMAX, Dims{2, 2}); });
  EXPECT_EQ(net.num_layers(), 1);
  EXPECT_EQ(net.num_outputs(), 1);
}

// ---- convolution constants --------------------------------------------------------------------

TEST(NetworkConvolution, KernelAndBiasAreConstantLayers) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 2, 6, 6});
  std::vector<float> k = ramp(3 * 2 * 3 * 3), b = {0.5f, -1.0f, 2.0f};
  auto* conv = net.add_convolution_nd(*x, 3, Dims{3, 3}, floats(k), floats(b));
  k.assign(k.size(), 7.0f);  // the network copied the values
  // kernel, bias, convolution: the constants are ordinary layers before the convolution.
  ASSERT_EQ(net.num_layers(), 3);
  EXPECT_EQ(net.get_layer(2), conv);
  EXPECT_EQ(conv->name(), "(Unnamed Layer* 2) [Convolution]");
  ASSERT_EQ(conv->num_inputs(), 3);
  Layer* kernel = net.get_layer(0);
  Layer* bias = net.get_layer(1);
  EXPECT_EQ(kernel->type(), LayerType::kCONSTANT);
  EXPECT_EQ(kernel->name(), conv->name() + ".kernel");
  EXPECT_EQ(bias->name(), conv->name() + ".bias");
  EXPECT_EQ(conv->get_input(1), kernel->get_output(0));
  EXPECT_EQ(conv->get_input(2), bias->get_output(0));
  EXPECT_EQ(conv->get_input(1)->name(), conv->name() + ".kernel");
  EXPECT_EQ(shape(kernel), "[3,2,3,3]");
  EXPECT_EQ(shape(bias), "[3]");
  const ir::Graph& g = net.graph();
  ASSERT_EQ(g.weights.size(), 2u);
  EXPECT_EQ(g.weights[0].name, conv->name() + ".kernel");
  ASSERT_EQ(g.weights[0].bytes->size(), 18u * 3 * 4);
  float w5;
  std::memcpy(&w5, g.weights[0].bytes->data() + 5 * 4, 4);
  EXPECT_FLOAT_EQ(w5, 0.05f);
  float b1;
  std::memcpy(&b1, g.weights[1].bytes->data() + 4, 4);
  EXPECT_FLOAT_EQ(b1, -1.0f);

  // Renaming the convolution renames its constants.
  conv->set_name("conv1");
  EXPECT_EQ(kernel->name(), "conv1.kernel");
  EXPECT_EQ(bias->get_output(0)->name(), "conv1.bias");
  EXPECT_EQ(net.graph().weights[0].name, "conv1.kernel");
}

TEST(NetworkConvolution, WithoutBias) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{1, 2, 6, 6});
  std::vector<float> k = ramp(3 * 2 * 3 * 3), b = {1, 2, 3};
  auto* conv = net.add_convolution_nd(*x, 3, Dims{3, 3}, floats(k), Weights{});
  EXPECT_EQ(net.num_layers(), 2);
  EXPECT_EQ(conv->num_inputs(), 3);
  EXPECT_EQ(conv->get_input(2), nullptr);
  EXPECT_EQ(net.graph().nodes[1].inputs[2], -1);
  EXPECT_EQ(shape(conv), "[1,3,4,4]");

  // A bias set later adds a constant; an empty one detaches it; setting one again reuses it.
  conv->set_bias_weights(floats(b));
  EXPECT_EQ(net.num_layers(), 3);
  ASSERT_NE(conv->get_input(2), nullptr);
  EXPECT_EQ(shape(conv->get_input(2)), "[3]");
  conv->set_bias_weights(Weights{});
  EXPECT_EQ(conv->get_input(2), nullptr);
  EXPECT_EQ(shape(conv), "[1,3,4,4]");
  conv->set_bias_weights(floats(b));
  EXPECT_EQ(net.num_layers(), 3);
  EXPECT_EQ(conv->get_input(2), net.get_layer(2)->get_output(0));
  expect_error([&] { conv->set_bias_weights(floats(k)); }, {"bias", "expected 3", "got 54"});
}

TEST(NetworkConvolution, KernelWeightsAndGroups) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{1, 4, 8, 8});
  // 8 x 2 x 3 x 3 values: two input channels per group, so two groups.
  std::vector<float> grouped = ramp(8 * 2 * 9);
  auto* conv = net.add_convolution_nd(*x, 8, Dims{3, 3}, floats(grouped), Weights{});
  EXPECT_EQ(conv->num_groups(), 2);
  EXPECT_EQ(shape(conv->get_input(1)), "[8,2,3,3]");
  EXPECT_EQ(shape(conv), "[1,8,6,6]");
  EXPECT_NO_THROW(conv->set_num_groups(2));
  expect_error([&] { conv->set_num_groups(4); },
               {conv->name(), "set_num_groups", "set_kernel_weights"});
  expect_error([&] { conv->set_num_groups(0); }, {"at least 1"});
  EXPECT_EQ(conv->num_groups(), 2);
  EXPECT_NO_THROW(net.graph());

  // New kernel weights set the layout, and so the groups (depthwise here).
  std::vector<float> depthwise = ramp(8 * 1 * 9);
  conv->set_kernel_weights(floats(depthwise));
  EXPECT_EQ(conv->num_groups(), 4);
  EXPECT_EQ(shape(conv->get_input(1)), "[8,1,3,3]");
  EXPECT_NO_THROW(conv->set_num_groups(4));
  EXPECT_EQ(shape(conv), "[1,8,6,6]");
  EXPECT_EQ(net.num_layers(), 2);
  std::vector<float> full = ramp(8 * 4 * 9);
  conv->set_kernel_weights(floats(full));
  EXPECT_EQ(conv->num_groups(), 1);
  EXPECT_EQ(net.graph().weights[0].bytes->size(), full.size() * 4);
  std::vector<float> bad = ramp(8 * 3 * 9);  // 3 channels per group does not divide 4
  expect_error([&] { conv->set_kernel_weights(floats(bad)); }, {"kernel", "288", "got 216"});
  EXPECT_EQ(conv->num_groups(), 1);
  EXPECT_EQ(shape(conv->get_input(1)), "[8,4,3,3]");
  // 12 output maps cannot be split into 8 groups.
  std::vector<float> odd = ramp(12 * 1 * 9);
  Tensor* wide = net.add_input("wide", DataType::kFLOAT, Dims{1, 8, 8, 8});
  expect_rejected(net,
                  [&] {
                    net.add_convolution_nd(*wide, 12, Dims{3, 3}, floats(odd), Weights{});
                  },
                  {"12", "8 groups"});
}

TEST(NetworkConvolution, WeightsTakeTheInputsFloatType) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kHALF, Dims{1, 1, 4, 4});
  std::vector<float> k = {1.5f, -2.0f, 0.25f, 3.0f}, b = {0.5f};
  auto* conv = net.add_convolution_nd(*x, 1, Dims{2, 2}, floats(k), floats(b));
  EXPECT_EQ(conv->get_input(1)->type(), DataType::kHALF);
  EXPECT_EQ(conv->get_output(0)->type(), DataType::kHALF);
  const ir::WeightsData& w = net.graph().weights[0];
  ASSERT_EQ(w.bytes->size(), 8u);
  half_t h;
  std::memcpy(&h, w.bytes->data() + 2, 2);
  EXPECT_EQ(to_float(h), -2.0f);
}

// ---- fully connected ----------------------------------------------------------------------------

TEST(NetworkFullyConnected, LowersToShuffleMatmulBiasShuffle) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 16, 2, 2});
  std::vector<float> k = ramp(10 * 64), b = ramp(10);
  Layer* fc = net.add_fully_connected(*x, 10, floats(k), floats(b));
  EXPECT_EQ(shape(fc), "[-1,10,1,1]");
  ASSERT_EQ(net.num_layers(), 6);
  EXPECT_EQ(net.get_layer(5), fc);
  std::vector<LayerType> kinds;
  for (int32_t i = 0; i < net.num_layers(); ++i) kinds.push_back(net.get_layer(i)->type());
  EXPECT_EQ(kinds, (std::vector<LayerType>{LayerType::kSHUFFLE, LayerType::kCONSTANT,
                                           LayerType::kMATRIX_MULTIPLY, LayerType::kCONSTANT,
                                           LayerType::kELEMENTWISE, LayerType::kSHUFFLE}));
  const std::string base = "(Unnamed Layer* 0) [Fully Connected]";
  EXPECT_EQ(net.get_layer(0)->name(), base + ".flatten");
  EXPECT_EQ(net.get_layer(2)->name(), base + ".matmul");
  EXPECT_EQ(fc->name(), base + ".reshape");
  EXPECT_EQ(shape(net.get_layer(0)), "[-1,64]");
  EXPECT_EQ(shape(net.get_layer(1)), "[10,64]");
  EXPECT_EQ(shape(net.get_layer(2)), "[-1,10]");
  EXPECT_EQ(shape(net.get_layer(3)), "[1,10]");
  auto* mm = static_cast<MatrixMultiplyLayer*>(net.get_layer(2));
  EXPECT_EQ(mm->operation(1), MatrixOperation::kTRANSPOSE);
}

TEST(NetworkFullyConnected, WithoutBiasAndOtherRanks) {
  NetworkDefinition net;
  Tensor* chw = net.add_input("chw", DataType::kFLOAT, Dims{3, 2, 2});
  std::vector<float> k = ramp(5 * 12), b = ramp(5);
  Layer* fc = net.add_fully_connected(*chw, 5, floats(k), Weights{});
  EXPECT_EQ(net.num_layers(), 4);
  EXPECT_EQ(shape(fc), "[5,1,1]");
  Tensor* five = net.add_input("five", DataType::kFLOAT, Dims{2, -1, 3, 2, 2});
  Layer* fc5 = net.add_fully_connected(*five, 5, floats(k), floats(b));
  EXPECT_EQ(net.num_layers(), 10);
  EXPECT_EQ(shape(fc5), "[2,-1,5,1,1]");
  EXPECT_EQ(fc5->name(), "(Unnamed Layer* 4) [Fully Connected].reshape");

  Tensor* flat = net.add_input("flat", DataType::kFLOAT, Dims{4, 12});
  Tensor* dyn = net.add_input("dyn", DataType::kFLOAT, Dims{1, 3, -1, 2});
  expect_rejected(net, [&] { net.add_fully_connected(*flat, 5, floats(k), Weights{}); },
                  {"3 dimensions"});
  expect_rejected(net, [&] { net.add_fully_connected(*dyn, 5, floats(k), Weights{}); }, {"known"});
  expect_rejected(net, [&] { net.add_fully_connected(*chw, 4, floats(k), Weights{}); },
                  {"expected", "48", "got 60"});
  expect_rejected(net, [&] { net.add_fully_connected(*chw, 5, floats(k), floats(k)); },
                  {"bias", "expected 5", "got 60"});
}

// ---- the graph as text --------------------------------------------------------------------------

TEST(NetworkGraph, DumpOfASmallNetwork) {
  NetworkDefinition net;
  Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 1, 4, 4});
  std::vector<float> k = ramp(2 * 9), b = {0.0f, 1.0f};
  auto* conv = net.add_convolution_nd(*x, 2, Dims{3, 3}, floats(k), floats(b));
  conv->set_name("conv1");
  conv->set_padding_nd(Dims{1, 1});
  auto* relu = net.add_activation(*conv->get_output(0), ActivationType::kRELU);
  relu->get_output(0)->set_name("y");
  net.mark_output(*relu->get_output(0));
  EXPECT_EQ(ir::dump(net.graph()),
            "input x float32 [-1,1,4,4]\n"
            "node conv1.kernel constant(weights=0)  -> conv1.kernel\n"  // no inputs: two spaces
            "node conv1.bias constant(weights=1)  -> conv1.bias\n"
            "node conv1 convolution(num_output_maps=2 kernel_shape=[3,3] stride=[1,1] "
            "pre_padding=[1,1] post_padding=[1,1] dilation=[1,1] num_groups=1 "
            "fused_activation=false fused_activation_type=0 fused_activation_alpha=0 "
            "fused_activation_beta=0) x, conv1.kernel, "
            "conv1.bias -> \"(Unnamed Layer* 2) [Convolution]_output\"\n"
            "node \"(Unnamed Layer* 3) [Activation]\" activation(type=0 alpha=0 beta=0) "
            "\"(Unnamed Layer* 2) [Convolution]_output\" -> y\n"
            "outputs y\n");
  EXPECT_EQ(net.graph().tensors[net.graph().find_tensor("y")].dims, (Dims{-1, 2, 4, 4}));
}

TEST(NetworkGraph, ConstantDimensionsAndWeightsInEitherOrder) {
  NetworkDefinition net;
  std::vector<float> six = ramp(6), four = ramp(4);
  auto* c = net.add_constant(Dims{2, 3}, floats(six));
  c->set_dimensions(Dims{3, 2});
  EXPECT_EQ(shape(c), "[3,2]");
  expect_error([&] { c->set_weights(floats(four)); }, {"expected 6", "got 4"});
  c->set_dimensions(Dims{4});  // does not fit the 6 values until new weights come
  expect_error([&] { net.graph(); }, {c->name(), "4 values", "hold 6"});
  c->set_weights(floats(four));
  EXPECT_EQ(shape(c), "[4]");
  EXPECT_NO_THROW(net.graph());
  expect_error([&] { c->set_dimensions(Dims{-1}); }, {"known"});
}

}  // namespace
}  // namespace kiln
