// TimingCache: serialization (magic, format version, device, entries, checksum) and merging.
#include "builder/timing_cache.h"

#include "backends/device.h"
#include "core/bytes.h"
#include "core/checksum.h"
#include "core/error.h"
#include "plan/plan.h"

namespace kiln {

namespace {

constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'T', 'C', 'C', 'H'};
constexpr uint32_t kFormatVersion = 1;

std::string desc_text(const ir::TensorDesc& d) {
  std::string s = to_string(d.type);
  s += "[";
  for (int32_t i = 0; i < d.dims.nb_dims; ++i) s += str_cat(i ? "," : "", d.dims.d[i]);
  return s + "]";
}

}  // namespace

std::string node_signature(const ir::Node& node, std::span<const ir::TensorDesc> in,
                           std::span<const ir::TensorDesc> out) {
  std::vector<uint8_t> attrs = plan::attrs_bytes(node.attrs);
  std::string s = str_cat(to_string(node.kind()), "|", checksum64(attrs.data(), attrs.size()), "|");
  for (const ir::TensorDesc& d : in) s += d.dims.nb_dims < 0 ? "-;" : desc_text(d) + ";";
  s += "->";
  for (const ir::TensorDesc& d : out) s += desc_text(d) + ";";
  return s;
}

std::string device_fingerprint() {
  DeviceInfo info = query_cuda_device();
  if (!info.available) return "";
  return str_cat(info.name, " sm_", info.compute_capability, " ", info.sm_count, " SMs, ",
                 info.libraries, ", kiln ", KILN_VERSION_STRING);
}

std::vector<uint8_t> serialize_timing_cache(const TimingCache::Impl& cache) {
  ByteWriter out;
  out.bytes(kMagic, sizeof(kMagic));
  out.u32(kFormatVersion);
  out.str(cache.device);
  out.u32(static_cast<uint32_t>(cache.entries.size()));
  for (const auto& [key, entry] : cache.entries) {
    out.str(key);
    out.f32(entry.time_ms);
    out.i64(entry.workspace);
  }
  out.u64(checksum64(out.data().data(), out.size()));
  return out.take();
}

TimingCache::Impl parse_timing_cache(const void* data, size_t size) {
  TimingCache::Impl cache;
  if (size == 0) return cache;
  if (data == nullptr) fail("timing cache: null data with size ", size);
  const auto* bytes = static_cast<const uint8_t*>(data);
  if (size < sizeof(kMagic) + 4 + 8 || std::memcmp(bytes, kMagic, sizeof(kMagic)) != 0) {
    fail("timing cache: not a kiln timing cache (", size,
         " bytes without the KILNTCCH magic at the start)");
  }
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i) stored |= static_cast<uint64_t>(bytes[size - 8 + i]) << (8 * i);
  if (stored != checksum64(bytes, size - 8)) {
    fail("timing cache: checksum mismatch; the ", size, " bytes are corrupt or truncated");
  }
  ByteReader in(bytes, size - 8, "timing cache");
  in.bytes(sizeof(kMagic));
  uint32_t version = in.u32();
  if (version != kFormatVersion) {
    fail("timing cache: format version ", version, "; this kiln reads version ", kFormatVersion);
  }
  cache.device = in.str();
  uint32_t n = in.count(4 + 4 + 8, "entries");
  for (uint32_t i = 0; i < n; ++i) {
    std::string key = in.str();
    TimingEntry e;
    e.time_ms = in.f32();
    e.workspace = in.i64();
    cache.entries[std::move(key)] = e;
  }
  if (in.remaining() != 0) {
    fail("timing cache: ", in.remaining(), " unexpected bytes after the last entry");
  }
  return cache;
}

TimingCache::TimingCache(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TimingCache::~TimingCache() = default;

std::vector<uint8_t> TimingCache::serialize() const {
  return serialize_timing_cache(*impl_);
}

int64_t TimingCache::combine(const TimingCache& other, bool ignore_mismatch) {
  const Impl& o = *other.impl_;
  if (o.entries.empty()) return 0;
  if (!impl_->device.empty() && !o.device.empty() && o.device != impl_->device) {
    if (!ignore_mismatch) {
      fail("timing cache combine: the other cache was made on '", o.device, "', this one on '",
           impl_->device,
           "'; pass ignore_mismatch to keep only entries of this device (there are none)");
    }
    return 0;  // keys of another device never match this one's, so nothing applies
  }
  if (impl_->device.empty()) impl_->device = o.device;
  int64_t added = 0;
  for (const auto& [key, entry] : o.entries) added += impl_->entries.emplace(key, entry).second;
  return added;
}

void TimingCache::reset() {
  impl_->entries.clear();
}
int64_t TimingCache::num_entries() const {
  return static_cast<int64_t>(impl_->entries.size());
}
std::string TimingCache::device_description() const {
  return impl_->device;
}

}  // namespace kiln
