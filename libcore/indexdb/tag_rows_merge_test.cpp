#include <doctest/doctest.h>

#include "indexdb/tag_row.h"
#include "indexdb/tag_rows_merge.h"

using namespace vmt;
using namespace vmt::indexdb;

namespace {
Bytes row(uint8_t ns, const char* k, const char* v, std::vector<uint64_t> ids, uint64_t date = 0) {
  TagRow r;
  r.ns = ns;
  r.account_id = 1;
  r.project_id = 2;
  r.date = date;
  r.key = k;
  r.value = v;
  r.metric_ids = std::move(ids);
  Bytes out;
  r.encode(out, vmt::metric::Tenancy::kCluster);
  return out;
}
std::vector<size_t> id_counts(const mergeset::Items& items) {
  std::vector<size_t> out;
  for (size_t i = 0; i < items.size(); ++i) out.push_back(TagRow::decode(items[i], vmt::metric::Tenancy::kCluster)->metric_ids.size());
  return out;
}
}  // namespace

TEST_SUITE("indexdb/tag_rows_merge") {
  // mergeset.md §11 (verified): 300 single-ID rows job=api (ids 1000..1299) merge into rows of
  // 1, 64, 64, 64, 64, 43 IDs; the 1-ID row is the block's first item.
  TEST_CASE("300 single-ID rows become 1, 64, 64, 64, 64, 43") {
    mergeset::Items in, out;
    for (uint64_t id = 1000; id < 1300; ++id) in.push_back(row(1, "job", "api", {id}));
    in.push_back(row(1, "zone", "z", {1}));  // the block's last item, kept as is
    REQUIRE(merge_tag_to_metric_ids_rows(in, out, vmt::metric::Tenancy::kCluster).is_ok());
    CHECK(id_counts(out) == std::vector<size_t>{1, 64, 64, 64, 64, 43, 1});
    CHECK(out.front() == in.front());
    CHECK(out.back() == in.back());
    CHECK(out.is_sorted());
  }

  TEST_CASE("first and last items and other namespaces pass through") {
    mergeset::Items in, out;
    in.push_back(row(1, "a", "x", {5}));
    in.push_back(row(1, "b", "y", {1}));
    in.push_back(row(1, "b", "y", {2}));
    in.push_back(Bytes("\x02zzz", 4));
    in.push_back(row(6, "b", "y", {3}, 7));
    in.push_back(row(6, "b", "y", {4}, 7));
    in.push_back(row(6, "b", "y", {9}, 7));
    REQUIRE(merge_tag_to_metric_ids_rows(in, out, vmt::metric::Tenancy::kCluster).is_ok());
    REQUIRE(out.size() == 5);
    CHECK(out[0] == in[0]);
    CHECK(TagRow::decode(out[1], vmt::metric::Tenancy::kCluster)->metric_ids == std::vector<uint64_t>{1, 2});
    CHECK(out[2] == in[3]);
    CHECK(TagRow::decode(out[3], vmt::metric::Tenancy::kCluster)->metric_ids == std::vector<uint64_t>{3, 4});
    CHECK(out[4] == in[6]);
  }

  TEST_CASE("blocks of two items or other namespaces stay unchanged") {
    mergeset::Items in, out;
    in.push_back(row(1, "a", "x", {5}));
    in.push_back(row(1, "a", "x", {6}));
    REQUIRE(merge_tag_to_metric_ids_rows(in, out, vmt::metric::Tenancy::kCluster).is_ok());
    CHECK(out == in);
  }

  TEST_CASE("duplicate IDs are removed; an unsorted result keeps the original") {
    mergeset::Items in, out;
    in.push_back(row(1, "a", "a", {1}));
    in.push_back(row(1, "k", "v", {7}));
    in.push_back(row(1, "k", "v", {7}));
    in.push_back(row(1, "z", "z", {1}));
    REQUIRE(merge_tag_to_metric_ids_rows(in, out, vmt::metric::Tenancy::kCluster).is_ok());
    REQUIRE(out.size() == 3);
    CHECK(TagRow::decode(out[1], vmt::metric::Tenancy::kCluster)->metric_ids == std::vector<uint64_t>{7});
  }

  TEST_CASE("a corrupt tag row is reported") {
    mergeset::Items in, out;
    in.push_back(row(1, "a", "a", {1}));
    in.push_back(Bytes("\x01\0\0\0\1\0\0\0\2k", 10));
    in.push_back(row(1, "z", "z", {1}));
    Status st = merge_tag_to_metric_ids_rows(in, out, vmt::metric::Tenancy::kCluster);
    CHECK(!st.is_ok());
    CHECK(out == in);
  }
}
