// cuda.generated.pointwise: the fused pointwise op (FusedPointwiseAttrs) as a CUDA kernel generated
// from its program and compiled with NVRTC at build time.
//
// The source is self-contained: fp16/bf16 conversions are inline PTX (cvt), so no CUDA header path
// is needed where the engine is built. Each kernel has two loops: a vectorized one (8 elements a
// thread: 16-byte loads of fp16/bf16, two of float32) used when every input is the output's shape,
// a row vector broadcast along the outer dimensions (a bias) or a scalar, and every size allows;
// and a scalar one that reads broadcast inputs through strides. Arithmetic is float32.
//
// All of an engine's fused kernels are compiled as one program (compile_generated_kernels, before
// tactic selection); the plan stores, per step, the kernel's name and the program's cubin.
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "backends/cuda/check.h"
#include "backends/cuda/codegen.h"
#include "backends/cuda/tactics/util.h"
#include "backends/device.h"
#include "core/checksum.h"
#include "ir/op.h"
#include "ir/pointwise_program.h"

namespace kiln::cuda {

namespace {

constexpr int kMaxIn = 8;
constexpr int kMaxOut = 4;
constexpr int kVec = 8;

// Kernel arguments, passed by value; the generated source declares the same layout.
struct PwArgs {
  int64_t n = 0;
  int64_t out_dims[kMaxRank] = {};
  int32_t rank = 0;
  int32_t vec = 0;
  const void* in[kMaxIn] = {};
  int32_t mode[kMaxIn] = {};  // 0 full, 1 row vector (offset i % inner), 2 scalar, 3 strided
  int64_t inner[kMaxIn] = {};
  int64_t strides[kMaxIn][kMaxRank] = {};
  void* out[kMaxOut] = {};
};

const char* kPrelude = R"(
typedef long long i64;
struct KPwArgs {
  i64 n; i64 out_dims[8]; int rank; int vec;
  const void* in[8]; int mode[8]; i64 inner[8]; i64 strides[8][8]; void* out[4];
};
__device__ __forceinline__ float k_h2f(unsigned short h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
__device__ __forceinline__ unsigned short k_f2h(float f) { unsigned short h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }
__device__ __forceinline__ float k_b2f(unsigned short b) { return __uint_as_float(((unsigned)b) << 16); }
__device__ __forceinline__ unsigned short k_f2b(float f) { unsigned short h; asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }
__device__ __forceinline__ float k_round_f16(float f) { return k_h2f(k_f2h(f)); }
__device__ __forceinline__ float k_round_bf16(float f) { return k_b2f(k_f2b(f)); }
__device__ __forceinline__ float k_ld_float32(const void* p, i64 o) { return ((const float*)p)[o]; }
__device__ __forceinline__ float k_ld_float16(const void* p, i64 o) { return k_h2f(((const unsigned short*)p)[o]); }
__device__ __forceinline__ float k_ld_bfloat16(const void* p, i64 o) { return k_b2f(((const unsigned short*)p)[o]); }
__device__ __forceinline__ float k_ld_bool(const void* p, i64 o) { return ((const unsigned char*)p)[o] != 0 ? 1.f : 0.f; }
__device__ __forceinline__ void k_st_float32(void* p, i64 o, float v) { ((float*)p)[o] = v; }
__device__ __forceinline__ void k_st_float16(void* p, i64 o, float v) { ((unsigned short*)p)[o] = k_f2h(v); }
__device__ __forceinline__ void k_st_bfloat16(void* p, i64 o, float v) { ((unsigned short*)p)[o] = k_f2b(v); }
__device__ __forceinline__ void k_st_bool(void* p, i64 o, float v) { ((unsigned char*)p)[o] = v != 0.f ? 1 : 0; }
__device__ __forceinline__ void k_ld8_float32(const float* p, float* v) {
  float4 a = ((const float4*)p)[0], b = ((const float4*)p)[1];
  v[0] = a.x; v[1] = a.y; v[2] = a.z; v[3] = a.w; v[4] = b.x; v[5] = b.y; v[6] = b.z; v[7] = b.w;
}
__device__ __forceinline__ void k_ld8_u16(const unsigned short* p, unsigned short* h) {
  uint4 a = *(const uint4*)p;
  h[0] = a.x & 0xffff; h[1] = a.x >> 16; h[2] = a.y & 0xffff; h[3] = a.y >> 16;
  h[4] = a.z & 0xffff; h[5] = a.z >> 16; h[6] = a.w & 0xffff; h[7] = a.w >> 16;
}
__device__ __forceinline__ void k_ld8_float16(const void* p, float* v) { unsigned short h[8]; k_ld8_u16((const unsigned short*)p, h); for (int j = 0; j < 8; ++j) v[j] = k_h2f(h[j]); }
__device__ __forceinline__ void k_ld8_bfloat16(const void* p, float* v) { unsigned short h[8]; k_ld8_u16((const unsigned short*)p, h); for (int j = 0; j < 8; ++j) v[j] = k_b2f(h[j]); }
__device__ __forceinline__ void k_ld8_float32v(const void* p, float* v) { k_ld8_float32((const float*)p, v); }
__device__ __forceinline__ void k_ld8_bool(const void* p, float* v) { uint2 a = *(const uint2*)p; for (int j = 0; j < 4; ++j) { v[j] = ((a.x >> (8 * j)) & 255) ? 1.f : 0.f; v[4 + j] = ((a.y >> (8 * j)) & 255) ? 1.f : 0.f; } }
__device__ __forceinline__ void k_st8_float32(void* p, const float* v) { ((float4*)p)[0] = make_float4(v[0], v[1], v[2], v[3]); ((float4*)p)[1] = make_float4(v[4], v[5], v[6], v[7]); }
__device__ __forceinline__ void k_st8_u16(void* p, const unsigned short* h) { uint4 a; a.x = h[0] | ((unsigned)h[1] << 16); a.y = h[2] | ((unsigned)h[3] << 16); a.z = h[4] | ((unsigned)h[5] << 16); a.w = h[6] | ((unsigned)h[7] << 16); *(uint4*)p = a; }
__device__ __forceinline__ void k_st8_float16(void* p, const float* v) { unsigned short h[8]; for (int j = 0; j < 8; ++j) h[j] = k_f2h(v[j]); k_st8_u16(p, h); }
__device__ __forceinline__ void k_st8_bfloat16(void* p, const float* v) { unsigned short h[8]; for (int j = 0; j < 8; ++j) h[j] = k_f2b(v[j]); k_st8_u16(p, h); }
__device__ __forceinline__ void k_st8_bool(void* p, const float* v) { uint2 a; a.x = 0; a.y = 0; for (int j = 0; j < 4; ++j) { a.x |= (v[j] != 0.f ? 1u : 0u) << (8 * j); a.y |= (v[4 + j] != 0.f ? 1u : 0u) << (8 * j); } *(uint2*)p = a; }
__device__ __forceinline__ i64 k_off(const KPwArgs& a, int k, i64 i) {
  switch (a.mode[k]) {
    case 0: return i;
    case 1: return i % a.inner[k];
    case 2: return 0;
  }
  i64 off = 0;
  for (int d = a.rank - 1; d >= 0; --d) { i64 n = a.out_dims[d]; off += (i % n) * a.strides[k][d]; i /= n; }
  return off;
}
__device__ __forceinline__ float k_isnan(float x) { return x != x; }
__device__ __forceinline__ float k_max(float x, float y) { return (x != x || y != y) ? x + y : fmaxf(x, y); }
__device__ __forceinline__ float k_min(float x, float y) { return (x != x || y != y) ? x + y : fminf(x, y); }
__device__ __forceinline__ float k_b(bool b) { return b ? 1.f : 0.f; }
__device__ __forceinline__ float k_sigmoid(float x) { if (x >= 0.f) return 1.f / (1.f + expf(-x)); float e = expf(x); return e / (1.f + e); }
__device__ __forceinline__ float k_softplus(float t) { return t > 0.f ? t + log1pf(expf(-t)) : log1pf(expf(t)); }
__device__ __forceinline__ bool k_inf(float x, float* lim) { if (!isinf(x)) return false; *lim = x > 0.f ? x : 0.f; return true; }
__device__ __forceinline__ float k_gelu_erf(float v) { float l; if (k_inf(v, &l)) return l; return 0.5f * v * (1.f + erff(v * 0.70710678118654752f)); }
__device__ __forceinline__ float k_gelu_tanh(float v) { float l; if (k_inf(v, &l)) return l; return 0.5f * v * (1.f + tanhf(0.79788456080286536f * (v + 0.044715f * v * v * v))); }
__device__ __forceinline__ float k_silu(float v) { float l; if (k_inf(v, &l)) return l; return v * k_sigmoid(v); }
__device__ __forceinline__ float k_mish(float v) { float l; if (k_inf(v, &l)) return l; return v * tanhf(k_softplus(v)); }
__device__ __forceinline__ float k_sign(float v) { return v != v ? v : (float)((v > 0.f) - (v < 0.f)); }
)";

std::string float_literal(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "__uint_as_float(0x%08xu)", bits);
  return buf;
}

std::string unary_expr(UnaryOperation op, const std::string& a) {
  switch (op) {
    case UnaryOperation::kEXP:
      return "expf(" + a + ")";
    case UnaryOperation::kLOG:
      return "logf(" + a + ")";
    case UnaryOperation::kSQRT:
      return "sqrtf(" + a + ")";
    case UnaryOperation::kRECIP:
      return "(1.f / " + a + ")";
    case UnaryOperation::kABS:
      return "fabsf(" + a + ")";
    case UnaryOperation::kNEG:
      return "(-" + a + ")";
    case UnaryOperation::kSIN:
      return "sinf(" + a + ")";
    case UnaryOperation::kCOS:
      return "cosf(" + a + ")";
    case UnaryOperation::kTAN:
      return "tanf(" + a + ")";
    case UnaryOperation::kERF:
      return "erff(" + a + ")";
    case UnaryOperation::kFLOOR:
      return "floorf(" + a + ")";
    case UnaryOperation::kCEIL:
      return "ceilf(" + a + ")";
    case UnaryOperation::kROUND:
      return "rintf(" + a + ")";
    case UnaryOperation::kNOT:
      return "k_b(" + a + " == 0.f)";
    case UnaryOperation::kSIGN:
      return "k_sign(" + a + ")";
    case UnaryOperation::kSINH:
      return "sinhf(" + a + ")";
    case UnaryOperation::kCOSH:
      return "coshf(" + a + ")";
    case UnaryOperation::kASIN:
      return "asinf(" + a + ")";
    case UnaryOperation::kACOS:
      return "acosf(" + a + ")";
    case UnaryOperation::kATAN:
      return "atanf(" + a + ")";
    case UnaryOperation::kASINH:
      return "asinhf(" + a + ")";
    case UnaryOperation::kACOSH:
      return "acoshf(" + a + ")";
    case UnaryOperation::kATANH:
      return "atanhf(" + a + ")";
    case UnaryOperation::kISINF:
      return "k_b(isinf(" + a + "))";
    case UnaryOperation::kISNAN:
      return "k_b(" + a + " != " + a + ")";
  }
  fail("generated pointwise kernel: unknown unary operation ", static_cast<int>(op));
}

std::string binary_expr(ElementWiseOperation op, const std::string& a, const std::string& b) {
  switch (op) {
    case ElementWiseOperation::kSUM:
      return "(" + a + " + " + b + ")";
    case ElementWiseOperation::kPROD:
      return "(" + a + " * " + b + ")";
    case ElementWiseOperation::kMAX:
      return "k_max(" + a + ", " + b + ")";
    case ElementWiseOperation::kMIN:
      return "k_min(" + a + ", " + b + ")";
    case ElementWiseOperation::kSUB:
      return "(" + a + " - " + b + ")";
    case ElementWiseOperation::kDIV:
      return "(" + a + " / " + b + ")";
    case ElementWiseOperation::kPOW:
      return "powf(" + a + ", " + b + ")";
    case ElementWiseOperation::kFLOOR_DIV:
      return "floorf(" + a + " / " + b + ")";
    case ElementWiseOperation::kAND:
      return "k_b(" + a + " != 0.f && " + b + " != 0.f)";
    case ElementWiseOperation::kOR:
      return "k_b(" + a + " != 0.f || " + b + " != 0.f)";
    case ElementWiseOperation::kXOR:
      return "k_b((" + a + " != 0.f) != (" + b + " != 0.f))";
    case ElementWiseOperation::kEQUAL:
      return "k_b(" + a + " == " + b + ")";
    case ElementWiseOperation::kGREATER:
      return "k_b(" + a + " > " + b + ")";
    case ElementWiseOperation::kLESS:
      return "k_b(" + a + " < " + b + ")";
  }
  fail("generated pointwise kernel: unknown elementwise operation ", static_cast<int>(op));
}

std::string activation_expr(const ir::PwInstr& in, const std::string& v) {
  const std::string al = float_literal(in.alpha), be = float_literal(in.beta);
  switch (static_cast<ActivationType>(in.code)) {
    case ActivationType::kRELU:
      return "(" + v + " < 0.f ? 0.f : " + v + ")";
    case ActivationType::kSIGMOID:
      return "k_sigmoid(" + v + ")";
    case ActivationType::kTANH:
      return "tanhf(" + v + ")";
    case ActivationType::kLEAKY_RELU:
      return "(" + v + " >= 0.f ? " + v + " : " + al + " * " + v + ")";
    case ActivationType::kELU:
      return "(" + v + " >= 0.f ? " + v + " : " + al + " * expm1f(" + v + "))";
    case ActivationType::kSELU:
      return "(" + be + " * (" + v + " > 0.f ? " + v + " : " + al + " * expm1f(" + v + ")))";
    case ActivationType::kSOFTPLUS:
      return "(" + al + " * k_softplus(" + be + " * " + v + "))";
    case ActivationType::kCLIP:
      return "(" + v + " < " + al + " ? " + al + " : (" + v + " > " + be + " ? " + be + " : " + v +
             "))";
    case ActivationType::kHARD_SIGMOID:
      return "fminf(fmaxf(" + al + " * " + v + " + " + be + ", 0.f), 1.f)";
    case ActivationType::kGELU_ERF:
      return "k_gelu_erf(" + v + ")";
    case ActivationType::kGELU_TANH:
      return "k_gelu_tanh(" + v + ")";
    case ActivationType::kSILU:
      return "k_silu(" + v + ")";
    case ActivationType::kTHRESHOLDED_RELU:
      return "(" + v + " > " + al + " ? " + v + " : (" + v + " != " + v + " ? " + v + " : 0.f))";
    case ActivationType::kSOFTSIGN:
      return "(isinf(" + v + ") ? copysignf(1.f, " + v + ") : " + v + " / (1.f + fabsf(" + v +
             ")))";
    case ActivationType::kSCALED_TANH:
      return "(" + al + " * tanhf(" + be + " * " + v + "))";
    case ActivationType::kMISH:
      return "k_mish(" + v + ")";
  }
  fail("generated pointwise kernel: unknown activation ", in.code);
}

std::string cast_expr(DataType t, const std::string& a) {
  switch (t) {
    case DataType::kHALF:
      return "k_round_f16(" + a + ")";
    case DataType::kBF16:
      return "k_round_bf16(" + a + ")";
    case DataType::kBOOL:
      return "k_b(" + a + " != 0.f)";
    default:
      return a;
  }
}

// The straight-line body: "float rN = ...;" per instruction; `input(k)` gives input k's value.
template <typename InputFn>
std::string body(const ir::PwProgram& p, InputFn input) {
  std::ostringstream s;
  for (size_t r = 0; r < p.code.size(); ++r) {
    const ir::PwInstr& in = p.code[r];
    auto reg = [&](int k) { return "r" + std::to_string(in.args[k]); };
    std::string e;
    switch (in.op) {
      case ir::PwOp::kINPUT:
        e = input(in.code);
        break;
      case ir::PwOp::kCONST:
        e = float_literal(in.value);
        break;
      case ir::PwOp::kUNARY:
        e = unary_expr(static_cast<UnaryOperation>(in.code), reg(0));
        break;
      case ir::PwOp::kBINARY:
        e = binary_expr(static_cast<ElementWiseOperation>(in.code), reg(0), reg(1));
        break;
      case ir::PwOp::kACTIVATION:
        e = activation_expr(in, reg(0));
        break;
      case ir::PwOp::kSELECT:
        e = "(" + reg(0) + " != 0.f ? " + reg(1) + " : " + reg(2) + ")";
        break;
      case ir::PwOp::kCAST:
        e = cast_expr(static_cast<DataType>(in.code), reg(0));
        break;
    }
    s << "      const float r" << r << " = " << e << ";\n";
  }
  return s.str();
}

struct Kernel {
  std::string name;
  std::string source;  // the kernel alone (without the prelude)
};

// The kernel of a fused node with these input types. Its name hashes its source, so equal
// regions (every layer of a transformer) share one kernel.
Kernel generate(const ir::Node& node, std::span<const DataType> input_types) {
  const ir::PwProgram p = ir::parse_pointwise(node.get<FusedPointwiseAttrs>().program);
  const int nin = static_cast<int>(input_types.size());
  std::ostringstream k;
  k << "(const KPwArgs a) {\n"
    << "  const i64 stride = (i64)gridDim.x * blockDim.x;\n"
    << "  const i64 first = (i64)blockIdx.x * blockDim.x + threadIdx.x;\n"
    << "  if (a.vec) {\n"
    << "    for (i64 v = first; v * 8 < a.n; v += stride) {\n"
    << "      const i64 e = v * 8;\n";
  for (int i = 0; i < nin; ++i) {
    const char* t = to_string(input_types[i]);
    k << "      float x" << i << "[8];\n"
      << "      if (a.mode[" << i << "] == 2) { const float s = k_ld_" << t << "(a.in[" << i
      << "], 0); for (int j = 0; j < 8; ++j) x" << i << "[j] = s; }\n"
      << "      else k_ld8_" << (input_types[i] == DataType::kFLOAT ? "float32v" : t)
      << "((const char*)a.in[" << i << "] + (a.mode[" << i << "] == 1 ? e % a.inner[" << i
      << "] : e) * " << element_size(input_types[i]) << ", x" << i << ");\n";
  }
  for (size_t o = 0; o < p.outputs.size(); ++o) k << "      float y" << o << "[8];\n";
  k << "#pragma unroll\n      for (int j = 0; j < 8; ++j) {\n"
    << body(p, [](int32_t i) { return "x" + std::to_string(i) + "[j]"; });
  for (size_t o = 0; o < p.outputs.size(); ++o)
    k << "      y" << o << "[j] = r" << p.outputs[o].reg << ";\n";
  k << "      }\n";
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    k << "      k_st8_" << to_string(p.outputs[o].type) << "((char*)a.out[" << o << "] + e * "
      << element_size(p.outputs[o].type) << ", y" << o << ");\n";
  }
  k << "    }\n    return;\n  }\n"
    << "  for (i64 i = first; i < a.n; i += stride) {\n";
  k << body(p, [&](int32_t i) {
    return str_cat("k_ld_", to_string(input_types[i]), "(a.in[", i, "], k_off(a, ", i, ", i))");
  });
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    k << "    k_st_" << to_string(p.outputs[o].type) << "(a.out[" << o << "], i, r"
      << p.outputs[o].reg << ");\n";
  }
  k << "  }\n}\n";
  std::string text = k.str();
  char name[40];
  std::snprintf(name, sizeof(name), "kiln_pw_%016llx",
                static_cast<unsigned long long>(checksum64(text.data(), text.size())));
  return {name, str_cat("extern \"C\" __global__ void __launch_bounds__(256) ", name, text)};
}

