// kiln — changing an engine's weights without rebuilding it: Refitter and OnnxParserRefitter
// (docs/refit.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kiln/logger.h"
#include "kiln/runtime.h"
#include "kiln/types.h"

namespace kiln {

// The part a weights plays in a layer of the network (Refitter::set_weights).
enum class WeightsRole : int32_t {
  kKERNEL,  // convolution, deconvolution and fully connected kernels, a matrix multiply's constant
            // second operand
  kBIAS,    // convolution, deconvolution and fully connected biases
  kSHIFT,   // a normalization layer's bias
  kSCALE,   // a normalization layer's scale
  kCONSTANT,  // a constant layer's weights
  kANY,       // any role (TensorRT's kANY): whatever weights the layer has, when it has one
};
const char* to_string(WeightsRole role);

// Collects new weights for an engine built with BuilderFlag::kREFIT and writes them into it.
//
// Weights are named as the network named them: a constant layer's weights by the layer's name,
// a (de)convolution's or fully connected layer's by "<layer>.kernel" and "<layer>.bias", an ONNX
// initializer by its ONNX name. Every set_* call checks the name, type and size at once and
// throws Error naming the weights and what was expected; refit_cuda_engine() then writes all
// weights set since the last refit. Weights the builder derived (float16 copies, a bias fused
// into a matrix multiply) are recomputed from the ones given. A failed call changes nothing.
//
// Concurrency: refit_cuda_engine() waits until no execute_async_v3/execute_v2 call is running on
// a context of this engine, and calls made while it writes wait for it (docs/refit.md, also for
// what that means on the GPU).
class Refitter {
 public:
  // Throws Error when the engine was not built with BuilderFlag::kREFIT. The engine must outlive
  // the refitter.
  Refitter(Engine& engine, Logger& logger);
  ~Refitter();
  Refitter(const Refitter&) = delete;
  Refitter& operator=(const Refitter&) = delete;

  // The values are copied. Throws Error for an unknown or non-refittable name, another data type
  // or another number of values than the engine's weights of that name.
  void set_named_weights(const std::string& name, Weights weights);
  // The weights `layer` (a layer name of the network) used in `role`.
  void set_weights(const std::string& layer, WeightsRole role, Weights weights);
  // Every refittable name.
  std::vector<std::string> get_all_weights() const;
  // Every layer that has refittable weights, with their roles.
  std::vector<std::pair<std::string, WeightsRole>> get_all() const;
  // Weights that must still be set before refit_cuda_engine() succeeds. kiln keeps each network
  // weight refittable on its own (docs/refit.md), so this is always empty.
  std::vector<std::string> get_missing_weights() const;

  // Writes the weights set so far into the engine and returns true (TensorRT's form). GPU
  // engines: first waits for all work on the device, and the copies are complete when it
  // returns. Throws Error on failure (a CUDA error; the values were checked when set).
  bool refit_cuda_engine();
  // The same, but the device copies are only queued on `stream` (a cudaStream_t), without
  // waiting for the device: work queued earlier on other streams must be ordered before it by
  // the caller. Synchronous for CPU engines.
  bool refit_cuda_engine_async(void* stream);

 private:
  friend class OnnxParserRefitter;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Refits an engine from a retrained ONNX model with the same graph: the model is parsed into a
// new network and every refittable weights of the engine is taken from it, under its name
// (importer-derived constants, such as a BatchNormalization folded into a scale and a shift,
// are recomputed from the new initializers by the same importer).
class OnnxParserRefitter {
 public:
  OnnxParserRefitter(Refitter& refitter, Logger& logger);
  // Returns false (logging why) when the model cannot be parsed, lacks weights the engine has or
  // holds one of another size or type; nothing is set on the refitter then. On success every
  // refittable weights is set on the refitter: call refit_cuda_engine() to write them.
  bool refit_from_file(const std::string& path);
  bool refit_from_bytes(const void* data, size_t size,
                        const char* path_for_external_data = nullptr);

 private:
  Refitter& refitter_;
  Logger& logger_;
};

}  // namespace kiln
