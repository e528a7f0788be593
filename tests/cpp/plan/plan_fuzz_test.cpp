// Plan fuzz tests: every truncation and thousands of random bit flips and byte overwrites (with a
// fixed seed) must raise kiln::Error or load a valid engine, never crash; run them under ASan too.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "plan/format.h"
#include "plan/plan.h"

namespace kiln::plan {

runtime::EngineData make_test_engine();  // plan_test.cpp

namespace {

enum class Outcome { kLoaded, kChecksum, kOtherError };

// Reads from an exactly sized copy, so ASan sees any read past the end. A plan that loads must
// also write and read back, since the runtime will use what it loaded.
Outcome try_read(const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> exact(bytes.begin(), bytes.end());
  try {
    runtime::EngineData e = read(exact.data(), exact.size());
    std::vector<uint8_t> again = write(e);
    read(again.data(), again.size());
    return Outcome::kLoaded;
  } catch (const Error& err) {
    std::string msg = err.what();
    EXPECT_FALSE(msg.empty());
    return msg.find("checksum mismatch") != std::string::npos ? Outcome::kChecksum
                                                              : Outcome::kOtherError;
  }
}

// Flips 1 to 4 random bits, or overwrites 1 to 8 random bytes with random values.
void mutate(std::vector<uint8_t>& plan, std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> pos(0, plan.size() - 1);
  if (rng() % 2 == 0) {
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) plan[pos(rng)] ^= static_cast<uint8_t>(1u << (rng() % 8));
  } else {
    int bytes = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < bytes; ++i) plan[pos(rng)] = static_cast<uint8_t>(rng());
  }
}

}  // namespace

TEST(PlanFuzzTest, EveryTruncationThrows) {
  const std::vector<uint8_t> plan = write(make_test_engine());
  for (size_t size = 0; size < plan.size(); ++size) {
    std::vector<uint8_t> cut(plan.begin(), plan.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_THROW(read(cut.data(), cut.size()), Error) << "size " << size;
  }
}

// Truncations whose header is patched to the new size, so the section table and section parsers
// (not the size check) have to notice that data is missing.
TEST(PlanFuzzTest, TruncationWithPatchedSizeThrows) {
  const std::vector<uint8_t> plan = write(make_test_engine());
  for (size_t size = kHeaderSize; size < plan.size(); ++size) {
    std::vector<uint8_t> cut(plan.begin(), plan.begin() + static_cast<std::ptrdiff_t>(size));
    for (int i = 0; i < 8; ++i)
      cut[kOffFileSize + i] = static_cast<uint8_t>(uint64_t{size} >> (8 * i));
    refresh_checksum(cut);
    EXPECT_THROW(read(cut.data(), cut.size()), Error) << "size " << size;
  }
}

// As they are, mutations are caught before any section is parsed: by the magic, version and size
// checks, or by the checksum, which always notices a change within one 8-byte word.
TEST(PlanFuzzTest, RandomMutationsAreRefused) {
  const std::vector<uint8_t> plan = write(make_test_engine());
  std::mt19937_64 rng(20240601);
  int checksum = 0;
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> bad = plan;
    mutate(bad, rng);
    if (bad == plan) continue;
    Outcome outcome = try_read(bad);
    EXPECT_NE(outcome, Outcome::kLoaded) << "iteration " << i;
    checksum += outcome == Outcome::kChecksum;
  }
  EXPECT_GT(checksum, 4000);
}

// With the checksum recomputed, mutations reach the section parsers and the validation: each must
// load or throw kiln::Error. Both must happen, or the test is not exercising the parser.
TEST(PlanFuzzTest, RandomMutationsWithValidChecksumNeverCrash) {
  const std::vector<uint8_t> plan = write(make_test_engine());
  std::mt19937_64 rng(7);
  int loaded = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bad = plan;
    mutate(bad, rng);
    refresh_checksum(bad);
    Outcome outcome = try_read(bad);
    EXPECT_NE(outcome, Outcome::kChecksum) << "iteration " << i;
    (outcome == Outcome::kLoaded ? loaded : refused)++;
  }
  RecordProperty("loaded", loaded);
  RecordProperty("refused", refused);
  EXPECT_GT(loaded, 1000);
  EXPECT_GT(refused, 1000);
}

// Mutations confined to the structure sections (not weight bytes or padding), so most reach deep
// into the decoders; with the checksum recomputed.
TEST(PlanFuzzTest, RandomMutationsOfSectionsNeverCrash) {
  const std::vector<uint8_t> plan = write(make_test_engine());
  Header h = read_header(plan.data(), plan.size());
  ASSERT_EQ(h.file_size, plan.size());
  size_t start = kHeaderSize;
  size_t end = 0;
  for (size_t e = 0; e < kNumSections; ++e) {  // up to the start of the weight data
    size_t entry = kHeaderSize + e * kSectionEntrySize;
    if (plan[entry] != static_cast<uint8_t>(SectionId::kWEIGHT_DATA)) continue;
    for (int i = 0; i < 8; ++i) end |= size_t{plan[entry + 8 + i]} << (8 * i);
  }
  ASSERT_GT(end, start);
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<size_t> pos(start, end - 1);
  int refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bad = plan;
    int n = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < n; ++k) {
      size_t at = pos(rng);
      bad[at] = rng() % 4 == 0 ? static_cast<uint8_t>(rng())
                               : static_cast<uint8_t>(bad[at] ^ (1u << (rng() % 8)));
    }
    refresh_checksum(bad);
    refused += try_read(bad) != Outcome::kLoaded;
  }
  RecordProperty("refused", refused);
  EXPECT_GT(refused, 5000);
}

TEST(PlanFuzzTest, VersionThreeSaysNewerFormat) {
  std::vector<uint8_t> plan = write(make_test_engine());
  plan[kOffFormatVersion] = 3;
  refresh_checksum(plan);
  try {
    read(plan.data(), plan.size());
    FAIL() << "a version 3 plan loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("format version 3 is newer than this runtime reads"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace kiln::plan
