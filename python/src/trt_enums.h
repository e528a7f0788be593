// TensorRT's Python enums with TensorRT's integer values. kiln's C++ enums number their members
// in kiln's own order (plans store those numbers, so they cannot change); Python scripts store and
// compare TensorRT's numbers. The Python enums are therefore bound from the mirror types below,
// and a type caster converts at every binding boundary: a binding that takes or returns a
// kiln::DataType sees a kiln.DataType whose int() is TensorRT's.
//
// Members TensorRT has and kiln cannot run (DataType.FP8, LayerType.EINSUM, ...) are listed so
// scripts can name them; passing one where kiln needs its own enum fails the call's argument
// conversion (a TypeError naming the call). kiln-only members get values from
// 1000 up (TacticSource.KILN is bit 31), so they never collide with a TensorRT value.
#pragma once

#include <nanobind/nanobind.h>

#include <cstdint>
#include <utility>

#include "kiln/kiln.h"

namespace kiln::python::trt {

enum class DataType : int32_t {
  FLOAT = 0,
  HALF = 1,
  INT8 = 2,
  INT32 = 3,
  BOOL = 4,
  UINT8 = 5,
  FP8 = 6,
  BF16 = 7,
  INT64 = 8,
  INT4 = 9,
  FP4 = 10,
  E8M0 = 11
};

enum class LayerType : int32_t {
  CONVOLUTION = 0,
  CAST = 1,
  ACTIVATION = 2,
  POOLING = 3,
  LRN = 4,
  SCALE = 5,
  SOFTMAX = 6,
  DECONVOLUTION = 7,
  CONCATENATION = 8,
  ELEMENTWISE = 9,
  PLUGIN = 10,
  UNARY = 11,
  PADDING = 12,
  SHUFFLE = 13,
  REDUCE = 14,
  TOPK = 15,
  GATHER = 16,
  MATRIX_MULTIPLY = 17,
  RAGGED_SOFTMAX = 18,
  CONSTANT = 19,
  IDENTITY = 20,
  PLUGIN_V2 = 21,
  SLICE = 22,
  SHAPE = 23,
  PARAMETRIC_RELU = 24,
  RESIZE = 25,
  TRIP_LIMIT = 26,
  RECURRENCE = 27,
  ITERATOR = 28,
  LOOP_OUTPUT = 29,
  SELECT = 30,
  FILL = 31,
  QUANTIZE = 32,
  DEQUANTIZE = 33,
  CONDITION = 34,
  CONDITIONAL_INPUT = 35,
  CONDITIONAL_OUTPUT = 36,
  SCATTER = 37,
  EINSUM = 38,
  ASSERTION = 39,
  ONE_HOT = 40,
  NON_ZERO = 41,
  GRID_SAMPLE = 42,
  NMS = 43,
  REVERSE_SEQUENCE = 44,
  NORMALIZATION = 45,
  PLUGIN_V3 = 46,
  SQUEEZE = 47,
  UNSQUEEZE = 48,
  CUMULATIVE = 49,
  DYNAMIC_QUANTIZE = 50
};

enum class ActivationType : int32_t {
  RELU = 0,
  SIGMOID = 1,
  TANH = 2,
  LEAKY_RELU = 3,
  ELU = 4,
  SELU = 5,
  SOFTSIGN = 6,
  SOFTPLUS = 7,
  CLIP = 8,
  HARD_SIGMOID = 9,
  SCALED_TANH = 10,
  THRESHOLDED_RELU = 11,
  GELU_ERF = 12,
  GELU_TANH = 13,
  SILU = 1000,
  MISH = 1001  // kiln
};

enum class UnaryOperation : int32_t {
  EXP = 0,
  LOG = 1,
  SQRT = 2,
  RECIP = 3,
  ABS = 4,
  NEG = 5,
  SIN = 6,
  COS = 7,
  TAN = 8,
  SINH = 9,
  COSH = 10,
  ASIN = 11,
  ACOS = 12,
  ATAN = 13,
  ASINH = 14,
  ACOSH = 15,
  ATANH = 16,
  CEIL = 17,
  FLOOR = 18,
  ERF = 19,
  NOT = 20,
  SIGN = 21,
  ROUND = 22,
  ISINF = 23,
  ISNAN = 24
};

enum class BuilderFlag : int32_t {
  FP16 = 0,
  INT8 = 1,
  DEBUG = 2,
  GPU_FALLBACK = 3,
  REFIT = 4,
  DISABLE_TIMING_CACHE = 5,
  TF32 = 6,
  SPARSE_WEIGHTS = 7,
  SAFETY_SCOPE = 8,
  OBEY_PRECISION_CONSTRAINTS = 9,
  PREFER_PRECISION_CONSTRAINTS = 10,
  DIRECT_IO = 11,
  REJECT_EMPTY_ALGORITHMS = 12,
  VERSION_COMPATIBLE = 13,
  EXCLUDE_LEAN_RUNTIME = 14,
  FP8 = 15,
  ERROR_ON_TIMING_CACHE_MISS = 16,
  BF16 = 17,
  DISABLE_COMPILATION_CACHE = 18,
  STRIP_PLAN = 19,
  REFIT_IDENTICAL = 20,
  WEIGHT_STREAMING = 21,
  INT4 = 22,
  REFIT_INDIVIDUAL = 23,
  STRICT_NANS = 24,
  MONITOR_MEMORY = 25,
  FP4 = 26,
  EDITABLE_TIMING_CACHE = 27,
  DISTRIBUTIVE_INDEPENDENCE = 28
};
constexpr int32_t kNumBuilderFlags = 29;

enum class TacticSource : int32_t {
  CUBLAS = 0,
  CUBLAS_LT = 1,
  CUDNN = 2,
  EDGE_MASK_CONVOLUTIONS = 3,
  JIT_CONVOLUTIONS = 4,
  ONEDNN = 30,  // oneDNN's CPU primitives (kiln's CPU engines)
  KILN = 31     // kiln's own kernels; a bit of the tactic-source mask like the others
};

enum class HardwareCompatibilityLevel : int32_t {
  NONE = 0,
  AMPERE_PLUS = 1,
  SAME_COMPUTE_CAPABILITY = 2
};

enum class DeviceType : int32_t { GPU = 0, DLA = 1, CPU = 1000 /* kiln */ };

enum class MemoryPoolType : int32_t {
  WORKSPACE = 0,
  DLA_MANAGED_SRAM = 1,
  DLA_LOCAL_DRAM = 2,
  DLA_GLOBAL_DRAM = 3,
  TACTIC_DRAM = 4,
  TACTIC_SHARED_MEMORY = 5
};

enum class ErrorCode : int32_t {
  SUCCESS = 0,
  INTERNAL_ERROR = 1,
  MEM_ALLOC_FAILED = 2,
  MODEL_DESERIALIZE_FAILED = 3,
  INVALID_VALUE = 4,
  INVALID_GRAPH = 5,
  INVALID_NODE = 6,
  UNSUPPORTED_GRAPH = 7,
  UNSUPPORTED_NODE = 8,
  UNSUPPORTED_NODE_ATTR = 9,
  UNSUPPORTED_NODE_INPUT = 10,
  UNSUPPORTED_NODE_DATATYPE = 11,
  UNSUPPORTED_NODE_DYNAMIC = 12,
  UNSUPPORTED_NODE_SHAPE = 13,
  REFIT_FAILED = 14
};

enum class PoolingType : int32_t { MAX = 0, AVERAGE = 1, MAX_AVERAGE_BLEND = 2 };

// kiln value <-> TensorRT value, one row per kiln member (the first row of a kiln value is the one
// Python sees). Specialised for each remapped enum in trt_enums.cpp's table functions.
template <typename K>
struct EnumMap;

#define KILN_ENUM_MAP(KILN_TYPE, TRT_TYPE)                               \
  template <>                                                            \
  struct EnumMap<KILN_TYPE> {                                            \
    using Py = TRT_TYPE;                                                 \
    static std::pair<const std::pair<KILN_TYPE, TRT_TYPE>*, int> rows(); \
  };
KILN_ENUM_MAP(kiln::DataType, DataType)
KILN_ENUM_MAP(kiln::LayerType, LayerType)
KILN_ENUM_MAP(kiln::ActivationType, ActivationType)
KILN_ENUM_MAP(kiln::UnaryOperation, UnaryOperation)
KILN_ENUM_MAP(kiln::TacticSource, TacticSource)
KILN_ENUM_MAP(kiln::HardwareCompatibilityLevel, HardwareCompatibilityLevel)
KILN_ENUM_MAP(kiln::DeviceType, DeviceType)
KILN_ENUM_MAP(kiln::MemoryPoolType, MemoryPoolType)
KILN_ENUM_MAP(kiln::ParserErrorCode, ErrorCode)
KILN_ENUM_MAP(kiln::PoolingType, PoolingType)
#undef KILN_ENUM_MAP

// False when TensorRT's member has no kiln counterpart.
template <typename K>
bool to_kiln(typename EnumMap<K>::Py value, K& out) {
  auto [rows, n] = EnumMap<K>::rows();
  for (int i = 0; i < n; ++i) {
    if (rows[i].second == value) {
      out = rows[i].first;
      return true;
    }
  }
  return false;
}

template <typename K>
typename EnumMap<K>::Py to_trt(K value) {
  auto [rows, n] = EnumMap<K>::rows();
  for (int i = 0; i < n; ++i) {
    if (rows[i].first == value) return rows[i].second;
  }
  return static_cast<typename EnumMap<K>::Py>(-1);  // not reached: every kiln member has a row
}

// BuilderFlag: kiln's flag for TensorRT's, false when kiln has none.
bool to_kiln_flag(BuilderFlag flag, kiln::BuilderFlag& out);

}  // namespace kiln::python::trt

