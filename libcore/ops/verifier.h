// tsdb-inspect verify's state and steps, private to ops/inspect_verify.cpp (problems, notes, the
// walk of a directory, the summary), ops/verify_parts.cpp (each data and index part read with
// every check, the facts the cross-checks need) and ops/verify_cross_check.cpp (data against the
// index a query of its partition searches). Spec: see inspect_verify.cpp.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "indexdb/item.h"
#include "layout/storage_dir.h"
#include "metric/tsid.h"
#include "ops/inspect.h"
#include "ops/listing.h"
#include "ops/tool.h"

namespace vmt::ops::verify_detail {

struct DataSeries {
  metric::TSID tsid;        // as the first block seen has it
  std::string part;         // ... in this part
  std::vector<std::pair<std::string, metric::TSID>> others;  // other TSIDs seen: part, TSID
  std::set<uint64_t> days;
  void see(const metric::TSID& t, const std::string& path) {
    if (part.empty()) {
      tsid = t;
      part = path;
    } else if (t != tsid && std::find_if(others.begin(), others.end(),
                                         [&](const auto& o) { return o.second == t; }) == others.end()) {
      others.emplace_back(path, t);
    }
  }
};

struct IndexFacts {
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> names;  // ns 3: mid -> tenant
  std::unordered_map<uint64_t, metric::TSID> tsids;                  // ns 2
  std::set<std::tuple<uint32_t, uint32_t, uint64_t, uint64_t>> dates;  // ns 5: acc proj date mid
  std::set<std::pair<uint64_t, uint64_t>> date_names;                  // ns 7: date mid
  std::set<std::tuple<uint32_t, uint32_t, uint64_t, uint64_t>> date_name_rows;  // ns 6 name rows
  std::unordered_set<uint64_t> deleted;                               // ns 4
};

struct Verifier {
  Verifier(const InspectCommon& common, Output& output)
      : c(common), out(output), findings(output, common.json, Listing::Lines{}) {}
  const InspectCommon& c;
  Output& out;
  Listing findings;   // problems, notes and the summary
  uint64_t problems = 0;
  uint64_t data_parts = 0, rows = 0, blocks = 0, index_parts = 0, items = 0;
  metric::Tenancy tenancy = metric::Tenancy::kCluster;
  std::unordered_map<uint64_t, DataSeries> data;  // every data part: one TSID per MetricID
  // The data of each partition ("" for a lone part), cross-checked against the index groups a
  // query of that partition searches: "searched" (curr and prev) with generations; the
  // partition's own index and "legacy" (legacy curr and prev) per partition.
  std::map<std::string, std::unordered_map<uint64_t, DataSeries>> data_in;
  std::map<std::string, IndexFacts> groups;

  // What a query of one partition sees: the union of some index groups.
  struct Scope {
    std::vector<const IndexFacts*> groups;
    std::string where;  // "curr or prev", "data/indexdb/P or the legacy curr and prev"
    template <typename F>
    bool any(F f) const {
      for (const auto* g : groups) if (f(*g)) return true;
      return false;
    }
    bool deleted(uint64_t mid) const { return any([&](const IndexFacts& g) { return g.deleted.count(mid) > 0; }); }
  };

  void problem(const std::string& where, const std::string& msg);
  void note(const std::string& where, const std::string& msg);
  // A data part: every block decoded; rows outside the partition's month are invisible.
  void data_part(const std::string& path, const layout::Partition* p);
  // A mergeset part: full scan with every check; every item decoded; facts collected into `facts`
  // when given (a searched table).
  void index_part(const std::string& path, IndexFacts* facts);
  static void collect(const indexdb::Item& it, IndexFacts& facts);
  Scope scope_of(const std::string& partition, bool per_partition);
  void cross_check_data(const std::string& root, const std::unordered_map<uint64_t, DataSeries>& series, const Scope& sc);
  // Every per-day entry of an index group is complete within that group.
  void cross_check_dates(const std::string& root, const IndexFacts& facts, const Scope& sc);
  void cross_check(const std::string& root, bool per_partition);
  // An unlisted directory: vmstorage deletes it at open. Ours (layout::PartEntry::leftover) are a
  // note; any other may be the only copy of data a damaged parts.json lost: a problem.
  void unlisted(const layout::PartEntry& part);
  // The parts of a partition or table: a listed part that is missing is a problem, an unlisted
  // one goes to unlisted(), the others are read.
  void each_part(const std::vector<layout::PartEntry>& parts, const std::function<void(const std::string&)>& read);
  void storage_dir(const std::string& root, const layout::StorageDir& sd);
  void summary(const std::string& path, size_t partitions, size_t generations);
};

}  // namespace vmt::ops::verify_detail
