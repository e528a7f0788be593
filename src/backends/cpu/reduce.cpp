// Reduce CPU kernel: sum/prod/max/min/avg over the axes of a bitmask. Floats accumulate in double
// (max/min propagate NaN); integers in 64 bits with wrap-around, like the int32/int64 they hold.
#include <cmath>
#include <limits>

#include "backends/cpu/common.h"
#include "ir/op.h"

namespace kiln::cpu {
namespace {

// One reduction of float values (staged as float32), in double. An empty reduction gives the
// identity: 0, 1, -inf (max), +inf (min), NaN (avg: 0 / 0).
double reduce_float(ReduceOperation op, const float* x, const std::vector<int64_t>& group) {
  double acc = 0.0;
  switch (op) {
    case ReduceOperation::kSUM:
    case ReduceOperation::kAVG:
      for (int64_t off : group) acc += x[off];
      if (op == ReduceOperation::kAVG) acc /= static_cast<double>(group.size());
      return acc;
    case ReduceOperation::kPROD:
      acc = 1.0;
      for (int64_t off : group) acc *= x[off];
      return acc;
    case ReduceOperation::kMAX:
    case ReduceOperation::kMIN: {
      bool max = op == ReduceOperation::kMAX;
      acc = max ? -INFINITY : INFINITY;
      for (int64_t off : group) {
        double v = x[off];
        if (std::isnan(v)) return v;
        acc = max ? std::max(acc, v) : std::min(acc, v);
      }
      return acc;
    }
  }
  return acc;
}

// One reduction of int32/int64 values; sum and prod wrap around (unsigned arithmetic avoids the
// undefined signed overflow). An empty max/min gives the type's lowest/highest value.
template <typename T>
T reduce_int(ReduceOperation op, const T* x, const std::vector<int64_t>& group) {
  switch (op) {
    case ReduceOperation::kSUM: {
      uint64_t acc = 0;
      for (int64_t off : group) acc += static_cast<uint64_t>(static_cast<int64_t>(x[off]));
      return static_cast<T>(acc);
    }
    case ReduceOperation::kPROD: {
      uint64_t acc = 1;
      for (int64_t off : group) acc *= static_cast<uint64_t>(static_cast<int64_t>(x[off]));
      return static_cast<T>(acc);
    }
    case ReduceOperation::kMAX: {
      T acc = std::numeric_limits<T>::lowest();
      for (int64_t off : group) acc = std::max(acc, x[off]);
      return acc;
    }
    case ReduceOperation::kMIN: {
      T acc = std::numeric_limits<T>::max();
      for (int64_t off : group) acc = std::min(acc, x[off]);
      return acc;
    }
    case ReduceOperation::kAVG:
      break;  // refused by inference
  }
  return T{};
}

}  // namespace

void run_reduce(const ir::Node& node, std::span<const TensorView> inputs,
                std::span<const TensorView> outputs) {
  const auto& attrs = node.get<ReduceAttrs>();
  const TensorView& x = inputs[0];
  const TensorView& y = outputs[0];
  // Output i (row-major over the kept dims) starts at starts[i]: offsets_over lists the kept dims
  // in the same order as the output holds them, with or without the size-1 reduced ones.
  std::vector<int64_t> starts = offsets_over(x.dims, ~attrs.axes);
  std::vector<int64_t> group = offsets_over(x.dims, attrs.axes);
  int64_t count = static_cast<int64_t>(starts.size());
  if (numel(y) != count) {
    ir::fail_at(node, "output ", y.dims, " does not match input ", x.dims, " reduced");
  }
  if (x.type == DataType::kINT32 || x.type == DataType::kINT64) {
    if (attrs.op == ReduceOperation::kAVG) ir::fail_at(node, "average needs a float input");
    dispatch(x.type, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
        const T* src = static_cast<const T*>(x.data);
        T* dst = static_cast<T*>(y.data);
        for (int64_t i = 0; i < count; ++i) dst[i] = reduce_int(attrs.op, src + starts[i], group);
      }
    });
    return;
  }
  if (!ir::is_floating(x.type)) ir::fail_at(node, "unsupported input type ", x.type);
  FloatInput in(x);
  FloatOutput out(y);
  for (int64_t i = 0; i < count; ++i) {
    out[i] = static_cast<float>(reduce_float(attrs.op, in.data() + starts[i], group));
  }
  out.commit();
}

}  // namespace kiln::cpu
