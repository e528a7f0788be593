// Text form of fused pointwise programs (see pointwise_program.h).
#include "ir/pointwise_program.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "ir/number_text.h"

namespace kiln::ir {

namespace {

constexpr const char* kUnaryNames[] = {"exp",   "log",   "sqrt",  "recip", "abs",  "neg",   "sin",
                                       "cos",   "tan",   "erf",   "floor", "ceil", "round", "not",
                                       "sign",  "sinh",  "cosh",  "asin",  "acos", "atan",  "asinh",
                                       "acosh", "atanh", "isinf", "isnan"};
constexpr const char* kBinaryNames[] = {"add",       "mul", "max", "min", "sub", "div", "pow",
                                        "floor_div", "and", "or",  "xor", "eq",  "gt",  "lt"};
constexpr const char* kActivationNames[] = {"relu",
                                            "sigmoid",
                                            "tanh",
                                            "leaky_relu",
                                            "elu",
                                            "selu",
                                            "softplus",
                                            "clip",
                                            "hard_sigmoid",
                                            "gelu_erf",
                                            "gelu_tanh",
                                            "silu",
                                            "thresholded_relu",
                                            "softsign",
                                            "scaled_tanh",
                                            "mish"};

static_assert(std::size(kUnaryNames) == static_cast<size_t>(UnaryOperation::kISNAN) + 1);
static_assert(std::size(kBinaryNames) == static_cast<size_t>(ElementWiseOperation::kLESS) + 1);
static_assert(std::size(kActivationNames) == static_cast<size_t>(ActivationType::kMISH) + 1);

template <size_t N>
int32_t find_name(const char* const (&names)[N], std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<int32_t>(i);
  }
  return -1;
}

bool parse_float(std::string_view s, float* out) {
  double d;
  if (!parse_number(s, &d)) return false;
  *out = static_cast<float>(d);
  return true;
}

bool parse_type(std::string_view s, DataType* out) {
  for (DataType t : {DataType::kFLOAT, DataType::kHALF, DataType::kBF16, DataType::kBOOL}) {
    if (s == to_string(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view part = s.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

}  // namespace

int32_t PwInstr::num_args() const {
  switch (op) {
    case PwOp::kINPUT:
    case PwOp::kCONST:
      return 0;
    case PwOp::kUNARY:
    case PwOp::kACTIVATION:
    case PwOp::kCAST:
      return 1;
    case PwOp::kBINARY:
      return 2;
    case PwOp::kSELECT:
      return 3;
  }
  return 0;
}

int32_t PwProgram::num_inputs() const {
  int32_t n = 0;
  for (const PwInstr& i : code) {
    if (i.op == PwOp::kINPUT) n = std::max(n, i.code + 1);
  }
  return n;
}

bool is_pointwise_type(DataType type) {
  return type == DataType::kFLOAT || type == DataType::kHALF || type == DataType::kBF16 ||
         type == DataType::kBOOL;
}

const char* unary_name(UnaryOperation op) {
  auto i = static_cast<size_t>(op);
  return i < std::size(kUnaryNames) ? kUnaryNames[i] : "unknown_unary";
}
const char* binary_name(ElementWiseOperation op) {
  auto i = static_cast<size_t>(op);
  return i < std::size(kBinaryNames) ? kBinaryNames[i] : "unknown_binary";
}
const char* activation_name(ActivationType type) {
  auto i = static_cast<size_t>(type);
  return i < std::size(kActivationNames) ? kActivationNames[i] : "unknown_activation";
}

std::string to_text(const PwProgram& p) {
  std::ostringstream out;
  bool first = true;
  auto sep = [&] {
    if (!first) out << "; ";
    first = false;
  };
  for (const PwInstr& i : p.code) {
    sep();
    switch (i.op) {
      case PwOp::kINPUT:
        out << "in " << i.code;
        break;
      case PwOp::kCONST:
        out << "const " << number_text(i.value);
        break;
      case PwOp::kUNARY:
        out << unary_name(static_cast<UnaryOperation>(i.code));
        break;
      case PwOp::kBINARY:
        out << binary_name(static_cast<ElementWiseOperation>(i.code));
        break;
      case PwOp::kACTIVATION:
        out << activation_name(static_cast<ActivationType>(i.code));
        if (i.alpha != 0.0f || i.beta != 0.0f)
          out << "[" << number_text(i.alpha) << "," << number_text(i.beta) << "]";
        break;
      case PwOp::kSELECT:
        out << "select";
        break;
      case PwOp::kCAST:
        out << "cast " << to_string(static_cast<DataType>(i.code));
        break;
    }
    for (int32_t a = 0; a < i.num_args(); ++a) out << " %" << i.args[a];
  }
  for (const PwOutput& o : p.outputs) {
    sep();
    out << "out %" << o.reg << " " << to_string(o.type);
  }
  return out.str();
}

PwProgram parse_pointwise(std::string_view text) {
  PwProgram p;
  std::vector<std::string_view> instrs = split(text, ';');
  for (size_t n = 0; n < instrs.size(); ++n) {
    std::vector<std::string_view> words = split(instrs[n], ' ');
    auto bad = [&](const auto&... why) {
      fail("fused pointwise program: instruction ", n, " '", std::string(instrs[n]).substr(0, 64),
           "': ", why...);
    };
    std::string_view head = words[0];
    size_t arg0 = 1;  // index of the first register operand in words
    auto reg = [&](size_t w) -> int32_t {
      if (w >= words.size() || words[w].size() < 2 || words[w][0] != '%')
        bad("expected a register %N as operand ", w - arg0 + 1);
      int64_t r = 0;
      for (char c : words[w].substr(1)) {
        if (c < '0' || c > '9' || r > 1000000) bad("'", std::string(words[w]), "' is no register");
        r = r * 10 + (c - '0');
      }
      if (r >= static_cast<int64_t>(p.code.size()))
        bad("register %", r, " is used before it is defined");
      return static_cast<int32_t>(r);
    };
    if (head == "out") {
      if (words.size() != 3) bad("expected 'out %N TYPE'");
      PwOutput o;
      o.reg = reg(1);
      if (!parse_type(words[2], &o.type)) bad("unknown output type '", std::string(words[2]), "'");
      p.outputs.push_back(o);
      continue;
    }
    if (!p.outputs.empty()) bad("instructions must come before the outputs");
    PwInstr i;
    if (head == "in") {
      i.op = PwOp::kINPUT;
      arg0 = 2;
      if (words.size() != 2) bad("expected 'in K'");
      float k;
      if (!parse_float(words[1], &k) || k < 0 || k > 1000 || k != std::floor(k))
        bad("bad input index '", std::string(words[1]), "'");
      i.code = static_cast<int32_t>(k);
    } else if (head == "const") {
      i.op = PwOp::kCONST;
      arg0 = 2;
      if (words.size() != 2 || !parse_float(words[1], &i.value)) bad("expected 'const VALUE'");
    } else if (head == "select") {
      i.op = PwOp::kSELECT;
    } else if (head == "cast") {
      i.op = PwOp::kCAST;
      DataType t;
      if (words.size() < 2 || !parse_type(words[1], &t))
        bad("expected 'cast TYPE %N' with TYPE float32, float16, bfloat16 or bool");
      i.code = static_cast<int32_t>(t);
      arg0 = 2;
    } else {
      std::string_view name = head;
      std::string_view params;
      if (size_t b = head.find('['); b != std::string_view::npos) {
        if (head.back() != ']') bad("unclosed '['");
        name = head.substr(0, b);
        params = head.substr(b + 1, head.size() - b - 2);
      }
      if (int32_t u = find_name(kUnaryNames, name); u >= 0 && params.empty()) {
        i.op = PwOp::kUNARY;
        i.code = u;
      } else if (int32_t e = find_name(kBinaryNames, name); e >= 0 && params.empty()) {
        i.op = PwOp::kBINARY;
        i.code = e;
      } else if (int32_t a = find_name(kActivationNames, name); a >= 0) {
        i.op = PwOp::kACTIVATION;
        i.code = a;
        if (!params.empty()) {
          std::vector<std::string_view> ab = split(params, ',');
          if (ab.size() != 2 || !parse_float(ab[0], &i.alpha) || !parse_float(ab[1], &i.beta))
            bad("expected [alpha,beta]");
        }
      } else {
        bad("unknown operation '", std::string(name), "'");
      }
    }
    if (words.size() != arg0 + static_cast<size_t>(i.num_args()))
      bad("expects ", i.num_args(), " register operands");
    for (int32_t a = 0; a < i.num_args(); ++a) i.args[a] = reg(arg0 + a);
    p.code.push_back(i);
  }
  if (p.outputs.empty()) fail("fused pointwise program: no 'out' instruction");
  return p;
}

}  // namespace kiln::ir
