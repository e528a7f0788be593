// The textual IR (text.h): print and parse.
#include "ir/text.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <sstream>

#include "core/half.h"
#include "ir/number_text.h"
#include "ir/op.h"

namespace kiln::ir {

namespace {

constexpr int64_t kMaxPrintedValues = 16;

bool bare_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("_.:/#@+-", c) != nullptr;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string name_text(std::string_view s) {
  bool bare = !s.empty() && s != "-";
  for (char c : s) bare = bare && bare_char(c);
  return bare ? std::string(s) : quote(s);
}

std::string dims_text(const Dims& d) {
  return d.nb_dims < 0 ? std::string("none") : to_string(d);
}

// One attribute value in text form.
struct FieldPrinter {
  std::ostream& out;
  bool first = true;
  template <typename T>
  void operator()(const char* name, const T& v) {
    out << (first ? "" : " ") << name << "=";
    first = false;
    if constexpr (std::is_same_v<T, bool>) {
      out << (v ? "true" : "false");
    } else if constexpr (std::is_enum_v<T>) {
      out << static_cast<int64_t>(v);
    } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      out << number_text(v);
    } else if constexpr (std::is_same_v<T, Dims>) {
      out << dims_text(v);
    } else if constexpr (std::is_same_v<T, Permutation>) {
      out << "(";
      for (int i = 0; i < Dims::kMaxDims; ++i) out << (i ? "," : "") << v.order[i];
      out << ")";
    } else if constexpr (std::is_same_v<T, std::string>) {
      out << quote(v);
    } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
      static const char* hex = "0123456789abcdef";
      out << "0x";
      for (uint8_t b : v) out << hex[b >> 4] << hex[b & 15];
    } else {
      out << v;
    }
  }
};

double weight_value(const WeightsData& w, int64_t i) {
  const uint8_t* p = w.bytes->data();
  switch (w.type) {
    case DataType::kFLOAT: {
      float v;
      std::memcpy(&v, p + i * 4, 4);
      return v;
    }
    case DataType::kHALF:
      return to_float(reinterpret_cast<const half_t*>(p)[i]);
    case DataType::kBF16:
      return to_float(reinterpret_cast<const bfloat16_t*>(p)[i]);
    case DataType::kINT8:
      return static_cast<int8_t>(p[i]);
    case DataType::kUINT8:
    case DataType::kBOOL:
      return p[i];
    case DataType::kINT32: {
      int32_t v;
      std::memcpy(&v, p + i * 4, 4);
      return v;
    }
    case DataType::kINT64: {
      int64_t v;
      std::memcpy(&v, p + i * 8, 8);
      return static_cast<double>(v);
    }
  }
  return 0.0;
}

// Whether put_value can store `v` as `type` (converting an out-of-range double to an integer is
// undefined behaviour; fuzz_ir_text found one). int8/uint8 share one byte: -128..255.
bool representable(DataType type, double v) {
  switch (type) {
    case DataType::kINT8:
    case DataType::kUINT8:
      return v >= -128.0 && v <= 255.0;
    case DataType::kINT32:
      return v >= -2147483648.0 && v <= 2147483647.0;
    case DataType::kINT64:
      return v >= -9223372036854775808.0 && v < 9223372036854775808.0;
    default:
      return true;  // floating point (inf and nan included) and bool
  }
}

void put_value(std::vector<uint8_t>& bytes, DataType type, int64_t i, double v) {
  uint8_t* p = bytes.data() + i * element_size(type);
  switch (type) {
    case DataType::kFLOAT: {
      float f = static_cast<float>(v);
      std::memcpy(p, &f, 4);
      return;
    }
    case DataType::kHALF: {
      half_t h = to_half(static_cast<float>(v));
      std::memcpy(p, &h, 2);
      return;
    }
    case DataType::kBF16: {
      bfloat16_t h = to_bfloat16(static_cast<float>(v));
      std::memcpy(p, &h, 2);
      return;
    }
    case DataType::kINT8:
    case DataType::kUINT8:
      *p = static_cast<uint8_t>(static_cast<int64_t>(v));
      return;
    case DataType::kBOOL:
      *p = v != 0.0 ? 1 : 0;
      return;
    case DataType::kINT32: {
      int32_t x = static_cast<int32_t>(v);
      std::memcpy(p, &x, 4);
      return;
    }
    case DataType::kINT64: {
      int64_t x = static_cast<int64_t>(v);
      std::memcpy(p, &x, 8);
      return;
    }
  }
}

