// kiln — the whole public C++ API.
#pragma once

#include "kiln/builder.h"
#include "kiln/error_recorder.h"
#include "kiln/inspector.h"
#include "kiln/logger.h"
#include "kiln/network.h"
#include "kiln/onnx_parser.h"
#include "kiln/plugin.h"
#include "kiln/refit.h"
#include "kiln/runtime.h"
#include "kiln/types.h"

namespace kiln {
// "0.1.0"
const char* version_string();
}  // namespace kiln
