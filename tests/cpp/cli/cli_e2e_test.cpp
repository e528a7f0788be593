// End to end: the built `kiln` binary on the CPU backend. Builds a small ONNX model and the MNIST
// plan, runs them with trtexec's flags, and checks the reports and files it writes.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "e2e/mnist_net.h"
#include "json.h"
#include "onnx/onnx_test_util.h"

namespace kiln::test {
namespace {

namespace fs = std::filesystem;

struct Result {
  int status = -1;
  std::string output;  // stdout and stderr
};

Result kiln_cli(const std::string& args) {
  std::string command = std::string(KILN_CLI_PATH) + " " + args + " 2>&1";
  Result r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) r.output.append(buf, n);
  int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class KilnCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kiln_cli_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // x [N, 4] -> MatMul [4, 3] -> Add bias -> Relu -> y [N, 3], N dynamic.
  std::string write_onnx() const {
    pb::GraphSpec g;
    g.inputs.push_back(pb::value_info("x", 1, {-1, 4}));
    g.outputs.push_back(pb::value_info("y", 1, {-1, 3}));
    g.initializers.push_back(pb::tensor("w", {4, 3}, std::vector<float>(12, 0.25f)));
    g.initializers.push_back(pb::tensor("b", {3}, {0.5f, -0.5f, 1.0f}));
    g.nodes.push_back(pb::node("MatMul", {"x", "w"}, {"t0"}, "fc"));
    g.nodes.push_back(pb::node("Add", {"t0", "b"}, {"t1"}, "bias"));
    g.nodes.push_back(pb::node("Relu", {"t1"}, {"y"}, "relu"));
    std::string file = path("tiny.onnx");
    std::ofstream(file, std::ios::binary) << pb::model(g);
    return file;
  }

  std::string write_mnist_plan() const {
    static const MnistWeights weights;
    Builder builder(quiet_logger());
    auto net = builder.create_network();
    define_mnist(*net, weights);
    auto config = builder.create_builder_config();
    OptimizationProfile* p = builder.create_optimization_profile();
    p->set_shape("image", Dims{1, 1, 28, 28}, Dims{2, 1, 28, 28}, Dims{4, 1, 28, 28});
    config->add_optimization_profile(*p);
    config->set_default_device_type(DeviceType::kCPU);
    std::vector<uint8_t> plan = builder.build_serialized_network(*net, *config);
    std::string file = path("mnist.plan");
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(plan.data()),
               static_cast<std::streamsize>(plan.size()));
    return file;
  }

  fs::path dir_;
};

