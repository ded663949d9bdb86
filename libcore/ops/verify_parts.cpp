// tsdb-inspect verify: each data part and index part read with every check (storage/part_reader.h,
// mergeset/part_reader.h), every item decoded, and the facts the cross-checks need collected.
#include "base/fs.h"
#include "base/hex.h"
#include "mergeset/part_reader.h"
#include "ops/args.h"
#include "ops/verifier.h"
#include "storage/part_reader.h"

namespace vmt::ops::verify_detail {

void Verifier::data_part(const std::string& path, const layout::Partition* p) {
  ++data_parts;
  storage::PartReader pr;
  Status st = pr.open(path, tenancy);
  if (!st.is_ok()) return problem(path, st.message());
  auto& in_partition = data_in[p ? p->name : ""];
  storage::Block b;
  for (;;) {
    bool eof = false;
    st = pr.next(b, &eof);
    if (!st.is_ok()) return problem(path, st.message());
    if (eof) break;
    ++blocks;
    rows += b.rows();
    if (p && p->name_valid && (b.header.min_timestamp < p->min_timestamp || b.header.max_timestamp > p->max_timestamp)) {
      problem(path, "block " + std::to_string(pr.position().block) + " (" + b.header.tsid.to_string() +
                        ") has rows outside partition " + p->name + " [" + format_time_ms(b.header.min_timestamp) +
                        ", " + format_time_ms(b.header.max_timestamp) + "]: queries never look for them there");
    }
    auto& ds = data[b.header.tsid.metric_id];
    ds.see(b.header.tsid, path);
    auto& pds = in_partition[b.header.tsid.metric_id];
    pds.see(b.header.tsid, path);
    uint64_t last_day = UINT64_MAX;
    for (int64_t t : b.timestamps) {
      uint64_t d = uint64_t(t) / 86400000;
      if (d != last_day) {
        ds.days.insert(d);
        pds.days.insert(d);
      }
      last_day = d;
    }
  }
  st = pr.verify_totals();
  if (!st.is_ok()) problem(path, st.message());
  for (const auto& w : pr.warnings()) c.strict ? problem(path, w) : note(path, "warning: " + w);
}

void Verifier::index_part(const std::string& path, IndexFacts* facts) {
  ++index_parts;
  auto pr = mergeset::PartReader::open(path);
  if (!pr.is_ok()) return problem(path, pr.status().message());
  Status st = (*pr)->seek_to_first();
  uint64_t bad = 0;
  while (st.is_ok() && (*pr)->valid()) {
    ByteView raw = (*pr)->item();
    ++items;
    auto it = indexdb::decode_item(raw, tenancy);
    if (!it.is_ok()) {
      if (++bad <= 20) problem(path, "item " + to_hex(raw.substr(0, 48)) + ": " + it.status().message());
    } else if (facts) {
      collect(*it, *facts);
    }
    st = (*pr)->next();
  }
  if (bad > 20) problem(path, std::to_string(bad - 20) + " more undecodable items");
  if (!st.is_ok()) problem(path, st.message());
}

void Verifier::collect(const indexdb::Item& it, IndexFacts& facts) {
  uint64_t mid = it.metric_ids.empty() ? 0 : it.metric_ids[0];
  switch (it.ns) {
    case indexdb::kNsMetricIDToMetricName: facts.names.try_emplace(mid, it.account_id, it.project_id); break;
    case indexdb::kNsMetricIDToTSID: facts.tsids.try_emplace(mid, it.tsid); break;
    case indexdb::kNsDateToMetricID: facts.dates.emplace(it.account_id, it.project_id, it.date, mid); break;
    case indexdb::kNsDateMetricNameToTSID: facts.date_names.emplace(it.date, mid); break;
    case indexdb::kNsDeletedMetricID: facts.deleted.insert(mid); break;
    case indexdb::kNsDateTagToMetricIDs:
      if (it.tag.key.empty()) {
        for (uint64_t id : it.metric_ids) facts.date_name_rows.emplace(it.account_id, it.project_id, it.date, id);
      }
      break;
    default: break;
  }
}

}  // namespace vmt::ops::verify_detail
