// Running one node through shape inference and its CPU kernel, for the per-op tests.
#pragma once

#include <cstring>
#include <random>
#include <vector>

#include "backends/cpu/common.h"
#include "ir/op.h"

namespace kiln::test {

// A host tensor with its values.
struct HostTensor {
  DataType type = DataType::kFLOAT;
  Dims dims;
  std::vector<uint8_t> bytes;

  template <typename T>
  static HostTensor of(DataType type, const Dims& dims, const std::vector<T>& values) {
    HostTensor t{type, dims, {}};
    int64_t n = volume(dims);
    if (static_cast<int64_t>(values.size()) != n)
      fail("HostTensor::of: ", values.size(), " values for ", dims);
    t.bytes.resize(static_cast<size_t>(n * element_size(type)));
    cpu::dispatch(type, [&](auto tag) {
      using S = decltype(tag);
      S* dst = reinterpret_cast<S*>(t.bytes.data());
      for (int64_t i = 0; i < n; ++i) {
        if constexpr (std::is_same_v<S, half_t> || std::is_same_v<S, bfloat16_t>) {
          dst[i] = cpu::from_f32<S>(static_cast<float>(values[i]));
        } else {
          dst[i] = static_cast<S>(values[i]);
        }
      }
    });
    return t;
  }
  static HostTensor f32(const Dims& dims, const std::vector<float>& v) {
    return of(DataType::kFLOAT, dims, v);
  }

  // Values converted to T (float for fp16/bf16 storage).
  template <typename T>
  std::vector<T> values() const {
    int64_t n = volume(dims);
    std::vector<T> out(static_cast<size_t>(n));
    cpu::dispatch(type, [&](auto tag) {
      using S = decltype(tag);
      const S* src = reinterpret_cast<const S*>(bytes.data());
      for (int64_t i = 0; i < n; ++i) {
        if constexpr (std::is_same_v<S, half_t> || std::is_same_v<S, bfloat16_t>) {
          out[i] = static_cast<T>(cpu::to_f32(src[i]));
        } else {
          out[i] = static_cast<T>(src[i]);
        }
      }
    });
    return out;
  }
};

// Uniform random floats in [lo, hi), reproducible by seed.
inline std::vector<float> random_floats(int64_t n, uint32_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(gen);
  return v;
}

// Infers the outputs of `attrs` on `inputs` (absent optional inputs: HostTensor with
// dims.nb_dims == -1), runs the CPU kernel and returns the outputs. Outputs are filled with a
// poison byte pattern first, so an element the kernel does not write shows up in comparisons.
inline std::vector<HostTensor> run_cpu(const ir::Attrs& attrs,
                                       const std::vector<HostTensor>& inputs,
                                       const std::string& name = "op") {
  ir::Node node;
  node.name = name;
  node.attrs = attrs;
  std::vector<ir::TensorDesc> in;
  for (const HostTensor& t : inputs) in.push_back({t.type, t.dims});
  std::vector<ir::TensorDesc> out(static_cast<size_t>(ir::num_outputs(node.kind())));
  ir::infer_fn(node.kind())(node, in, out);
  std::vector<HostTensor> results;
  for (const ir::TensorDesc& d : out) {
    HostTensor t{d.type, d.dims, {}};
    t.bytes.assign(static_cast<size_t>(volume(d.dims) * element_size(d.type)), 0xCD);
    results.push_back(std::move(t));
  }
  std::vector<cpu::TensorView> in_views, out_views;
  for (const HostTensor& t : inputs) {
    in_views.push_back(
        {t.dims.nb_dims < 0 ? nullptr : const_cast<uint8_t*>(t.bytes.data()), t.type, t.dims});
  }
  for (HostTensor& t : results) out_views.push_back({t.bytes.data(), t.type, t.dims});
  cpu::kernel(node.kind())(node, in_views, out_views);
  return results;
}

// Shape inference only.
inline std::vector<ir::TensorDesc> infer(const ir::Attrs& attrs,
                                         const std::vector<ir::TensorDesc>& in,
                                         const std::string& name = "op") {
  ir::Node node;
  node.name = name;
  node.attrs = attrs;
  std::vector<ir::TensorDesc> out(static_cast<size_t>(ir::num_outputs(node.kind())));
  ir::infer_fn(node.kind())(node, in, out);
  return out;
}

}  // namespace kiln::test
