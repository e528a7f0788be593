// Plan reader: header, checksum, section table, then each section decoded with bounds-checked reads
// and validated, so any bytes either load as a valid EngineData or raise a kiln::Error saying why.
#include <algorithm>
#include <bit>
#include <cstring>
#include <sstream>
#include <type_traits>

#include "core/bytes.h"
#include "kiln/builder.h"
#include "plan/format.h"
#include "plan/plan.h"
#include "plugin/network.h"

namespace kiln::plan {
namespace {

struct Section {
  uint32_t id = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

std::string hex(uint64_t v) {
  std::ostringstream out;
  out << "0x" << std::hex << v;
  return out.str();
}

Dims get_dims(ByteReader& r, const std::string& where) {
  uint32_t rank = r.u32();
  if (rank > static_cast<uint32_t>(Dims::kMaxDims))
    fail(where, ": rank ", rank, " is outside 0..", Dims::kMaxDims);
  Dims dims;
  dims.nb_dims = static_cast<int32_t>(rank);
  for (uint32_t i = 0; i < rank; ++i) dims.d[i] = r.i64();
  return dims;
}

template <typename E>
E get_enum(ByteReader& r, const std::string& where, const char* what) {
  int32_t v = r.i32();
  if (!enum_in_range<E>(v)) fail(where, ": invalid ", what, " ", v);
  return static_cast<E>(v);
}

std::vector<int32_t> get_indices(ByteReader& r, const char* what) {
  std::vector<int32_t> out(r.count(4, what));
  for (int32_t& i : out) i = r.i32();
  return out;
}

template <typename T>
constexpr FieldTag tag_of() {
  if constexpr (std::is_same_v<T, bool>)
    return FieldTag::kBOOL;
  else if constexpr (std::is_enum_v<T>)
    return FieldTag::kENUM;
  else if constexpr (std::is_same_v<T, int32_t>)
    return FieldTag::kINT32;
  else if constexpr (std::is_same_v<T, int64_t>)
    return FieldTag::kINT64;
  else if constexpr (std::is_same_v<T, uint32_t>)
    return FieldTag::kUINT32;
  else if constexpr (std::is_same_v<T, float>)
    return FieldTag::kFLOAT;
  else if constexpr (std::is_same_v<T, double>)
    return FieldTag::kFLOAT64;
  else if constexpr (std::is_same_v<T, Dims>)
    return FieldTag::kDIMS;
  else if constexpr (std::is_same_v<T, std::string>)
    return FieldTag::kSTRING;
  else if constexpr (std::is_same_v<T, std::vector<uint8_t>>)
    return FieldTag::kBYTES;
  else
    return FieldTag::kPERMUTATION;
}

// Reads one stored field's value into the attribute field of the same name.
struct FieldReader {
  ByteReader& r;
  const std::string& where;
  const std::string& name;
  FieldTag tag;
  int index = 0;   // of the field being visited
  int found = -1;  // index of the field that matched `name`

