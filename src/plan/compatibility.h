// Where a plan may be loaded: the hardware-compatibility level of GPU plans and the kiln-version
// rule of plans built with and without BuilderFlag::kVERSION_COMPATIBLE (docs/plan-format.md,
// "Compatibility"). Pure functions of their arguments, so the rules are tested without a GPU.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kiln/builder.h"

namespace kiln::plan {

// "same compute capability" / "Ampere or newer" for messages; "level N" for an unknown value.
std::string level_name(uint32_t level);

// The oldest compute capability (major * 10 + minor) for which a CMAKE_CUDA_ARCHITECTURES list
// (entries separated by ";" or ",": "90", "80-virtual;90-real", ...) carries PTX, which the driver
// compiles for any newer device; 0 when the list has none ("90-real" is machine code only).
int32_t oldest_ptx(std::string_view architectures);
// Whether the list carries machine code (SASS) for exactly `compute_capability`.
bool has_sass(std::string_view architectures, int32_t compute_capability);

// Why a build at `level` on a device of `compute_capability` with a kiln whose own kernels were
// compiled for `architectures` cannot promise that level; empty when it can.
std::string build_refusal(HardwareCompatibilityLevel level, int32_t compute_capability,
                          std::string_view architectures);

// Why a GPU plan of `plan_cc` at `level` cannot run on a device of `device_cc` named `device`;
// empty when it can. (Whether this kiln's own kernels have code for the device is checked
// separately, by asking the CUDA runtime: cuda_kernels_run_here in backends/device.h.)
std::string load_refusal(uint32_t level, int32_t plan_cc, int32_t device_cc,
                         std::string_view device);

// Why a plan written by kiln `major.minor.patch` with `builder_flags` cannot be loaded by this
// kiln (`this_version`, "0.1.0"); empty when it can. Plans built with kVERSION_COMPATIBLE load in
// this and every later version; others only in the kiln version that built them.
std::string version_refusal(uint32_t major, uint32_t minor, uint32_t patch, uint32_t builder_flags,
                            std::string_view this_version);

}  // namespace kiln::plan
