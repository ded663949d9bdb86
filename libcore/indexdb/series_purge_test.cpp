#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <utility>

#include "../../tests/test_support.h"
#include "base/fs.h"
#include "indexdb/item.h"
#include "indexdb/series_purge.h"
#include "indexdb/tag_row.h"
#include "mergeset/part_reader.h"

using namespace vmt;
using namespace vmt::indexdb;

namespace {
constexpr auto kCluster = metric::Tenancy::kCluster;

Bytes row(uint8_t ns, const char* k, const char* v, std::vector<uint64_t> ids) {
  TagRow r;
  r.ns = ns;
  r.account_id = 1;
  r.project_id = 2;
  r.date = ns == kNsDateTagToMetricIDs ? 19700 : 0;
  r.key = k;
  r.value = v;
  r.metric_ids = std::move(ids);
  Bytes out;
  r.encode(out, kCluster);
  return out;
}

Bytes id_item(uint8_t ns, uint64_t id) {
  Bytes b(1, char(ns));
  if (ns != kNsDeletedMetricID) put_u32(b, 1), put_u32(b, 2);
  if (ns == kNsDateToMetricID) put_u64(b, 19700);
  put_u64(b, id);
  if (ns == kNsMetricIDToMetricName) b += "name";
  return b;
}

std::vector<Bytes> purge(const std::vector<Bytes>& in, const std::vector<uint64_t>& deleted, PurgeStats* stats,
                         metric::Tenancy t = kCluster) {
  SeriesPurge p(deleted, t);
  std::vector<Bytes> out;
  auto emit = [&](ByteView item) {
    out.emplace_back(item);
    return Status::ok();
  };
  for (const auto& item : in) REQUIRE(p.push(item, emit).is_ok());
  REQUIRE(p.finish(emit).is_ok());
  if (stats) *stats = p.stats();
  return out;
}

std::vector<uint64_t> ids_of(ByteView tag_row) { return TagRow::decode(tag_row, kCluster)->metric_ids; }

// (what the item says, MetricID) for every MetricID an item refers to: the tag-row prefix or the
// item itself with that id; ns 4 marks are left out (they are kept whatever happens).
std::multiset<std::pair<Bytes, uint64_t>> references(const std::vector<Bytes>& items, metric::Tenancy t) {
  std::multiset<std::pair<Bytes, uint64_t>> out;
  for (const auto& item : items) {
    auto it = decode_item(item, t);
    REQUIRE_MESSAGE(it.is_ok(), it.status().message());
    if (it->ns == kNsDeletedMetricID) continue;
    const bool tag = it->ns == kNsTagToMetricIDs || it->ns == kNsDateTagToMetricIDs;
    const Bytes key = tag ? Bytes(item.substr(0, *TagRow::prefix_len(item, t))) : item;
    for (uint64_t id : it->metric_ids) out.emplace(key, id);
    if (it->metric_ids.empty() && it->has_tsid) out.emplace(key, it->tsid.metric_id);
  }
  return out;
}
}  // namespace

