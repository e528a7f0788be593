// The plan file format, version 1: header layout, section ids and alignment (docs/plan-format.md).
//
// Every multi-byte value is little-endian. A change that an older reader would misread bumps
// kFormatVersion; the reader refuses newer versions with a message saying so.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ir/graph.h"

namespace kiln::plan {

inline constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'P', 'L', 'A', 'N'};
// The newest version this kiln reads and writes. Version 2 stores node kinds by name (so internal
// op kinds can be added); the writer still writes version 1 for plans without internal ops.
inline constexpr uint32_t kFormatVersion = 2;

// Byte offsets of the fixed header fields.
inline constexpr size_t kOffMagic = 0;            // 8 bytes
inline constexpr size_t kOffFormatVersion = 8;    // u32
inline constexpr size_t kOffKilnVersion = 12;     // u32 major, u32 minor, u32 patch
inline constexpr size_t kOffDevice = 24;          // i32 DeviceType
inline constexpr size_t kOffComputeCap = 28;      // i32 major * 10 + minor, 0 for CPU plans
inline constexpr size_t kOffHardwareCompat = 32;  // u32, 0 = same compute capability only
inline constexpr size_t kOffBuilderFlags = 36;    // u32 BuilderFlag bits
inline constexpr size_t kOffFileSize = 40;        // u64 total bytes
inline constexpr size_t kOffChecksum = 48;        // u64 checksum64 of every other byte
inline constexpr size_t kOffSectionCount = 56;    // u32
inline constexpr size_t kOffReserved = 60;        // u32, 0
inline constexpr size_t kHeaderSize = 64;
inline constexpr size_t kSectionEntrySize = 24;  // u32 id, u32 reserved (0), u64 offset, u64 size

inline constexpr size_t kSectionAlignment = 8;
inline constexpr size_t kWeightAlignment = 256;  // the weight-data section and each blob in it

enum class SectionId : uint32_t {
  kTENSORS = 1,
  kNODES = 2,
  kGRAPH_IO = 3,
  kWEIGHTS = 4,  // names, types, dims, where each blob lies in kWEIGHT_DATA
  kSTEPS = 5,    // num_aux_streams, then the steps
  kPROFILES = 6,
  kWEIGHT_DATA = 7,  // raw weight bytes, 256-byte aligned
  // Optional, after the others: present exactly when the header's builder flags have
  // BuilderFlag::kREFIT (refittable weights and layer roles; docs/plan-format.md). Plans without
  // it are laid out as before, so kilns that predate it still read them.
  kREFIT = 8,
};
inline constexpr uint32_t kNumSections = 7;  // ids 1..kNumSections, each exactly once
inline constexpr uint32_t kMaxSections = 8;  // ... plus the optional kREFIT

// "tensors", "nodes", ... for messages; "section N" for an unknown id.
const char* section_name(uint32_t id);

// The checksum of a plan: checksum64 of bytes [0, kOffChecksum), chained into checksum64 of
// bytes [kOffChecksum + 8, size). `size` >= kHeaderSize.
uint64_t plan_checksum(const uint8_t* data, size_t size);

// The type tag written before each attribute value.
enum class FieldTag : uint8_t {
  kBOOL = 1,         // u8 0 or 1
  kINT32 = 2,        // i32
  kINT64 = 3,        // i64
  kUINT32 = 4,       // u32
  kFLOAT = 5,        // f32 bit pattern
  kDIMS = 6,         // Dims encoding
  kPERMUTATION = 7,  // 8 x i32
  kENUM = 8,         // i32, checked against the field's enum range
  kFLOAT64 = 9,      // f64 bit pattern
  kSTRING = 10,      // u32 length, bytes (plugin names)
  kBYTES = 11,       // u32 length, bytes (plugin fields)
};

// The last valid value of each enum a plan stores; values are checked to lie in [0, last]. A new
// enum used as an attribute field needs an overload here (the writer fails to compile without).
constexpr int32_t enum_last(DataType) {
  return static_cast<int32_t>(DataType::kBOOL);
}
constexpr int32_t enum_last(LayerType) {
  return ir::kNumLayerTypes - 1;
}
constexpr int32_t enum_last(DeviceType) {
  return static_cast<int32_t>(DeviceType::kCPU);
}
constexpr int32_t enum_last(TensorIOMode) {
  return static_cast<int32_t>(TensorIOMode::kOUTPUT);
}
constexpr int32_t enum_last(ActivationType) {
  return static_cast<int32_t>(ActivationType::kMISH);
}
constexpr int32_t enum_last(ElementWiseOperation) {
  return static_cast<int32_t>(ElementWiseOperation::kLESS);
}
constexpr int32_t enum_last(UnaryOperation) {
  return static_cast<int32_t>(UnaryOperation::kISNAN);
}
constexpr int32_t enum_last(PoolingType) {
  return static_cast<int32_t>(PoolingType::kAVERAGE);
}
constexpr int32_t enum_last(ReduceOperation) {
  return static_cast<int32_t>(ReduceOperation::kAVG);
}
constexpr int32_t enum_last(TopKOperation) {
  return static_cast<int32_t>(TopKOperation::kMIN);
}
constexpr int32_t enum_last(MatrixOperation) {
  return static_cast<int32_t>(MatrixOperation::kVECTOR);
}

constexpr int32_t enum_last(SampleMode) {
  return static_cast<int32_t>(SampleMode::kREFLECT);
}
constexpr int32_t enum_last(InterpolationMode) {
  return static_cast<int32_t>(InterpolationMode::kCUBIC);
}
constexpr int32_t enum_last(ResizeCoordinateTransformation) {
  return static_cast<int32_t>(ResizeCoordinateTransformation::kTF_HALF_PIXEL_FOR_NN);
}
constexpr int32_t enum_last(ResizeSelector) {
  return static_cast<int32_t>(ResizeSelector::kUPPER);
}
constexpr int32_t enum_last(ResizeRoundMode) {
  return static_cast<int32_t>(ResizeRoundMode::kCEIL);
}
constexpr int32_t enum_last(GatherMode) {
  return static_cast<int32_t>(GatherMode::kND);
}
constexpr int32_t enum_last(ScatterMode) {
  return static_cast<int32_t>(ScatterMode::kND);
}
constexpr int32_t enum_last(ScatterReduction) {
  return static_cast<int32_t>(ScatterReduction::kMIN);
}
constexpr int32_t enum_last(CumulativeOperation) {
  return static_cast<int32_t>(CumulativeOperation::kSUM);
}
constexpr int32_t enum_last(FillOperation) {
  return static_cast<int32_t>(FillOperation::kRANDOM_NORMAL);
}

template <typename E>
constexpr bool enum_in_range(int32_t value) {
  return value >= 0 && value <= enum_last(E{});
}

}  // namespace kiln::plan
