// kiln build: ONNX model -> plan, with the trtexec build flags and a progress bar.
#pragma once

#include <cstdint>
#include <vector>

#include "args.h"
#include "kiln/logger.h"

namespace kiln::cli {

// Parses the model, builds the plan (writing --saveEngine and --timingCacheFile when given) and
// returns it. Progress goes to stderr. Throws Error.
std::vector<uint8_t> build_plan(const Options& options, Logger& logger);

std::vector<uint8_t> read_file(const std::string& path, const char* what);
void write_file(const std::string& path, const void* data, size_t size, const char* what);

}  // namespace kiln::cli
