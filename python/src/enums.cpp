// TensorRT's enums with TensorRT's Python member names (DataType.FLOAT, ActivationType.RELU...).
// They are IntEnums, so `1 << int(TacticSource.CUBLAS)` works as in TensorRT.
#include "bindings.h"
#include "trt_enums.h"

namespace kiln::python {

void bind_enums(nb::module_& m) {
  nb::enum_<trt::DataType>(m, "DataType", nb::is_arithmetic(),
                           "Element types of tensors and weights (TensorRT values; kiln runs "
                           "FLOAT, HALF, BF16, INT8, UINT8, INT32, INT64, BOOL).")
      .value("FLOAT", trt::DataType::FLOAT)
      .value("HALF", trt::DataType::HALF)
      .value("INT8", trt::DataType::INT8)
      .value("INT32", trt::DataType::INT32)
      .value("BOOL", trt::DataType::BOOL)
      .value("UINT8", trt::DataType::UINT8)
      .value("FP8", trt::DataType::FP8)
      .value("BF16", trt::DataType::BF16)
      .value("INT64", trt::DataType::INT64)
      .value("INT4", trt::DataType::INT4)
      .value("FP4", trt::DataType::FP4)
      .value("E8M0", trt::DataType::E8M0);

  // Generated from TensorRT's list; kiln's layers are the ones of kiln/layer_list.def.
  nb::enum_<trt::LayerType>(m, "LayerType", nb::is_arithmetic(), "Layer kinds (TensorRT values).")
      .value("CONVOLUTION", trt::LayerType::CONVOLUTION)
      .value("CAST", trt::LayerType::CAST)
      .value("ACTIVATION", trt::LayerType::ACTIVATION)
      .value("POOLING", trt::LayerType::POOLING)
      .value("LRN", trt::LayerType::LRN)
      .value("SCALE", trt::LayerType::SCALE)
      .value("SOFTMAX", trt::LayerType::SOFTMAX)
      .value("DECONVOLUTION", trt::LayerType::DECONVOLUTION)
      .value("CONCATENATION", trt::LayerType::CONCATENATION)
      .value("ELEMENTWISE", trt::LayerType::ELEMENTWISE)
      .value("PLUGIN", trt::LayerType::PLUGIN)
      .value("UNARY", trt::LayerType::UNARY)
      .value("PADDING", trt::LayerType::PADDING)
      .value("SHUFFLE", trt::LayerType::SHUFFLE)
      .value("REDUCE", trt::LayerType::REDUCE)
      .value("TOPK", trt::LayerType::TOPK)
      .value("GATHER", trt::LayerType::GATHER)
      .value("MATRIX_MULTIPLY", trt::LayerType::MATRIX_MULTIPLY)
      .value("RAGGED_SOFTMAX", trt::LayerType::RAGGED_SOFTMAX)
      .value("CONSTANT", trt::LayerType::CONSTANT)
      .value("IDENTITY", trt::LayerType::IDENTITY)
      .value("PLUGIN_V2", trt::LayerType::PLUGIN_V2)
      .value("SLICE", trt::LayerType::SLICE)
      .value("SHAPE", trt::LayerType::SHAPE)
      .value("PARAMETRIC_RELU", trt::LayerType::PARAMETRIC_RELU)
      .value("RESIZE", trt::LayerType::RESIZE)
      .value("TRIP_LIMIT", trt::LayerType::TRIP_LIMIT)
      .value("RECURRENCE", trt::LayerType::RECURRENCE)
      .value("ITERATOR", trt::LayerType::ITERATOR)
      .value("LOOP_OUTPUT", trt::LayerType::LOOP_OUTPUT)
      .value("SELECT", trt::LayerType::SELECT)
      .value("FILL", trt::LayerType::FILL)
      .value("QUANTIZE", trt::LayerType::QUANTIZE)
      .value("DEQUANTIZE", trt::LayerType::DEQUANTIZE)
      .value("CONDITION", trt::LayerType::CONDITION)
      .value("CONDITIONAL_INPUT", trt::LayerType::CONDITIONAL_INPUT)
      .value("CONDITIONAL_OUTPUT", trt::LayerType::CONDITIONAL_OUTPUT)
      .value("SCATTER", trt::LayerType::SCATTER)
      .value("EINSUM", trt::LayerType::EINSUM)
      .value("ASSERTION", trt::LayerType::ASSERTION)
      .value("ONE_HOT", trt::LayerType::ONE_HOT)
      .value("NON_ZERO", trt::LayerType::NON_ZERO)
      .value("GRID_SAMPLE", trt::LayerType::GRID_SAMPLE)
      .value("NMS", trt::LayerType::NMS)
      .value("REVERSE_SEQUENCE", trt::LayerType::REVERSE_SEQUENCE)
      .value("NORMALIZATION", trt::LayerType::NORMALIZATION)
      .value("PLUGIN_V3", trt::LayerType::PLUGIN_V3)
      .value("SQUEEZE", trt::LayerType::SQUEEZE)
      .value("UNSQUEEZE", trt::LayerType::UNSQUEEZE)
      .value("CUMULATIVE", trt::LayerType::CUMULATIVE)
      .value("DYNAMIC_QUANTIZE", trt::LayerType::DYNAMIC_QUANTIZE);

  nb::enum_<trt::ActivationType>(
      m, "ActivationType", nb::is_arithmetic(),
      "Activation functions (TensorRT values; SILU and MISH are kiln extensions).")
      .value("RELU", trt::ActivationType::RELU)
      .value("SIGMOID", trt::ActivationType::SIGMOID)
      .value("TANH", trt::ActivationType::TANH)
      .value("LEAKY_RELU", trt::ActivationType::LEAKY_RELU)
      .value("ELU", trt::ActivationType::ELU)
      .value("SELU", trt::ActivationType::SELU)
      .value("SOFTSIGN", trt::ActivationType::SOFTSIGN)
      .value("SOFTPLUS", trt::ActivationType::SOFTPLUS)
      .value("CLIP", trt::ActivationType::CLIP)
      .value("HARD_SIGMOID", trt::ActivationType::HARD_SIGMOID)
      .value("SCALED_TANH", trt::ActivationType::SCALED_TANH)
      .value("THRESHOLDED_RELU", trt::ActivationType::THRESHOLDED_RELU)
      .value("GELU_ERF", trt::ActivationType::GELU_ERF)
      .value("GELU_TANH", trt::ActivationType::GELU_TANH)
      .value("SILU", trt::ActivationType::SILU)
      .value("MISH", trt::ActivationType::MISH);

  nb::enum_<ElementWiseOperation>(m, "ElementWiseOperation", nb::is_arithmetic())
      .value("SUM", ElementWiseOperation::kSUM)
      .value("PROD", ElementWiseOperation::kPROD)
      .value("MAX", ElementWiseOperation::kMAX)
      .value("MIN", ElementWiseOperation::kMIN)
      .value("SUB", ElementWiseOperation::kSUB)
      .value("DIV", ElementWiseOperation::kDIV)
      .value("POW", ElementWiseOperation::kPOW)
      .value("FLOOR_DIV", ElementWiseOperation::kFLOOR_DIV)
      .value("AND", ElementWiseOperation::kAND)
      .value("OR", ElementWiseOperation::kOR)
      .value("XOR", ElementWiseOperation::kXOR)
      .value("EQUAL", ElementWiseOperation::kEQUAL)
      .value("GREATER", ElementWiseOperation::kGREATER)
      .value("LESS", ElementWiseOperation::kLESS);

  nb::enum_<trt::UnaryOperation>(m, "UnaryOperation", nb::is_arithmetic(),
                                 "Unary operations (TensorRT values).")
      .value("EXP", trt::UnaryOperation::EXP)
      .value("LOG", trt::UnaryOperation::LOG)
      .value("SQRT", trt::UnaryOperation::SQRT)
      .value("RECIP", trt::UnaryOperation::RECIP)
      .value("ABS", trt::UnaryOperation::ABS)
      .value("NEG", trt::UnaryOperation::NEG)
      .value("SIN", trt::UnaryOperation::SIN)
      .value("COS", trt::UnaryOperation::COS)
      .value("TAN", trt::UnaryOperation::TAN)
      .value("SINH", trt::UnaryOperation::SINH)
      .value("COSH", trt::UnaryOperation::COSH)
      .value("ASIN", trt::UnaryOperation::ASIN)
      .value("ACOS", trt::UnaryOperation::ACOS)
      .value("ATAN", trt::UnaryOperation::ATAN)
      .value("ASINH", trt::UnaryOperation::ASINH)
      .value("ACOSH", trt::UnaryOperation::ACOSH)
      .value("ATANH", trt::UnaryOperation::ATANH)
      .value("CEIL", trt::UnaryOperation::CEIL)
      .value("FLOOR", trt::UnaryOperation::FLOOR)
      .value("ERF", trt::UnaryOperation::ERF)
      .value("NOT", trt::UnaryOperation::NOT)
      .value("SIGN", trt::UnaryOperation::SIGN)
      .value("ROUND", trt::UnaryOperation::ROUND)
      .value("ISINF", trt::UnaryOperation::ISINF)
      .value("ISNAN", trt::UnaryOperation::ISNAN);

  nb::enum_<trt::PoolingType>(m, "PoolingType", nb::is_arithmetic(),
                              "Pooling kinds (TensorRT values; kiln runs MAX and AVERAGE).")
      .value("MAX", trt::PoolingType::MAX)
      .value("AVERAGE", trt::PoolingType::AVERAGE)
      .value("MAX_AVERAGE_BLEND", trt::PoolingType::MAX_AVERAGE_BLEND);

  nb::enum_<ReduceOperation>(m, "ReduceOperation", nb::is_arithmetic())
      .value("SUM", ReduceOperation::kSUM)
      .value("PROD", ReduceOperation::kPROD)
      .value("MAX", ReduceOperation::kMAX)
      .value("MIN", ReduceOperation::kMIN)
      .value("AVG", ReduceOperation::kAVG);

  nb::enum_<TopKOperation>(m, "TopKOperation", nb::is_arithmetic())
      .value("MAX", TopKOperation::kMAX)
      .value("MIN", TopKOperation::kMIN);

  nb::enum_<MatrixOperation>(m, "MatrixOperation", nb::is_arithmetic())
      .value("NONE", MatrixOperation::kNONE)
      .value("TRANSPOSE", MatrixOperation::kTRANSPOSE)
      .value("VECTOR", MatrixOperation::kVECTOR);

  nb::enum_<TensorIOMode>(m, "TensorIOMode", nb::is_arithmetic())
      .value("NONE", TensorIOMode::kNONE)
      .value("INPUT", TensorIOMode::kINPUT)
      .value("OUTPUT", TensorIOMode::kOUTPUT);

  nb::enum_<trt::DeviceType>(
      m, "DeviceType", nb::is_arithmetic(),
      "Where an engine runs: GPU (the default; falls back to CPU with a warning when no GPU is "
      "usable) or CPU (kiln's CPU backend, a kiln extension). DLA is not applicable to kiln.")
      .value("GPU", trt::DeviceType::GPU)
      .value("DLA", trt::DeviceType::DLA)
      .value("CPU", trt::DeviceType::CPU);

  // Every TensorRT flag; IBuilderConfig.set_flag warns about the ones kiln does not implement.
  nb::enum_<trt::BuilderFlag>(
      m, "BuilderFlag", nb::is_arithmetic(),
      "Builder options (TensorRT values). kiln implements FP16, BF16, TF32, REFIT, DEBUG, "
      "VERSION_COMPATIBLE, DISABLE_TIMING_CACHE; the others are accepted with a warning.")
      .value("FP16", trt::BuilderFlag::FP16)
      .value("INT8", trt::BuilderFlag::INT8)
      .value("DEBUG", trt::BuilderFlag::DEBUG)
      .value("GPU_FALLBACK", trt::BuilderFlag::GPU_FALLBACK)
      .value("REFIT", trt::BuilderFlag::REFIT)
      .value("DISABLE_TIMING_CACHE", trt::BuilderFlag::DISABLE_TIMING_CACHE)
      .value("TF32", trt::BuilderFlag::TF32)
      .value("SPARSE_WEIGHTS", trt::BuilderFlag::SPARSE_WEIGHTS)
      .value("SAFETY_SCOPE", trt::BuilderFlag::SAFETY_SCOPE)
      .value("OBEY_PRECISION_CONSTRAINTS", trt::BuilderFlag::OBEY_PRECISION_CONSTRAINTS)
      .value("PREFER_PRECISION_CONSTRAINTS", trt::BuilderFlag::PREFER_PRECISION_CONSTRAINTS)
      .value("DIRECT_IO", trt::BuilderFlag::DIRECT_IO)
      .value("REJECT_EMPTY_ALGORITHMS", trt::BuilderFlag::REJECT_EMPTY_ALGORITHMS)
      .value("VERSION_COMPATIBLE", trt::BuilderFlag::VERSION_COMPATIBLE)
      .value("EXCLUDE_LEAN_RUNTIME", trt::BuilderFlag::EXCLUDE_LEAN_RUNTIME)
      .value("FP8", trt::BuilderFlag::FP8)
      .value("ERROR_ON_TIMING_CACHE_MISS", trt::BuilderFlag::ERROR_ON_TIMING_CACHE_MISS)
      .value("BF16", trt::BuilderFlag::BF16)
      .value("DISABLE_COMPILATION_CACHE", trt::BuilderFlag::DISABLE_COMPILATION_CACHE)
      .value("STRIP_PLAN", trt::BuilderFlag::STRIP_PLAN)
      .value("REFIT_IDENTICAL", trt::BuilderFlag::REFIT_IDENTICAL)
      .value("WEIGHT_STREAMING", trt::BuilderFlag::WEIGHT_STREAMING)
      .value("INT4", trt::BuilderFlag::INT4)
      .value("REFIT_INDIVIDUAL", trt::BuilderFlag::REFIT_INDIVIDUAL)
      .value("STRICT_NANS", trt::BuilderFlag::STRICT_NANS)
      .value("MONITOR_MEMORY", trt::BuilderFlag::MONITOR_MEMORY)
      .value("FP4", trt::BuilderFlag::FP4)
      .value("EDITABLE_TIMING_CACHE", trt::BuilderFlag::EDITABLE_TIMING_CACHE)
      .value("DISTRIBUTIVE_INDEPENDENCE", trt::BuilderFlag::DISTRIBUTIVE_INDEPENDENCE);

  nb::enum_<trt::MemoryPoolType>(
      m, "MemoryPoolType", nb::is_arithmetic(),
      "Memory pools; kiln has WORKSPACE (the DLA and tactic pools are not applicable).")
      .value("WORKSPACE", trt::MemoryPoolType::WORKSPACE)
      .value("DLA_MANAGED_SRAM", trt::MemoryPoolType::DLA_MANAGED_SRAM)
      .value("DLA_LOCAL_DRAM", trt::MemoryPoolType::DLA_LOCAL_DRAM)
      .value("DLA_GLOBAL_DRAM", trt::MemoryPoolType::DLA_GLOBAL_DRAM)
      .value("TACTIC_DRAM", trt::MemoryPoolType::TACTIC_DRAM)
      .value("TACTIC_SHARED_MEMORY", trt::MemoryPoolType::TACTIC_SHARED_MEMORY);

  nb::enum_<trt::HardwareCompatibilityLevel>(
      m, "HardwareCompatibilityLevel", nb::is_arithmetic(),
      "Which GPUs a GPU plan may run on: NONE and SAME_COMPUTE_CAPABILITY (kiln treats them alike: "
      "the build device's compute capability) or AMPERE_PLUS.")
      .value("NONE", trt::HardwareCompatibilityLevel::NONE)
      .value("AMPERE_PLUS", trt::HardwareCompatibilityLevel::AMPERE_PLUS)
      .value("SAME_COMPUTE_CAPABILITY", trt::HardwareCompatibilityLevel::SAME_COMPUTE_CAPABILITY);

  nb::enum_<trt::TacticSource>(
      m, "TacticSource", nb::is_arithmetic(),
      "Tactic libraries (TensorRT values; KILN, kiln's own kernels, is bit 31).")
      .value("CUBLAS", trt::TacticSource::CUBLAS)
      .value("CUBLAS_LT", trt::TacticSource::CUBLAS_LT)
      .value("CUDNN", trt::TacticSource::CUDNN)
      .value("EDGE_MASK_CONVOLUTIONS", trt::TacticSource::EDGE_MASK_CONVOLUTIONS)
      .value("JIT_CONVOLUTIONS", trt::TacticSource::JIT_CONVOLUTIONS)
      .value("ONEDNN", trt::TacticSource::ONEDNN)
      .value("KILN", trt::TacticSource::KILN);
}

}  // namespace kiln::python
