#include "storage/merge_policy.h"

#include <doctest/doctest.h>

#include <vector>

using namespace vmt::storage;

namespace {

// Parts of the given sizes; MinTimestamp = input position (so equal sizes sort newest first).
std::vector<PolicyPart> parts_of(const std::vector<uint64_t>& sizes) {
  std::vector<PolicyPart> p;
  for (size_t i = 0; i < sizes.size(); ++i) p.push_back({sizes[i], int64_t(i)});
  return p;
}

std::vector<size_t> choose(const std::vector<uint64_t>& sizes, size_t max_parts, uint64_t max_out,
                           bool* need_free = nullptr) {
  std::vector<size_t> out;
  append_parts_to_merge(out, parts_of(sizes), max_parts, max_out, need_free);
  return out;
}

constexpr uint64_t kLots = 1000000000000ull;

}  // namespace

TEST_SUITE("storage/merge_policy") {
  TEST_CASE("15 parts max: a window needs Σ/largest >= 7.5, so 8 similar parts merge and 7 do not") {
    CHECK(choose({100, 100, 100, 100, 100, 100, 100}, 15, kLots).empty());
    auto got = choose({100, 100, 100, 100, 100, 100, 100, 100}, 15, kLots);
    CHECK(got.size() == 8);
    // An unbalanced window (smallest·len < largest) never wins: the 1000-byte part stays out.
    got = choose({100, 100, 100, 100, 100, 100, 100, 100, 1000}, 15, kLots);
    CHECK(got == std::vector<size_t>{7, 6, 5, 4, 3, 2, 1, 0});
  }

  TEST_CASE("a balanced window with a big part scores low: 7 x 150 + 1000 is not merged") {
    CHECK(choose({150, 150, 150, 150, 150, 150, 150, 1000}, 15, kLots).empty());
  }

  TEST_CASE("ties go to later and longer windows; equal sizes sort by MinTimestamp descending") {
    // 16 equal parts: windows of 15 at offsets 0 and 1 both score 15; offset 1 wins, so the part
    // with the LARGEST MinTimestamp (first in sorted order, index 15) is left out.
    std::vector<uint64_t> sizes(16, 500);
    auto got = choose(sizes, 15, kLots);
    REQUIRE(got.size() == 15);
    for (size_t k = 0; k < 15; ++k) CHECK(got[k] == 14 - k);
    // sort: size ascending, then MinTimestamp descending.
    std::vector<PolicyPart> p{{300, 1}, {200, 5}, {300, 9}, {200, 2}};
    CHECK(sort_for_optimal_merge(p) == std::vector<size_t>{1, 3, 2, 0});
  }

  TEST_CASE("maxOutBytes: parts over maxOutBytes/1.7 never take part; windows stop when the total exceeds it") {
    bool need_free = false;
    // maxInPart = 850/1.7 = 500; window length 9 (900) exceeds 850, length 8 (800) fits.
    std::vector<uint64_t> sizes(10, 100);
    auto got = choose(sizes, 15, 850, &need_free);
    CHECK(got.size() == 8);
    CHECK(need_free);
    // A 501-byte part is filtered out before the search.
    got = choose({501, 60, 60, 60, 60, 60, 60, 60, 60}, 15, 850, &need_free);
    CHECK(got.size() == 8);
    for (size_t i : got) CHECK(i != 0);
    CHECK_FALSE(need_free);   // one big part skipped, no window over the limit
    got = choose({501, 502, 60, 60, 60, 60, 60, 60, 60, 60}, 15, 850, &need_free);
    CHECK(need_free);         // more than one part skipped as too big
  }

  TEST_CASE("final merges relax maxParts down to 3: two parts merge (m = 2 >= 1.7)") {
    auto p = parts_of({1000, 1200});
    CHECK(get_parts_to_merge(p, kLots, false).empty());
    CHECK(get_parts_to_merge(p, kLots, true).size() == 2);
    // 1000 and 2000: m = 1.5 < 1.7 even for 3 parts; the window is balanced (1000·2 >= 2000).
    p = parts_of({1000, 2000});
    CHECK(get_parts_to_merge(p, kLots, true).empty());
    // One part: nothing.
    p = parts_of({1000});
    CHECK(get_parts_to_merge(p, kLots, true).empty());
  }

  TEST_CASE("windows are chosen among the smallest parts first when scores tie") {
    // 8 x 10 and 8 x 1000: both groups score 8; the later (bigger) window wins by ">=", but
    // mixing is unbalanced. Server behaviour: the 1000s.
    std::vector<uint64_t> sizes{10, 10, 10, 10, 10, 10, 10, 10, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
    auto got = choose(sizes, 15, kLots);
    REQUIRE(got.size() == 8);
    for (size_t i : got) CHECK(i >= 8);
  }

  TEST_CASE("force merge: every part, sorted, in chunks of 15 (40 parts -> 15 + 15 + 10)") {
    std::vector<uint64_t> sizes;
    for (int i = 0; i < 40; ++i) sizes.push_back(uint64_t(1000 + (i * 37) % 100));
    auto chunks = optimal_merge_chunks(parts_of(sizes));
    REQUIRE(chunks.size() == 3);
    CHECK(chunks[0].size() == 15);
    CHECK(chunks[1].size() == 15);
    CHECK(chunks[2].size() == 10);
    CHECK(sizes[chunks[0].back()] <= sizes[chunks[1].front()]);
    CHECK(optimal_merge_chunks(parts_of({5})).size() == 1);   // a single part is re-merged too
    CHECK(optimal_merge_chunks(parts_of({})).empty());
  }

  TEST_CASE("limits of §5.1 and the destination of §5.2") {
    CHECK(merge_workers(1) == 4);
    CHECK(merge_workers(2) == 4);
    CHECK(merge_workers(16) == 8);
    CHECK(merge_workers(64) == 16);
    CHECK(max_big_part_size(4000) == 1000);
    CHECK(max_big_part_size(uint64_t(8e12)) == kMaxBigPartSize);
    // 16 GB machine: allowed 60 % = 9.6 GB, remaining 6.4 GB -> /15 = 426 666 666.
    MemoryLimits m = memory_limits(16000000000ull);
    CHECK(m.allowed == 9600000000ull);
    CHECK(m.remaining == 6400000000ull);
    CHECK(max_small_part_size(m.remaining, 100000000000ull, 2) == 426666666ull);
    CHECK(max_small_part_size(m.remaining, 1000000000ull, 2) == 250000000ull);   // free/W bound
    CHECK(max_small_part_size(0, kLots, 2) == kMinSmallPartSizeByMemory);
    CHECK(max_inmemory_part_size(m.allowed) == 48000000ull);
    CHECK(max_inmemory_part_size(1000) == kMinInmemoryPartSize);
    CHECK(dst_part_type(500000000ull, true, true, 426666666ull, 48000000ull) == PartType::kBig);
    CHECK(dst_part_type(400000000ull, true, true, 426666666ull, 48000000ull) == PartType::kSmall);
    CHECK(dst_part_type(1000, false, true, 426666666ull, 48000000ull) == PartType::kSmall);
    CHECK(dst_part_type(1000, false, false, 426666666ull, 48000000ull) == PartType::kInmemory);
    CHECK(dst_part_type(60000000ull, false, false, 426666666ull, 48000000ull) == PartType::kSmall);
  }
}
