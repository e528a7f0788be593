// Strided shapes for the kernels.
#include "backends/cuda/tactics/util.h"

#include "backends/cuda/kernels/pointwise.h"

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

void run_epilogue(const DeviceTensor* bias, const FusedActivation& activation,
                  const DeviceTensor& y, cudaStream_t stream, bool bias_done,
                  bool activation_done) {
  if (volume(y.dims) == 0) return;
  if (bias != nullptr && bias->data != nullptr && !bias_done) {
    launch_elementwise(ElementWiseOperation::kSUM, y.type, y.data, contiguous(y.dims), bias->data,
                       broadcast_to(bias->dims, y.dims), y.data, stream);
  }
  if (activation.enabled && !activation_done) {
    launch_activation(activation.type, activation.alpha, activation.beta, y.type, y.data, y.data,
                      volume(y.dims), stream);
  }
}

}  // namespace kiln::cuda
