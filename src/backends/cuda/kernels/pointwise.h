// Host launchers of kiln's pointwise kernels: activation, unary, elementwise, select, conversion.
// Raw device pointers, sizes or strided shapes, data types and a stream; nothing of ir/ or
// runtime/.
//
// Every launcher computes what the CPU reference (backends/cpu/) computes, element for element:
// fp16/bf16 in float32 arithmetic rounded to nearest even, integer arithmetic wrapping, the same
// rules for division by zero, NaN, rounding and saturation. Zero elements launch nothing. A type
// combination the CPU reference does not accept throws kiln::Error (tactics check it first).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "backends/cuda/kernels/common.cuh"
#include "kiln/types.h"

namespace kiln::cuda {

// y = activation(x) over n elements of `type` (float32, float16 or bfloat16). alpha and beta as
// ActivationAttrs.
void launch_activation(ActivationType op, float alpha, float beta, DataType type, const void* x,
                       void* y, int64_t n, cudaStream_t stream);

// y = op(x) over n elements of `type`, which ir inference allows for op: float types for all,
// signed integers for abs/neg/sign, bool for not.
void launch_unary(UnaryOperation op, DataType type, const void* x, void* y, int64_t n,
                  cudaStream_t stream);

// y = a op b. a_shape and b_shape have the output's dims and each input's strides in them (0 along
// broadcast dims; see tactics/util.h broadcast_to). `type` is the inputs' type; y is bool for
// equal/greater/less/and/or/xor, `type` otherwise.
void launch_elementwise(ElementWiseOperation op, DataType type, const void* a,
                        const StridedShape& a_shape, const void* b, const StridedShape& b_shape,
                        void* y, cudaStream_t stream);

// y = condition ? then : else, with numpy broadcasting as launch_elementwise. `type` is the type of
// then, else and y; condition is bool (any nonzero byte is true).
void launch_select(DataType type, const void* condition, const StridedShape& condition_shape,
                   const void* then_x, const StridedShape& then_shape, const void* else_x,
                   const StridedShape& else_shape, void* y, cudaStream_t stream);

// y = x converted from `from` to `to` over n elements (CastLayer, IdentityLayer): saturating into
// integers (NaN -> 0), nearest even into fp16/bf16, nonzero -> true into bool. Same types copy.
void launch_convert(DataType from, DataType to, const void* x, void* y, int64_t n,
                    cudaStream_t stream);

}  // namespace kiln::cuda
