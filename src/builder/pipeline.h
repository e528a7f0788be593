// The build, from a network graph to everything a plan holds.
#pragma once

#include "backends/device.h"
#include "kiln/builder.h"
#include "runtime/engine_data.h"

namespace kiln::builder {

// Runs the passes in order (pipeline.cpp reads top to bottom). `device` is the backend the
// engine is built for.
runtime::EngineData build_engine(const ir::Graph& network, const BuilderConfig& config,
                                 DeviceType device, const DeviceInfo& gpu, Logger& logger);

}  // namespace kiln::builder
