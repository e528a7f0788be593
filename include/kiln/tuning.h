// kiln — what the builder's tactic selection exposes: the timing cache, the algorithm selector
// and the build progress monitor (TensorRT's ITimingCache, IAlgorithmSelector, IProgressMonitor).
// Included by builder.h.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kiln/network.h"
#include "kiln/types.h"

namespace kiln {

// kONEDNN: oneDNN's CPU primitives (convolution, matrix multiply) for CPU engines, where kiln
// was built with it (docs/cpu-backend.md).
enum class TacticSource : int32_t { kCUBLAS, kCUBLAS_LT, kCUDNN, kKILN, kONEDNN };
const char* to_string(TacticSource source);

// Measured tactic times, keyed by node signature (kind, attributes, shapes, types), device (name,
// compute capability, SM count), library versions and tactic. A cache records the device and
// library versions it was made with; a build on another device or with other libraries refuses
// it (or ignores its entries when the mismatch is allowed). Not thread-safe: one build at a time.
class TimingCache {
 public:
  struct Impl;
  explicit TimingCache(std::unique_ptr<Impl> impl);
  ~TimingCache();

  // The cache as bytes for BuilderConfig::create_timing_cache.
  std::vector<uint8_t> serialize() const;
  // Adds `other`'s entries (existing entries win). Throws Error when the caches come from
  // different devices or library versions, unless `ignore_mismatch`; then only entries whose
  // device matches this cache's are added. Returns the number of entries added.
  int64_t combine(const TimingCache& other, bool ignore_mismatch);
  void reset();  // drops every entry
  int64_t num_entries() const;
  // "NVIDIA H100 80GB HBM3 sm_90 132 SMs, cuBLASLt 130000, cuDNN 91000, kiln 0.1.0"; empty for a
  // cache that has not met a device yet.
  std::string device_description() const;

  Impl& impl() { return *impl_; }
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// One tensor of a layer as the selector sees it: the shapes at the profile's opt point.
struct AlgorithmIOInfo {
  std::string name;
  DataType type = DataType::kFLOAT;
  Dims dims;
};

// The layer a selection is about.
struct AlgorithmContext {
  std::string layer_name;  // the network's layer name ("conv1", or "conv1 + relu1" when fused)
  LayerType layer_type = LayerType::kIDENTITY;
  std::vector<AlgorithmIOInfo> inputs;
  std::vector<AlgorithmIOInfo> outputs;
  int32_t profile = 0;  // the profile whose opt shapes were timed
};

// One candidate: a tactic (implementation) in one configuration (tactic id).
struct Algorithm {
  std::string implementation;  // "cuda.cublaslt.matrix_multiply", "cpu.reference"
  int64_t tactic_id = 0;       // the configuration within the implementation
  TacticSource source = TacticSource::kKILN;
  float time_ms = -1.0f;       // median measured time; -1 when nothing was timed
  int64_t workspace_size = 0;  // bytes at the opt shapes
};

// Lets the user choose among a layer's candidates. select_algorithms runs after the candidates
// were timed (or their times came from the timing cache) and returns the indices of the ones to
// keep; the builder takes the fastest kept one. Returning no index keeps all. report_algorithms
// gets the final choice of every layer once the build is done.
class AlgorithmSelector {
 public:
  virtual ~AlgorithmSelector() = default;
  virtual std::vector<int32_t> select_algorithms(const AlgorithmContext& context,
                                                 std::span<const Algorithm> candidates) = 0;
  virtual void report_algorithms(std::span<const AlgorithmContext> contexts,
                                 std::span<const Algorithm> choices) = 0;
};

// Build progress in phases; a phase may have a parent phase (nullptr for a top-level one).
// Returning false from step_complete cancels the build: build_serialized_network then throws
// Error("build cancelled ...").
class ProgressMonitor {
 public:
  virtual ~ProgressMonitor() = default;
  virtual void phase_start(const char* phase_name, const char* parent_phase, int32_t num_steps) = 0;
  virtual bool step_complete(const char* phase_name, int32_t step) = 0;
  virtual void phase_finish(const char* phase_name) = 0;
};

}  // namespace kiln