TEST_F(KilnCli, TrtexecStyleBuildAndRunOnTheCpu) {
  std::string onnx = write_onnx();
  Result r = kiln_cli("--onnx=" + onnx + " --device=cpu --minShapes=x:1x4 --optShapes=x:2x4 " +
                      "--maxShapes=x:8x4 --shapes=x:3x4 --saveEngine=" + path("tiny.plan") +
                      " --timingCacheFile=" + path("t.cache") + " --iterations=20 --duration=0 " +
                      "--warmUp=0 --dumpProfile --exportProfile=" + path("p.json") +
                      " --exportLayerInfo=" + path("l.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* line :
       {"[build] Selecting tactics", "plan saved to", "=== Performance summary", "Throughput: ",
        "Latency: min = ", "Enqueue Time: min = ", "CPU Compute Time: min = ", "percentile(99%)",
        "Total Host Walltime", "=== Profile (20 runs", "Total"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << "\n" << r.output;
  }
  EXPECT_TRUE(fs::exists(path("tiny.plan")));
  EXPECT_TRUE(fs::exists(path("t.cache")));
  // The profile: one entry per step after {"count": 20}.
  cli::json::Value profile = cli::json::parse(slurp(path("p.json")), "p.json");
  ASSERT_TRUE(profile.is_array());
  ASSERT_GE(profile.array.size(), 2u);
  EXPECT_EQ(profile.array[0]["count"].number, 20.0);
  cli::json::Value info = cli::json::parse(slurp(path("l.json")), "l.json");
  ASSERT_EQ(info["layers"].array.size() + 1, profile.array.size());
  for (size_t i = 0; i < info["layers"].array.size(); ++i) {
    EXPECT_EQ(profile.array[i + 1]["name"].string, info["layers"].array[i]["name"].string);
    EXPECT_NE(r.output.find(info["layers"].array[i]["name"].string), std::string::npos);
  }
  // The saved plan runs again, on two streams (threads on the CPU), with the gain reported.
  Result again = kiln_cli("run " + path("tiny.plan") +
                          " --shapes=x:8x4 --streams=2 --iterations=10 --duration=0 --warmUp=0");
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("Streams: 2 streams"), std::string::npos) << again.output;
}

TEST_F(KilnCli, InspectDrawsThePlanWithTimes) {
  std::string plan = write_mnist_plan();
  Result run = kiln_cli("run " + plan + " --shapes=image:2x1x28x28 --iterations=3 --duration=0 " +
                        "--warmUp=0 --exportProfile=" + path("p.json"));
  ASSERT_EQ(run.status, 0) << run.output;
  Result r =
      kiln_cli("inspect " + plan + " --html " + path("g.html") + " --profile=" + path("p.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("CPU engine: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("input  image float32 [-1,1,28,28]  profile 0: min [1,1,28,28]"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(" ms "), std::string::npos) << r.output;
  std::string html = slurp(path("g.html"));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("float32"), std::string::npos);  // the legend
  EXPECT_NE(html.find("tactic: cpu.reference"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // nothing fetched
  EXPECT_NE(html.find("<th>time (ms)</th>"), std::string::npos);
  // --run measures instead of reading a profile.
  Result measured = kiln_cli("inspect " + plan + " --run --iterations=2 --html=" + path("h.html"));
  ASSERT_EQ(measured.status, 0) << measured.output;
  EXPECT_NE(slurp(path("h.html")).find("<th>time (ms)</th>"), std::string::npos);
}

TEST_F(KilnCli, ErrorsAreMessagesAndExitCodes) {
  std::string onnx = write_onnx();
  Result bad_shape = kiln_cli("--onnx=" + onnx + " --device=cpu --shapes=x:2xA");
  EXPECT_EQ(bad_shape.status, 2);
  EXPECT_NE(bad_shape.output.find("kiln: --shapes: input 'x' dimension 1 is 'A'"),
            std::string::npos)
      << bad_shape.output;
  Result wrong_input = kiln_cli("--onnx=" + onnx + " --device=cpu --shapes=z:2x4");
  EXPECT_EQ(wrong_input.status, 1);
  EXPECT_NE(wrong_input.output.find("--shapes: 'z' is not an input of the network (inputs: x)"),
            std::string::npos)
      << wrong_input.output;
  Result no_shape = kiln_cli("--onnx=" + onnx + " --device=cpu");
  EXPECT_EQ(no_shape.status, 1);
  EXPECT_NE(no_shape.output.find("input 'x' has dynamic shape [-1,4]"), std::string::npos)
      << no_shape.output;
  Result missing = kiln_cli("run " + path("absent.plan"));
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.output.find("cannot open plan '" + path("absent.plan") + "'"),
            std::string::npos)
      << missing.output;
  Result outside =
      kiln_cli("--onnx=" + onnx + " --device=cpu --minShapes=x:1x4 --optShapes=x:2x4 " +
               "--maxShapes=x:4x4 --shapes=x:9x4 --duration=0 --warmUp=0");
  EXPECT_EQ(outside.status, 1);
  EXPECT_NE(outside.output.find("outside optimization profile 0's range 1..4"), std::string::npos)
      << outside.output;
  Result unknown = kiln_cli("--onnx=" + onnx + " --iteration=3");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.output.find("did you mean --iterations?"), std::string::npos) << unknown.output;
}

}  // namespace
}  // namespace kiln::test
