// kiln's TensorRT compatibility headers: TensorRT splits its API over NvInferRuntime.h and
// NvInfer.h; kiln's NvInfer.h has both.
#pragma once

#include "NvInfer.h"
