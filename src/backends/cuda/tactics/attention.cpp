// cuda.kiln.attention: the internal attention op (AttentionAttrs) with kiln's kernels
// (kernels/attention.h). Two configurations the autotuner times: the flash kernel (float16 /
// bfloat16 on tensor cores, head sizes that are multiples of 8 up to 256) and the row kernel
// (every float type and head size). A step whose plan names the flash kernel runs the row kernel
// at shapes or addresses the flash kernel cannot take, never a wrong answer.
#include "backends/cuda/kernels/attention.h"
#include "backends/cuda/check.h"
#include "backends/cuda/tactics/util.h"
#include "ir/attention_layout.h"
#include "ir/op.h"

namespace kiln::cuda {

namespace {

enum class AttentionKernel : uint8_t { kAuto = 0, kFlash = 1, kRows = 2 };

AttentionShape shape_of(const ir::Node& node, std::span<const DeviceTensor> in,
                        const DeviceTensor& out) {
  const auto& attrs = node.get<AttentionAttrs>();
  const ir::AttentionLayout l =
      ir::attention_layout(attrs, in[0].dims, in[1].dims, in[2].dims, out.dims);
  AttentionShape s;
  s.b0 = l.b0;
  s.b1 = l.b1;
  s.sq = l.sq;
  s.sk = l.sk;
  s.d = l.d;
  s.dv = l.dv;
  s.kv_group = l.kv_group;
  for (int i = 0; i < 3; ++i) {
    s.q[i] = l.q[i];
    s.k[i] = l.k[i];
    s.v[i] = l.v[i];
    s.o[i] = l.o[i];
  }
  if (in[3].data != nullptr) {
    StridedShape m = broadcast_to(in[3].dims, Dims{s.b0, s.b1, s.sq, s.sk});
    for (int i = 0; i < 4; ++i) s.m[i] = m.strides[i];
  }
  s.scale = attrs.scale;
  s.causal = attrs.causal;
  return s;
}

class AttentionTactic : public Tactic {
 public:
  std::string_view name() const override { return "cuda.kiln.attention"; }
  LayerType layer() const override { return ir::op::kATTENTION; }
  TacticSource source() const override { return TacticSource::kKILN; }
  bool supports(const TacticQuery& q) const override {
    if (q.inputs.size() != 4 || q.outputs.size() != 1) return false;
    const DataType t = q.inputs[0].type;
    return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16;
  }
  std::vector<TacticConfig> configs(const TacticQuery& q, int32_t max_configs) const override {
    const Dims& qd = q.inputs[0].dims;
    const Dims& od = q.outputs[0].dims;
    std::vector<TacticConfig> configs;
    if (attention_flash_supports(q.inputs[0].type, qd.d[qd.nb_dims - 1], od.d[od.nb_dims - 1]))
      configs.push_back({1, {static_cast<uint8_t>(AttentionKernel::kFlash)}});
    if (configs.empty() || max_configs > 1)
      configs.push_back({2, {static_cast<uint8_t>(AttentionKernel::kRows)}});
    return configs;
  }
  void enqueue(const LaunchArgs& args) const override {
    AttentionKernel kernel = AttentionKernel::kAuto;
    if (!args.params.empty()) {
      if (args.params.size() != 1 || args.params[0] > static_cast<uint8_t>(AttentionKernel::kRows))
        fail("[attention '", args.node.name, "'] plan parameters name no attention kernel");
      kernel = static_cast<AttentionKernel>(args.params[0]);
    }
    const DeviceTensor& out = args.outputs[0];
    const AttentionShape s = shape_of(args.node, args.inputs, out);
    const DataType type = out.type;
    if (s.sk == 0) {  // no keys: the product with an empty v is 0
      const size_t bytes = static_cast<size_t>(volume(out.dims)) * element_size(type);
      if (bytes > 0) KILN_CUDA_CHECK(cudaMemsetAsync(out.data, 0, bytes, args.stream));
      return;
    }
    const void* mask = args.inputs[3].data;
    auto aligned = [](const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; };
    // Tensors bound by the user may sit at any address: those take the row kernel.
    bool flash_fits = attention_flash_supports(type, s.d, s.dv) && aligned(args.inputs[0].data) &&
                      aligned(args.inputs[1].data) && aligned(args.inputs[2].data) &&
                      aligned(out.data);
    for (const int64_t* st : {s.q, s.k, s.v, s.o}) {
      for (int i = 0; i < 3; ++i) flash_fits = flash_fits && st[i] % 8 == 0;
    }
    if (kernel != AttentionKernel::kRows && flash_fits) {
      launch_attention_flash(type, args.inputs[0].data, args.inputs[1].data, args.inputs[2].data,
                             mask, out.data, s, args.stream);
    } else {
      launch_attention_rows(type, args.inputs[0].data, args.inputs[1].data, args.inputs[2].data,
                            mask, out.data, s, args.stream);
    }
  }
};

KILN_REGISTER_TACTIC(AttentionTactic);

}  // namespace

}  // namespace kiln::cuda