// --- parsing

struct Cursor {
  std::string_view s;
  size_t pos = 0;
  int line = 0;

  [[noreturn]] void bad(const std::string& why) const {
    fail("textual IR line ", line, ": ", why, " (at '", std::string(s.substr(pos, 40)), "')");
  }
  void skip_space() {
    while (pos < s.size() && s[pos] == ' ') ++pos;
  }
  bool done() {
    skip_space();
    return pos >= s.size();
  }
  bool eat(std::string_view t) {
    skip_space();
    if (s.substr(pos, t.size()) == t) {
      pos += t.size();
      return true;
    }
    return false;
  }
  void expect(std::string_view t) {
    if (!eat(t)) bad("expected '" + std::string(t) + "'");
  }
  std::string quoted() {
    skip_space();
    if (pos >= s.size() || s[pos] != '"') bad("expected a quoted string");
    ++pos;
    std::string out;
    while (pos < s.size() && s[pos] != '"') {
      if (s[pos] == '\\' && pos + 1 < s.size()) ++pos;
      out += s[pos++];
    }
    if (pos >= s.size()) bad("unterminated string");
    ++pos;
    return out;
  }
  std::string name() {
    skip_space();
    if (pos < s.size() && s[pos] == '"') return quoted();
    size_t start = pos;
    while (pos < s.size() && bare_char(s[pos])) ++pos;
    if (pos == start) bad("expected a name");
    return std::string(s.substr(start, pos - start));
  }
  // A token up to a space, ',', ')' or ']'.
  std::string word() {
    skip_space();
    size_t start = pos;
    while (pos < s.size() && !std::strchr(" ,)]", s[pos])) ++pos;
    if (pos == start) bad("expected a value");
    return std::string(s.substr(start, pos - start));
  }
  double number() {
    std::string w = word();
    double v;
    if (!parse_number(w, &v)) bad("'" + w + "' is not a number");
    return v;
  }
  int64_t integer() {
    std::string w = word();
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(w.c_str(), &end, 10);
    if (end != w.c_str() + w.size()) bad("'" + w + "' is not an integer");
    if (errno == ERANGE) bad("'" + w + "' is out of the range of a 64-bit integer");
    return v;
  }
  Dims dims() {
    if (eat("none")) {
      Dims d;
      d.nb_dims = -1;
      return d;
    }
    expect("[");
    Dims d;
    d.nb_dims = 0;
    if (eat("]")) return d;
    do {
      if (d.nb_dims >= Dims::kMaxDims) bad("too many dimensions");
      d.d[d.nb_dims++] = integer();
    } while (eat(","));
    expect("]");
    return d;
  }
};

DataType parse_type(Cursor& c) {
  std::string w = c.word();
  for (int32_t t = 0; t <= static_cast<int32_t>(DataType::kBOOL); ++t) {
    if (w == to_string(static_cast<DataType>(t))) return static_cast<DataType>(t);
  }
  c.bad("unknown data type '" + w + "'");
}

struct FieldParser {
  Cursor& c;
  const std::string& name;
  bool found = false;
  template <typename T>
  void operator()(const char* field, T& v) {
    if (found || name != field) return;
    found = true;
    if constexpr (std::is_same_v<T, bool>) {
      std::string w = c.word();
      if (w != "true" && w != "false") c.bad("expected true or false for " + name);
      v = w == "true";
    } else if constexpr (std::is_enum_v<T>) {
      v = static_cast<T>(c.integer());
    } else if constexpr (std::is_same_v<T, float>) {
      v = static_cast<float>(c.number());
    } else if constexpr (std::is_same_v<T, double>) {
      v = c.number();
    } else if constexpr (std::is_same_v<T, Dims>) {
      v = c.dims();
    } else if constexpr (std::is_same_v<T, Permutation>) {
      c.expect("(");
      for (int i = 0; i < Dims::kMaxDims; ++i) {
        if (i) c.expect(",");
        v.order[i] = static_cast<int32_t>(c.integer());
      }
      c.expect(")");
    } else if constexpr (std::is_same_v<T, std::string>) {
      v = c.quoted();
    } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
      std::string w = c.word();
      if (w.size() < 2 || w[0] != '0' || w[1] != 'x' || w.size() % 2 != 0)
        c.bad("expected hex bytes 0x... for " + name);
      v.clear();
      auto hex = [&](char ch) -> int {
        if (ch >= '0' && ch <= '9') return ch - '0';
        if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
        c.bad("'" + w + "' is not hex bytes");
      };
      for (size_t i = 2; i < w.size(); i += 2) {
        v.push_back(static_cast<uint8_t>(hex(w[i]) * 16 + hex(w[i + 1])));
      }
    } else {
      v = static_cast<T>(c.integer());
    }
  }
};

