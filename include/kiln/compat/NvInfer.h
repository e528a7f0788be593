// kiln's TensorRT compatibility header: TensorRT 10's C++ API (namespace nvinfer1) as thin inline
// wrappers over kiln's C++ API, so a TensorRT program compiles against kiln by pointing its
// include path at include/kiln/compat (CMake: link kiln::nvinfer) and its link line at libkiln.
//
// What is here: ILogger, createInferBuilder, IBuilder, INetworkDefinition with the common add*
// calls, the layer interfaces they return, ITensor, Weights, Dims, IOptimizationProfile,
// IBuilderConfig, IHostMemory, createInferRuntime, IRuntime, ICudaEngine and IExecutionContext
// (setInputShape, setTensorAddress, enqueueV3, executeV2). NvOnnxParser.h has the ONNX parser.
// Enum values are TensorRT's. docs/tensorrt-cpp.md lists what is covered and what differs.
//
// As in TensorRT, calls report failures through the ILogger and return nullptr/false; objects
// are freed with `delete` (TensorRT 10) and layers/tensors belong to their network. Addresses are
// device addresses for GPU engines and host addresses for CPU engines (kiln's CPU backend, chosen
// when no GPU is usable or with the kiln extension IBuilderConfig::setDefaultDeviceType).
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "NvInferVersion.h"
#include "kiln/kiln.h"

// CUDA's handle types, declared the way cuda_runtime_api.h declares them (so either may come
// first): kiln needs no CUDA headers to compile a TensorRT program.
typedef struct CUstream_st* cudaStream_t;
typedef struct CUevent_st* cudaEvent_t;

