// Differential tests of the CUDA data-movement tactics (shuffle, concatenation, slice, gather)
// against the CPU backend: they only move bytes, so every element must match exactly.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "cuda/differential.h"

namespace kiln::test {
namespace {

constexpr DataType kAllTypes[] = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,
                                  DataType::kINT8,  DataType::kUINT8, DataType::kINT32,
                                  DataType::kINT64, DataType::kBOOL};

DiffOptions exact() {
  DiffOptions o;
  o.tol = {0.0, 0.0};
  return o;
}

DiffInput named(const std::string& name, DataType type, const Dims& dims) {
  DiffInput in;
  in.name = name;
  in.type = type;
  in.dims = dims;
  return in;
}

// An input with a value range wide enough that misplaced elements almost always differ.
DiffInput input(const std::string& name, DataType type, const Dims& dims) {
  DiffInput in = named(name, type, dims);
  switch (type) {
    case DataType::kINT8:
      in.lo = -128;
      in.hi = 127;
      break;
    case DataType::kUINT8:
      in.lo = 0;
      in.hi = 255;
      break;
    case DataType::kINT32:
    case DataType::kINT64:
      in.lo = -1000000;
      in.hi = 1000000;
      break;
    default:
      in.lo = -100;
      in.hi = 100;
      break;
  }
  return in;
}

Permutation perm_of(const std::vector<int32_t>& order) {
  Permutation p;
  for (size_t i = 0; i < order.size(); ++i) p.order[i] = order[i];
  return p;
}

std::string trace(const Dims& dims, DataType type, const std::string& what) {
  return to_string(dims) + " " + to_string(type) + " " + what;
}

// Empty `first` / `second`: no transpose.
void expect_shuffle(DataType type, const Dims& dims, const std::vector<int32_t>& first,
                    std::optional<Dims> reshape = std::nullopt,
                    const std::vector<int32_t>& second = {}) {
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        ShuffleLayer* s = net.add_shuffle(*in[0]);
        if (!first.empty()) s->set_first_transpose(perm_of(first));
        if (reshape) s->set_reshape_dimensions(*reshape);
        if (!second.empty()) s->set_second_transpose(perm_of(second));
        net.mark_output(*s->get_output(0));
      },
      {input("x", type, dims)}, exact());
}

void expect_concatenation(DataType type, const std::vector<Dims>& dims, int32_t axis) {
  std::vector<DiffInput> inputs;
  for (size_t i = 0; i < dims.size(); ++i)
    inputs.push_back(input("x" + std::to_string(i), type, dims[i]));
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        // add_concatenation checks its inputs against axis 0 at once, so the layer starts with
        // copies of input 0 and gets the real inputs once its axis is set.
        std::vector<Tensor*> copies(in.size(), in[0]);
        ConcatenationLayer* c =
            net.add_concatenation(copies.data(), static_cast<int32_t>(copies.size()));
        c->set_axis(axis);
        for (size_t i = 1; i < in.size(); ++i) c->set_input(static_cast<int32_t>(i), *in[i]);
        net.mark_output(*c->get_output(0));
      },
      inputs, exact());
}

void expect_slice(DataType type, const Dims& dims, const Dims& start, const Dims& size,
                  const Dims& stride) {
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        SliceLayer* s = net.add_slice(*in[0], start, size, stride);
        net.mark_output(*s->get_output(0));
      },
      {input("x", type, dims)}, exact());
}

// Indices drawn from [-size, size) of the gathered axis: negative ones count from the back.
void expect_gather(DataType type, const Dims& dims, DataType index_type, const Dims& index_dims,
                   int32_t axis) {
  int32_t a = axis < 0 ? axis + dims.nb_dims : axis;
  DiffInput indices = named("indices", index_type, index_dims);
  indices.lo = static_cast<double>(-dims.d[a]);
  indices.hi = static_cast<double>(dims.d[a] - 1);
  expect_gpu_matches_cpu(
      [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
        GatherLayer* g = net.add_gather(*in[0], *in[1], axis);
        net.mark_output(*g->get_output(0));
      },
      {input("data", type, dims), indices}, exact());
}

