#include "query/found_series.h"

#include <doctest/doctest.h>

#include <random>
#include <set>

#include "base/fs.h"
#include "tests/test_support.h"

namespace vmt::query {

namespace {

using Want = std::set<std::pair<std::pair<uint32_t, uint32_t>, Bytes>>;

// Keys with repeats within a half and across the halves, and the distinct series they make.
Want add_random(FoundSeries& f, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Want want;
  for (int i = 0; i < n; ++i) {
    const metric::Tenant t{uint32_t(rng() % 3), uint32_t(rng() % 2)};
    Bytes name = "m" + std::to_string(rng() % 1500) + std::string(rng() % 40, 'x') + "\x01";
    REQUIRE(f.add(unsigned(rng() % 2), t, name).is_ok());
    want.insert({{t.account_id, t.project_id}, name});
  }
  return want;
}

// Every key in the order given, with the batches' sizes checked.
std::vector<std::pair<metric::Tenant, Bytes>> read_all(FoundSeries& f, size_t max_batch) {
  std::vector<std::pair<metric::Tenant, Bytes>> got;
  REQUIRE(f.for_each_batch(max_batch, [&](const std::vector<ByteView>& keys) -> Status {
    CHECK(!keys.empty());
    CHECK(keys.size() <= max_batch);
    for (ByteView k : keys) got.emplace_back(FoundSeries::tenant_of(k), Bytes(FoundSeries::canonical_of(k)));
    return Status::ok();
  }).is_ok());
  return got;
}

void check_equal(const std::vector<std::pair<metric::Tenant, Bytes>>& got, const Want& want) {
  REQUIRE(got.size() == want.size());
  size_t i = 0;
  for (const auto& [t, name] : want) {
    CHECK(got[i].first == metric::Tenant{t.first, t.second});
    CHECK(got[i].second == name);
    ++i;
  }
}

}  // namespace

TEST_CASE("FoundSeries: the series of both halves sorted by tenant, then bytes, each once") {
  FoundSeries f;
  const Want want = add_random(f, 5000, 5);
  REQUIRE(f.finish().is_ok());
  CHECK(f.runs() == 0);
  FoundSeries g = std::move(f);
  check_equal(read_all(g, 1000), want);
}

TEST_CASE("FoundSeries: over the budget, sorted runs on disk give the same series, and are removed") {
  test::TempDir tmp;
  std::string runs_dir;
  {
    FoundSeries f(/*budget_bytes=*/8 << 10, tmp.path());
    const Want want = add_random(f, 5000, 5);
    REQUIRE(f.finish().is_ok());
    CHECK(f.runs() > 10);  // each half writes a run every ~4 KiB of keys
    auto entries = fs::list_dir(tmp.path());
    REQUIRE(entries.is_ok());
    REQUIRE(entries->size() == 1);
    runs_dir = fs::join(tmp.path(), (*entries)[0].name);
    FoundSeries g = std::move(f);  // the runs go with the move
    CHECK(fs::exists(runs_dir));
    // Batches that end inside runs, and repeats that span runs and batches.
    check_equal(read_all(g, 7), want);
  }
  CHECK(!fs::exists(runs_dir));
}

TEST_CASE("FoundSeries: a run that cannot be written fails, naming where") {
  FoundSeries f(/*budget_bytes=*/1 << 10, "/nonexistent-vmt-dir");
  Status st;
  for (int i = 0; i < 1000 && st.is_ok(); ++i) st = f.add(0, metric::Tenant{0, 0}, "m" + std::to_string(i) + "\x01");
  REQUIRE(!st.is_ok());
  CHECK(st.to_string().find("/nonexistent-vmt-dir") != std::string::npos);
}

TEST_CASE("FoundSeries: short keys live in the buffers' own bytes, and a move keeps them") {
  // One series whose key fits a short string's inline bytes, which a move copies: a pointer kept
  // from before the move would read the old object's bytes; a position finds the new ones.
  FoundSeries f;
  REQUIRE(f.add(0, metric::Tenant{1, 2}, "a\x01").is_ok());
  REQUIRE(f.finish().is_ok());
  auto moved = [](FoundSeries x) { return x; }(std::move(f));
  const auto got = read_all(moved, 10);
  REQUIRE(got.size() == 1);
  CHECK(got[0].first == metric::Tenant{1, 2});
  CHECK(got[0].second == "a\x01");
}

}  // namespace vmt::query
