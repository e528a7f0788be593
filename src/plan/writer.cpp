// Plan writer: encodes an EngineData as format version 1 (docs/plan-format.md), deterministically:
// fields in a fixed order, zero padding, no pointers or timestamps, so equal engines give equal
// bytes.
#include <array>
#include <bit>
#include <type_traits>

#include "core/bytes.h"
#include "core/checksum.h"
#include "kiln/builder.h"
#include "plan/format.h"
#include "plan/plan.h"

namespace kiln::plan {
namespace {

template <typename T>
constexpr bool kAlwaysFalse = false;

void put_dims(ByteWriter& w, const Dims& dims) {
  w.u32(static_cast<uint32_t>(dims.nb_dims));
  for (int32_t i = 0; i < dims.nb_dims; ++i) w.i64(dims.d[i]);
}

void put_indices(ByteWriter& w, const std::vector<int32_t>& indices) {
  w.u32(static_cast<uint32_t>(indices.size()));
  for (int32_t i : indices) w.i32(i);
}

// One attribute field: name, type tag, value. Walks whatever fields() lists.
struct FieldWriter {
  ByteWriter& w;
  template <typename T>
  void operator()(const char* name, const T& value) {
    w.str(name);
    if constexpr (std::is_same_v<T, bool>) {
      w.u8(static_cast<uint8_t>(FieldTag::kBOOL));
      w.u8(value ? 1 : 0);
    } else if constexpr (std::is_enum_v<T>) {
      static_assert(sizeof(T) == 4, "plan: attribute enums are stored as 32-bit values");
      static_assert(enum_last(T{}) >= 0, "plan: give the enum an enum_last() in plan/format.h");
      w.u8(static_cast<uint8_t>(FieldTag::kENUM));
      w.i32(static_cast<int32_t>(value));
    } else if constexpr (std::is_same_v<T, int32_t>) {
      w.u8(static_cast<uint8_t>(FieldTag::kINT32));
      w.i32(value);
    } else if constexpr (std::is_same_v<T, int64_t>) {
      w.u8(static_cast<uint8_t>(FieldTag::kINT64));
      w.i64(value);
    } else if constexpr (std::is_same_v<T, uint32_t>) {
      w.u8(static_cast<uint8_t>(FieldTag::kUINT32));
      w.u32(value);
    } else if constexpr (std::is_same_v<T, float>) {
      w.u8(static_cast<uint8_t>(FieldTag::kFLOAT));
      w.f32(value);
    } else if constexpr (std::is_same_v<T, double>) {
      w.u8(static_cast<uint8_t>(FieldTag::kFLOAT64));
      w.u64(std::bit_cast<uint64_t>(value));
    } else if constexpr (std::is_same_v<T, Dims>) {
      w.u8(static_cast<uint8_t>(FieldTag::kDIMS));
      put_dims(w, value);
    } else if constexpr (std::is_same_v<T, Permutation>) {
      w.u8(static_cast<uint8_t>(FieldTag::kPERMUTATION));
      for (int32_t v : value.order) w.i32(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      w.u8(static_cast<uint8_t>(FieldTag::kSTRING));
      w.str(value);
    } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
      w.u8(static_cast<uint8_t>(FieldTag::kBYTES));
      w.str(std::string_view(reinterpret_cast<const char*>(value.data()), value.size()));
    } else {
      static_assert(kAlwaysFalse<T>,
                    "plan: a new attribute field type needs a tag in plan/format.h");
    }
  }
};

void put_attrs(ByteWriter& w, const ir::Attrs& attrs) {
  std::visit(
      [&](const auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (!std::is_same_v<A, std::monostate>) {
          // fields() only reads through the visitor; it is non-const so one walk serves readers
          // too.
          A& fields = const_cast<A&>(a);
          uint32_t count = 0;
          fields.fields([&](const char*, const auto&) { ++count; });
          w.u32(count);
          fields.fields(FieldWriter{w});
        }
      },
      attrs);
}

void put_tensors(ByteWriter& w, const ir::Graph& g) {
  w.u32(static_cast<uint32_t>(g.tensors.size()));
  for (const ir::Tensor& t : g.tensors) {
    w.str(t.name);
    w.i32(static_cast<int32_t>(t.type));
    put_dims(w, t.dims);
    w.i32(t.producer);
    w.i32(t.weights);
  }
}

void put_nodes(ByteWriter& w, const ir::Graph& g, uint32_t format_version) {
  w.u32(static_cast<uint32_t>(g.nodes.size()));
  for (const ir::Node& n : g.nodes) {
    w.str(n.name);
    if (format_version >= 2) {
      w.str(to_string(n.kind()));
    } else {
      w.i32(static_cast<int32_t>(n.kind()));
    }
    put_attrs(w, n.attrs);
    put_indices(w, n.inputs);
    put_indices(w, n.outputs);
  }
}

// WEIGHTS holds where each blob lies relative to the start of WEIGHT_DATA (256-byte aligned).
void put_weights(ByteWriter& meta, ByteWriter& data, const ir::Graph& g) {
  meta.u32(static_cast<uint32_t>(g.weights.size()));
  for (const ir::WeightsData& wd : g.weights) {
    data.pad_to(kWeightAlignment);
    size_t size = wd.bytes ? wd.bytes->size() : 0;
    meta.str(wd.name);
    meta.i32(static_cast<int32_t>(wd.type));
    put_dims(meta, wd.dims);
    meta.u64(data.size());
    meta.u64(size);
    if (size > 0) data.bytes(wd.bytes->data(), size);
  }
}

void put_steps(ByteWriter& w, const runtime::EngineData& e) {
  w.i32(e.num_aux_streams);
  w.u32(static_cast<uint32_t>(e.steps.size()));
  for (const runtime::StepData& s : e.steps) {
    w.i32(s.node);
    w.str(s.tactic);
    w.u32(static_cast<uint32_t>(s.params.size()));
    w.bytes(s.params.data(), s.params.size());
    w.i32(s.stream);
  }
}

void put_profiles(ByteWriter& w, const runtime::EngineData& e) {
  w.u32(static_cast<uint32_t>(e.profiles.size()));
  for (const runtime::ProfileData& p : e.profiles) {
    w.u32(static_cast<uint32_t>(p.inputs.size()));
    for (const ProfileDims& in : p.inputs) {
      put_dims(w, in.min);
      put_dims(w, in.opt);
      put_dims(w, in.max);
    }
    w.i64(p.memory.arena_size);
    w.u32(static_cast<uint32_t>(p.memory.offsets.size()));
    for (int64_t offset : p.memory.offsets) w.i64(offset);
  }
}

// REFIT (BuilderFlag::kREFIT plans only): the refittable weights with their targets, then the
// layer roles.
void put_refit(ByteWriter& w, const runtime::RefitData& r) {
  w.u32(static_cast<uint32_t>(r.weights.size()));
  for (const runtime::RefitWeights& rw : r.weights) {
    w.str(rw.name);
    w.i32(static_cast<int32_t>(rw.type));
    put_dims(w, rw.dims);
    put_indices(w, rw.targets);
  }
  w.u32(static_cast<uint32_t>(r.roles.size()));
  for (const runtime::RefitRole& role : r.roles) {
    w.str(role.layer);
    w.i32(role.role);
    w.str(role.weights);
  }
}

size_t align_up(size_t value, size_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

}  // namespace

std::vector<uint8_t> attrs_bytes(const ir::Attrs& attrs) {
  ByteWriter w;
  put_attrs(w, attrs);
  return w.take();
}

std::vector<uint8_t> write(const runtime::EngineData& engine) {
  try {
    validate(engine);
  } catch (const Error& e) {
    fail("plan: cannot write an invalid engine: ", e.what());
  }
  // sections[id - 1]; their order here is their order in the file.
  std::array<ByteWriter, kMaxSections> sections;
  const bool refit = (engine.builder_flags >> static_cast<uint32_t>(BuilderFlag::kREFIT)) & 1u;
  const uint32_t count = refit ? kMaxSections : kNumSections;
  auto section = [&](SectionId id) -> ByteWriter& {
    return sections[static_cast<uint32_t>(id) - 1];
  };
  put_tensors(section(SectionId::kTENSORS), engine.graph);
  // Version 1 where every node is a public layer, so kilns that read only version 1 still load
  // such plans; version 2 (kinds by name) once an internal op is present.
  uint32_t format_version = 1;
  for (const ir::Node& n : engine.graph.nodes) {
    if (ir::is_internal(n.kind())) format_version = kFormatVersion;
  }
  put_nodes(section(SectionId::kNODES), engine.graph, format_version);
  put_indices(section(SectionId::kGRAPH_IO), engine.graph.inputs);
  put_indices(section(SectionId::kGRAPH_IO), engine.graph.outputs);
  put_weights(section(SectionId::kWEIGHTS), section(SectionId::kWEIGHT_DATA), engine.graph);
  put_steps(section(SectionId::kSTEPS), engine);
  put_profiles(section(SectionId::kPROFILES), engine);
  if (refit) put_refit(section(SectionId::kREFIT), engine.refit);

  ByteWriter out;
  out.bytes(kMagic, sizeof(kMagic));
  out.u32(format_version);
  out.u32(KILN_VERSION_MAJOR);
  out.u32(KILN_VERSION_MINOR);
  out.u32(KILN_VERSION_PATCH);
  out.i32(static_cast<int32_t>(engine.device));
  out.i32(engine.compute_capability);
  out.u32(engine.hardware_compatibility);  // HardwareCompatibilityLevel
  out.u32(engine.builder_flags);
  out.u64(0);  // file size, patched below
  out.u64(0);  // checksum, patched below
  out.u32(count);
  out.u32(0);  // reserved

  size_t pos = kHeaderSize + count * kSectionEntrySize;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t id = i + 1;
    pos = align_up(pos, id == static_cast<uint32_t>(SectionId::kWEIGHT_DATA) ? kWeightAlignment
                                                                             : kSectionAlignment);
    out.u32(id);
    out.u32(0);  // reserved
    out.u64(pos);
    out.u64(sections[i].size());
    pos += sections[i].size();
  }
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t id = i + 1;
    out.pad_to(id == static_cast<uint32_t>(SectionId::kWEIGHT_DATA) ? kWeightAlignment
                                                                    : kSectionAlignment);
    out.bytes(sections[i].data().data(), sections[i].size());
  }
  out.patch_u64(kOffFileSize, out.size());
  std::vector<uint8_t> bytes = out.take();
  uint64_t sum = plan_checksum(bytes.data(), bytes.size());
  for (int i = 0; i < 8; ++i) bytes[kOffChecksum + i] = static_cast<uint8_t>(sum >> (8 * i));
  return bytes;
}

uint64_t plan_checksum(const uint8_t* data, size_t size) {
  uint64_t head = checksum64(data, kOffChecksum);
  return checksum64(data + kOffChecksum + 8, size - kOffChecksum - 8, head);
}

void refresh_checksum(std::vector<uint8_t>& plan) {
  if (plan.size() < kHeaderSize) return;
  uint64_t sum = plan_checksum(plan.data(), plan.size());
  for (int i = 0; i < 8; ++i) plan[kOffChecksum + i] = static_cast<uint8_t>(sum >> (8 * i));
}

const char* section_name(uint32_t id) {
  switch (static_cast<SectionId>(id)) {
    case SectionId::kTENSORS:
      return "tensors";
    case SectionId::kNODES:
      return "nodes";
    case SectionId::kGRAPH_IO:
      return "graph inputs/outputs";
    case SectionId::kWEIGHTS:
      return "weights";
    case SectionId::kSTEPS:
      return "steps";
    case SectionId::kPROFILES:
      return "profiles";
    case SectionId::kWEIGHT_DATA:
      return "weight data";
    case SectionId::kREFIT:
      return "refit";
  }
  return "unknown section";
}

}  // namespace kiln::plan