namespace nvinfer1 {

enum class DataType : int32_t {
  kFLOAT = 0,
  kHALF = 1,
  kINT8 = 2,
  kINT32 = 3,
  kBOOL = 4,
  kUINT8 = 5,
  kFP8 = 6,
  kBF16 = 7,
  kINT64 = 8,
  kINT4 = 9,
  kFP4 = 10,
  kE8M0 = 11
};

class Dims64 {
 public:
  static constexpr int32_t MAX_DIMS = 8;
  int32_t nbDims = 0;
  int64_t d[MAX_DIMS] = {};
};
using Dims = Dims64;
using InterfaceInfo = int32_t;

class Dims2 : public Dims {
 public:
  Dims2() { nbDims = 2; }
  Dims2(int64_t d0, int64_t d1) {
    nbDims = 2;
    d[0] = d0;
    d[1] = d1;
  }
};
class DimsHW : public Dims2 {
 public:
  DimsHW() = default;
  DimsHW(int64_t height, int64_t width) : Dims2(height, width) {}
  int64_t& h() { return d[0]; }
  int64_t h() const { return d[0]; }
  int64_t& w() { return d[1]; }
  int64_t w() const { return d[1]; }
};
class Dims3 : public Dims {
 public:
  Dims3() { nbDims = 3; }
  Dims3(int64_t d0, int64_t d1, int64_t d2) {
    nbDims = 3;
    d[0] = d0;
    d[1] = d1;
    d[2] = d2;
  }
};
class Dims4 : public Dims {
 public:
  Dims4() { nbDims = 4; }
  Dims4(int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    nbDims = 4;
    d[0] = d0;
    d[1] = d1;
    d[2] = d2;
    d[3] = d3;
  }
};

struct Permutation {
  int32_t order[Dims::MAX_DIMS];
};

class Weights {
 public:
  DataType type;
  const void* values;
  int64_t count;
};

enum class TensorIOMode : int32_t { kNONE = 0, kINPUT = 1, kOUTPUT = 2 };
enum class TensorLocation : int32_t { kDEVICE = 0, kHOST = 1 };
// kCPU is a kiln extension: kiln's CPU backend (kDLA is not applicable).
enum class DeviceType : int32_t { kGPU = 0, kDLA = 1, kCPU = 1000 };

enum class LayerType : int32_t {
  kCONVOLUTION = 0,
  kCAST = 1,
  kACTIVATION = 2,
  kPOOLING = 3,
  kLRN = 4,
  kSCALE = 5,
  kSOFTMAX = 6,
  kDECONVOLUTION = 7,
  kCONCATENATION = 8,
  kELEMENTWISE = 9,
  kPLUGIN = 10,
  kUNARY = 11,
  kPADDING = 12,
  kSHUFFLE = 13,
  kREDUCE = 14,
  kTOPK = 15,
  kGATHER = 16,
  kMATRIX_MULTIPLY = 17,
  kRAGGED_SOFTMAX = 18,
  kCONSTANT = 19,
  kIDENTITY = 20,
  kPLUGIN_V2 = 21,
  kSLICE = 22,
  kSHAPE = 23,
  kPARAMETRIC_RELU = 24,
  kRESIZE = 25,
  kSELECT = 30,
  kFILL = 31,
  kSCATTER = 37,
  kONE_HOT = 40,
  kNORMALIZATION = 45,
  kPLUGIN_V3 = 46,
  kCUMULATIVE = 49
};

enum class ActivationType : int32_t {
  kRELU = 0,
  kSIGMOID = 1,
  kTANH = 2,
  kLEAKY_RELU = 3,
  kELU = 4,
  kSELU = 5,
  kSOFTSIGN = 6,
  kSOFTPLUS = 7,
  kCLIP = 8,
  kHARD_SIGMOID = 9,
  kSCALED_TANH = 10,
  kTHRESHOLDED_RELU = 11,
  kGELU_ERF = 12,
  kGELU_TANH = 13
};

// Same numbering in TensorRT and kiln.
using ElementWiseOperation = kiln::ElementWiseOperation;
using PoolingType = kiln::PoolingType;
using ReduceOperation = kiln::ReduceOperation;
using MatrixOperation = kiln::MatrixOperation;
using TopKOperation = kiln::TopKOperation;

enum class UnaryOperation : int32_t {
  kEXP = 0,
  kLOG = 1,
  kSQRT = 2,
  kRECIP = 3,
  kABS = 4,
  kNEG = 5,
  kSIN = 6,
  kCOS = 7,
  kTAN = 8,
  kSINH = 9,
  kCOSH = 10,
  kASIN = 11,
  kACOS = 12,
  kATAN = 13,
  kASINH = 14,
  kACOSH = 15,
  kATANH = 16,
  kCEIL = 17,
  kFLOOR = 18,
  kERF = 19,
  kNOT = 20,
  kSIGN = 21,
  kROUND = 22,
  kISINF = 23,
  kISNAN = 24
};

enum class BuilderFlag : int32_t {
  kFP16 = 0,
  kINT8 = 1,
  kDEBUG = 2,
  kGPU_FALLBACK = 3,
  kREFIT = 4,
  kDISABLE_TIMING_CACHE = 5,
  kTF32 = 6,
  kSPARSE_WEIGHTS = 7,
  kSAFETY_SCOPE = 8,
  kOBEY_PRECISION_CONSTRAINTS = 9,
  kPREFER_PRECISION_CONSTRAINTS = 10,
  kDIRECT_IO = 11,
  kREJECT_EMPTY_ALGORITHMS = 12,
  kVERSION_COMPATIBLE = 13,
  kEXCLUDE_LEAN_RUNTIME = 14,
  kFP8 = 15,
  kERROR_ON_TIMING_CACHE_MISS = 16,
  kBF16 = 17,
  kDISABLE_COMPILATION_CACHE = 18,
  kSTRIP_PLAN = 19,
  kREFIT_IDENTICAL = 20,
  kWEIGHT_STREAMING = 21,
  kINT4 = 22,
  kREFIT_INDIVIDUAL = 23,
  kSTRICT_NANS = 24,
  kMONITOR_MEMORY = 25,
  kFP4 = 26,
  kEDITABLE_TIMING_CACHE = 27
};

enum class MemoryPoolType : int32_t {
  kWORKSPACE = 0,
  kDLA_MANAGED_SRAM = 1,
  kDLA_LOCAL_DRAM = 2,
  kDLA_GLOBAL_DRAM = 3,
  kTACTIC_DRAM = 4,
  kTACTIC_SHARED_MEMORY = 5
};

enum class OptProfileSelector : int32_t { kMIN = 0, kOPT = 1, kMAX = 2 };

enum class NetworkDefinitionCreationFlag : int32_t { kEXPLICIT_BATCH = 0, kSTRONGLY_TYPED = 1 };
using NetworkDefinitionCreationFlags = uint32_t;
using BuilderFlags = uint32_t;

class ILogger {
 public:
  enum class Severity : int32_t {
    kINTERNAL_ERROR = 0,
    kERROR = 1,
    kWARNING = 2,
    kINFO = 3,
    kVERBOSE = 4
  };
  virtual void log(Severity severity, const char* msg) noexcept = 0;
  ILogger() = default;
  virtual ~ILogger() = default;
  ILogger(const ILogger&) = default;
  ILogger& operator=(const ILogger&) = default;
};

// kiln internals of the wrappers: conversions and the logger bridge. Not TensorRT API.
namespace kilncompat {

// Forwards kiln's messages to the application's ILogger (all severities: ILoggers filter).
class LoggerBridge : public kiln::Logger {
 public:
  explicit LoggerBridge(ILogger& logger)
      : kiln::Logger(kiln::Logger::Severity::kVERBOSE), logger_(&logger) {}
  void log(kiln::Logger::Severity severity, std::string_view message) override {
    std::string text(message);
    logger_->log(static_cast<ILogger::Severity>(severity), text.c_str());
  }
  // A failed call: "api: what went wrong" at kERROR.
  void fail(const char* api, const char* what) noexcept {
    try {
      std::string text = std::string(api) + ": " + what;
      logger_->log(ILogger::Severity::kERROR, text.c_str());
    } catch (...) {
    }
  }

