// Strided shapes for the kernels.
#include "backends/cuda/tactics/util.h"

namespace kiln::cuda {

StridedShape contiguous(const Dims& dims) {
  StridedShape s;
  s.rank = dims.nb_dims;
  int64_t stride = 1;
  for (int32_t i = dims.nb_dims - 1; i >= 0; --i) {
    s.dims[i] = dims.d[i];
    s.strides[i] = stride;
    stride *= dims.d[i];
  }
  return s;
}

StridedShape broadcast_to(const Dims& in, const Dims& out) {
  StridedShape own = contiguous(in);
  StridedShape s;
  s.rank = out.nb_dims;
  for (int32_t i = 0; i < out.nb_dims; ++i) {
    int32_t j = in.nb_dims - out.nb_dims + i;
    s.dims[i] = out.d[i];
    s.strides[i] = (j < 0 || in.d[j] == 1) ? 0 : own.strides[j];
  }
  return s;
}

}  // namespace kiln::cuda