TEST_SUITE("indexdb/series_purge") {
  TEST_CASE("items of deleted series go, tag rows lose their IDs, ns 4 marks stay") {
    const std::vector<Bytes> in = {
        row(1, "job", "a", {5, 7}),                 // loses 7
        row(1, "job", "b", {7}),                    // only a deleted ID: dropped
        id_item(kNsMetricIDToTSID, 5), id_item(kNsMetricIDToTSID, 7),
        id_item(kNsMetricIDToMetricName, 7),
        id_item(kNsDeletedMetricID, 7),
        id_item(kNsDateToMetricID, 5), id_item(kNsDateToMetricID, 7),
    };
    PurgeStats st;
    const auto out = purge(in, {7}, &st);
    REQUIRE(out.size() == 4);
    CHECK(ids_of(out[0]) == std::vector<uint64_t>{5});
    CHECK(out[1] == in[2]);
    CHECK(out[2] == in[5]);
    CHECK(out[3] == in[6]);
    CHECK(st.items_in == 8);
    CHECK(st.items_dropped == 4);
    CHECK(st.items_rewritten == 1);
    CHECK(std::is_sorted(out.begin(), out.end()));
  }

  TEST_CASE("a row whose first ID goes moves after the rows it now sorts after") {
    // Three rows of one tag: {1,9} {3} {4,5}. Deleting 1 makes the first {9}: it must follow {4,5}.
    const std::vector<Bytes> in = {row(1, "job", "a", {1, 9}), row(1, "job", "a", {3}), row(1, "job", "a", {4, 5}),
                                   row(1, "job", "b", {2}), row(6, "job", "a", {1, 9}), row(6, "job", "a", {8})};
    REQUIRE(std::is_sorted(in.begin(), in.end()));
    PurgeStats st;
    const auto out = purge(in, {1}, &st);
    REQUIRE(out.size() == 6);
    CHECK(std::is_sorted(out.begin(), out.end()));
    CHECK(ids_of(out[0]) == std::vector<uint64_t>{3});
    CHECK(ids_of(out[1]) == std::vector<uint64_t>{4, 5});
    CHECK(ids_of(out[2]) == std::vector<uint64_t>{9});
    CHECK(out[3] == in[3]);
    CHECK(ids_of(out[4]) == std::vector<uint64_t>{8});
    CHECK(ids_of(out[5]) == std::vector<uint64_t>{9});
    CHECK(st.items_rewritten == 2);
  }

  TEST_CASE("a row cut to a prefix of an earlier row's IDs moves before it") {
    // Rows of two parts may share IDs: {0, 0, 9} then {0, 5}; deleting 5 leaves {0}, which sorts
    // before {0, 0, 9}.
    const std::vector<Bytes> in = {row(1, "job", "a", {0, 0, 9}), row(1, "job", "a", {0, 5}), row(1, "job", "b", {1})};
    REQUIRE(std::is_sorted(in.begin(), in.end()));
    const auto out = purge(in, {5}, nullptr);
    REQUIRE(out.size() == 3);
    CHECK(std::is_sorted(out.begin(), out.end()));
    CHECK(ids_of(out[0]) == std::vector<uint64_t>{0});
    CHECK(out[1] == in[0]);
  }

  TEST_CASE("nothing deleted: the stream passes unchanged") {
    const std::vector<Bytes> in = {row(1, "job", "a", {1, 9}), id_item(kNsMetricIDToTSID, 1)};
    PurgeStats st;
    CHECK(purge(in, {2, 3}, &st) == in);
    CHECK(!st.changed());
  }

  TEST_CASE("a malformed item is corruption naming its namespace") {
    SeriesPurge p({1}, kCluster);
    const auto emit = [](ByteView) { return Status::ok(); };
    Status st = p.push(Bytes("\x02\x00\x00", 3), emit);
    CHECK(st.code() == Code::corruption);
    CHECK(st.message().find("namespace 2") != std::string::npos);
    st = p.push(Bytes("\x01\x00\x00\x00\x01\x00\x00\x00\x02job\x01a\x01\x00\x00", 16), emit);
    CHECK(st.code() == Code::corruption);
  }

  // A real server's index part (v1.93.7-cluster, the node fixture): delete every third series;
  // what is left is sorted, mentions no deleted series outside ns 4, and mentions every other
  // series exactly where it did.
  TEST_CASE("a real index part: every third series deleted") {
    const std::string dir = test::fixtures_dir() + "/node/storage-before-merge/indexdb/18EA242FC46A77A1/18EA242FC6B2FDAA";
    auto pr = mergeset::PartReader::open(dir);
    REQUIRE_MESSAGE(pr.is_ok(), pr.status().message());
    std::vector<Bytes> in;
    REQUIRE((*pr)->seek_to_first().is_ok());
    while ((*pr)->valid()) {
      in.emplace_back((*pr)->item());
      REQUIRE((*pr)->next().is_ok());
    }
    std::vector<uint64_t> all;
    for (const auto& item : in) {
      if (byte_at(item, 0) == kNsMetricIDToTSID) all.push_back(decode_item(item, kCluster)->metric_ids.at(0));
    }
    std::sort(all.begin(), all.end());
    REQUIRE(all.size() > 100);
    std::vector<uint64_t> deleted;
    for (size_t i = 0; i < all.size(); i += 3) deleted.push_back(all[i]);
    PurgeStats st;
    const auto out = purge(in, deleted, &st);
    CHECK(std::is_sorted(out.begin(), out.end()));
    CHECK(st.changed());
    CHECK(out.size() == in.size() - st.items_dropped);
    auto want = references(in, kCluster), got = references(out, kCluster);
    for (auto it = want.begin(); it != want.end();) {
      it = std::binary_search(deleted.begin(), deleted.end(), it->second) ? want.erase(it) : std::next(it);
    }
    CHECK(got.size() == want.size());
    CHECK(got == want);
  }
}
