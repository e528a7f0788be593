// The program of a fused pointwise op (FusedPointwiseAttrs): a straight-line list of instructions
// over float registers, one register per instruction, evaluated once per output element. The CPU
// backend interprets it and the CUDA backend generates a kernel from it, so both run the same
// description.
//
// Text form (stored in the node's `program` attribute, shown by the textual IR), instructions
// separated by "; ", register %i being instruction i's result:
//   in 0; const 0.5; mul %0 %1; erf %2; gelu_erf %0; leaky_relu[0.01,0] %0;
//   select %5 %0 %1; cast float16 %2; out %4 float16
//   in K        input K, broadcast to the output shape; fp16/bf16 widened to float, bool 0/1
//   const V     a constant (%.9g, inf, -inf, nan)
//   <unary> %a  a UnaryOperation by name (exp, log, sqrt, recip, abs, neg, ..., erf, not, isnan)
//   <binary> %a %b   an ElementWiseOperation by name (add mul max min sub div pow floor_div and or
//               xor eq gt lt); comparisons and logic give 0/1
//   <activation>[alpha,beta] %a   an ActivationType by name ([alpha,beta] omitted when both 0)
//   select %c %a %b  %c != 0 ? %a : %b
//   cast T %a   rounds to T's precision (float32, float16, bfloat16; bool gives 0/1)
//   out %r T    an output of type T (float32, float16, bfloat16, bool), in order
// All arithmetic is float32 (fp16/bf16 data is widened): within a region intermediates are not
// rounded to the storage type, which is at least as accurate as the unfused layers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/types.h"

namespace kiln::ir {

enum class PwOp : int32_t { kINPUT, kCONST, kUNARY, kBINARY, kACTIVATION, kSELECT, kCAST };

struct PwInstr {
  PwOp op = PwOp::kCONST;
  // kINPUT: the input index; kUNARY: UnaryOperation; kBINARY: ElementWiseOperation;
  // kACTIVATION: ActivationType; kCAST: DataType.
  int32_t code = 0;
  std::array<int32_t, 3> args = {-1, -1, -1};  // registers read
  float value = 0.0f;                          // kCONST
  float alpha = 0.0f;                          // kACTIVATION
  float beta = 0.0f;

  int32_t num_args() const;
};

struct PwOutput {
  int32_t reg = -1;
  DataType type = DataType::kFLOAT;
};

struct PwProgram {
  std::vector<PwInstr> code;
  std::vector<PwOutput> outputs;

  // 1 + the largest input index read (0 for a program that reads no input).
  int32_t num_inputs() const;
};

// The types a fused pointwise op stores and loads: float32, float16, bfloat16 and bool.
bool is_pointwise_type(DataType type);

// The text form above; parse_pointwise(to_text(p)) == p.
std::string to_text(const PwProgram& program);
// Throws Error saying which instruction is malformed: unknown names, registers not defined
// before use, no outputs, unsupported types.
PwProgram parse_pointwise(std::string_view text);

// Names used by the text form (also by the CUDA generator's comments): "exp", "add", "gelu_erf".
const char* unary_name(UnaryOperation op);
const char* binary_name(ElementWiseOperation op);
const char* activation_name(ActivationType type);

}  // namespace kiln::ir
