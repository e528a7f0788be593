// DataType, Dims and Permutation helpers of the public API.
#include <algorithm>

#include "core/error.h"
#include "kiln/kiln.h"

namespace kiln {

int64_t element_size(DataType type) {
  switch (type) {
    case DataType::kFLOAT:
      return 4;
    case DataType::kHALF:
      return 2;
    case DataType::kBF16:
      return 2;
    case DataType::kINT8:
      return 1;
    case DataType::kUINT8:
      return 1;
    case DataType::kINT32:
      return 4;
    case DataType::kINT64:
      return 8;
    case DataType::kBOOL:
      return 1;
  }
  fail("unknown data type ", static_cast<int>(type));
}

const char* to_string(DataType type) {
  switch (type) {
    case DataType::kFLOAT:
      return "float32";
    case DataType::kHALF:
      return "float16";
    case DataType::kBF16:
      return "bfloat16";
    case DataType::kINT8:
      return "int8";
    case DataType::kUINT8:
      return "uint8";
    case DataType::kINT32:
      return "int32";
    case DataType::kINT64:
      return "int64";
    case DataType::kBOOL:
      return "bool";
  }
  return "unknown";
}

Dims::Dims(std::initializer_list<int64_t> dims) {
  if (dims.size() > static_cast<size_t>(kMaxDims)) {
    fail("Dims holds at most ", kMaxDims, " dimensions, got ", dims.size());
  }
  nb_dims = static_cast<int32_t>(dims.size());
  std::copy(dims.begin(), dims.end(), d);
}

Dims Dims::filled(int32_t nb_dims, int64_t value) {
  if (nb_dims < 0 || nb_dims > kMaxDims)
    fail("Dims holds 0 to ", kMaxDims, " dimensions, got ", nb_dims);
  Dims out;
  out.nb_dims = nb_dims;
  for (int32_t i = 0; i < nb_dims; ++i) out.d[i] = value;
  return out;
}

bool Dims::operator==(const Dims& other) const {
  if (nb_dims != other.nb_dims) return false;
  for (int32_t i = 0; i < nb_dims; ++i) {
    if (d[i] != other.d[i]) return false;
  }
  return true;
}

bool Dims::is_dynamic() const {
  for (int32_t i = 0; i < nb_dims; ++i) {
    if (d[i] < 0) return true;
  }
  return false;
}

int64_t volume(const Dims& dims) {
  int64_t n = 1;
  bool overflow = false;
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (dims.d[i] < 0) return -1;
    // Shapes come from plans, ONNX files and text: a product past int64 is refused, not wrapped
    // (a zero dimension still makes the whole product 0).
    overflow = __builtin_mul_overflow(n, dims.d[i], &n) || overflow;
  }
  if (overflow && n != 0) fail("the shape ", dims, " has more elements than 64 bits count");
  return n;
}

std::string to_string(const Dims& dims) {
  std::string out = "[";
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (i) out += ",";
    out += std::to_string(dims.d[i]);
  }
  return out + "]";
}

bool Permutation::operator==(const Permutation& other) const {
  return std::equal(order, order + Dims::kMaxDims, other.order);
}

const char* version_string() {
  return KILN_VERSION_STRING;
}

}  // namespace kiln