TEST(CudaMovement, ShuffleTransposesRank2To6) {
  KILN_REQUIRE_GPU();
  struct Case {
    Dims dims;
    std::vector<int32_t> perm;
  };
  const Case cases[] = {
      {{37, 45}, {1, 0}},  // tiled, partial tiles on both sides
      {{3, 100}, {1, 0}},  // too narrow for a tile: strided copy
      {{100, 5}, {1, 0}},
      {{5, 33, 47}, {0, 2, 1}},  // last-two swap
      {{4, 17, 65}, {2, 0, 1}},
      {{4, 17, 65}, {1, 2, 0}},
      {{6, 7, 40}, {2, 1, 0}},        // contiguous dim first, batch in the middle
      {{6, 7, 40}, {1, 0, 2}},        // rows stay contiguous
      {{2, 19, 7, 9}, {0, 2, 3, 1}},  // NCHW -> NHWC
      {{2, 7, 9, 19}, {0, 3, 1, 2}},  // NHWC -> NCHW
      {{2, 3, 40, 50}, {0, 1, 3, 2}},
      {{3, 4, 5, 6}, {3, 1, 2, 0}},
      {{2, 3, 4, 5, 6}, {4, 2, 0, 3, 1}},
      {{2, 3, 2, 17, 33}, {0, 1, 2, 4, 3}},
      {{2, 3, 1, 5, 4}, {1, 0, 2, 4, 3}},  // size-1 dims dropped
      {{2, 3, 2, 3, 2, 5}, {5, 4, 3, 2, 1, 0}},
      {{1, 2, 1, 3, 20, 18}, {0, 1, 2, 3, 5, 4}},
      {{2, 1, 3, 1, 2, 1}, {1, 3, 5, 0, 2, 4}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(trace(c.dims, DataType::kFLOAT, "transpose"));
    expect_shuffle(DataType::kFLOAT, c.dims, c.perm);
  }
}

TEST(CudaMovement, ShuffleEveryElementSize) {
  KILN_REQUIRE_GPU();
  for (DataType type : kAllTypes) {
    SCOPED_TRACE(to_string(type));
    expect_shuffle(type, {3, 40, 33}, {0, 2, 1});      // tiled transpose
    expect_shuffle(type, {5, 6, 7}, {2, 0, 1});        // strided copy
    expect_shuffle(type, {4, 3, 2, 8}, {0, 2, 1, 3});  // contiguous rows (widened moves)
    expect_shuffle(type, {4, 6, 5}, {}, Dims{0, -1});  // pure reshape: memcpy
    expect_shuffle(type, {2, 6, 35}, {0, 2, 1}, Dims{2, 210}, {1, 0});  // two passes
  }
}

TEST(CudaMovement, ShuffleReshapeAndTransposes) {
  KILN_REQUIRE_GPU();
  const DataType f = DataType::kFLOAT;
  expect_shuffle(f, {4, 6, 5}, {}, Dims{0, -1});  // reshape only
  expect_shuffle(f, {5, 1, 7}, {1, 0, 2});        // a permutation of a size-1 dim
  expect_shuffle(f, {2, 6, 35}, {0, 2, 1}, Dims{2, 35, 2, 3},
                 {0, 2, 3, 1});                                    // composes into one view
  expect_shuffle(f, {2, 6, 35}, {0, 2, 1}, Dims{2, 210}, {1, 0});  // cannot compose: workspace
  expect_shuffle(f, {3, 4, 5}, {2, 1, 0}, Dims{20, 3});            // first transpose, then relabel
  expect_shuffle(f, {2, 8, 5, 5}, {0, 2, 3, 1}, Dims{2, -1});      // NHWC flatten
  expect_shuffle(f, {6, 35}, {}, Dims{2, 3, 35}, {0, 2, 1});       // reshape then last-two swap
  expect_shuffle(f, {2, 3, 4, 5}, {1, 0, 3, 2}, Dims{3, 2, 20}, {2, 0, 1});
  expect_shuffle(f, {2, 3, 4, 5}, {3, 2, 1, 0}, Dims{5, 4, 6}, {1, 2, 0});
  expect_shuffle(f, {8, 9, 10}, {1, 2, 0}, Dims{3, 3, 5, 2, 8}, {4, 3, 2, 1, 0});
  expect_shuffle(f, {1}, {}, Dims{1, 1, 1}, {2, 0, 1});  // one element
}

TEST(CudaMovement, ConcatenationAxesAndInputCounts) {
  KILN_REQUIRE_GPU();
  const DataType f = DataType::kFLOAT;
  expect_concatenation(f, {{2, 3, 4}}, 0);  // one input
  expect_concatenation(f, {{2, 3, 4}, {5, 3, 4}}, 0);
  expect_concatenation(f, {{2, 3, 4}, {2, 1, 4}, {2, 7, 4}}, 1);
  expect_concatenation(f, {{2, 3, 4}, {2, 3, 1}, {2, 3, 5}, {2, 3, 2}}, 2);
  expect_concatenation(f, {{2, 3, 4}, {2, 3, 3}, {2, 3, 8}, {2, 3, 1}}, -1);
  expect_concatenation(f, {{3, 5, 2, 7}, {3, 2, 2, 7}}, -3);
  expect_concatenation(f, {{64, 33}, {64, 31}, {64, 1}}, 1);
  expect_concatenation(f, {{16, 8}, {16, 4}, {16, 12}}, 1);  // 16-byte moves
}

TEST(CudaMovement, ConcatenationManyInputs) {
  KILN_REQUIRE_GPU();
  std::vector<Dims> middle, front;  // more inputs than one launch takes
  for (int64_t i = 0; i < 11; ++i) {
    middle.push_back(Dims{3, i % 4 + 1, 5});
    front.push_back(Dims{i % 4 + 1, 3, 5});
  }
  expect_concatenation(DataType::kFLOAT, middle, 1);
  expect_concatenation(DataType::kHALF, front, 0);
}

TEST(CudaMovement, ConcatenationEveryElementSize) {
  KILN_REQUIRE_GPU();
  for (DataType type : kAllTypes) {
    SCOPED_TRACE(to_string(type));
    expect_concatenation(type, {{2, 3, 5}, {2, 3, 3}}, 2);
    expect_concatenation(type, {{2, 4, 8}, {2, 2, 8}, {2, 6, 8}}, 1);
  }
}

TEST(CudaMovement, SliceStrides) {
  KILN_REQUIRE_GPU();
  const DataType f = DataType::kFLOAT;
  expect_slice(f, {10, 12}, {9, 11}, {5, 6}, {-2, -2});
  expect_slice(f, {4, 37}, {0, 36}, {4, 37}, {1, -1});           // reverse the last dim
  expect_slice(f, {4, 37}, {3, 0}, {4, 37}, {-1, 1});            // reverse rows
  expect_slice(f, {4, 8, 16}, {1, 2, 4}, {2, 4, 8}, {1, 1, 1});  // contiguous rows
  expect_slice(f, {6, 5, 4, 3}, {5, 0, 3, 2}, {3, 5, 2, 3}, {-2, 1, -3, -1});
  expect_slice(f, {3, 40, 50}, {0, 1, 2}, {3, 20, 16}, {1, 2, 3});
  expect_slice(f, {2, 64, 48}, {1, 0, 0}, {1, 64, 48}, {1, 1, 1});  // one contiguous block
  expect_slice(f, {7}, {6}, {4}, {-2});
}

TEST(CudaMovement, SliceEveryElementSize) {
  KILN_REQUIRE_GPU();
  for (DataType type : kAllTypes) {
    SCOPED_TRACE(to_string(type));
    expect_slice(type, {10, 12}, {9, 1}, {5, 6}, {-2, 2});
    expect_slice(type, {4, 8, 16}, {1, 2, 0}, {2, 4, 16}, {1, 1, 1});
  }
}

TEST(CudaMovement, GatherIndices) {
  KILN_REQUIRE_GPU();
  for (DataType index_type : {DataType::kINT32, DataType::kINT64}) {
    SCOPED_TRACE(to_string(index_type));
    expect_gather(DataType::kFLOAT, {10, 7}, index_type, {4}, 0);
    expect_gather(DataType::kFLOAT, {3, 10, 7}, index_type, {2, 3}, 1);  // multi-dim indices
    expect_gather(DataType::kFLOAT, {3, 5, 9}, index_type, {6}, -1);     // last axis
    expect_gather(DataType::kFLOAT, {2, 3, 4, 8}, index_type, {2, 2, 3}, 2);
    expect_gather(DataType::kFLOAT, {6, 4}, index_type, {}, 0);  // scalar index
  }
}

TEST(CudaMovement, GatherNegativeIndices) {
  KILN_REQUIRE_GPU();
  for (DataType index_type : {DataType::kINT32, DataType::kINT64}) {
    SCOPED_TRACE(to_string(index_type));
    DiffInput indices = named("indices", index_type, {2, 3});
    indices.values = {-1, -5, 0, 4, -3, 2};
    expect_gpu_matches_cpu(
        [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
          net.mark_output(*net.add_gather(*in[0], *in[1], 1)->get_output(0));
        },
        {input("data", DataType::kFLOAT, {3, 5, 4}), indices}, exact());
  }
}

TEST(CudaMovement, GatherEveryElementSize) {
  KILN_REQUIRE_GPU();
  for (DataType type : kAllTypes) {
    SCOPED_TRACE(to_string(type));
    expect_gather(type, {4, 6, 3}, DataType::kINT32, {5}, 1);
    expect_gather(type, {4, 6, 8}, DataType::kINT64, {2, 2}, 0);  // widened rows
  }
}

}  // namespace
}  // namespace kiln::test
