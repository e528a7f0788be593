// Plan compatibility (docs/plan-format.md, "Compatibility"): the hardware-compatibility rules, the
// kiln-version rule of plans built with and without kVERSION_COMPATIBLE, tactics re-chosen in
// version-compatible plans, and the fixture plan of kiln 0.1.0 that every later kiln must load.
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "e2e/e2e_util.h"
#include "kiln/kiln.h"
#include "plan/compatibility.h"
#include "plan/format.h"
#include "plan/plan.h"
#include "test_util.h"

namespace kiln {
namespace {

using plan::build_refusal;
using plan::load_refusal;
using plan::oldest_ptx;
using plan::version_refusal;
using test::quiet_logger;

constexpr uint32_t kVersionCompatible = 1u
                                        << static_cast<uint32_t>(BuilderFlag::kVERSION_COMPATIBLE);

TEST(PlanCompatibility, ReadsCudaArchitectureLists) {
  EXPECT_EQ(oldest_ptx("90"), 90);  // plain: machine code and PTX
  EXPECT_EQ(oldest_ptx("80-virtual;90-real"), 80);
  EXPECT_EQ(oldest_ptx("80-virtual,90-real"), 80);
  EXPECT_EQ(oldest_ptx("90-real"), 0);
  EXPECT_EQ(oldest_ptx("90a"), 0);  // arch-specific code runs on that device only
  EXPECT_EQ(oldest_ptx("native"), 0);
  EXPECT_EQ(oldest_ptx(""), 0);
  EXPECT_EQ(oldest_ptx("75;86;90"), 75);
  EXPECT_TRUE(plan::has_sass("80-virtual;90-real", 90));
  EXPECT_FALSE(plan::has_sass("80-virtual;90-real", 80));
  EXPECT_FALSE(plan::has_sass("90", 86));
}

TEST(PlanCompatibility, AmperePlusNeedsAnAmpereDeviceAndPtx) {
  using L = HardwareCompatibilityLevel;
  EXPECT_EQ(build_refusal(L::kSAME_COMPUTE_CAPABILITY, 75, "75"), "");
  EXPECT_EQ(build_refusal(L::kAMPERE_PLUS, 90, "80-virtual;90-real"), "");
  EXPECT_EQ(build_refusal(L::kAMPERE_PLUS, 86, "80"), "");
  std::string old_device = build_refusal(L::kAMPERE_PLUS, 75, "75-virtual");
  EXPECT_TRUE(contains(old_device, "8.0 or newer")) << old_device;
  EXPECT_TRUE(contains(old_device, "7.5")) << old_device;
  std::string no_ptx = build_refusal(L::kAMPERE_PLUS, 90, "90");
  EXPECT_TRUE(contains(no_ptx, "compute_80")) << no_ptx;
  EXPECT_TRUE(contains(no_ptx, "\"90\"")) << no_ptx;
  EXPECT_TRUE(contains(no_ptx, "80-virtual;90-real")) << no_ptx;
  EXPECT_NE(build_refusal(L::kAMPERE_PLUS, 90, "90-real"), "");
  EXPECT_NE(build_refusal(static_cast<L>(7), 90, "90"), "");
}

TEST(PlanCompatibility, LoadRulesNameBothSides) {
  std::string same = load_refusal(0, 90, 80, "NVIDIA A100");
  EXPECT_TRUE(contains(same, "compute capability 9.0")) << same;
  EXPECT_TRUE(contains(same, "NVIDIA A100")) << same;
  EXPECT_TRUE(contains(same, "8.0")) << same;
  EXPECT_TRUE(contains(same, "AMPERE_PLUS")) << same;
  EXPECT_EQ(load_refusal(0, 90, 90, "H100"), "");
  EXPECT_EQ(load_refusal(1, 90, 80, "A100"), "");
  EXPECT_EQ(load_refusal(1, 80, 90, "H100"), "");
  EXPECT_EQ(load_refusal(1, 90, 120, "B200"), "");
  std::string turing = load_refusal(1, 90, 75, "T4");
  EXPECT_TRUE(contains(turing, "8.0 or newer")) << turing;
  EXPECT_TRUE(contains(turing, "T4")) << turing;
  EXPECT_TRUE(contains(turing, "7.5")) << turing;
  EXPECT_TRUE(contains(load_refusal(5, 90, 90, "H100"), "level 5"))
      << load_refusal(5, 90, 90, "H100");
}

TEST(PlanCompatibility, VersionRule) {
  EXPECT_EQ(version_refusal(0, 1, 0, 0, "0.1.0"), "");
  std::string other = version_refusal(0, 0, 9, 0, "0.1.0");
  EXPECT_TRUE(contains(other, "kiln 0.0.9")) << other;
  EXPECT_TRUE(contains(other, "kiln 0.1.0")) << other;
  EXPECT_TRUE(contains(other, "kVERSION_COMPATIBLE")) << other;
  EXPECT_EQ(version_refusal(0, 0, 9, kVersionCompatible, "0.1.0"), "");
  EXPECT_EQ(version_refusal(0, 1, 0, kVersionCompatible, "0.1.0"), "");
}

// A small network with a dynamic batch: conv + relu + max pool + flatten + matmul + bias + softmax
// and a reduction, enough layer kinds to exercise the attribute encoding of a stored plan.
struct SmallNet {
  std::vector<float> conv_w = examples::uniform(4 * 1 * 3 * 3, 11, -0.5f, 0.5f);
  std::vector<float> conv_b = examples::uniform(4, 12, -0.1f, 0.1f);
  std::vector<float> fc_w = examples::uniform(4 * 3 * 3 * 5, 13, -0.3f, 0.3f);
  std::vector<float> fc_b = examples::uniform(5, 14, -0.1f, 0.1f);

