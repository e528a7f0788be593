// PluginField helpers and the byte encoding of a field collection.
#include "plugin/fields.h"

#include "core/bytes.h"
#include "core/error.h"

namespace kiln {

const char* to_string(PluginFieldType type) {
  switch (type) {
    case PluginFieldType::kFLOAT16:
      return "float16";
    case PluginFieldType::kFLOAT32:
      return "float32";
    case PluginFieldType::kFLOAT64:
      return "float64";
    case PluginFieldType::kINT8:
      return "int8";
    case PluginFieldType::kINT16:
      return "int16";
    case PluginFieldType::kINT32:
      return "int32";
    case PluginFieldType::kINT64:
      return "int64";
    case PluginFieldType::kCHAR:
      return "char";
    case PluginFieldType::kUINT8:
      return "uint8";
  }
  return "unknown";
}

int64_t element_size(PluginFieldType type) {
  switch (type) {
    case PluginFieldType::kINT8:
    case PluginFieldType::kCHAR:
    case PluginFieldType::kUINT8:
      return 1;
    case PluginFieldType::kFLOAT16:
    case PluginFieldType::kINT16:
      return 2;
    case PluginFieldType::kFLOAT32:
    case PluginFieldType::kINT32:
      return 4;
    case PluginFieldType::kFLOAT64:
    case PluginFieldType::kINT64:
      return 8;
  }
  return 0;
}

PluginField::PluginField(std::string name, PluginFieldType type, const void* values, int64_t length)
    : name(std::move(name)), type(type), length(length) {
  int64_t size = element_size(type);
  if (size == 0) fail("plugin field '", this->name, "': unknown type ", static_cast<int>(type));
  if (length < 0 || length > INT64_MAX / 8)
    fail("plugin field '", this->name, "': invalid length ", length);
  if (length > 0 && values == nullptr) fail("plugin field '", this->name, "': no values");
  const auto* p = static_cast<const uint8_t*>(values);
  if (length > 0) data.assign(p, p + length * size);
}

void PluginField::check_type(PluginFieldType expected) const {
  if (type != expected) {
    fail("plugin field '", name, "' has type ", to_string(type), ", read as ", to_string(expected));
  }
  if (length < 0 || length > INT64_MAX / 8 ||
      static_cast<int64_t>(data.size()) != length * element_size(type)) {
    fail("plugin field '", name, "' holds ", data.size(), " bytes for ", length, " elements");
  }
}

std::string PluginField::text() const {
  check_type(PluginFieldType::kCHAR);
  return std::string(data.begin(), data.end());
}

const PluginField* find_field(const PluginFieldCollection& fields, std::string_view name) {
  for (const PluginField& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

namespace plugin {

constexpr int32_t kLastFieldType = static_cast<int32_t>(PluginFieldType::kUINT8);

std::vector<uint8_t> encode_fields(const PluginFieldCollection& fields) {
  ByteWriter w;
  w.u32(static_cast<uint32_t>(fields.size()));
  for (const PluginField& f : fields) {
    int64_t size = element_size(f.type);
    if (size == 0 || f.length < 0 || f.length > INT64_MAX / 8 ||
        static_cast<int64_t>(f.data.size()) != f.length * size) {
      fail("plugin field '", f.name, "': ", f.data.size(), " bytes do not hold ", f.length,
           " values of type ", to_string(f.type));
    }
    w.str(f.name);
    w.i32(static_cast<int32_t>(f.type));
    w.i64(f.length);
    w.bytes(f.data.data(), f.data.size());
  }
  return w.take();
}

PluginFieldCollection decode_fields(const uint8_t* data, size_t size, const std::string& where) {
  ByteReader r(data, size, where + ": plugin fields");
  PluginFieldCollection out(r.count(16, "plugin fields"));  // name length, type, length
  for (PluginField& f : out) {
    f.name = r.str();
    int32_t type = r.i32();
    if (type < 0 || type > kLastFieldType) {
      fail(where, ": plugin field '", f.name.substr(0, 64), "' has invalid type ", type);
    }
    f.type = static_cast<PluginFieldType>(type);
    f.length = r.i64();
    int64_t element = element_size(f.type);
    if (f.length < 0 || static_cast<uint64_t>(f.length) > r.remaining() / element) {
      fail(where, ": plugin field '", f.name.substr(0, 64), "' claims ", f.length, " values; only ",
           r.remaining(), " bytes remain");
    }
    const uint8_t* p = r.bytes(static_cast<size_t>(f.length * element));
    f.data.assign(p, p + f.length * element);
  }
  if (r.remaining() != 0) fail(where, ": ", r.remaining(), " bytes follow the plugin fields");
  return out;
}

}  // namespace plugin
}  // namespace kiln