  template <typename T>
  void operator()(const char* field_name, T& value) {
    int i = index++;
    if (found >= 0 || name != field_name) return;
    found = i;
    std::string at = str_cat(where, ": attribute '", name, "'");
    if (tag != tag_of<T>()) {
      fail(at, ": type tag ", static_cast<int>(tag), ", expected ", static_cast<int>(tag_of<T>()));
    }
    if constexpr (std::is_same_v<T, bool>) {
      uint8_t v = r.u8();
      if (v > 1) fail(at, ": bool value ", static_cast<int>(v));
      value = v == 1;
    } else if constexpr (std::is_enum_v<T>) {
      value = get_enum<T>(r, at, "value");
    } else if constexpr (std::is_same_v<T, int32_t>) {
      value = r.i32();
    } else if constexpr (std::is_same_v<T, int64_t>) {
      value = r.i64();
    } else if constexpr (std::is_same_v<T, uint32_t>) {
      value = r.u32();
    } else if constexpr (std::is_same_v<T, float>) {
      value = r.f32();
    } else if constexpr (std::is_same_v<T, double>) {
      value = std::bit_cast<double>(r.u64());
    } else if constexpr (std::is_same_v<T, Dims>) {
      value = get_dims(r, at);
    } else if constexpr (std::is_same_v<T, std::string>) {
      value = r.str();
    } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
      uint32_t n = r.u32();
      const uint8_t* p = r.bytes(n);
      value.assign(p, p + n);
    } else {
      for (int32_t& v : value.order) v = r.i32();
    }
  }
};

// Stored fields are matched by name; fields the plan lacks keep their defaults, so a field added
// with a default still reads older plans. An unknown or repeated field is refused.
void get_attrs(ByteReader& r, ir::Node& node, const std::string& where) {
  uint32_t count = r.count(6, "attribute fields");  // name length, tag, 1-byte value at least
  uint64_t seen = 0;
  for (uint32_t f = 0; f < count; ++f) {
    std::string name = r.str();
    auto tag = static_cast<FieldTag>(r.u8());
    int found = std::visit(
        [&](auto& a) {
          using A = std::decay_t<decltype(a)>;
          FieldReader reader{r, where, name, tag};
          if constexpr (!std::is_same_v<A, std::monostate>) a.fields(reader);
          return reader.found;
        },
        node.attrs);
    if (found < 0) {
      fail(where, ": unknown attribute '", name.substr(0, 64),
           "' (or the plan comes from a newer kiln)");
    }
    if (seen & (uint64_t{1} << found)) fail(where, ": attribute '", name, "' appears twice");
    seen |= uint64_t{1} << found;
  }
}

void get_tensors(ByteReader& r, ir::Graph& g) {
  g.tensors.resize(r.count(20, "tensors"));  // name length, type, rank, producer, weights
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    ir::Tensor& t = g.tensors[i];
    std::string where = str_cat(r.context(), ": tensor ", i);
    t.name = r.str();
    t.type = get_enum<DataType>(r, where, "data type");
    t.dims = get_dims(r, where);
    t.producer = r.i32();
    t.weights = r.i32();
  }
}

// A node's kind: format version 1 stores a public LayerType number, version 2 the kind's snake
// name (public layers and internal ops alike; docs/plan-format.md).
LayerType get_kind(ByteReader& r, const std::string& where, uint32_t format_version) {
  if (format_version < 2) return get_enum<LayerType>(r, where, "layer type");
  std::string name = r.str();
  LayerType kind;
  if (!ir::op_kind_from_name(name, &kind)) {
    fail(where, ": unknown op kind '", name.substr(0, 64), "' (the plan comes from a newer kiln)");
  }
  return kind;
}

void get_nodes(ByteReader& r, ir::Graph& g, uint32_t format_version) {
  g.nodes.resize(r.count(20, "nodes"));  // name length, kind, field count, input and output counts
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    ir::Node& n = g.nodes[i];
    n.name = r.str();
    std::string where = str_cat(r.context(), ": node ", i, " '", n.name.substr(0, 64), "'");
    n.attrs = ir::make_attrs(get_kind(r, where, format_version));
    get_attrs(r, n, str_cat(where, " (", to_string(n.kind()), ")"));
    n.inputs = get_indices(r, "node inputs");
    n.outputs = get_indices(r, "node outputs");
  }
}

void get_weights(ByteReader& r, const uint8_t* data, uint64_t data_size, ir::Graph& g) {
  g.weights.resize(r.count(28, "weights"));  // name length, type, rank, offset, size
  for (size_t i = 0; i < g.weights.size(); ++i) {
    ir::WeightsData& w = g.weights[i];
    w.name = r.str();
    std::string where = str_cat(r.context(), ": weights ", i, " '", w.name.substr(0, 64), "'");
    w.type = get_enum<DataType>(r, where, "data type");
    w.dims = get_dims(r, where);
    uint64_t offset = r.u64();
    uint64_t size = r.u64();
    if (offset % kWeightAlignment != 0)
      fail(where, ": data offset ", offset, " is not 256-byte aligned");
    if (offset > data_size || size > data_size - offset) {
      fail(where, ": bytes ", offset, "..", offset + size, " lie outside the weight data section (",
           data_size, " bytes)");
    }
    w.bytes = std::make_shared<const std::vector<uint8_t>>(data + offset, data + offset + size);
  }
}

void get_steps(ByteReader& r, runtime::EngineData& e) {
  e.num_aux_streams = r.i32();
  e.steps.resize(r.count(16, "steps"));  // node, tactic length, params length, stream
  for (runtime::StepData& s : e.steps) {
    s.node = r.i32();
    s.tactic = r.str();
    uint32_t n = r.u32();
    const uint8_t* params = r.bytes(n);
    s.params.assign(params, params + n);
    s.stream = r.i32();
  }
}

void get_profiles(ByteReader& r, runtime::EngineData& e) {
  e.profiles.resize(r.count(16, "profiles"));  // input count, arena size, offset count
  for (size_t p = 0; p < e.profiles.size(); ++p) {
    runtime::ProfileData& profile = e.profiles[p];
    std::string where = str_cat(r.context(), ": profile ", p);
    profile.inputs.resize(r.count(12, "profile inputs"));  // three ranks
    for (ProfileDims& in : profile.inputs) {
      in.min = get_dims(r, where);
      in.opt = get_dims(r, where);
      in.max = get_dims(r, where);
    }
    profile.memory.arena_size = r.i64();
    profile.memory.offsets.resize(r.count(8, "memory plan offsets"));
    for (int64_t& offset : profile.memory.offsets) offset = r.i64();
  }
}

