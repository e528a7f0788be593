// TensorRT's enums with TensorRT's Python member names (DataType.FLOAT, ActivationType.RELU...).
// They are IntEnums, so `1 << int(TacticSource.CUBLAS)` works as in TensorRT.
#include "bindings.h"

namespace kiln::python {

void bind_enums(nb::module_& m) {
  nb::enum_<DataType>(m, "DataType", nb::is_arithmetic(), "Element types of tensors and weights.")
      .value("FLOAT", DataType::kFLOAT)
      .value("HALF", DataType::kHALF)
      .value("BF16", DataType::kBF16)
      .value("INT8", DataType::kINT8)
      .value("UINT8", DataType::kUINT8)
      .value("INT32", DataType::kINT32)
      .value("INT64", DataType::kINT64)
      .value("BOOL", DataType::kBOOL);

  // Generated from the one op list, so new layers appear here without an edit.
  auto layer_type = nb::enum_<LayerType>(m, "LayerType", nb::is_arithmetic(), "Layer kinds.");
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) layer_type.value(#UPPER, LayerType::k##UPPER);
#include "kiln/layer_list.def"
#undef KILN_LAYER

  nb::enum_<ActivationType>(m, "ActivationType", nb::is_arithmetic())
      .value("RELU", ActivationType::kRELU)
      .value("SIGMOID", ActivationType::kSIGMOID)
      .value("TANH", ActivationType::kTANH)
      .value("LEAKY_RELU", ActivationType::kLEAKY_RELU)
      .value("ELU", ActivationType::kELU)
      .value("SELU", ActivationType::kSELU)
      .value("SOFTPLUS", ActivationType::kSOFTPLUS)
      .value("CLIP", ActivationType::kCLIP)
      .value("HARD_SIGMOID", ActivationType::kHARD_SIGMOID)
      .value("GELU_ERF", ActivationType::kGELU_ERF)
      .value("GELU_TANH", ActivationType::kGELU_TANH)
      .value("SILU", ActivationType::kSILU)
      .value("THRESHOLDED_RELU", ActivationType::kTHRESHOLDED_RELU)
      .value("SOFTSIGN", ActivationType::kSOFTSIGN)
      .value("SCALED_TANH", ActivationType::kSCALED_TANH)
      .value("MISH", ActivationType::kMISH);

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

  nb::enum_<UnaryOperation>(m, "UnaryOperation", nb::is_arithmetic())
      .value("EXP", UnaryOperation::kEXP)
      .value("LOG", UnaryOperation::kLOG)
      .value("SQRT", UnaryOperation::kSQRT)
      .value("RECIP", UnaryOperation::kRECIP)
      .value("ABS", UnaryOperation::kABS)
      .value("NEG", UnaryOperation::kNEG)
      .value("SIN", UnaryOperation::kSIN)
      .value("COS", UnaryOperation::kCOS)
      .value("TAN", UnaryOperation::kTAN)
      .value("ERF", UnaryOperation::kERF)
      .value("FLOOR", UnaryOperation::kFLOOR)
      .value("CEIL", UnaryOperation::kCEIL)
      .value("ROUND", UnaryOperation::kROUND)
      .value("NOT", UnaryOperation::kNOT)
      .value("SIGN", UnaryOperation::kSIGN)
      .value("SINH", UnaryOperation::kSINH)
      .value("COSH", UnaryOperation::kCOSH)
      .value("ASIN", UnaryOperation::kASIN)
      .value("ACOS", UnaryOperation::kACOS)
      .value("ATAN", UnaryOperation::kATAN)
      .value("ASINH", UnaryOperation::kASINH)
      .value("ACOSH", UnaryOperation::kACOSH)
      .value("ATANH", UnaryOperation::kATANH)
      .value("ISINF", UnaryOperation::kISINF)
      .value("ISNAN", UnaryOperation::kISNAN);

  nb::enum_<PoolingType>(m, "PoolingType", nb::is_arithmetic())
      .value("MAX", PoolingType::kMAX)
      .value("AVERAGE", PoolingType::kAVERAGE);

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

  nb::enum_<DeviceType>(m, "DeviceType", nb::is_arithmetic(),
                        "Where an engine runs: GPU (the default; falls back to CPU with a warning "
                        "when no GPU is usable) or CPU (kiln's CPU backend).")
      .value("GPU", DeviceType::kGPU)
      .value("CPU", DeviceType::kCPU);

  nb::enum_<BuilderFlag>(m, "BuilderFlag", nb::is_arithmetic())
      .value("FP16", BuilderFlag::kFP16)
      .value("BF16", BuilderFlag::kBF16)
      .value("TF32", BuilderFlag::kTF32)
      .value("REFIT", BuilderFlag::kREFIT)
      .value("DEBUG", BuilderFlag::kDEBUG)
      .value("VERSION_COMPATIBLE", BuilderFlag::kVERSION_COMPATIBLE)
      .value("DISABLE_TIMING_CACHE", BuilderFlag::kDISABLE_TIMING_CACHE);

  nb::enum_<MemoryPoolType>(m, "MemoryPoolType", nb::is_arithmetic())
      .value("WORKSPACE", MemoryPoolType::kWORKSPACE);

  // kNONE is the same value as kSAME_COMPUTE_CAPABILITY; Python gets it as an alias in
  // kiln/__init__.py (an enum binding takes each value once).
  nb::enum_<HardwareCompatibilityLevel>(m, "HardwareCompatibilityLevel", nb::is_arithmetic())
      .value("SAME_COMPUTE_CAPABILITY", HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY)
      .value("AMPERE_PLUS", HardwareCompatibilityLevel::kAMPERE_PLUS);

  nb::enum_<TacticSource>(m, "TacticSource", nb::is_arithmetic())
      .value("CUBLAS", TacticSource::kCUBLAS)
      .value("CUBLAS_LT", TacticSource::kCUBLAS_LT)
      .value("CUDNN", TacticSource::kCUDNN)
      .value("KILN", TacticSource::kKILN);
}

}  // namespace kiln::python
