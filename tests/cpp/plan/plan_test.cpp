// Plan format tests: a hand-built engine round-trips field by field and byte for byte, the layout
// follows docs/plan-format.md, and each kind of bad input gets its own clear kiln::Error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "plan/format.h"
#include "plan/plan.h"

namespace kiln::plan {

// A small engine touching every attribute field type (shared with plan_fuzz_test.cpp).
runtime::EngineData make_test_engine() {
  runtime::EngineData e;
  e.device = DeviceType::kGPU;
  e.compute_capability = 90;
  e.builder_flags = 0x5;
  e.num_aux_streams = 1;
  ir::Graph& g = e.graph;
  auto tensor = [&](const char* name, DataType type, Dims dims, int32_t producer,
                    int32_t weights = -1) {
    g.tensors.push_back({name, type, dims, producer, weights});
  };
  tensor("x", DataType::kFLOAT, {-1, 3, 8, 8}, -1);              // 0
  tensor("conv.kernel", DataType::kFLOAT, {2, 3, 1, 1}, -1, 0);  // 1
  tensor("conv.bias", DataType::kFLOAT, {2}, -1, 1);             // 2
  tensor("conv_out", DataType::kFLOAT, {-1, 2, 8, 8}, 0);        // 3
  tensor("shuffle_out", DataType::kFLOAT, {-1, 8, 16}, 1);       // 4
  tensor("topk_values", DataType::kFLOAT, {-1, 8, 3}, 2);        // 5
  tensor("topk_indices", DataType::kINT32, {-1, 8, 3}, 2);       // 6
  tensor("act_out", DataType::kFLOAT, {-1, 8, 3}, 3);            // 7
  tensor("const_out", DataType::kINT64, {2}, 4);                 // 8
  tensor("cast_out", DataType::kHALF, {2}, 5);                   // 9

  ConvolutionAttrs conv;
  conv.num_output_maps = 2;
  conv.kernel_shape = {1, 1};
  conv.stride = {2, 1};
  conv.pre_padding = {1, 0};
  conv.post_padding = {0, 1};
  conv.dilation = {1, 3};
  conv.num_groups = 1;
  ShuffleAttrs shuffle;
  shuffle.first_transpose = {{0, 2, 3, 1, 4, 5, 6, 7}};
  shuffle.has_reshape = true;
  shuffle.reshape_dims = {0, -1, 16};
  shuffle.zero_is_placeholder = false;
  shuffle.second_transpose = {{0, 2, 1, 3, 4, 5, 6, 7}};
  TopKAttrs topk;
  topk.op = TopKOperation::kMIN;
  topk.k = 3;
  topk.axes = 1u << 2;
  ActivationAttrs act;
  act.type = ActivationType::kLEAKY_RELU;
  act.alpha = 0.125f;
  act.beta = -2.5f;
  ConstantAttrs constant;
  constant.weights = 2;
  CastAttrs cast;
  cast.to_type = DataType::kHALF;
  g.nodes.push_back({"conv1", conv, {0, 1, 2}, {3}});
  g.nodes.push_back({"shuffle1", shuffle, {3}, {4}});
  g.nodes.push_back({"topk1", topk, {4}, {5, 6}});
  g.nodes.push_back({"act1", act, {5}, {7}});
  g.nodes.push_back({"const1", constant, {}, {8}});
  g.nodes.push_back({"cast1", cast, {8}, {9}});
  g.inputs = {0};
  g.outputs = {7, 6, 9};

  auto weights = [&](const char* name, DataType type, Dims dims, uint8_t seed) {
    auto bytes = std::make_shared<std::vector<uint8_t>>(volume(dims) * element_size(type));
    for (size_t i = 0; i < bytes->size(); ++i) (*bytes)[i] = static_cast<uint8_t>(seed + 7 * i);
    g.weights.push_back({name, type, dims, bytes});
  };
  weights("conv.kernel", DataType::kFLOAT, {2, 3, 1, 1}, 1);
  weights("conv.bias", DataType::kFLOAT, {2}, 2);
  weights("const1.value", DataType::kINT64, {2}, 3);

  e.steps = {{4, "cpu.reference", {}, 0}, {0, "cpu.conv_direct", {1, 2, 3}, 0},
             {1, "cpu.reference", {}, 0}, {2, "cpu.reference", {9}, 1},
             {3, "cpu.reference", {}, 1}, {5, "cpu.reference", {}, 0}};
  for (int p = 0; p < 2; ++p) {
    runtime::ProfileData profile;
    profile.inputs = {{{1, 3, 8, 8}, {4 << p, 3, 8, 8}, {16 << p, 3, 8, 8}}};
    profile.memory.arena_size = 8192 << p;
    profile.memory.offsets = {-1, -1, -1, 0, 1024 << p, 2048 << p, 3072 << p, 0, -1, 4096 << p};
    e.profiles.push_back(profile);
  }
  return e;
}

namespace {

// Each attribute field as exact text (floats by bit pattern), for field-by-field comparison.
std::vector<std::string> field_values(const ir::Attrs& attrs) {
  std::vector<std::string> out;
  std::visit(
      [&](const auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (!std::is_same_v<A, std::monostate>) {
          const_cast<A&>(a).fields([&](const char* name, const auto& v) {
            using T = std::decay_t<decltype(v)>;
            std::string text = std::string(name) + "=";
            if constexpr (std::is_same_v<T, float>) {
              uint32_t bits;
              std::memcpy(&bits, &v, 4);
              text += std::to_string(bits);
            } else if constexpr (std::is_same_v<T, double>) {
              uint64_t bits;
              std::memcpy(&bits, &v, 8);
              text += std::to_string(bits);
            } else if constexpr (std::is_same_v<T, Dims>) {
              text += to_string(v);
            } else if constexpr (std::is_same_v<T, Permutation>) {
              for (int32_t o : v.order) text += std::to_string(o) + ",";
            } else if constexpr (std::is_same_v<T, std::string>) {
              text += v;
            } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
              for (uint8_t b : v) text += std::to_string(b) + ",";
            } else {
              text += std::to_string(static_cast<int64_t>(v));
            }
            out.push_back(text);
          });
        }
      },
      attrs);
  return out;
}

void expect_same_engine(const runtime::EngineData& a, const runtime::EngineData& b) {
  EXPECT_EQ(a.device, b.device);
  EXPECT_EQ(a.compute_capability, b.compute_capability);
  EXPECT_EQ(a.builder_flags, b.builder_flags);
  EXPECT_EQ(a.num_aux_streams, b.num_aux_streams);
  ASSERT_EQ(a.graph.tensors.size(), b.graph.tensors.size());
  for (size_t i = 0; i < a.graph.tensors.size(); ++i) {
    const ir::Tensor &x = a.graph.tensors[i], &y = b.graph.tensors[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type) << x.name;
    EXPECT_EQ(x.dims, y.dims) << x.name;
    EXPECT_EQ(x.producer, y.producer) << x.name;
    EXPECT_EQ(x.weights, y.weights) << x.name;
  }
  ASSERT_EQ(a.graph.nodes.size(), b.graph.nodes.size());
  for (size_t i = 0; i < a.graph.nodes.size(); ++i) {
    const ir::Node &x = a.graph.nodes[i], &y = b.graph.nodes[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.kind(), y.kind()) << x.name;
    EXPECT_EQ(field_values(x.attrs), field_values(y.attrs)) << x.name;
    EXPECT_EQ(x.inputs, y.inputs) << x.name;
    EXPECT_EQ(x.outputs, y.outputs) << x.name;
  }
  EXPECT_EQ(a.graph.inputs, b.graph.inputs);
  EXPECT_EQ(a.graph.outputs, b.graph.outputs);
  ASSERT_EQ(a.graph.weights.size(), b.graph.weights.size());
  for (size_t i = 0; i < a.graph.weights.size(); ++i) {
    const ir::WeightsData &x = a.graph.weights[i], &y = b.graph.weights[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type) << x.name;
    EXPECT_EQ(x.dims, y.dims) << x.name;
    EXPECT_EQ(*x.bytes, *y.bytes) << x.name;
  }
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (size_t i = 0; i < a.steps.size(); ++i) {
    EXPECT_EQ(a.steps[i].node, b.steps[i].node);
    EXPECT_EQ(a.steps[i].tactic, b.steps[i].tactic);
    EXPECT_EQ(a.steps[i].params, b.steps[i].params);
    EXPECT_EQ(a.steps[i].stream, b.steps[i].stream);
  }
  ASSERT_EQ(a.profiles.size(), b.profiles.size());
  for (size_t p = 0; p < a.profiles.size(); ++p) {
    ASSERT_EQ(a.profiles[p].inputs.size(), b.profiles[p].inputs.size());
    for (size_t i = 0; i < a.profiles[p].inputs.size(); ++i) {
      EXPECT_EQ(a.profiles[p].inputs[i].min, b.profiles[p].inputs[i].min);
      EXPECT_EQ(a.profiles[p].inputs[i].opt, b.profiles[p].inputs[i].opt);
      EXPECT_EQ(a.profiles[p].inputs[i].max, b.profiles[p].inputs[i].max);
    }
    EXPECT_EQ(a.profiles[p].memory.arena_size, b.profiles[p].memory.arena_size);
    EXPECT_EQ(a.profiles[p].memory.offsets, b.profiles[p].memory.offsets);
  }
}

uint64_t get_u64(const std::vector<uint8_t>& plan, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{plan[at + i]} << (8 * i);
  return v;
}

void put_u32(std::vector<uint8_t>& plan, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) plan[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Offset of a section's first byte, from the section table.
size_t section_offset(const std::vector<uint8_t>& plan, SectionId id) {
  for (size_t e = 0; e < kNumSections; ++e) {
    size_t entry = kHeaderSize + e * kSectionEntrySize;
    if (plan[entry] == static_cast<uint8_t>(id)) return get_u64(plan, entry + 8);
  }
  ADD_FAILURE() << "no section " << static_cast<int>(id);
  return 0;
}

// The kiln::Error message read() throws, or "" when it loads.
std::string read_error(const std::vector<uint8_t>& plan) {
  try {
    read(plan.data(), plan.size());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string write_error(const runtime::EngineData& engine) {
  try {
    write(engine);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(PlanTest, RoundTripKeepsEveryField) {
  runtime::EngineData engine = make_test_engine();
  std::vector<uint8_t> plan = write(engine);
  runtime::EngineData loaded = read(plan.data(), plan.size());
  expect_same_engine(engine, loaded);

  // Spot checks that do not rely on the generic comparison.
  const auto& conv = loaded.graph.nodes[0].get<ConvolutionAttrs>();
  EXPECT_EQ(conv.dilation, Dims({1, 3}));
  const auto& shuffle = loaded.graph.nodes[1].get<ShuffleAttrs>();
  EXPECT_EQ(shuffle.first_transpose.order[1], 2);
  EXPECT_FALSE(shuffle.zero_is_placeholder);
  EXPECT_EQ(shuffle.reshape_dims, Dims({0, -1, 16}));
  const auto& topk = loaded.graph.nodes[2].get<TopKAttrs>();
  EXPECT_EQ(topk.op, TopKOperation::kMIN);
  EXPECT_EQ(topk.k, 3);
  EXPECT_EQ(loaded.graph.nodes[3].get<ActivationAttrs>().beta, -2.5f);
  EXPECT_EQ(loaded.graph.nodes[5].get<CastAttrs>().to_type, DataType::kHALF);
}

// Layers appended after the first release round-trip too, with their double fields exact.
TEST(PlanTest, RoundTripOfAppendedLayers) {
  runtime::EngineData engine = make_test_engine();
  ir::Graph& g = engine.graph;
  g.tensors.push_back({"pad_out", DataType::kFLOAT, {-1, 10, 3}, 6, -1});     // 10
  g.tensors.push_back({"resize_out", DataType::kFLOAT, {-1, 20, 6}, 7, -1});  // 11
  SliceAttrs pad;
  pad.start = {0, -1, 0};
  pad.size = {-1, 10, 3};
  pad.stride = {1, 1, 1};
  pad.mode = SampleMode::kFILL;
  pad.fill_value = 0.1;  // not a float value: needs the double field
  ResizeAttrs resize;
  resize.use_scales = true;
  resize.num_scales = 3;
  resize.scales[1] = 2.0f;
  resize.scales[2] = 2.0f;
  resize.mode = InterpolationMode::kCUBIC;
  resize.transformation = ResizeCoordinateTransformation::kTF_HALF_PIXEL_FOR_NN;
  resize.selector = ResizeSelector::kUPPER;
  resize.nearest_rounding = ResizeRoundMode::kCEIL;
  resize.cubic_coeff = -0.5f;
  resize.exclude_outside = true;
  g.nodes.push_back({"pad1", pad, {7}, {10}});
  g.nodes.push_back({"resize1", resize, {10}, {11}});
  g.outputs.push_back(11);
  engine.steps.push_back({6, "cpu.reference", {}, 0});
  engine.steps.push_back({7, "cpu.reference", {}, 0});
  for (runtime::ProfileData& p : engine.profiles) {
    p.memory.offsets.push_back(0);
    p.memory.offsets.push_back(0);
  }
  std::vector<uint8_t> plan = write(engine);
  runtime::EngineData loaded = read(plan.data(), plan.size());
  expect_same_engine(engine, loaded);
  EXPECT_EQ(loaded.graph.nodes[6].get<SliceAttrs>().fill_value, 0.1);
  EXPECT_EQ(loaded.graph.nodes[6].get<SliceAttrs>().mode, SampleMode::kFILL);
  const auto& r = loaded.graph.nodes[7].get<ResizeAttrs>();
  EXPECT_EQ(r.scales[2], 2.0f);
  EXPECT_EQ(r.transformation, ResizeCoordinateTransformation::kTF_HALF_PIXEL_FOR_NN);
  EXPECT_TRUE(r.exclude_outside);
  EXPECT_EQ(write(loaded), plan);
}

TEST(PlanTest, WriteIsDeterministicAndStable) {
  runtime::EngineData engine = make_test_engine();
  std::vector<uint8_t> plan = write(engine);
  EXPECT_EQ(write(make_test_engine()), plan);
  runtime::EngineData loaded = read(plan.data(), plan.size());
  EXPECT_EQ(write(loaded), plan);
}

TEST(PlanTest, LayoutFollowsTheFormat) {
  std::vector<uint8_t> plan = write(make_test_engine());
  EXPECT_EQ(std::memcmp(plan.data(), "KILNPLAN", 8), 0);
  EXPECT_EQ(get_u64(plan, kOffFileSize), plan.size());
  for (uint32_t id = 1; id <= kNumSections; ++id) {
    size_t offset = section_offset(plan, static_cast<SectionId>(id));
    EXPECT_EQ(offset % (id == static_cast<uint32_t>(SectionId::kWEIGHT_DATA) ? 256 : 8), 0u) << id;
  }
  std::vector<uint8_t> same = plan;
  refresh_checksum(same);
  EXPECT_EQ(same, plan);

  Header h = read_header(plan.data(), plan.size());
  EXPECT_EQ(h.format_version, 1u);  // no internal ops: version 1, readable by older kilns
  EXPECT_EQ(h.device, DeviceType::kGPU);
  EXPECT_EQ(h.compute_capability, 90);
  EXPECT_EQ(h.hardware_compatibility, 0u);
  EXPECT_EQ(h.builder_flags, 0x5u);
  EXPECT_EQ(h.file_size, plan.size());
}

TEST(PlanTest, EmptyEngineRoundTrips) {
  runtime::EngineData empty;
  std::vector<uint8_t> plan = write(empty);
  runtime::EngineData loaded = read(plan.data(), plan.size());
  expect_same_engine(empty, loaded);
  EXPECT_EQ(write(loaded), plan);
}

TEST(PlanTest, NotAPlan) {
  std::vector<uint8_t> plan = write(make_test_engine());
  plan[3] = 'X';
  EXPECT_NE(read_error(plan).find("not a kiln plan"), std::string::npos) << read_error(plan);
  EXPECT_NE(read_error({}).find("not a kiln plan: the data is empty"), std::string::npos);
  std::vector<uint8_t> text = {'{', '"', 'a', '"', ':', '1', '}'};
  EXPECT_NE(read_error(text).find("not a kiln plan"), std::string::npos);
}

TEST(PlanTest, TruncatedNamesTheSectionAndSizes) {
  std::vector<uint8_t> plan = write(make_test_engine());
  size_t full = plan.size();
  plan.resize(full - 10);
  std::string msg = read_error(plan);
  EXPECT_NE(msg.find("truncated: the plan is " + std::to_string(full) + " bytes but only " +
                     std::to_string(full - 10) + " are present"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("weight data section"), std::string::npos) << msg;
  plan.resize(20);
  EXPECT_NE(read_error(plan).find("truncated: a kiln plan header needs 64 bytes, only 20"),
            std::string::npos)
      << read_error(plan);
  plan.resize(5);
  EXPECT_NE(read_error(plan).find("truncated"), std::string::npos) << read_error(plan);
}

TEST(PlanTest, ChecksumMismatch) {
  std::vector<uint8_t> plan = write(make_test_engine());
  plan[section_offset(plan, SectionId::kNODES) + 6] ^= 0x10;
  EXPECT_NE(read_error(plan).find("corrupted: checksum mismatch"), std::string::npos)
      << read_error(plan);
}

TEST(PlanTest, NewerFormatVersion) {
  std::vector<uint8_t> plan = write(make_test_engine());
  put_u32(plan, kOffFormatVersion, 3);
  refresh_checksum(plan);
  std::string msg = read_error(plan);
  EXPECT_NE(msg.find("format version 3 is newer than this runtime reads (version 2)"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("newer kiln"), std::string::npos) << msg;
  EXPECT_THROW(read_header(plan.data(), plan.size()), Error);
}

TEST(PlanTest, UnsupportedHardwareCompatibility) {
  std::vector<uint8_t> plan = write(make_test_engine());
  put_u32(plan, kOffHardwareCompat, 7);  // 0 and 1 exist (plan/compatibility_test.cpp)
  refresh_checksum(plan);
  std::string msg = read_error(plan);
  EXPECT_NE(msg.find("hardware-compatibility level 7 is not one this runtime knows"),
            std::string::npos)
      << msg;
}

TEST(PlanTest, TrailingBytesAreRefused) {
  std::vector<uint8_t> plan = write(make_test_engine());
  plan.push_back(0);
  EXPECT_NE(read_error(plan).find("corrupted: header: the plan says it is"), std::string::npos)
      << read_error(plan);
}

TEST(PlanTest, CorruptedSectionsNameSectionAndProblem) {
  const std::vector<uint8_t> plan = write(make_test_engine());
  {  // tensor 0 "x": count, name length, 'x', then its data type
    std::vector<uint8_t> bad = plan;
    put_u32(bad, section_offset(bad, SectionId::kTENSORS) + 9, 99);
    refresh_checksum(bad);
    EXPECT_EQ(read_error(bad), "corrupted: tensors: tensor 0: invalid data type 99");
  }
  {  // step 0: num_aux_streams, count, then its node
    std::vector<uint8_t> bad = plan;
    put_u32(bad, section_offset(bad, SectionId::kSTEPS) + 8, 1000);
    refresh_checksum(bad);
    EXPECT_NE(read_error(bad).find(
                  "corrupted: steps: step 0 (tactic 'cpu.reference'): node 1000 is out of range"),
              std::string::npos)
        << read_error(bad);
  }
  {  // a huge tensor count must be refused before anything is allocated
    std::vector<uint8_t> bad = plan;
    put_u32(bad, section_offset(bad, SectionId::kTENSORS), 0xFFFFFFFF);
    refresh_checksum(bad);
    EXPECT_NE(read_error(bad).find("corrupted: tensors: 4294967295 tensors need at least"),
              std::string::npos)
        << read_error(bad);
  }
  {  // an attribute name the layer does not have
    std::vector<uint8_t> bad = plan;
    const std::string name = "num_output_maps";
    auto it = std::search(bad.begin(), bad.end(), name.begin(), name.end());
    ASSERT_NE(it, bad.end());
    *it = 'x';
    refresh_checksum(bad);
    EXPECT_NE(
        read_error(bad).find("corrupted: nodes: node 0 'conv1' (convolution): unknown attribute "
                             "'xum_output_maps'"),
        std::string::npos)
        << read_error(bad);
  }
  {  // the section table
    std::vector<uint8_t> bad = plan;
    put_u32(bad, kHeaderSize, 42);
    refresh_checksum(bad);
    EXPECT_EQ(read_error(bad), "corrupted: section table: unknown section id 42");
  }
}

TEST(PlanTest, ValidateNamesTheBrokenInvariant) {
  auto expect_invalid = [](const runtime::EngineData& e, const std::string& expected) {
    std::string msg;
    try {
      validate(e);
    } catch (const Error& err) {
      msg = err.what();
    }
    EXPECT_NE(msg.find(expected), std::string::npos)
        << "got: " << msg << "\nexpected: " << expected;
    std::string written = write_error(e);
    EXPECT_EQ(written.rfind("plan: cannot write an invalid engine: ", 0), 0u) << written;
    EXPECT_NE(written.find(expected), std::string::npos) << written;
  };
  runtime::EngineData e = make_test_engine();
  e.graph.nodes[2].outputs = {5};
  expect_invalid(e, "nodes: node 2 'topk1' (topk): has 1 outputs, a topk layer has 2");
  e = make_test_engine();
  e.graph.weights[1].dims = {3};
  expect_invalid(e, "weights: weights 1 'conv.bias': holds 8 bytes, but [3] of float32 needs 12");
  e = make_test_engine();
  e.graph.nodes[3].outputs = {4};
  expect_invalid(
      e, "nodes: node 3 'act1' (activation): tensor 'shuffle_out' is already produced by node 1");
  e = make_test_engine();
  e.graph.tensors[7].producer = 2;
  expect_invalid(e,
                 "tensors: tensor 7 'act_out' names node 2 as its producer, but node 3 outputs it");
  e = make_test_engine();
  e.steps.pop_back();
  expect_invalid(e, "steps: node 5 'cast1' is run by no step");
  e = make_test_engine();
  e.steps[3].stream = 2;
  expect_invalid(e, "stream 2 is outside 0..1");
  e = make_test_engine();
  e.profiles[1].inputs.clear();
  expect_invalid(e, "profiles: profile 1: has shapes for 0 inputs, the graph has 1");
  e = make_test_engine();
  e.profiles[0].memory.offsets.pop_back();
  expect_invalid(e, "profiles: profile 0: memory plan has 9 offsets, the graph has 10 tensors");
  e = make_test_engine();
  e.graph.tensors[0].dims.d[1] = -2;
  expect_invalid(e, "tensors: tensor 0 'x': dimension 1 is -2 (must be >= -1)");
  e = make_test_engine();
  e.graph.nodes[4].get<ConstantAttrs>().weights = 3;
  expect_invalid(e,
                 "nodes: node 4 'const1' (constant): weights 3 is out of range (3 in the graph)");
  e = make_test_engine();
  e.graph.nodes[3].get<ActivationAttrs>().type = static_cast<ActivationType>(99);
  expect_invalid(e, "nodes: node 3 'act1' (activation): attribute 'type' has invalid value 99");
  e = make_test_engine();
  e.graph.inputs = {3};
  expect_invalid(e, "graph inputs/outputs: input 0: tensor 'conv_out' is computed, not an input");
}

}  // namespace kiln::plan
