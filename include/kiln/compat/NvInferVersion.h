// kiln's TensorRT compatibility headers: the TensorRT API level they implement (NvInfer.h).
#pragma once

#define NV_TENSORRT_MAJOR 10
#define NV_TENSORRT_MINOR 13
#define NV_TENSORRT_PATCH 0
#define NV_TENSORRT_BUILD 0
#define NV_TENSORRT_VERSION \
  ((NV_TENSORRT_MAJOR * 10000) + (NV_TENSORRT_MINOR * 100) + NV_TENSORRT_PATCH)
// Set by kiln's headers only: lets a program tell kiln from TensorRT at compile time.
#define KILN_NVINFER_COMPAT 1
