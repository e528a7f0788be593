// kiln inspect: a text summary of an engine and a self-contained HTML page drawing its graph.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kiln/runtime.h"

namespace kiln::cli {

using StepTimeList = std::vector<std::pair<std::string, double>>;  // step name, average ms

// Device, profiles, I/O tensors and one line per step (with its time when `times` has it).
std::string engine_summary(const Engine& engine, const StepTimeList* times);

// One HTML page (inline CSS and SVG, nothing fetched) drawing the steps of `engine_json` (the
// inspector's kJSON engine information) as a top-to-bottom layered graph, boxes coloured by
// precision, with per-step time and percentage when `times` is given. Throws Error for JSON that
// is not the inspector's.
std::string engine_html(const std::string& engine_json, const StepTimeList* times,
                        const std::string& title);

}  // namespace kiln::cli