std::vector<DataType> input_types_of(std::span<const ir::TensorDesc> inputs) {
  std::vector<DataType> types;
  for (const ir::TensorDesc& d : inputs) types.push_back(d.type);
  return types;
}

// Modules compiled by compile_generated_kernels, by kernel name: the cubin of the program that
// holds the kernel.
std::mutex g_mutex;
std::map<std::string, std::shared_ptr<const std::vector<uint8_t>>>& compiled() {
  static std::map<std::string, std::shared_ptr<const std::vector<uint8_t>>> m;
  return m;
}

// params: u32 name length, name, cubin.
std::vector<uint8_t> pack_params(const std::string& name, const std::vector<uint8_t>& cubin) {
  std::vector<uint8_t> out(4 + name.size());
  uint32_t n = static_cast<uint32_t>(name.size());
  std::memcpy(out.data(), &n, 4);
  std::memcpy(out.data() + 4, name.data(), name.size());
  out.insert(out.end(), cubin.begin(), cubin.end());
  return out;
}

struct PwState : TacticState {
  std::shared_ptr<LoadedModule> module;
  CUfunction function = nullptr;
};

class FusedPointwiseTactic : public Tactic {
 public:
  std::string_view name() const override { return "cuda.generated.pointwise"; }
  LayerType layer() const override { return ir::op::kFUSED_POINTWISE; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() > kMaxIn || q.outputs.size() > kMaxOut || q.inputs.empty()) return false;
    for (const ir::TensorDesc& d : q.inputs) {
      if (d.dims.nb_dims < 0 || d.dims.nb_dims > kMaxRank) return false;
    }
    std::lock_guard<std::mutex> lock(g_mutex);
    return compiled().count(generate(q.node, input_types_of(q.inputs)).name) > 0;
  }
  std::vector<TacticConfig> configs(const TacticQuery& q, int32_t) const override {
    Kernel k = generate(q.node, input_types_of(q.inputs));
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = compiled().find(k.name);
    if (it == compiled().end()) return {};
    return {TacticConfig{0, pack_params(k.name, *it->second)}};
  }
  std::unique_ptr<TacticState> create_state(const ir::Node& node,
                                            std::span<const uint8_t> params) const override {
    uint32_t n = 0;
    if (params.size() < 4)
      fail("[fused_pointwise '", node.name, "'] plan parameters are cut short");
    std::memcpy(&n, params.data(), 4);
    if (n == 0 || n > 64 || params.size() < 4 + n)
      fail("[fused_pointwise '", node.name, "'] plan parameters are corrupted");
    std::string name(reinterpret_cast<const char*>(params.data() + 4), n);
    std::vector<uint8_t> cubin(params.begin() + 4 + n, params.end());
    auto state = std::make_unique<PwState>();
    state->module = load_module(cubin);
    state->function = state->module->function(name);
    return state;
  }
  void enqueue(const LaunchArgs& args) const override {
    const DeviceTensor& y = args.outputs[0];
    PwArgs a;
    a.n = volume(y.dims);
    if (a.n <= 0) return;
    a.rank = y.dims.nb_dims;
    for (int d = 0; d < a.rank; ++d) a.out_dims[d] = y.dims.d[d];
    bool vec = a.n % kVec == 0;
    for (size_t k = 0; k < args.inputs.size(); ++k) {
      const DeviceTensor& x = args.inputs[k];
      a.in[k] = x.data;
      int64_t n = volume(x.dims);
      // The input's dims without leading ones, against the output's trailing dims.
      int32_t lead = 0;
      while (lead < x.dims.nb_dims && x.dims.d[lead] == 1) ++lead;
      bool trailing = x.dims.nb_dims - lead <= a.rank;
      for (int32_t i = lead; trailing && i < x.dims.nb_dims; ++i) {
        trailing = x.dims.d[i] == y.dims.d[a.rank - (x.dims.nb_dims - i)];
      }
      if (n == a.n) {
        a.mode[k] = 0;
      } else if (n == 1) {
        a.mode[k] = 2;
      } else if (trailing) {
        a.mode[k] = 1;
        a.inner[k] = n;
      } else {
        a.mode[k] = 3;
      }
      if (a.mode[k] == 3 || (a.mode[k] == 1 && n % kVec != 0)) vec = false;
      if (a.mode[k] != 2 && reinterpret_cast<uintptr_t>(x.data) % 16 != 0) vec = false;
      StridedShape s = broadcast_to(x.dims, y.dims);
      for (int d = 0; d < a.rank; ++d) a.strides[k][d] = s.strides[d];
    }
    for (size_t o = 0; o < args.outputs.size(); ++o) {
      a.out[o] = args.outputs[o].data;
      if (reinterpret_cast<uintptr_t>(a.out[o]) % 16 != 0) vec = false;
    }
    a.vec = vec ? 1 : 0;
    const int64_t work = vec ? a.n / kVec : a.n;
    unsigned int blocks = grid_for(work, 256);
    auto* state = static_cast<PwState*>(args.state);
    void* params[] = {&a};
    launch_generated(state->function, blocks, 256, args.stream, params, args.node.name);
  }
};