void get_refit(ByteReader& r, runtime::RefitData& refit) {
  refit.weights.resize(r.count(16, "refit weights"));
  for (runtime::RefitWeights& w : refit.weights) {
    w.name = r.str();
    std::string where = str_cat(r.context(), ": refit weights '", w.name, "'");
    w.type = get_enum<DataType>(r, where, "data type");
    w.dims = get_dims(r, where);
    w.targets = get_indices(r, "refit targets");
  }
  refit.roles.resize(r.count(12, "refit roles"));
  for (runtime::RefitRole& role : refit.roles) {
    role.layer = r.str();
    role.role = r.i32();
    role.weights = r.str();
  }
}

// Names the section a short file cuts, for the "truncated" message.
std::string truncated_message(const uint8_t* p, size_t size, uint64_t file_size) {
  std::string cut = "the section table";
  ByteReader header(p, kHeaderSize, "header");
  header.bytes(kOffSectionCount);
  uint64_t table_end = kHeaderSize + uint64_t{header.u32()} * kSectionEntrySize;
  if (table_end <= size) {
    ByteReader table(p + kHeaderSize, size - kHeaderSize, "section table");
    uint64_t first_cut = UINT64_MAX;
    while (table.offset() + kSectionEntrySize <= table_end - kHeaderSize) {
      uint32_t id = table.u32();
      table.u32();
      uint64_t offset = table.u64(), section_size = table.u64();
      if (offset < first_cut && (offset > size || section_size > size - offset)) {
        first_cut = offset;
        cut = str_cat("the ", section_name(id), " section (bytes ", offset, "..",
                      offset + section_size, ")");
      }
    }
  }
  return str_cat("truncated: the plan is ", file_size, " bytes but only ", size, " are present; ",
                 cut, " is cut short. Copy or download the file again");
}

// The sections, indexed by id - 1.
std::vector<Section> read_section_table(const uint8_t* p, size_t size) {
  ByteReader r(p, size, "corrupted: section table");
  r.bytes(kOffSectionCount);
  uint32_t count = r.u32();
  // kNumSections, plus the optional REFIT section (checked against the builder flags by read()).
  if (count != kNumSections && count != kMaxSections) {
    fail(r.context(), ": ", count, " sections, format version 1 has ", kNumSections, " (",
         kMaxSections, " with the optional refit section)");
  }
  r.bytes(kHeaderSize - kOffReserved);
  uint64_t table_end = kHeaderSize + uint64_t{count} * kSectionEntrySize;
  std::vector<Section> sections(count);
  std::vector<uint8_t> seen(kMaxSections + 1, 0);
  for (Section& s : sections) {
    s.id = r.u32();
    uint32_t reserved = r.u32();
    s.offset = r.u64();
    s.size = r.u64();
    if (s.id < 1 || s.id > count) fail(r.context(), ": unknown section id ", s.id);
    std::string where = str_cat(r.context(), ": ", section_name(s.id));
    if (seen[s.id]++) fail(where, " appears twice");
    if (reserved != 0) fail(where, ": reserved field is ", reserved, ", expected 0");
    size_t alignment = s.id == static_cast<uint32_t>(SectionId::kWEIGHT_DATA) ? kWeightAlignment
                                                                              : kSectionAlignment;
    if (s.offset % alignment != 0)
      fail(where, ": offset ", s.offset, " is not ", alignment, "-byte aligned");
    if (s.offset < table_end || s.offset > size || s.size > size - s.offset) {
      fail(where, ": bytes ", s.offset, "..", s.offset + s.size, " lie outside ", table_end, "..",
           size);
    }
  }
  std::vector<Section> by_offset = sections;
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Section& a, const Section& b) { return a.offset < b.offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    if (by_offset[i - 1].offset + by_offset[i - 1].size > by_offset[i].offset) {
      fail(r.context(), ": the ", section_name(by_offset[i - 1].id), " and ",
           section_name(by_offset[i].id), " sections overlap");
    }
  }
  std::vector<Section> by_id(kMaxSections);  // id 0: the optional section is absent
  for (const Section& s : sections) by_id[s.id - 1] = s;
  return by_id;
}

}  // namespace