 private:
  ILogger* logger_;
};

// Runs `call`; on an exception logs "api: message" and returns `fallback` (TensorRT reports
// failures through the logger, never by throwing).
template <typename R, typename F>
R guard(LoggerBridge* logger, const char* api, R fallback, F&& call) noexcept {
  try {
    return call();
  } catch (const std::exception& e) {
    if (logger != nullptr) logger->fail(api, e.what());
  } catch (...) {
    if (logger != nullptr) logger->fail(api, "unknown error");
  }
  return fallback;
}

template <typename F>
void guard_void(LoggerBridge* logger, const char* api, F&& call) noexcept {
  guard<bool>(logger, api, false, [&] {
    call();
    return true;
  });
}

inline kiln::Dims to_kiln(const Dims& dims) {
  if (dims.nbDims < 0 || dims.nbDims > Dims::MAX_DIMS) {
    throw kiln::Error("Dims.nbDims is " + std::to_string(dims.nbDims) + "; it must lie in 0..8");
  }
  kiln::Dims out;
  out.nb_dims = dims.nbDims;
  for (int32_t i = 0; i < dims.nbDims; ++i) out.d[i] = dims.d[i];
  return out;
}

inline Dims from_kiln(const kiln::Dims& dims) {
  Dims out;
  out.nbDims = dims.nb_dims;
  for (int32_t i = 0; i < dims.nb_dims && i < Dims::MAX_DIMS; ++i) out.d[i] = dims.d[i];
  return out;
}

inline kiln::DataType to_kiln(DataType type) {
  switch (type) {
    case DataType::kFLOAT:
      return kiln::DataType::kFLOAT;
    case DataType::kHALF:
      return kiln::DataType::kHALF;
    case DataType::kBF16:
      return kiln::DataType::kBF16;
    case DataType::kINT8:
      return kiln::DataType::kINT8;
    case DataType::kUINT8:
      return kiln::DataType::kUINT8;
    case DataType::kINT32:
      return kiln::DataType::kINT32;
    case DataType::kINT64:
      return kiln::DataType::kINT64;
    case DataType::kBOOL:
      return kiln::DataType::kBOOL;
    default:
      throw kiln::Error("DataType " + std::to_string(static_cast<int32_t>(type)) +
                        " (FP8, INT4, FP4, E8M0) is not supported by kiln");
  }
}

inline DataType from_kiln(kiln::DataType type) {
  switch (type) {
    case kiln::DataType::kFLOAT:
      return DataType::kFLOAT;
    case kiln::DataType::kHALF:
      return DataType::kHALF;
    case kiln::DataType::kBF16:
      return DataType::kBF16;
    case kiln::DataType::kINT8:
      return DataType::kINT8;
    case kiln::DataType::kUINT8:
      return DataType::kUINT8;
    case kiln::DataType::kINT32:
      return DataType::kINT32;
    case kiln::DataType::kINT64:
      return DataType::kINT64;
    case kiln::DataType::kBOOL:
      return DataType::kBOOL;
  }
  return DataType::kFLOAT;
}

inline kiln::Weights to_kiln(const Weights& w) {
  kiln::Weights out;
  out.type = to_kiln(w.type);
  out.values = w.values;
  out.count = w.count;
  return out;
}

inline kiln::ActivationType to_kiln(ActivationType type) {
  using A = ActivationType;
  using K = kiln::ActivationType;
  switch (type) {
    case A::kRELU:
      return K::kRELU;
    case A::kSIGMOID:
      return K::kSIGMOID;
    case A::kTANH:
      return K::kTANH;
    case A::kLEAKY_RELU:
      return K::kLEAKY_RELU;
    case A::kELU:
      return K::kELU;
    case A::kSELU:
      return K::kSELU;
    case A::kSOFTSIGN:
      return K::kSOFTSIGN;
    case A::kSOFTPLUS:
      return K::kSOFTPLUS;
    case A::kCLIP:
      return K::kCLIP;
    case A::kHARD_SIGMOID:
      return K::kHARD_SIGMOID;
    case A::kSCALED_TANH:
      return K::kSCALED_TANH;
    case A::kTHRESHOLDED_RELU:
      return K::kTHRESHOLDED_RELU;
    case A::kGELU_ERF:
      return K::kGELU_ERF;
    case A::kGELU_TANH:
      return K::kGELU_TANH;
  }
  throw kiln::Error("unknown ActivationType " + std::to_string(static_cast<int32_t>(type)));
}

inline ActivationType from_kiln(kiln::ActivationType type) {
  for (int32_t v = 0; v <= static_cast<int32_t>(ActivationType::kGELU_TANH); ++v) {
    if (to_kiln(static_cast<ActivationType>(v)) == type) return static_cast<ActivationType>(v);
  }
  return ActivationType::kRELU;  // kiln-only kinds (SILU, MISH) have no TensorRT value
}

inline kiln::UnaryOperation to_kiln(UnaryOperation op) {
  using U = UnaryOperation;
  using K = kiln::UnaryOperation;
  switch (op) {
    case U::kEXP:
      return K::kEXP;
    case U::kLOG:
      return K::kLOG;
    case U::kSQRT:
      return K::kSQRT;
    case U::kRECIP:
      return K::kRECIP;
    case U::kABS:
      return K::kABS;
    case U::kNEG:
      return K::kNEG;
    case U::kSIN:
      return K::kSIN;
    case U::kCOS:
      return K::kCOS;
    case U::kTAN:
      return K::kTAN;
    case U::kSINH:
      return K::kSINH;
    case U::kCOSH:
      return K::kCOSH;
    case U::kASIN:
      return K::kASIN;
    case U::kACOS:
      return K::kACOS;
    case U::kATAN:
      return K::kATAN;
    case U::kASINH:
      return K::kASINH;
    case U::kACOSH:
      return K::kACOSH;
    case U::kATANH:
      return K::kATANH;
    case U::kCEIL:
      return K::kCEIL;
    case U::kFLOOR:
      return K::kFLOOR;
    case U::kERF:
      return K::kERF;
    case U::kNOT:
      return K::kNOT;
    case U::kSIGN:
      return K::kSIGN;
    case U::kROUND:
      return K::kROUND;
    case U::kISINF:
      return K::kISINF;
    case U::kISNAN:
      return K::kISNAN;
  }
  throw kiln::Error("unknown UnaryOperation " + std::to_string(static_cast<int32_t>(op)));
}

inline LayerType from_kiln(kiln::LayerType type) {
  switch (type) {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) \
  case kiln::LayerType::k##UPPER:                     \
    return LayerType::k##UPPER;
#include "kiln/layer_list.def"
#undef KILN_LAYER
  }
  return LayerType::kPLUGIN_V3;
}

}  // namespace kilncompat
}  // namespace nvinfer1

#include "kiln/compat/nvinfer_network.h"
#include "kiln/compat/nvinfer_runtime.h"
