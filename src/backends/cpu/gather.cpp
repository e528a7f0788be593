// CPU kernel of the gather layer, for any element size. kDEFAULT copies the data block at each
// index along the axis; kELEMENT one element per index; kND one block per index tuple. Every index
// is checked (negative ones count from the back) and an out-of-range one is an Error.
#include <cstring>
#include <vector>

#include "backends/cpu/common.h"

namespace kiln::cpu {
namespace {

int64_t index_at(const TensorView& indices, int64_t j) {
  return indices.type == DataType::kINT64 ? static_cast<const int64_t*>(indices.data)[j]
                                          : static_cast<const int32_t*>(indices.data)[j];
}

// Index `v` along a dimension of size n, wrapped when negative; throws when out of range.
int64_t checked(const ir::Node& node, int64_t v, int64_t n, int32_t dim) {
  if (v < -n || v >= n) {
    fail("[gather '", node.name, "'] index ", v, " is out of range for axis ", dim, " of size ", n);
  }
  return v < 0 ? v + n : v;
}

void gather_default(const ir::Node& node, const TensorView& data, const TensorView& indices,
                    const TensorView& out) {
  int32_t rank = data.dims.nb_dims;
  int32_t axis = node.get<GatherAttrs>().axis;
  if (axis < 0) axis += rank;
  int64_t n = data.dims.d[axis];
  int64_t count = numel(indices);
  std::vector<int64_t> positions(static_cast<size_t>(count));
  for (int64_t j = 0; j < count; ++j) positions[j] = checked(node, index_at(indices, j), n, axis);
  if (numel(out) == 0) return;

  int64_t outer = 1, block = element_size(data.type);  // block: bytes of one step along the axis
  for (int32_t i = 0; i < axis; ++i) outer *= data.dims.d[i];
  for (int32_t i = axis + 1; i < rank; ++i) block *= data.dims.d[i];
  const auto* src = static_cast<const uint8_t*>(data.data);
  auto* dst = static_cast<uint8_t*>(out.data);
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* slab = src + o * n * block;
    for (int64_t p : positions) {
      std::memcpy(dst, slab + p * block, static_cast<size_t>(block));
      dst += block;
    }
  }
}

void gather_element(const ir::Node& node, const TensorView& data, const TensorView& indices,
                    const TensorView& out) {
  int32_t rank = data.dims.nb_dims;
  int32_t axis = node.get<GatherAttrs>().axis;
  if (axis < 0) axis += rank;
  int64_t esize = element_size(data.type);
  Dims strides = strides_of(data.dims);
  const auto* src = static_cast<const uint8_t*>(data.data);
  auto* dst = static_cast<uint8_t*>(out.data);
  int64_t count = numel(indices);
  int64_t coord[Dims::kMaxDims] = {};
  for (int64_t j = 0; j < count; ++j) {
    int64_t offset = 0;
    for (int32_t i = 0; i < rank; ++i) {
      int64_t c =
          i == axis ? checked(node, index_at(indices, j), data.dims.d[axis], axis) : coord[i];
      offset += c * strides.d[i];
    }
    std::memcpy(dst + j * esize, src + offset * esize, static_cast<size_t>(esize));
    for (int32_t i = rank - 1; i >= 0; --i) {
      if (++coord[i] < indices.dims.d[i]) break;
      coord[i] = 0;
    }
  }
}

void gather_nd(const ir::Node& node, const TensorView& data, const TensorView& indices,
               const TensorView& out) {
  int32_t batch_dims = node.get<GatherAttrs>().num_elementwise_dims;
  int32_t q = indices.dims.nb_dims;
  int32_t k = static_cast<int32_t>(indices.dims.d[q - 1]);
  Dims strides = strides_of(data.dims);
  int64_t batches = 1, tuples = 1, block = element_size(data.type);
  for (int32_t i = 0; i < batch_dims; ++i) batches *= data.dims.d[i];
  for (int32_t i = batch_dims; i < q - 1; ++i) tuples *= indices.dims.d[i];
  for (int32_t i = batch_dims + k; i < data.dims.nb_dims; ++i) block *= data.dims.d[i];
  int64_t batch_stride = batch_dims > 0 ? strides.d[batch_dims - 1] : 0;
  const auto* src = static_cast<const uint8_t*>(data.data);
  auto* dst = static_cast<uint8_t*>(out.data);
  int64_t esize = element_size(data.type);
  for (int64_t b = 0; b < batches; ++b) {
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t row = (b * tuples + t) * k;
      int64_t offset = b * batch_stride;
      for (int32_t j = 0; j < k; ++j) {
        int32_t dim = batch_dims + j;
        offset += checked(node, index_at(indices, row + j), data.dims.d[dim], dim) * strides.d[dim];
      }
      std::memcpy(dst, src + offset * esize, static_cast<size_t>(block));
      dst += block;
    }
  }
}

}  // namespace

void run_gather(const ir::Node& node, std::span<const TensorView> inputs,
                std::span<const TensorView> outputs) {
  switch (node.get<GatherAttrs>().mode) {
    case GatherMode::kDEFAULT:
      gather_default(node, inputs[0], inputs[1], outputs[0]);
      return;
    case GatherMode::kELEMENT:
      gather_element(node, inputs[0], inputs[1], outputs[0]);
      return;
    case GatherMode::kND:
      gather_nd(node, inputs[0], inputs[1], outputs[0]);
      return;
  }
}

}  // namespace kiln::cpu
