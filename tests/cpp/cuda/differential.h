// The differential harness: a network runs on the CUDA backend and on the CPU backend (the
// reference) on the same random inputs, and every output element must agree within a tolerance.
// Tests call it with a function that adds layers to a network; without a GPU they are skipped.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kiln/kiln.h"

namespace kiln::test {

// An input of the network under test. Values are drawn uniformly from [lo, hi] (integers for
// integer types; bool: lo/hi ignored, random true/false). `values`, when not empty, is used as is.
struct DiffInput {
  std::string name;
  DataType type = DataType::kFLOAT;
  Dims dims;
  double lo = -2.0, hi = 2.0;
  std::vector<double> values;
};

// |gpu - cpu| <= atol + rtol * |cpu| for every element; NaN only where the CPU has NaN.
struct Tolerance {
  double atol = 1e-5;
  double rtol = 1e-5;
};

struct DiffOptions {
  Tolerance tol;
  bool fp16 = false;              // build the GPU engine with BuilderFlag::kFP16
  bool bf16 = false;              // build the GPU engine with BuilderFlag::kBF16
  uint32_t tactic_sources = 0xF;  // GPU build's tactic-source mask
  uint32_t seed = 1;
  // GPU build: 0 takes the heuristic choice (library sources first) without timing.
  int32_t optimization_level = 0;
  bool tf32 = false;                      // let float32 products use TF32
  AlgorithmSelector* selector = nullptr;  // GPU build's algorithm selector
  TimingCache* timing_cache = nullptr;
  uint64_t workspace_limit = UINT64_MAX;
};

// True when a CUDA device is usable; tests call GTEST_SKIP() otherwise (see KILN_REQUIRE_GPU).
bool gpu_available();

// Builds `define`'s network (inputs are added for you, in order, static shapes) for the GPU and
// for the CPU, runs both on the same random inputs and compares every output. Failures are
// reported through gtest with the output name, element index and both values.
void expect_gpu_matches_cpu(
    const std::function<void(NetworkDefinition&, std::vector<Tensor*>&)>& define,
    const std::vector<DiffInput>& inputs, const DiffOptions& options = {});

}  // namespace kiln::test

#define KILN_REQUIRE_GPU()                                                \
  do {                                                                    \
    if (!::kiln::test::gpu_available()) GTEST_SKIP() << "no CUDA device"; \
  } while (0)