// Deterministic values for weights printed without them.
void fill_pseudo_random(std::vector<uint8_t>& bytes, DataType type, int64_t n,
                        const std::string& seed) {
  uint64_t state = 1469598103934665603ull;
  for (char ch : seed) state = (state ^ static_cast<uint8_t>(ch)) * 1099511628211ull;
  for (int64_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    double u = static_cast<double>(state >> 40) / static_cast<double>(1ull << 24);  // [0, 1)
    put_value(bytes, type, i, type == DataType::kBOOL ? (u < 0.5) : u * 2.0 - 1.0);
  }
}

}  // namespace

std::string print(const Graph& graph) {
  std::ostringstream out;
  auto names = [&](const std::vector<int32_t>& ids) {
    std::string s;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) s += ", ";
      s += ids[i] < 0 ? std::string("-") : name_text(graph.tensors[ids[i]].name);
    }
    return s;
  };
  for (int32_t t : graph.inputs) {
    out << "input " << name_text(graph.tensors[t].name) << " " << graph.tensors[t].type << " "
        << dims_text(graph.tensors[t].dims) << "\n";
  }
  for (const Tensor& t : graph.tensors) {
    if (t.weights < 0) continue;
    out << "weights " << name_text(t.name) << " " << t.type << " " << dims_text(t.dims);
    const WeightsData& w = graph.weights[t.weights];
    int64_t n = volume(w.dims);
    if (w.bytes && n >= 0 && n <= kMaxPrintedValues &&
        static_cast<int64_t>(w.bytes->size()) == n * element_size(w.type)) {
      out << " = [";
      for (int64_t i = 0; i < n; ++i) out << (i ? ", " : "") << number_text(weight_value(w, i));
      out << "]";
    }
    out << "\n";
  }
  for (const Node& n : graph.nodes) {
    out << "node " << name_text(n.name) << " " << to_string(n.kind()) << "(";
    std::visit(
        [&](const auto& a) {
          using A = std::decay_t<decltype(a)>;
          if constexpr (!std::is_same_v<A, std::monostate>) {
            const_cast<A&>(a).fields(FieldPrinter{out});
          }
        },
        n.attrs);
    out << ") " << names(n.inputs) << " -> " << names(n.outputs) << "\n";
  }
  out << "outputs " << names(graph.outputs) << "\n";
  return out.str();
}

std::string dump(const Graph& graph) {
  return print(graph);
}

