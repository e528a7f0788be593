// kiln — basic types of the public API: data types, Dims, Weights, operation enums, Error.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>

namespace kiln {

// Thrown for every error a user can cause: a bad network, shape, plan or argument. The message
// names the layer, tensor or file section involved and says what was expected.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class DataType : int32_t { kFLOAT, kHALF, kBF16, kINT8, kUINT8, kINT32, kINT64, kBOOL };

// Bytes per element of `type`.
int64_t element_size(DataType type);
// "float32", "float16", "bfloat16", "int8", "uint8", "int32", "int64", "bool".
const char* to_string(DataType type);

// A shape of up to kMaxDims dimensions. -1 marks a dimension known only at run time.
struct Dims {
  static constexpr int32_t kMaxDims = 8;
  int32_t nb_dims = 0;
  int64_t d[kMaxDims] = {};

  Dims() = default;
  Dims(std::initializer_list<int64_t> dims);  // throws Error past kMaxDims
  static Dims filled(int32_t nb_dims, int64_t value);

  int64_t& operator[](int32_t i) { return d[i]; }
  int64_t operator[](int32_t i) const { return d[i]; }
  bool operator==(const Dims& other) const;
  bool is_dynamic() const;  // any dimension is -1
};

// Number of elements; 1 for a 0-d shape; -1 if any dimension is dynamic.
int64_t volume(const Dims& dims);
// "[2,3,-1]"
std::string to_string(const Dims& dims);

// The shapes an optimization profile allows for one input.
struct ProfileDims {
  Dims min, opt, max;
};

// An axis order for ShuffleLayer; the identity by default.
struct Permutation {
  int32_t order[Dims::kMaxDims] = {0, 1, 2, 3, 4, 5, 6, 7};
  bool operator==(const Permutation& other) const;
};

// A view of weight values. The network copies the values when it receives them, so the caller's
// memory may be freed right after the call.
struct Weights {
  DataType type = DataType::kFLOAT;
  const void* values = nullptr;
  int64_t count = 0;
};

enum class ActivationType : int32_t {
  kRELU,
  kSIGMOID,
  kTANH,
  kLEAKY_RELU,
  kELU,
  kSELU,
  kSOFTPLUS,
  kCLIP,
  kHARD_SIGMOID,
  kGELU_ERF,
  kGELU_TANH,
  kSILU,
  // Appended later; plans store the numbers, so new values go at the end.
  kTHRESHOLDED_RELU,  // x > alpha ? x : 0
  kSOFTSIGN,          // x / (1 + |x|)
  kSCALED_TANH,       // alpha * tanh(beta * x)
  kMISH               // x * tanh(softplus(x))
};
enum class ElementWiseOperation : int32_t {
  kSUM,
  kPROD,
  kMAX,
  kMIN,
  kSUB,
  kDIV,
  kPOW,
  kFLOOR_DIV,
  kAND,
  kOR,
  kXOR,
  kEQUAL,
  kGREATER,
  kLESS
};
enum class UnaryOperation : int32_t {
  kEXP,
  kLOG,
  kSQRT,
  kRECIP,
  kABS,
  kNEG,
  kSIN,
  kCOS,
  kTAN,
  kERF,
  kFLOOR,
  kCEIL,
  kROUND,
  kNOT,
  kSIGN,
  // Appended later; plans store the numbers, so new values go at the end.
  kSINH,
  kCOSH,
  kASIN,
  kACOS,
  kATAN,
  kASINH,
  kACOSH,
  kATANH,
  kISINF,  // bool output
  kISNAN   // bool output
};
enum class PoolingType : int32_t { kMAX, kAVERAGE };
enum class ReduceOperation : int32_t { kSUM, kPROD, kMAX, kMIN, kAVG };
enum class TopKOperation : int32_t { kMAX, kMIN };
// kVECTOR: the operand is a vector (its last dimension), not a matrix.
enum class MatrixOperation : int32_t { kNONE, kTRANSPOSE, kVECTOR };

// SliceLayer: what an element outside the input reads. kSTRICT_BOUNDS: nothing may lie outside;
// kWRAP: the index modulo the dimension; kCLAMP: the nearest edge element; kFILL: the fill value;
// kREFLECT: the index mirrored at the edges (without repeating the edge element).
enum class SampleMode : int32_t { kSTRICT_BOUNDS, kWRAP, kCLAMP, kFILL, kREFLECT };

// ResizeLayer.
enum class InterpolationMode : int32_t { kNEAREST, kLINEAR, kCUBIC };
// How an output coordinate maps to an input coordinate (ONNX Resize's
// coordinate_transformation_mode). kPYTORCH_HALF_PIXEL and kTF_HALF_PIXEL_FOR_NN are kiln
// extensions for ONNX.
enum class ResizeCoordinateTransformation : int32_t {
  kALIGN_CORNERS,
  kASYMMETRIC,
  kHALF_PIXEL,
  kPYTORCH_HALF_PIXEL,
  kTF_HALF_PIXEL_FOR_NN
};
// For an output dimension of size 1: the formula's coordinate (kFORMULA) or input element 0
// (kUPPER).
enum class ResizeSelector : int32_t { kFORMULA, kUPPER };
// Nearest mode: how a fractional input coordinate rounds to an element (ONNX nearest_mode).
enum class ResizeRoundMode : int32_t { kHALF_UP, kHALF_DOWN, kFLOOR, kCEIL };

// GatherLayer. kDEFAULT: ONNX Gather; kELEMENT: ONNX GatherElements; kND: ONNX GatherND.
enum class GatherMode : int32_t { kDEFAULT, kELEMENT, kND };
// ScatterLayer. kELEMENT: ONNX ScatterElements; kND: ONNX ScatterND.
enum class ScatterMode : int32_t { kELEMENT, kND };
// ScatterLayer's combination of an update with the existing value (ONNX's `reduction`); a kiln
// extension: TensorRT has no reduction.
enum class ScatterReduction : int32_t { kNONE, kADD, kMUL, kMAX, kMIN };
enum class CumulativeOperation : int32_t { kSUM };
// FillLayer. kiln runs kLINSPACE only; the random ones are refused (they exist for API parity).
enum class FillOperation : int32_t { kLINSPACE, kRANDOM_UNIFORM, kRANDOM_NORMAL };

enum class TensorIOMode : int32_t { kNONE, kINPUT, kOUTPUT };
enum class DeviceType : int32_t { kGPU, kCPU };

}  // namespace kiln
