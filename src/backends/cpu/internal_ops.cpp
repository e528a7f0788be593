// CPU kernels of the internal op kinds (ir/internal_ops.def): the fused pointwise program
// interpreted over chunks of the output (each instruction applied to a chunk of float registers,
// with the same scalar arithmetic as the unfused kernels), and LayerNorm/RMSNorm over the last
// dimension with double-precision statistics.
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include <unordered_map>

#include "backends/cpu/common.h"
#include "backends/cpu/thread_pool.h"
#include "ir/pointwise_program.h"

namespace kiln::cpu {

namespace {

constexpr int64_t kChunk = 1024;

// Flat offsets into an input of dims `in` (broadcast to `out`) of output elements
// [start, start + n).
void broadcast_offsets(const Dims& in, const Dims& out, int64_t start, int64_t n,
                       int64_t* offsets) {
  if (volume(in) == volume(out)) {
    for (int64_t i = 0; i < n; ++i) offsets[i] = start + i;
    return;
  }
  Dims strides = broadcast_strides(in, out);
  int64_t index[Dims::kMaxDims] = {};
  int64_t rest = start;
  int64_t offset = 0;
  for (int32_t d = out.nb_dims - 1; d >= 0; --d) {
    index[d] = rest % out.d[d];
    rest /= out.d[d];
    offset += index[d] * strides.d[d];
  }
  for (int64_t i = 0; i < n; ++i) {
    offsets[i] = offset;
    for (int32_t d = out.nb_dims - 1; d >= 0; --d) {
      offset += strides.d[d];
      if (++index[d] < out.d[d]) break;
      offset -= strides.d[d] * out.d[d];
      index[d] = 0;
    }
  }
}

void load_input(const TensorView& t, const int64_t* offsets, int64_t n, float* dst) {
  if (t.type == DataType::kBOOL) {
    // Read as bytes: a bool tensor filled by a caller may hold any nonzero byte for true.
    const uint8_t* p = static_cast<const uint8_t*>(t.data);
    for (int64_t i = 0; i < n; ++i) dst[i] = p[offsets[i]] != 0 ? 1.0f : 0.0f;
    return;
  }
  dispatch(t.type, [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(t.data);
    for (int64_t i = 0; i < n; ++i) dst[i] = to_f32(p[offsets[i]]);
  });
}

// v rounded to `type`'s precision (bool: 0 or 1), as a cast layer would store it.
void round_to(DataType type, const float* v, int64_t n, float* dst) {
  dispatch(type, [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < n; ++i) dst[i] = to_f32(from_f32<T>(v[i]));
  });
}

void store_output(const TensorView& t, int64_t start, int64_t n, const float* src) {
  dispatch(t.type, [&](auto tag) {
    using T = decltype(tag);
    T* p = static_cast<T*>(t.data) + start;
    for (int64_t i = 0; i < n; ++i) p[i] = from_f32<T>(src[i]);
  });
}

// Runs `program` on output elements [begin, end), kChunk at a time.
void run_program(const ir::Node& node, const ir::PwProgram& program,
                 std::span<const TensorView> inputs, std::span<const TensorView> outputs,
                 int64_t begin, int64_t end) {
  const Dims& out = outputs[0].dims;
  const size_t nregs = program.code.size();
  std::vector<float> regs(nregs * kChunk);
  std::vector<int64_t> offsets(kChunk);
  for (int64_t start = begin; start < end; start += kChunk) {
    const int64_t n = std::min(kChunk, end - start);
    for (size_t r = 0; r < nregs; ++r) {
      const ir::PwInstr& in = program.code[r];
      float* dst = &regs[r * kChunk];
      const float* a = in.args[0] >= 0 ? &regs[in.args[0] * kChunk] : nullptr;
      const float* b = in.args[1] >= 0 ? &regs[in.args[1] * kChunk] : nullptr;
      const float* c = in.args[2] >= 0 ? &regs[in.args[2] * kChunk] : nullptr;
      switch (in.op) {
        case ir::PwOp::kINPUT: {
          const TensorView& t = inputs[in.code];
          if (t.type == DataType::kFLOAT && volume(t.dims) == volume(out)) {
            // Not broadcast: the input is laid out like the output.
            std::memcpy(dst, static_cast<const float*>(t.data) + start,
                        static_cast<size_t>(n) * sizeof(float));
            break;
          }
          broadcast_offsets(t.dims, out, start, n, offsets.data());
          load_input(t, offsets.data(), n, dst);
          break;
        }
        case ir::PwOp::kCONST:
          for (int64_t i = 0; i < n; ++i) dst[i] = in.value;
          break;
        case ir::PwOp::kUNARY: {
          auto op = static_cast<UnaryOperation>(in.code);
          for (int64_t i = 0; i < n; ++i) dst[i] = unary_f32(op, a[i]);
          break;
        }
        case ir::PwOp::kBINARY: {
          // The four arithmetic operations as plain loops (the compiler vectorizes them; the
          // same IEEE operations as binary_f32), the rest through binary_f32.
          // Registers never overlap: restrict lets the loops vectorize.
          auto op = static_cast<ElementWiseOperation>(in.code);
          float* __restrict d = dst;
          const float* __restrict x = a;
          const float* __restrict y = b;
          if (op == ElementWiseOperation::kSUM) {
            for (int64_t i = 0; i < n; ++i) d[i] = x[i] + y[i];
          } else if (op == ElementWiseOperation::kSUB) {
            for (int64_t i = 0; i < n; ++i) d[i] = x[i] - y[i];
          } else if (op == ElementWiseOperation::kPROD) {
            for (int64_t i = 0; i < n; ++i) d[i] = x[i] * y[i];
          } else if (op == ElementWiseOperation::kDIV) {
            for (int64_t i = 0; i < n; ++i) d[i] = x[i] / y[i];
          } else {
            for (int64_t i = 0; i < n; ++i) dst[i] = binary_f32(op, a[i], b[i]);
          }
          break;
        }
        case ir::PwOp::kACTIVATION:
          if (static_cast<ActivationType>(in.code) == ActivationType::kRELU) {
            // As apply_activation's ReLU: NaN passes through.
            float* __restrict d = dst;
            const float* __restrict x = a;
            for (int64_t i = 0; i < n; ++i) d[i] = x[i] < 0.0f ? 0.0f : x[i];
            break;
          }
          apply_activation(static_cast<ActivationType>(in.code), in.alpha, in.beta, a, dst, n,
                           node.name);
          break;
        case ir::PwOp::kSELECT:
          for (int64_t i = 0; i < n; ++i) dst[i] = a[i] != 0.0f ? b[i] : c[i];
          break;
        case ir::PwOp::kCAST:
          if (static_cast<DataType>(in.code) == DataType::kFLOAT) {
            std::memcpy(dst, a, static_cast<size_t>(n) * sizeof(float));
            break;
          }
          round_to(static_cast<DataType>(in.code), a, n, dst);
          break;
      }
    }
    for (size_t o = 0; o < program.outputs.size(); ++o) {
      const float* value = &regs[program.outputs[o].reg * kChunk];
      if (outputs[o].type == DataType::kFLOAT) {
        std::memcpy(static_cast<float*>(outputs[o].data) + start, value,
                    static_cast<size_t>(n) * sizeof(float));
      } else {
        store_output(outputs[o], start, n, value);
      }
    }
  }
}

// The parsed program of `text`, parsed once per thread and program (engines run the same few
// programs over and over; the cache is bounded).
const ir::PwProgram& parsed_program(const std::string& text) {
  thread_local std::unordered_map<std::string, ir::PwProgram> cache;
  auto it = cache.find(text);
  if (it != cache.end()) return it->second;
  if (cache.size() >= 512) cache.clear();
  return cache.emplace(text, ir::parse_pointwise(text)).first->second;
}

}  // namespace