namespace nanobind::detail {

template <typename K>
struct trt_enum_caster {
  using Py = typename kiln::python::trt::EnumMap<K>::Py;
  using Inner = make_caster<Py>;
  NB_TYPE_CASTER(K, Inner::Name)

  template <typename Flags>
  bool from_python(handle src, Flags flags, cleanup_list* cleanup) noexcept {
    Inner inner;
    if (!inner.from_python(src, flags, cleanup)) return false;
    return kiln::python::trt::to_kiln<K>(inner.value, value);
  }
  static handle from_cpp(K v, rv_policy policy, cleanup_list* cleanup) noexcept {
    return Inner::from_cpp(kiln::python::trt::to_trt(v), policy, cleanup);
  }
};

#define KILN_TRT_CASTER(KILN_TYPE) \
  template <>                      \
  struct type_caster<KILN_TYPE> : trt_enum_caster<KILN_TYPE> {};
KILN_TRT_CASTER(kiln::DataType)
KILN_TRT_CASTER(kiln::LayerType)
KILN_TRT_CASTER(kiln::ActivationType)
KILN_TRT_CASTER(kiln::UnaryOperation)
KILN_TRT_CASTER(kiln::TacticSource)
KILN_TRT_CASTER(kiln::HardwareCompatibilityLevel)
KILN_TRT_CASTER(kiln::DeviceType)
KILN_TRT_CASTER(kiln::MemoryPoolType)
KILN_TRT_CASTER(kiln::ParserErrorCode)
KILN_TRT_CASTER(kiln::PoolingType)
#undef KILN_TRT_CASTER

}  // namespace nanobind::detail
