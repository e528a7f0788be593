// OptimizationProfile and BuilderConfig: validated settings, nothing more.
#include "builder/timing_cache.h"
#include "core/error.h"
#include "kiln/builder.h"

namespace kiln {

void OptimizationProfile::set_shape(const std::string& input_name, const Dims& min, const Dims& opt,
                                    const Dims& max) {
  if (input_name.empty()) fail("OptimizationProfile::set_shape: the input name is empty");
  if (min.nb_dims != opt.nb_dims || opt.nb_dims != max.nb_dims) {
    fail("profile shapes for input '", input_name, "' have different ranks: min ", min, ", opt ",
         opt, ", max ", max);
  }
  if (min.nb_dims < 0 || min.nb_dims > Dims::kMaxDims) {
    fail("profile shapes for input '", input_name, "' have rank ", min.nb_dims, "; allowed 0 to ",
         Dims::kMaxDims);
  }
  for (int32_t i = 0; i < min.nb_dims; ++i) {
    if (min.d[i] < 0) {
      fail("profile shape for input '", input_name, "': min dimension ", i, " is ", min.d[i],
           "; profile shapes must be concrete (>= 0)");
    }
    if (!(min.d[i] <= opt.d[i] && opt.d[i] <= max.d[i])) {
      fail("profile shape for input '", input_name, "': dimension ", i,
           " needs min <= opt <= max, got ", min.d[i], ", ", opt.d[i], ", ", max.d[i]);
    }
  }
  for (Entry& e : entries_) {
    if (e.name == input_name) {
      e.dims = {min, opt, max};
      return;
    }
  }
  entries_.push_back({input_name, {min, opt, max}});
}

bool OptimizationProfile::has_shape(const std::string& input_name) const {
  for (const Entry& e : entries_) {
    if (e.name == input_name) return true;
  }
  return false;
}

ProfileDims OptimizationProfile::get_shape(const std::string& input_name) const {
  for (const Entry& e : entries_) {
    if (e.name == input_name) return e.dims;
  }
  fail("the optimization profile has no shape for input '", input_name, "'");
}

void BuilderConfig::set_flag(BuilderFlag flag) {
  flags_ |= 1u << static_cast<uint32_t>(flag);
}
void BuilderConfig::clear_flag(BuilderFlag flag) {
  flags_ &= ~(1u << static_cast<uint32_t>(flag));
}
bool BuilderConfig::get_flag(BuilderFlag flag) const {
  return (flags_ >> static_cast<uint32_t>(flag)) & 1u;
}

void BuilderConfig::set_memory_pool_limit(MemoryPoolType pool, uint64_t bytes) {
  if (pool != MemoryPoolType::kWORKSPACE) fail("unknown memory pool ", static_cast<int>(pool));
  workspace_limit_ = bytes;
}

uint64_t BuilderConfig::memory_pool_limit(MemoryPoolType pool) const {
  if (pool != MemoryPoolType::kWORKSPACE) fail("unknown memory pool ", static_cast<int>(pool));
  return workspace_limit_;
}

int32_t BuilderConfig::add_optimization_profile(const OptimizationProfile& profile) {
  if (profile.entries().empty()) fail("add_optimization_profile: the profile sets no input shape");
  profiles_.push_back(profile);
  return static_cast<int32_t>(profiles_.size()) - 1;
}

const OptimizationProfile& BuilderConfig::optimization_profile(int32_t index) const {
  if (index < 0 || index >= num_optimization_profiles()) {
    fail("optimization profile ", index, " does not exist; the config has ", profiles_.size());
  }
  return profiles_[index];
}

void BuilderConfig::set_max_aux_streams(int32_t n) {
  if (n < 0) fail("max_aux_streams must be >= 0, got ", n);
  max_aux_streams_ = n;
}

void BuilderConfig::set_cpu_threads(int32_t n) {
  if (n < 0) fail("cpu_threads must be >= 1 (or 0 for the default), got ", n);
  cpu_threads_ = n;
}

void BuilderConfig::set_builder_optimization_level(int32_t level) {
  if (level < 0 || level > 5) fail("builder optimization level must be 0 to 5, got ", level);
  optimization_level_ = level;
}

std::unique_ptr<TimingCache> BuilderConfig::create_timing_cache(const void* blob,
                                                                size_t size) const {
  return std::make_unique<TimingCache>(
      std::make_unique<TimingCache::Impl>(parse_timing_cache(blob, size)));
}

void BuilderConfig::set_timing_cache(TimingCache* cache, bool ignore_mismatch) {
  if (cache != nullptr && !ignore_mismatch && default_device_type_ == DeviceType::kGPU &&
      !cache->impl().device.empty()) {
    std::string here = device_fingerprint();
    if (!here.empty() && here != cache->impl().device) {
      fail("set_timing_cache: the cache was made on '", cache->impl().device,
           "', this build would run on '", here, "'; pass ignore_mismatch to build without it");
    }
  }
  timing_cache_ = cache;
  ignore_timing_cache_mismatch_ = ignore_mismatch;
}

const char* to_string(TacticSource source) {
  switch (source) {
    case TacticSource::kCUBLAS:
      return "CUBLAS";
    case TacticSource::kCUBLAS_LT:
      return "CUBLAS_LT";
    case TacticSource::kCUDNN:
      return "CUDNN";
    case TacticSource::kKILN:
      return "KILN";
    case TacticSource::kONEDNN:
      return "ONEDNN";
  }
  return "UNKNOWN";
}

}  // namespace kiln
