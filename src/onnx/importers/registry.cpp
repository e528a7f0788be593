// The op-type registry: each family file adds its importers here with one call.
#include "onnx/importers/families.h"

namespace kiln::onnx {

const ImporterMap& importers() {
  static const ImporterMap map = [] {
    ImporterMap m;
    register_elementwise(m);
    register_activation(m);
    register_unary(m);
    register_matmul(m);
    register_conv_pool(m);
    register_normalization(m);
    register_shape(m);
    register_reduce(m);
    register_resize(m);
    register_indexing(m);
    register_deconv_pad(m);
    register_losses(m);
    register_attention(m);
    register_quantize(m);
    register_quantized(m);
    register_rearrange(m);
    register_recurrent(m);
    register_spectral(m);
    register_rotary(m);
    register_grid_sample(m);
    register_linalg(m);
    return m;
  }();
  return map;
}

}  // namespace kiln::onnx
