// The compatibility rules of plans (docs/plan-format.md, "Compatibility").
#include "plan/compatibility.h"

#include <charconv>

#include "core/error.h"

namespace kiln::plan {

namespace {

std::string cc_string(int32_t cc) {
  return str_cat(cc / 10, ".", cc % 10);
}

// Calls fn(compute capability, has_sass, has_ptx) for each entry of a CMake architecture list.
template <typename Fn>
void for_each_arch(std::string_view list, Fn fn) {
  while (!list.empty()) {
    size_t end = list.find_first_of(";,");
    std::string_view entry = list.substr(0, end);
    list = end == std::string_view::npos ? std::string_view{} : list.substr(end + 1);
    bool sass = true, ptx = true;
    if (size_t dash = entry.find('-'); dash != std::string_view::npos) {
      std::string_view kind = entry.substr(dash + 1);
      entry = entry.substr(0, dash);
      if (kind == "real") ptx = false;
      if (kind == "virtual") sass = false;
    }
    int32_t cc = 0;
    auto [ptr, ec] = std::from_chars(entry.data(), entry.data() + entry.size(), cc);
    // "90a" (arch-specific features) runs on that exact device only: machine code, no PTX use.
    if (ec != std::errc{} || cc <= 0) continue;
    if (ptr != entry.data() + entry.size()) ptx = false;
    fn(cc, sass, ptx);
  }
}

}  // namespace

std::string level_name(uint32_t level) {
  switch (level) {
    case static_cast<uint32_t>(HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY):
      return "same compute capability";
    case static_cast<uint32_t>(HardwareCompatibilityLevel::kAMPERE_PLUS):
      return "Ampere or newer (AMPERE_PLUS)";
  }
  return str_cat("level ", level);
}

int32_t oldest_ptx(std::string_view architectures) {
  int32_t oldest = 0;
  for_each_arch(architectures, [&](int32_t cc, bool, bool ptx) {
    if (ptx && (oldest == 0 || cc < oldest)) oldest = cc;
  });
  return oldest;
}

bool has_sass(std::string_view architectures, int32_t compute_capability) {
  bool found = false;
  for_each_arch(architectures, [&](int32_t cc, bool sass, bool) {
    if (sass && cc == compute_capability) found = true;
  });
  return found;
}

std::string build_refusal(HardwareCompatibilityLevel level, int32_t compute_capability,
                          std::string_view architectures) {
  if (level == HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY) return {};
  if (level != HardwareCompatibilityLevel::kAMPERE_PLUS) {
    return str_cat("hardware-compatibility level ", static_cast<int32_t>(level), " does not exist");
  }
  if (compute_capability < 80) {
    return str_cat(
        "hardware compatibility AMPERE_PLUS needs a build device of compute capability "
        "8.0 or newer; this one has ",
        cc_string(compute_capability));
  }
  int32_t ptx = oldest_ptx(architectures);
  if (ptx == 0 || ptx > 80) {
    return str_cat(
        "hardware compatibility AMPERE_PLUS needs kiln's own kernels compiled with PTX "
        "for compute_80 or older, so that every Ampere-or-newer GPU can run them; this "
        "kiln was compiled for CUDA architectures \"",
        architectures,
        "\". Rebuild kiln with -DCMAKE_CUDA_ARCHITECTURES=\"80-virtual;90-real\" (or "
        "build with the default level, kSAME_COMPUTE_CAPABILITY)");
  }
  return {};
}

std::string load_refusal(uint32_t level, int32_t plan_cc, int32_t device_cc,
                         std::string_view device) {
  std::string here =
      str_cat("this GPU (", device, ") has compute capability ", cc_string(device_cc));
  if (level == static_cast<uint32_t>(HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY)) {
    if (device_cc != plan_cc) {
      return str_cat("this plan was built for compute capability ", cc_string(plan_cc),
                     " (hardware compatibility: same compute capability), but ", here,
                     "; rebuild the plan on this GPU, or build it with hardware compatibility "
                     "AMPERE_PLUS");
    }
  } else if (level == static_cast<uint32_t>(HardwareCompatibilityLevel::kAMPERE_PLUS)) {
    if (device_cc < 80) {
      return str_cat("this plan runs on GPUs of compute capability 8.0 or newer (built on ",
                     cc_string(plan_cc), " with hardware compatibility AMPERE_PLUS), but ", here);
    }
  } else {
    return str_cat("this plan's hardware-compatibility level ", level,
                   " is not one this kiln knows");
  }
  return {};
}

std::string version_refusal(uint32_t major, uint32_t minor, uint32_t patch, uint32_t builder_flags,
                            std::string_view this_version) {
  std::string built = str_cat(major, ".", minor, ".", patch);
  if (built == this_version) return {};
  if ((builder_flags >> static_cast<uint32_t>(BuilderFlag::kVERSION_COMPATIBLE)) & 1u) {
    // Newer plans of a readable format version load too: the format version already guards
    // what this reader cannot understand.
    return {};
  }
  return str_cat("this plan was built by kiln ", built,
                 " without BuilderFlag::kVERSION_COMPATIBLE, ", "so it loads only in kiln ", built,
                 "; this is kiln ", this_version,
                 ". Rebuild the plan with this kiln, or build it with kVERSION_COMPATIBLE to get a "
                 "plan that later kiln versions load");
}

}  // namespace kiln::plan
