// Helpers the CPU kernels share: type dispatch, float staging of fp16/bf16 data, strides and
// broadcast indexing.
#pragma once

#include <cstring>
#include <vector>

#include "backends/cpu/kernels.h"
#include "core/half.h"

namespace kiln::cpu {

// Storage type of a DataType.
template <DataType T>
struct storage;
template <>
struct storage<DataType::kFLOAT> {
  using type = float;
};
template <>
struct storage<DataType::kHALF> {
  using type = half_t;
};
template <>
struct storage<DataType::kBF16> {
  using type = bfloat16_t;
};
template <>
struct storage<DataType::kINT8> {
  using type = int8_t;
};
template <>
struct storage<DataType::kUINT8> {
  using type = uint8_t;
};
template <>
struct storage<DataType::kINT32> {
  using type = int32_t;
};
template <>
struct storage<DataType::kINT64> {
  using type = int64_t;
};
template <>
struct storage<DataType::kBOOL> {
  using type = bool;
};

// Any element as float / from float (bool: 0 or 1; integers: converted, rounding toward zero).
template <typename T>
inline float to_f32(T v) {
  if constexpr (std::is_same_v<T, half_t> || std::is_same_v<T, bfloat16_t>) {
    return to_float(v);
  } else {
    return static_cast<float>(v);
  }
}
template <typename T>
inline T from_f32(float v) {
  if constexpr (std::is_same_v<T, half_t>) {
    return to_half(v);
  } else if constexpr (std::is_same_v<T, bfloat16_t>) {
    return to_bfloat16(v);
  } else if constexpr (std::is_same_v<T, bool>) {
    return v != 0.0f;
  } else {
    return static_cast<T>(v);
  }
}

// Calls fn(T{}) with the storage type of `type`: dispatch(DataType::kHALF, [&](auto tag) {
// using T = decltype(tag); ... }).
template <typename Fn>
void dispatch(DataType type, Fn&& fn) {
  switch (type) {
    case DataType::kFLOAT:
      fn(float{});
      return;
    case DataType::kHALF:
      fn(half_t{});
      return;
    case DataType::kBF16:
      fn(bfloat16_t{});
      return;
    case DataType::kINT8:
      fn(int8_t{});
      return;
    case DataType::kUINT8:
      fn(uint8_t{});
      return;
    case DataType::kINT32:
      fn(int32_t{});
      return;
    case DataType::kINT64:
      fn(int64_t{});
      return;
    case DataType::kBOOL:
      fn(bool{});
      return;
  }
  fail("unknown data type ", static_cast<int>(type));
}

inline int64_t numel(const TensorView& t) {
  return volume(t.dims);
}

// y[i] = activation(x[i]) for n float32 values (x == y allowed); `layer` names the caller in
// errors. The activation kernel's arithmetic (activation.cpp).
void apply_activation(ActivationType type, float alpha, float beta, const float* x, float* y,
                      int64_t n, std::string_view layer);

// One UnaryOperation in float32 arithmetic, as the unary kernel computes it for float types
// (isinf, isnan and not give 0 or 1).
float unary_f32(UnaryOperation op, float v);
// One ElementWiseOperation in float32 arithmetic, as the elementwise kernel computes it for float
// types; comparisons and logic (on v != 0) give 0 or 1.
float binary_f32(ElementWiseOperation op, float x, float y);

// A tensor's values as float32: points at the data for float32, or at a converted copy.
class FloatInput {
 public:
  explicit FloatInput(const TensorView& t) {
    if (t.type == DataType::kFLOAT) {
      data_ = static_cast<const float*>(t.data);
      return;
    }
    int64_t n = numel(t);
    copy_.resize(static_cast<size_t>(n));
    dispatch(t.type, [&](auto tag) {
      using T = decltype(tag);
      const T* src = static_cast<const T*>(t.data);
      for (int64_t i = 0; i < n; ++i) copy_[i] = to_f32(src[i]);
    });
    data_ = copy_.data();
  }
  const float* data() const { return data_; }
  float operator[](int64_t i) const { return data_[i]; }

 private:
  const float* data_ = nullptr;
  std::vector<float> copy_;
};

// A float32 staging buffer for an output: writes straight into float32 outputs, otherwise into a
// buffer that commit() converts into the output's type.
class FloatOutput {
 public:
  explicit FloatOutput(const TensorView& t) : view_(t) {
    if (t.type == DataType::kFLOAT) {
      data_ = static_cast<float*>(t.data);
    } else {
      copy_.resize(static_cast<size_t>(numel(t)));
      data_ = copy_.data();
    }
  }
  float* data() { return data_; }
  float& operator[](int64_t i) { return data_[i]; }
  void commit() {
    if (view_.type == DataType::kFLOAT) return;
    int64_t n = numel(view_);
    dispatch(view_.type, [&](auto tag) {
      using T = decltype(tag);
      T* dst = static_cast<T*>(view_.data);
      for (int64_t i = 0; i < n; ++i) dst[i] = from_f32<T>(copy_[i]);
    });
  }

 private:
  TensorView view_;
  float* data_ = nullptr;
  std::vector<float> copy_;
};

// Row-major strides of `dims` in elements.
inline Dims strides_of(const Dims& dims) {
  Dims s;
  s.nb_dims = dims.nb_dims;
  int64_t stride = 1;
  for (int32_t i = dims.nb_dims - 1; i >= 0; --i) {
    s.d[i] = stride;
    stride *= dims.d[i];
  }
  return s;
}

// Strides for reading `in` as if broadcast to `out` (numpy rules, aligned at the back): 0 along
// broadcast dimensions. The result has out's rank.
inline Dims broadcast_strides(const Dims& in, const Dims& out) {
  Dims s = strides_of(in);
  Dims r;
  r.nb_dims = out.nb_dims;
  for (int32_t i = 0; i < out.nb_dims; ++i) {
    int32_t j = in.nb_dims - out.nb_dims + i;
    r.d[i] = (j < 0 || in.d[j] == 1) ? 0 : s.d[j];
  }
  return r;
}

// Offset of flat index `linear` of shape `dims` under `strides`.
inline int64_t offset_of(int64_t linear, const Dims& dims, const Dims& strides) {
  int64_t off = 0;
  for (int32_t i = dims.nb_dims - 1; i >= 0; --i) {
    int64_t d = dims.d[i];
    off += (linear % d) * strides.d[i];
    linear /= d;
  }
  return off;
}

// Element offsets of every index over the dims selected by `mask` (the others held at 0), in
// row-major order of those dims: the members of one softmax/reduce group, or the group starts.
inline std::vector<int64_t> offsets_over(const Dims& dims, uint32_t mask) {
  Dims strides = strides_of(dims);
  std::vector<int64_t> offsets{0};
  for (int32_t i = 0; i < dims.nb_dims; ++i) {
    if (!(mask & (1u << i))) continue;
    std::vector<int64_t> next;
    next.reserve(offsets.size() * static_cast<size_t>(dims.d[i]));
    for (int64_t base : offsets) {
      for (int64_t j = 0; j < dims.d[i]; ++j) next.push_back(base + j * strides.d[i]);
    }
    offsets = std::move(next);
  }
  return offsets;
}

}  // namespace kiln::cpu
