// A small JSON reader and string escaping: the CLI reads its own --exportProfile files and the
// engine inspector's JSON. Not a general-purpose library: numbers are doubles, no comments.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::cli::json {

struct Value {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = Kind::kNull;
  bool boolean = false;
  double number = 0.0;
  std::string string;
  std::vector<Value> array;
  std::map<std::string, Value> object;

  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  // The member `key` of an object; a null value when absent or when this is not an object.
  const Value& operator[](const std::string& key) const;
};

// Throws Error("<what>: JSON error at byte N: ...") for malformed text.
Value parse(std::string_view text, const std::string& what);

// `s` as a quoted JSON string.
std::string quote(std::string_view s);

}  // namespace kiln::cli::json
