// The kiln <-> TensorRT value tables of trt_enums.h.
#include "trt_enums.h"

#include <iterator>

namespace kiln::python::trt {

namespace {

template <typename K, typename P, size_t N>
std::pair<const std::pair<K, P>*, int> rows_of(const std::pair<K, P> (&table)[N]) {
  return {table, static_cast<int>(N)};
}

}  // namespace

std::pair<const std::pair<kiln::DataType, DataType>*, int> EnumMap<kiln::DataType>::rows() {
  using K = kiln::DataType;
  static const std::pair<K, DataType> table[] = {
      {K::kFLOAT, DataType::FLOAT}, {K::kHALF, DataType::HALF},   {K::kBF16, DataType::BF16},
      {K::kINT8, DataType::INT8},   {K::kUINT8, DataType::UINT8}, {K::kINT32, DataType::INT32},
      {K::kINT64, DataType::INT64}, {K::kBOOL, DataType::BOOL}};
  return rows_of(table);
}

std::pair<const std::pair<kiln::LayerType, LayerType>*, int> EnumMap<kiln::LayerType>::rows() {
  // Every kiln layer kind has TensorRT's name, so the one op list generates the table.
  static const std::pair<kiln::LayerType, LayerType> table[] = {
#define KILN_LAYER(UPPER, Pascal, snake, num_outputs) {kiln::LayerType::k##UPPER, LayerType::UPPER},
#include "kiln/layer_list.def"
#undef KILN_LAYER
  };
  return rows_of(table);
}

std::pair<const std::pair<kiln::ActivationType, ActivationType>*, int>
EnumMap<kiln::ActivationType>::rows() {
  using K = kiln::ActivationType;
  using A = ActivationType;
  static const std::pair<K, A> table[] = {{K::kRELU, A::RELU},
                                          {K::kSIGMOID, A::SIGMOID},
                                          {K::kTANH, A::TANH},
                                          {K::kLEAKY_RELU, A::LEAKY_RELU},
                                          {K::kELU, A::ELU},
                                          {K::kSELU, A::SELU},
                                          {K::kSOFTPLUS, A::SOFTPLUS},
                                          {K::kCLIP, A::CLIP},
                                          {K::kHARD_SIGMOID, A::HARD_SIGMOID},
                                          {K::kGELU_ERF, A::GELU_ERF},
                                          {K::kGELU_TANH, A::GELU_TANH},
                                          {K::kSILU, A::SILU},
                                          {K::kTHRESHOLDED_RELU, A::THRESHOLDED_RELU},
                                          {K::kSOFTSIGN, A::SOFTSIGN},
                                          {K::kSCALED_TANH, A::SCALED_TANH},
                                          {K::kMISH, A::MISH}};
  return rows_of(table);
}

std::pair<const std::pair<kiln::UnaryOperation, UnaryOperation>*, int>
EnumMap<kiln::UnaryOperation>::rows() {
  using K = kiln::UnaryOperation;
  using U = UnaryOperation;
  static const std::pair<K, U> table[] = {
      {K::kEXP, U::EXP},     {K::kLOG, U::LOG},     {K::kSQRT, U::SQRT},   {K::kRECIP, U::RECIP},
      {K::kABS, U::ABS},     {K::kNEG, U::NEG},     {K::kSIN, U::SIN},     {K::kCOS, U::COS},
      {K::kTAN, U::TAN},     {K::kERF, U::ERF},     {K::kFLOOR, U::FLOOR}, {K::kCEIL, U::CEIL},
      {K::kROUND, U::ROUND}, {K::kNOT, U::NOT},     {K::kSIGN, U::SIGN},   {K::kSINH, U::SINH},
      {K::kCOSH, U::COSH},   {K::kASIN, U::ASIN},   {K::kACOS, U::ACOS},   {K::kATAN, U::ATAN},
      {K::kASINH, U::ASINH}, {K::kACOSH, U::ACOSH}, {K::kATANH, U::ATANH}, {K::kISINF, U::ISINF},
      {K::kISNAN, U::ISNAN}};
  return rows_of(table);
}

std::pair<const std::pair<kiln::TacticSource, TacticSource>*, int>
EnumMap<kiln::TacticSource>::rows() {
  using K = kiln::TacticSource;
  static const std::pair<K, TacticSource> table[] = {{K::kCUBLAS, TacticSource::CUBLAS},
                                                     {K::kCUBLAS_LT, TacticSource::CUBLAS_LT},
                                                     {K::kCUDNN, TacticSource::CUDNN},
                                                     {K::kKILN, TacticSource::KILN},
                                                     {K::kONEDNN, TacticSource::ONEDNN}};
  return rows_of(table);
}

std::pair<const std::pair<kiln::HardwareCompatibilityLevel, HardwareCompatibilityLevel>*, int>
EnumMap<kiln::HardwareCompatibilityLevel>::rows() {
  using K = kiln::HardwareCompatibilityLevel;
  using H = HardwareCompatibilityLevel;
  // kiln's default accepts only GPUs of the build device's compute capability: TensorRT's NONE
  // and SAME_COMPUTE_CAPABILITY both name it (NONE first: that is what Python reads back).
  static const std::pair<K, H> table[] = {{K::kSAME_COMPUTE_CAPABILITY, H::NONE},
                                          {K::kSAME_COMPUTE_CAPABILITY, H::SAME_COMPUTE_CAPABILITY},
                                          {K::kAMPERE_PLUS, H::AMPERE_PLUS}};
  return rows_of(table);
}

std::pair<const std::pair<kiln::DeviceType, DeviceType>*, int> EnumMap<kiln::DeviceType>::rows() {
  static const std::pair<kiln::DeviceType, DeviceType> table[] = {
      {kiln::DeviceType::kGPU, DeviceType::GPU}, {kiln::DeviceType::kCPU, DeviceType::CPU}};
  return rows_of(table);
}

std::pair<const std::pair<kiln::MemoryPoolType, MemoryPoolType>*, int>
EnumMap<kiln::MemoryPoolType>::rows() {
  static const std::pair<kiln::MemoryPoolType, MemoryPoolType> table[] = {
      {kiln::MemoryPoolType::kWORKSPACE, MemoryPoolType::WORKSPACE}};
  return rows_of(table);
}

std::pair<const std::pair<kiln::ParserErrorCode, ErrorCode>*, int>
EnumMap<kiln::ParserErrorCode>::rows() {
  using K = kiln::ParserErrorCode;
  using E = ErrorCode;
  static const std::pair<K, E> table[] = {
      {K::kSUCCESS, E::SUCCESS},
      {K::kINTERNAL_ERROR, E::INTERNAL_ERROR},
      {K::kINVALID_VALUE, E::INVALID_VALUE},
      {K::kINVALID_GRAPH, E::INVALID_GRAPH},
      {K::kINVALID_NODE, E::INVALID_NODE},
      {K::kUNSUPPORTED_GRAPH, E::UNSUPPORTED_GRAPH},
      {K::kUNSUPPORTED_NODE, E::UNSUPPORTED_NODE},
      {K::kMODEL_DESERIALIZE_FAILED, E::MODEL_DESERIALIZE_FAILED}};
  return rows_of(table);
}

std::pair<const std::pair<kiln::PoolingType, PoolingType>*, int>
EnumMap<kiln::PoolingType>::rows() {
  static const std::pair<kiln::PoolingType, PoolingType> table[] = {
      {kiln::PoolingType::kMAX, PoolingType::MAX},
      {kiln::PoolingType::kAVERAGE, PoolingType::AVERAGE}};
  return rows_of(table);
}

bool to_kiln_flag(BuilderFlag flag, kiln::BuilderFlag& out) {
  using K = kiln::BuilderFlag;
  switch (flag) {
    case BuilderFlag::FP16:
      out = K::kFP16;
      return true;
    case BuilderFlag::BF16:
      out = K::kBF16;
      return true;
    case BuilderFlag::TF32:
      out = K::kTF32;
      return true;
    case BuilderFlag::REFIT:
      out = K::kREFIT;
      return true;
    case BuilderFlag::DEBUG:
      out = K::kDEBUG;
      return true;
    case BuilderFlag::VERSION_COMPATIBLE:
      out = K::kVERSION_COMPATIBLE;
      return true;
    case BuilderFlag::DISABLE_TIMING_CACHE:
      out = K::kDISABLE_TIMING_CACHE;
      return true;
    default:
      return false;
  }
}

}  // namespace kiln::python::trt