  void define(NetworkDefinition& net) const {
    Tensor* x = net.add_input("x", DataType::kFLOAT, Dims{-1, 1, 6, 6});
    auto* conv = net.add_convolution_nd(*x, 4, Dims{3, 3}, examples::weights_of(conv_w),
                                        examples::weights_of(conv_b));
    conv->set_padding_nd(Dims{1, 1});
    conv->set_name("conv");
    auto* relu = net.add_activation(*conv->get_output(0), ActivationType::kRELU);
    auto* pool = net.add_pooling_nd(*relu->get_output(0), PoolingType::kMAX, Dims{2, 2});
    auto* flat = net.add_shuffle(*pool->get_output(0));
    flat->set_reshape_dimensions(Dims{-1, 36});
    auto* w = net.add_constant(Dims{36, 5}, examples::weights_of(fc_w));
    auto* mm = net.add_matrix_multiply(*flat->get_output(0), MatrixOperation::kNONE,
                                       *w->get_output(0), MatrixOperation::kNONE);
    auto* b = net.add_constant(Dims{1, 5}, examples::weights_of(fc_b));
    auto* sum =
        net.add_elementwise(*mm->get_output(0), *b->get_output(0), ElementWiseOperation::kSUM);
    auto* sm = net.add_softmax(*sum->get_output(0));
    sm->set_axes(1u << 1);
    sm->get_output(0)->set_name("prob");
    net.mark_output(*sm->get_output(0));
    auto* mean = net.add_reduce(*pool->get_output(0), ReduceOperation::kAVG, 0b1110u, false);
    mean->get_output(0)->set_name("mean");
    net.mark_output(*mean->get_output(0));
  }