Header read_header(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  if (size == 0) fail("not a kiln plan: the data is empty");
  if (std::memcmp(p, kMagic, std::min(size, sizeof(kMagic))) != 0) {
    fail("not a kiln plan: the data does not start with \"KILNPLAN\"");
  }
  if (size < kHeaderSize) {
    fail("truncated: a kiln plan header needs ", kHeaderSize, " bytes, only ", size,
         " are present");
  }
  ByteReader r(p, kHeaderSize, "corrupted: header");
  r.bytes(sizeof(kMagic));
  Header h;
  h.format_version = r.u32();
  if (h.format_version > kFormatVersion) {
    fail("unsupported plan: format version ", h.format_version,
         " is newer than this runtime reads (version ", kFormatVersion,
         "); load it with a newer kiln, or rebuild the engine with this one (kiln ",
         KILN_VERSION_STRING, ")");
  }
  if (h.format_version == 0) fail("corrupted: header: format version 0 does not exist");
  h.kiln_major = r.u32();
  h.kiln_minor = r.u32();
  h.kiln_patch = r.u32();
  h.device = get_enum<DeviceType>(r, "corrupted: header", "backend");
  h.compute_capability = r.i32();
  h.hardware_compatibility = r.u32();
  if (h.hardware_compatibility > static_cast<uint32_t>(HardwareCompatibilityLevel::kAMPERE_PLUS)) {
    fail("unsupported plan: hardware-compatibility level ", h.hardware_compatibility,
         " is not one this runtime knows (it reads 0, same compute capability, and 1, "
         "AMPERE_PLUS); load it with a newer kiln");
  }
  if (h.device == DeviceType::kCPU && h.hardware_compatibility != 0) {
    fail("corrupted: header: a CPU plan with hardware-compatibility level ",
         h.hardware_compatibility);
  }
  h.builder_flags = r.u32();
  h.file_size = r.u64();
  h.checksum = r.u64();
  return h;
}

runtime::EngineData read(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  Header h = read_header(data, size);
  if (h.file_size > size) fail(truncated_message(p, size, h.file_size));
  if (h.file_size < size) {
    fail("corrupted: header: the plan says it is ", h.file_size, " bytes, but ", size,
         " bytes were given");
  }
  uint64_t actual = plan_checksum(p, size);
  if (actual != h.checksum) {
    fail("corrupted: checksum mismatch (stored ", hex(h.checksum), ", computed ", hex(actual),
         "): the plan file is damaged; copy it again or rebuild the engine");
  }
  ByteReader header(p, kHeaderSize, "corrupted: header");
  header.bytes(kOffReserved);
  if (uint32_t reserved = header.u32(); reserved != 0)
    fail(header.context(), ": reserved field is ", reserved);

  std::vector<Section> sections = read_section_table(p, size);
  auto reader = [&](SectionId id) {
    const Section& s = sections[static_cast<uint32_t>(id) - 1];
    return ByteReader(p + s.offset, s.size, str_cat("corrupted: ", section_name(s.id)));
  };
  auto finish = [](const ByteReader& r) {
    if (r.remaining() != 0)
      fail(r.context(), ": ", r.remaining(), " unexpected bytes at the end of the section");
  };

  runtime::EngineData e;
  e.device = h.device;
  e.compute_capability = h.compute_capability;
  e.builder_flags = h.builder_flags;
  e.hardware_compatibility = h.hardware_compatibility;
  ByteReader tensors = reader(SectionId::kTENSORS);
  get_tensors(tensors, e.graph);
  finish(tensors);
  ByteReader nodes = reader(SectionId::kNODES);
  get_nodes(nodes, e.graph, h.format_version);
  finish(nodes);
  ByteReader io = reader(SectionId::kGRAPH_IO);
  e.graph.inputs = get_indices(io, "graph inputs");
  e.graph.outputs = get_indices(io, "graph outputs");
  finish(io);
  ByteReader weights = reader(SectionId::kWEIGHTS);
  ByteReader weight_data = reader(SectionId::kWEIGHT_DATA);
  get_weights(weights, weight_data.bytes(0), weight_data.remaining(), e.graph);
  finish(weights);
  ByteReader steps = reader(SectionId::kSTEPS);
  get_steps(steps, e);
  finish(steps);
  ByteReader profiles = reader(SectionId::kPROFILES);
  get_profiles(profiles, e);
  finish(profiles);
  bool refit = (h.builder_flags >> static_cast<uint32_t>(BuilderFlag::kREFIT)) & 1u;
  bool has_refit = sections[static_cast<uint32_t>(SectionId::kREFIT) - 1].id != 0;
  if (refit != has_refit) {
    fail("corrupted: section table: ",
         refit ? "a plan built with BuilderFlag::kREFIT lacks its refit section"
               : "a refit section in a plan built without BuilderFlag::kREFIT");
  }
  if (refit) {
    ByteReader refit_section = reader(SectionId::kREFIT);
    get_refit(refit_section, e.refit);
    finish(refit_section);
  }

  try {
    validate(e);
  } catch (const Error& err) {
    fail("corrupted: ", err.what());
  }
  plugin::create_plugins(e.graph);  // through the registry; names a missing creator
  return e;
}

}  // namespace kiln::plan
