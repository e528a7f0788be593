// Numbers in kiln's text forms (the textual IR, fused pointwise programs): the shortest decimal
// form that reads back as the same value, and its parser.
#pragma once

#include <string>
#include <string_view>

namespace kiln::ir {

// nan, inf, -inf; integers below 1e15 without exponent; a float value in its shortest form that
// reads back as the same float; other doubles with 17 significant digits.
std::string number_text(double v);

// Reads what number_text writes (and any other strtod decimal); false for anything else.
bool parse_number(std::string_view s, double* out);

}  // namespace kiln::ir