void run_fused_pointwise(const ir::Node& node, std::span<const TensorView> inputs,
                         std::span<const TensorView> outputs) {
  const std::string& text = node.get<FusedPointwiseAttrs>().program;
  const int64_t total = volume(outputs[0].dims);
  const int64_t chunks = (total + kChunk - 1) / kChunk;
  // Chunks of kChunk elements split over the engine's threads.
  parallel_for(chunks, kParallelGrain / kChunk, [&](int64_t first, int64_t last) {
    run_program(node, parsed_program(text), inputs, outputs, first * kChunk,
                std::min(total, last * kChunk));
  });
}

void run_layer_norm(const ir::Node& node, std::span<const TensorView> inputs,
                    std::span<const TensorView> outputs) {
  const auto& attrs = node.get<LayerNormAttrs>();
  const TensorView& x = inputs[0];
  const TensorView& residual = inputs[1];
  const int64_t h = x.dims.d[x.dims.nb_dims - 1];
  const int64_t rows = h > 0 ? volume(x.dims) / h : 0;
  FloatInput xf(x);
  FloatInput scale(inputs[2]);
  const float* bias = nullptr;
  std::unique_ptr<FloatInput> bias_in, res_in;
  if (inputs[3].data != nullptr) {
    bias_in = std::make_unique<FloatInput>(inputs[3]);
    bias = bias_in->data();
  }
  if (residual.data != nullptr) res_in = std::make_unique<FloatInput>(residual);
  // Rows split over the engine's threads.
  parallel_for(rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(h, 1)),
               [&](int64_t r0, int64_t r1) {
                 std::vector<float> row(h), y(h);
                 for (int64_t r = r0; r < r1; ++r) {
                   const float* px = xf.data() + r * h;
                   for (int64_t i = 0; i < h; ++i)
                     row[i] = res_in ? px[i] + res_in->data()[r * h + i] : px[i];
                   // The sum is rounded to x's type, as an unfused residual add would store it.
                   if (res_in) round_to(x.type, row.data(), h, row.data());
                   double mean = 0.0;
                   if (!attrs.rms) {
                     for (int64_t i = 0; i < h; ++i) mean += row[i];
                     mean /= static_cast<double>(h);
                   }
                   double var = 0.0;
                   for (int64_t i = 0; i < h; ++i) {
                     double d = row[i] - mean;
                     var += d * d;
                   }
                   var /= static_cast<double>(h);
                   const double inv = 1.0 / std::sqrt(var + static_cast<double>(attrs.epsilon));
                   for (int64_t i = 0; i < h; ++i) {
                     float v = static_cast<float>((row[i] - mean) * inv) * scale.data()[i];
                     y[i] = bias ? v + bias[i] : v;
                   }
                   TensorView out_row{
                       static_cast<uint8_t*>(outputs[0].data) + r * h * element_size(x.type),
                       x.type, Dims{h}};
                   store_output(out_row, 0, h, y.data());
                   if (outputs.size() > 1) {
                     TensorView sum_row{
                         static_cast<uint8_t*>(outputs[1].data) + r * h * element_size(x.type),
                         x.type, Dims{h}};
                     store_output(sum_row, 0, h, row.data());
                   }
                 }
               });
}

void run_view(const ir::Node& node, std::span<const TensorView> inputs,
              std::span<const TensorView> outputs) {
  // The executor gives the output the input's address; a view given memory of its own copies.
  if (outputs[0].data != inputs[0].data) {
    std::memmove(outputs[0].data, inputs[0].data,
                 static_cast<size_t>(numel(outputs[0])) * element_size(outputs[0].type));
  }
}

}  // namespace kiln::cpu
