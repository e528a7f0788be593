// Printing attribute fields; the visitor shape every fields() walk uses (see attributes.h).
#pragma once

#include <ostream>
#include <type_traits>

#include "core/error.h"
#include "ir/graph.h"

namespace kiln::ir {

inline void print_field(std::ostream& out, const Dims& v) {
  out << to_string(v);
}
inline void print_field(std::ostream& out, const Permutation& v) {
  out << "(";
  for (int i = 0; i < Dims::kMaxDims; ++i) out << (i ? "," : "") << v.order[i];
  out << ")";
}
inline void print_field(std::ostream& out, DataType v) {
  out << to_string(v);
}
inline void print_field(std::ostream& out, bool v) {
  out << (v ? "true" : "false");
}
inline void print_field(std::ostream& out, const std::string& v) {
  out << "'" << v.substr(0, 64) << (v.size() > 64 ? "...'" : "'");
}
inline void print_field(std::ostream& out, const std::vector<uint8_t>& v) {
  out << "<" << v.size() << " bytes>";
}
template <typename T>
void print_field(std::ostream& out, const T& v) {
  if constexpr (std::is_enum_v<T>) {
    out << static_cast<int64_t>(v);
  } else {
    out << v;
  }
}

// "num_output_maps=32 kernel_shape=[5,5] ..."
inline void print_attrs(std::ostream& out, const Attrs& attrs) {
  std::visit(
      [&](const auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (!std::is_same_v<A, std::monostate>) {
          bool first = true;
          const_cast<A&>(a).fields([&](const char* name, const auto& value) {
            out << (first ? "" : " ") << name << "=";
            print_field(out, value);
            first = false;
          });
        }
      },
      attrs);
}

}  // namespace kiln::ir