KILN_REGISTER_TACTIC(FusedPointwiseTactic);

}  // namespace

}  // namespace kiln::cuda

namespace kiln {

std::string compile_generated_kernels(const ir::Graph& graph, const DeviceInfo& device,
                                      Logger& logger) {
  std::vector<ir::TensorDesc> descs = ir::tensor_descs(graph);
  std::vector<cuda::Kernel> kernels;
  std::vector<std::string> owners;
  std::set<std::string> names;
  for (const ir::Node& n : graph.nodes) {
    if (n.kind() != ir::op::kFUSED_POINTWISE) continue;
    std::vector<DataType> types;
    for (int32_t t : n.inputs) types.push_back(descs[t].type);
    cuda::Kernel k = cuda::generate(n, types);
    {
      std::lock_guard<std::mutex> lock(cuda::g_mutex);
      if (cuda::compiled().count(k.name)) continue;
    }
    if (names.insert(k.name).second) {
      kernels.push_back(k);
      owners.push_back(n.name);
    }
  }
  if (kernels.empty()) return {};
  std::string source = cuda::kPrelude;
  for (const cuda::Kernel& k : kernels) source += "\n" + k.source;
  cuda::CompileResult r = cuda::nvrtc_compile(source, device.compute_capability);
  if (!r.ok) {
    return str_cat(
        "compiling the generated kernels of '", owners[0], "'",
        owners.size() > 1 ? str_cat(" and ", owners.size() - 1, " more fused ops") : std::string(),
        " failed (", cuda::nvrtc_version(), "): ", r.log, "\nsource:\n", source);
  }
  auto cubin = std::make_shared<const std::vector<uint8_t>>(std::move(r.cubin));
  std::lock_guard<std::mutex> lock(cuda::g_mutex);
  for (const cuda::Kernel& k : kernels) cuda::compiled()[k.name] = cubin;
  logger.report(Logger::Severity::kVERBOSE,
                str_cat("compiled ", kernels.size(), " generated kernels with ",
                        cuda::nvrtc_version(), " (", cubin->size(), " bytes)"));
  return {};
}

}  // namespace kiln