Graph parse(std::string_view text) {
  Graph g;
  std::map<std::string, int32_t> tensor_by_name;
  Cursor c;
  auto define = [&](const std::string& name) -> int32_t {
    if (tensor_by_name.count(name)) c.bad("tensor '" + name + "' is defined twice");
    Tensor t;
    t.name = name;
    g.tensors.push_back(t);
    int32_t id = static_cast<int32_t>(g.tensors.size() - 1);
    tensor_by_name[name] = id;
    return id;
  };
  auto use = [&](const std::string& name) -> int32_t {
    auto it = tensor_by_name.find(name);
    if (it == tensor_by_name.end()) c.bad("tensor '" + name + "' is used before it is defined");
    return it->second;
  };
  auto tensor_list = [&](bool allow_absent) {
    std::vector<int32_t> ids;
    c.skip_space();
    if (c.done() || c.s.substr(c.pos, 2) == "->") return ids;
    do {
      c.skip_space();
      size_t p = c.pos;
      bool absent = allow_absent && p < c.s.size() && c.s[p] == '-' &&
                    (p + 1 == c.s.size() || c.s[p + 1] == ' ' || c.s[p + 1] == ',');
      if (absent) {
        ++c.pos;
        ids.push_back(-1);
      } else {
        ids.push_back(use(c.name()));
      }
    } while (c.eat(","));
    return ids;
  };
  size_t start = 0;
  int line = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    c = Cursor{text.substr(start, end - start), 0, ++line};
    start = end + 1;
    if (c.done() || c.s[c.pos] == '#') continue;
    if (c.eat("input ")) {
      int32_t t = define(c.name());
      g.tensors[t].type = parse_type(c);
      g.tensors[t].dims = c.dims();
      for (int32_t i = 0; i < g.tensors[t].dims.nb_dims; ++i) {
        int64_t d = g.tensors[t].dims.d[i];
        if (d < -1 || d > (int64_t{1} << 31)) c.bad("input dims out of range");
      }
      g.inputs.push_back(t);
    } else if (c.eat("weights ")) {
      std::string name = c.name();
      WeightsData w;
      w.name = name;
      w.type = parse_type(c);
      w.dims = c.dims();
      if (w.dims.nb_dims < 0) c.bad("weights need static dims");
      int64_t n = 1;
      for (int32_t i = 0; i < w.dims.nb_dims; ++i) {
        if (w.dims.d[i] < 0 || w.dims.d[i] > (int64_t{1} << 28)) c.bad("weights dims out of range");
        n *= w.dims.d[i];
        if (n > (int64_t{1} << 28)) c.bad("weights of more than 2^28 elements");
      }
      auto bytes = std::make_shared<std::vector<uint8_t>>(n * element_size(w.type));
      if (c.eat("=")) {
        c.expect("[");
        for (int64_t i = 0; i < n; ++i) {
          if (i) c.expect(",");
          double v = c.number();
          if (!representable(w.type, v)) {
            c.bad(str_cat("weights '", name, "' value ", number_text(v), " does not fit ",
                          w.type));
          }
          put_value(*bytes, w.type, i, v);
        }
        c.expect("]");
      } else {
        fill_pseudo_random(*bytes, w.type, n, name);
      }
      w.bytes = bytes;
      int32_t t = define(name);
      g.tensors[t].type = w.type;
      g.tensors[t].dims = w.dims;
      g.tensors[t].weights = static_cast<int32_t>(g.weights.size());
      g.weights.push_back(std::move(w));
    } else if (c.eat("node ")) {
      Node n;
      n.name = c.name();
      c.skip_space();
      size_t k = c.pos;
      while (c.pos < c.s.size() && c.s[c.pos] != '(') ++c.pos;
      std::string kind_name(c.s.substr(k, c.pos - k));
      LayerType kind;
      if (!op_kind_from_name(kind_name, &kind)) c.bad("unknown op kind '" + kind_name + "'");
      n.attrs = make_attrs(kind);
      c.expect("(");
      while (!c.eat(")")) {
        c.skip_space();
        size_t f = c.pos;
        while (c.pos < c.s.size() && c.s[c.pos] != '=') ++c.pos;
        std::string field(c.s.substr(f, c.pos - f));
        c.expect("=");
        bool found = std::visit(
            [&](auto& a) {
              using A = std::decay_t<decltype(a)>;
              FieldParser p{c, field};
              if constexpr (!std::is_same_v<A, std::monostate>) a.fields(p);
              return p.found;
            },
            n.attrs);
        if (!found) c.bad("no attribute '" + field + "' in " + kind_name);
      }
      n.inputs = tensor_list(true);
      c.expect("->");
      std::vector<std::string> outs;
      do {
        outs.push_back(c.name());
      } while (c.eat(","));
      // Shape inference writes every output of the kind (fuzz_ir_text found a topk with one).
      int32_t expected = num_outputs(n);
      if (static_cast<int32_t>(outs.size()) != expected) {
        c.bad(str_cat(kind_name, " node '", n.name, "' has ", outs.size(), " outputs; it makes ",
                      expected));
      }
      int32_t index = static_cast<int32_t>(g.nodes.size());
      for (const std::string& o : outs) {
        int32_t t = define(o);
        g.tensors[t].producer = index;
        n.outputs.push_back(t);
      }
      g.nodes.push_back(std::move(n));
    } else if (c.eat("outputs")) {
      for (int32_t t : tensor_list(false)) g.outputs.push_back(t);
    } else {
      c.bad("expected input, weights, node or outputs");
    }
    if (!c.done()) c.bad("unexpected text at the end of the line");
  }
  infer_graph(g);
  return g;
}

}  // namespace kiln::ir
