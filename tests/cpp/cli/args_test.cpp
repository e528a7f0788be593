// The `kiln` command line's parser: subcommands, trtexec flags, shape lists, tactic sources, and
// the messages for what it refuses.
#include <gtest/gtest.h>

#include "args.h"
#include "kiln/tuning.h"

namespace kiln::cli {
namespace {

Options parse(std::vector<const char*> args) {
  args.insert(args.begin(), "kiln");
  return parse_args(static_cast<int>(args.size()), args.data());
}

std::string error_of(std::vector<const char*> args) {
  try {
    parse(std::move(args));
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CliArgs, TrtexecFlagsAsTheyAre) {
  Options o = parse({"--onnx=m.onnx",
                     "--saveEngine=m.plan",
                     "--fp16",
                     "--minShapes=x:1x3x224x224",
                     "--optShapes=x:4x3x224x224",
                     "--maxShapes=x:8x3x224x224",
                     "--shapes=x:2x3x224x224",
                     "--timingCacheFile=t.cache",
                     "--tacticSources=-CUDNN,+CUBLAS_LT",
                     "--useCudaGraph",
                     "--streams=2",
                     "--iterations=7",
                     "--duration=0.5",
                     "--warmUp=10",
                     "--noDataTransfers",
                     "--dumpProfile",
                     "--exportProfile=p.json",
                     "--exportLayerInfo=l.json",
                     "--verbose",
                     "--builderOptimizationLevel=4",
                     "--maxAuxStreams=2",
                     "--device=cpu",
                     "--threads=1",
                     "--nvtx"});
  EXPECT_EQ(o.command, Command::kTrtexec);
  EXPECT_EQ(o.onnx, "m.onnx");
  EXPECT_EQ(o.save_engine, "m.plan");
  EXPECT_TRUE(o.fp16);
  ASSERT_EQ(o.min_shapes.size(), 1u);
  EXPECT_EQ(o.min_shapes[0].name, "x");
  EXPECT_EQ(o.min_shapes[0].dims, (Dims{1, 3, 224, 224}));
  EXPECT_EQ(o.opt_shapes[0].dims, (Dims{4, 3, 224, 224}));
  EXPECT_EQ(o.max_shapes[0].dims, (Dims{8, 3, 224, 224}));
  EXPECT_EQ(o.shapes[0].dims, (Dims{2, 3, 224, 224}));
  EXPECT_EQ(o.timing_cache_file, "t.cache");
  EXPECT_TRUE(o.tactic_sources_set);
  EXPECT_EQ(o.tactic_sources, 0x1Fu & ~(1u << static_cast<int>(TacticSource::kCUDNN)));
  EXPECT_EQ(o.cpu_threads, 1);
  EXPECT_TRUE(o.use_cuda_graph);
  EXPECT_EQ(o.streams, 2);
  EXPECT_EQ(o.iterations, 7);
  EXPECT_DOUBLE_EQ(o.duration_s, 0.5);
  EXPECT_DOUBLE_EQ(o.warm_up_ms, 10.0);
  EXPECT_TRUE(o.no_data_transfers);
  EXPECT_TRUE(o.dump_profile);
  EXPECT_EQ(o.export_profile, "p.json");
  EXPECT_EQ(o.export_layer_info, "l.json");
  EXPECT_TRUE(o.verbose);
  EXPECT_EQ(o.builder_optimization_level, 4);
  EXPECT_EQ(o.max_aux_streams, 2);
  EXPECT_EQ(o.device, DeviceType::kCPU);
  EXPECT_TRUE(o.device_set);
  EXPECT_TRUE(o.nvtx);
}

TEST(CliArgs, Subcommands) {
  Options b = parse({"build", "m.onnx", "--saveEngine=m.plan"});
  EXPECT_EQ(b.command, Command::kBuild);
  EXPECT_EQ(b.onnx, "m.onnx");
  Options r = parse({"run", "m.plan", "--iterations=3"});
  EXPECT_EQ(r.command, Command::kRun);
  EXPECT_EQ(r.load_engine, "m.plan");
  Options i = parse({"inspect", "m.plan", "--html", "out.html", "--profile=p.json"});
  EXPECT_EQ(i.command, Command::kInspect);
  EXPECT_EQ(i.load_engine, "m.plan");
  EXPECT_EQ(i.html, "out.html");
  EXPECT_EQ(i.profile_json, "p.json");
  EXPECT_EQ(parse({"--help"}).command, Command::kHelp);
  EXPECT_EQ(parse({"--loadEngine=m.plan"}).load_engine, "m.plan");
}

TEST(CliArgs, ShapeLists) {
  std::vector<ShapeSpec> s = parse_shapes("--shapes", "a:1x2,'in:0':3x4x5,b:7,input:0:2x2");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].name, "a");
  EXPECT_EQ(s[0].dims, (Dims{1, 2}));
  EXPECT_EQ(s[1].name, "in:0");
  EXPECT_EQ(s[1].dims, (Dims{3, 4, 5}));
  EXPECT_EQ(s[2].dims, (Dims{7}));
  EXPECT_EQ(s[3].name, "input:0");  // an unquoted name ends at the last ':'
  EXPECT_EQ(s[3].dims, (Dims{2, 2}));
}

TEST(CliArgs, MalformedShapesSayWhatWasExpected) {
  const std::string expected =
      " (expected name:NxNx..., e.g. input:1x3x224x224, entries separated by ',')";
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--shapes=x:1x3xAx4"}),
            "--shapes: input 'x' dimension 2 is 'A', not a non-negative integer" + expected);
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--minShapes=x1x3"}),
            "--minShapes: 'x1x3' has no ':' between the input name and its dimensions" + expected);
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--shapes=x:"}),
            "--shapes: input 'x' has no dimensions after ':'" + expected);
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--shapes=x:1x-2"}),
            "--shapes: input 'x' dimension 1 is '-2', not a non-negative integer" + expected);
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--shapes=x:1x2x"}),
            "--shapes: input 'x' dimensions '1x2x' end with 'x'" + expected);
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--shapes=x:1,x:2"}), "--shapes: input 'x' is given twice");
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--shapes=x:1,"}),
            "--shapes: the list ends with ','" + expected);
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--shapes='x:1"}),
            "--shapes: the quoted name starting at character 1 has no closing '" + expected);
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--shapes=x:1x1x1x1x1x1x1x1x1"}),
            "--shapes: input 'x' has more than 8 dimensions");
}