  std::vector<uint8_t> build(uint32_t extra_flags, DeviceType device = DeviceType::kCPU) const {
    Builder builder(quiet_logger());
    auto net = builder.create_network();
    define(*net);
    auto config = builder.create_builder_config();
    config->set_default_device_type(device);
    for (int f = 0; f < 32; ++f) {
      if ((extra_flags >> f) & 1u) config->set_flag(static_cast<BuilderFlag>(f));
    }
    OptimizationProfile* p = builder.create_optimization_profile();
    p->set_shape("x", Dims{1, 1, 6, 6}, Dims{2, 1, 6, 6}, Dims{4, 1, 6, 6});
    config->add_optimization_profile(*p);
    return builder.build_serialized_network(*net, *config);
  }
};

std::vector<float> fixture_input() {
  return examples::uniform(3 * 36, 15, -1.0f, 1.0f);  // batch 3
}

std::map<std::string, std::vector<float>> run_plan(const std::vector<uint8_t>& plan,
                                                   Logger& logger = quiet_logger()) {
  Runtime runtime(logger);
  auto engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  auto ctx = engine->create_execution_context();
  return test::run_float(*ctx, *engine, {{"x", {Dims{3, 1, 6, 6}, fixture_input()}}});
}

void set_kiln_version(std::vector<uint8_t>& plan, uint32_t major, uint32_t minor, uint32_t patch) {
  uint32_t v[3] = {major, minor, patch};
  std::memcpy(plan.data() + plan::kOffKilnVersion, v, sizeof(v));  // little-endian hosts
  plan::refresh_checksum(plan);
}

TEST(PlanCompatibility, PlanOfAnotherKilnVersionNeedsVersionCompatible) {
  SmallNet net;
  std::vector<uint8_t> plain = net.build(0);
  auto expected = run_plan(plain);
  set_kiln_version(plain, 0, 0, 1);
  expect_error([&] { run_plan(plain); },
               {"kiln 0.0.1", "without BuilderFlag::kVERSION_COMPATIBLE", "this is kiln"});

  std::vector<uint8_t> compatible = net.build(kVersionCompatible);
  set_kiln_version(compatible, 0, 0, 1);
  auto outputs = run_plan(compatible);
  EXPECT_EQ(outputs, expected);
}

TEST(PlanCompatibility, VersionCompatiblePlanGetsAnotherTacticForOneThisKilnLacks) {
  SmallNet net;
  for (uint32_t flags : {0u, kVersionCompatible}) {
    std::vector<uint8_t> bytes = net.build(flags);
    auto expected = run_plan(bytes);
    runtime::EngineData data = plan::read(bytes.data(), bytes.size());
    data.steps[0].tactic = "cpu.retired_in_a_later_kiln";
    data.steps[0].params = {1, 2, 3};
    std::vector<uint8_t> renamed = plan::write(data);
    if (flags == 0) {
      expect_error([&] { run_plan(renamed); },
                   {"cpu.retired_in_a_later_kiln", "CPU backend of this kiln does not have",
                    "kVERSION_COMPATIBLE"});
      continue;
    }
    struct Capture : Logger {
      Capture() : Logger(Severity::kWARNING) {}
      void log(Severity, std::string_view message) override { lines += message; }
      std::string lines;
    } logger;
    // Step 0 now runs kiln's own kernel: the same values up to rounding where the plan had
    // chosen a oneDNN tactic for it.
    std::map<std::string, std::vector<float>> got = run_plan(renamed, logger);
    ASSERT_EQ(got.size(), expected.size());
    for (const auto& [name, values] : expected) {
      ASSERT_EQ(got[name].size(), values.size()) << name;
      for (size_t i = 0; i < values.size(); ++i) {
        EXPECT_NEAR(got[name][i], values[i], 1e-5 * std::max(1.0f, std::abs(values[i])))
            << name << " " << i;
      }
    }
    EXPECT_TRUE(contains(logger.lines, "cpu.retired_in_a_later_kiln")) << logger.lines;
  }
}

TEST(PlanCompatibility, HeaderLevelsTheReaderDoesNotKnowAreRefused) {
  std::vector<uint8_t> bytes = SmallNet().build(0);
  uint32_t level = 2;
  std::memcpy(bytes.data() + plan::kOffHardwareCompat, &level, 4);
  plan::refresh_checksum(bytes);
  expect_error([&] { run_plan(bytes); }, {"hardware-compatibility level 2", "not one"});
  level = 1;  // AMPERE_PLUS means nothing for a CPU plan
  std::memcpy(bytes.data() + plan::kOffHardwareCompat, &level, 4);
  plan::refresh_checksum(bytes);
  expect_error([&] { run_plan(bytes); }, {"CPU plan", "hardware-compatibility level 1"});
}

TEST(PlanCompatibility, CpuBuildIgnoresTheLevelWithAWarning) {
  SmallNet net;
  Builder builder(quiet_logger());
  auto network = builder.create_network();
  net.define(*network);
  auto config = builder.create_builder_config();
  config->set_default_device_type(DeviceType::kCPU);
  config->set_hardware_compatibility_level(HardwareCompatibilityLevel::kAMPERE_PLUS);
  OptimizationProfile* p = builder.create_optimization_profile();
  p->set_shape("x", Dims{1, 1, 6, 6}, Dims{2, 1, 6, 6}, Dims{4, 1, 6, 6});
  config->add_optimization_profile(*p);
  std::vector<uint8_t> bytes = builder.build_serialized_network(*network, *config);
  EXPECT_EQ(plan::read_header(bytes.data(), bytes.size()).hardware_compatibility, 0u);
}

// The fixture: a version-compatible CPU plan written by kiln 0.1.0 (format version 1), with the
// outputs it gave. Every later kiln must load it and give the same outputs; never regenerate it
// to make this test pass (a change that breaks it breaks the promise of docs/plan-format.md).
// Written once with: kiln_tests --gtest_also_run_disabled_tests
//                    --gtest_filter=PlanCompatibility.DISABLED_WriteFixture
const std::string kFixtureDir = std::string(KILN_SOURCE_DIR) + "/tests/fixtures/plans/";

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(PlanCompatibility, DISABLED_WriteFixture) {
  std::vector<uint8_t> bytes = SmallNet().build(kVersionCompatible);
  auto outputs = run_plan(bytes);
  std::ofstream(kFixtureDir + "kiln-0.1.0-cpu.plan", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  std::ofstream out(kFixtureDir + "kiln-0.1.0-cpu.outputs.txt");
  out.precision(9);
  for (const auto& [name, values] : outputs) {
    out << name << " " << values.size();
    for (float v : values) out << " " << v;
    out << "\n";
  }
}

TEST(PlanCompatibility, PlanOfKiln010StillLoadsAndGivesItsOutputs) {
  std::vector<uint8_t> bytes = read_file(kFixtureDir + "kiln-0.1.0-cpu.plan");
  ASSERT_FALSE(bytes.empty()) << "missing fixture " << kFixtureDir << "kiln-0.1.0-cpu.plan";
  plan::Header header = plan::read_header(bytes.data(), bytes.size());
  EXPECT_EQ(header.format_version, 1u);
  EXPECT_EQ(header.kiln_major * 10000 + header.kiln_minor * 100 + header.kiln_patch, 100u);
  std::map<std::string, std::vector<float>> expected;
  std::ifstream in(kFixtureDir + "kiln-0.1.0-cpu.outputs.txt");
  std::string name;
  size_t n = 0;
  while (in >> name >> n) {
    std::vector<float>& v = expected[name];
    v.resize(n);
    for (float& x : v) in >> x;
  }
  ASSERT_EQ(expected.size(), 2u);
  auto outputs = run_plan(bytes);
  ASSERT_EQ(outputs.size(), expected.size());
  for (const auto& [output, values] : expected) {
    ASSERT_EQ(outputs[output].size(), values.size()) << output;
    for (size_t i = 0; i < values.size(); ++i) {
      // Printed with 9 significant digits (float32 round-trips exactly); a later kiln may sum in
      // another order, so allow float32 rounding.
      EXPECT_NEAR(outputs[output][i], values[i], 1e-5f * std::max(1.0f, std::abs(values[i])))
          << output << "[" << i << "]";
    }
  }
}

}  // namespace
}  // namespace kiln