TEST(CliArgs, BadFlagsSayWhatWasExpected) {
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--fp61"}),
            "unknown flag '--fp61'; did you mean --fp16? ('kiln --help' lists the flags)");
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--frobnicate"}),
            "unknown flag '--frobnicate' ('kiln --help' lists the flags)");
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--iterations=ten"}),
            "--iterations expects an integer from 1 to 100000000, got 'ten'");
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--streams=0"}),
            "--streams expects an integer from 1 to 64, got '0'");
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--device=tpu"}), "--device expects gpu or cpu, got 'tpu'");
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--duration=-1"}),
            "--duration expects a number >= 0, got '-1'");
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--fp16=yes"}), "--fp16 takes no value, got '--fp16=yes'");
  EXPECT_EQ(error_of({"--onnx"}), "--onnx expects a value: --onnx=FILE  ONNX model to build");
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--tacticSources=CUDNN"}),
            "--tacticSources: 'CUDNN' must be + or - followed by a source (CUBLAS, CUBLAS_LT, "
            "CUDNN, KILN, ONEDNN), e.g. -CUDNN,+CUBLAS_LT");
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--tacticSources=-CUFFT"}),
            "--tacticSources: unknown tactic source 'CUFFT'; expected CUBLAS, CUBLAS_LT, CUDNN or "
            "KILN");
  EXPECT_EQ(error_of({"run", "m.plan", "--fp16"}), "--fp16 does not apply to 'kiln run'");
  EXPECT_EQ(error_of({"build", "m.onnx", "--useCudaGraph"}),
            "--useCudaGraph does not apply to 'kiln build'");
  EXPECT_EQ(error_of({"frobnicate"}),
            "unknown command 'frobnicate'; expected build, run, inspect, serve or help (or trtexec "
            "flags such as --onnx=model.onnx)");
  EXPECT_EQ(error_of({}),
            "nothing to do: give --onnx=model.onnx to build (and run), or "
            "--loadEngine=model.plan to run ('kiln --help' lists the flags)");
  EXPECT_EQ(error_of({"--onnx=a.onnx", "--loadEngine=b.plan"}),
            "give either --onnx or --loadEngine, not both");
  EXPECT_EQ(error_of({"build"}), "kiln build needs a model: --onnx=model.onnx");
  EXPECT_EQ(error_of({"inspect", "m.plan", "--run", "--profile=p.json"}),
            "give either --profile=FILE or --run, not both");
  EXPECT_EQ(error_of({"--onnx=m.onnx", "stray"}),
            "unexpected argument 'stray'; flags start with --");
}

TEST(CliArgs, TacticSourcesApplyInOrder) {
  uint32_t all = 0xFu;
  EXPECT_EQ(parse_tactic_sources("-CUBLAS,-CUBLAS_LT", all), 0xCu);
  EXPECT_EQ(parse_tactic_sources("-cudnn,+CUDNN", all), all);
  EXPECT_EQ(parse_tactic_sources("-KILN", all), 0x7u);
  EXPECT_EQ(parse_tactic_sources("-ONEDNN", 0x1Fu), 0xFu);
}

TEST(CliArgs, ThreadsMustBePositive) {
  EXPECT_EQ(error_of({"--onnx=m.onnx", "--threads=0"}),
            "--threads expects an integer from 1 to 1048576, got '0'");
}

TEST(CliArgs, UsageListsEveryTrtexecFlag) {
  std::string text = usage();
  for (const char* flag : {"--onnx",
                           "--saveEngine",
                           "--loadEngine",
                           "--fp16",
                           "--minShapes",
                           "--optShapes",
                           "--maxShapes",
                           "--shapes",
                           "--timingCacheFile",
                           "--tacticSources",
                           "--useCudaGraph",
                           "--streams",
                           "--iterations",
                           "--duration",
                           "--warmUp",
                           "--noDataTransfers",
                           "--dumpProfile",
                           "--exportProfile",
                           "--exportLayerInfo",
                           "--verbose",
                           "--builderOptimizationLevel",
                           "--maxAuxStreams",
                           "--device",
                           "--nvtx"}) {
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace kiln::cli
