// tsdb-inspect index / dates: indexdb items decoded per namespace; the Date->MetricID keys.
// Spec: indexdb.md §3-§4, §7 (ns 5 enumeration), §4.4 (deleted MetricIDs are subtracted).
#include <map>
#include <set>

#include "base/fs.h"
#include "base/hex.h"
#include "indexdb/item.h"
#include "ops/index_scan.h"
#include "ops/inspect.h"
#include "ops/listing.h"
#include "ops/render.h"

namespace vmt::ops {

namespace {

nlohmann::ordered_json labels_json(const metric::MetricName& mn) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [k, v] : mn.labels_for_export()) j[k] = v;
  return j;
}

std::string labels_text(const metric::MetricName& mn) {
  std::string s = printable(mn.metric_group) + "{";
  for (size_t i = 0; i < mn.tags.size(); ++i) {
    if (i) s += ",";
    s += printable(mn.tags[i].key) + "=\"" + printable(mn.tags[i].value) + "\"";
  }
  return s + "}";
}

// One item: the JSON fields, and the text line's words (labels before the MetricIDs in text,
// after them in JSON).
Row item_row(const layout::IndexTable& g, const std::string& part, const indexdb::Item& it, ByteView raw) {
  Row r;
  r.json(g.role == "partition" ? "partition" : "generation", g.name).json("index", g.rel);
  if (g.legacy) r.json("legacy", true);
  r.cell(g.name + (g.legacy ? " legacy" : ""))
      .str("part", fs::base_name(part))
      .both("ns", it.ns, "ns=" + std::to_string(it.ns))
      .str("ns_name", indexdb::ns_name(it.ns));
  if (it.has_tenant) {
    r.json("account_id", it.account_id).json("project_id", it.project_id);
    r.cell("tenant=" + std::to_string(it.account_id) + ":" + std::to_string(it.project_id));
  }
  if (it.has_date) r.both("date", format_date(it.date), "date=" + format_date(it.date)).json("day", it.date);
  if (it.ns == indexdb::kNsTagToMetricIDs || it.ns == indexdb::kNsDateTagToMetricIDs) {
    r.json("key", indexdb::describe_key(it.tag.key)).json("value", it.tag.value);
    r.cell(printable(indexdb::describe_key(it.tag.key)) + "=\"" + printable(it.tag.value) + "\"");
  }
  if (it.has_name) r.cell(labels_text(it.name));
  std::string ids = "metricIDs=";
  for (size_t i = 0; i < it.metric_ids.size(); ++i) ids += (i ? "," : "") + std::to_string(it.metric_ids[i]);
  r.both("metric_ids", json_ids(it.metric_ids), ids);
  if (it.has_tsid) {
    nlohmann::ordered_json t;
    t["metric_group_id"] = json_id(it.tsid.metric_group_id);
    t["job_id"] = it.tsid.job_id;
    t["instance_id"] = it.tsid.instance_id;
    t["metric_id"] = json_id(it.tsid.metric_id);
    r.both("tsid", std::move(t),
           "tsid=" + hex16(it.tsid.metric_group_id) + "/" + std::to_string(it.tsid.job_id) + "/" +
               std::to_string(it.tsid.instance_id));
  }
  if (it.has_name) r.json("metric", labels_json(it.name));
  return r.json("item", to_hex(raw));
}

}  // namespace

Status inspect_index(const std::string& dir, const IndexFilter& f, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, open_for_reading(dir, c.target_ptr()));
  const metric::Tenancy tenancy = sd.flavour.tenancy;
  Listing l(out, c.json, Listing::Lines{});
  for (const auto* g : tables_to_scan(sd, f.all_generations)) {
    VMT_TRY(for_each_item(*g, [&](ByteView raw, const std::string& part) -> Status {
      if (f.ns && (raw.empty() || byte_at(raw, 0) != *f.ns)) return Status::ok();
      auto decoded = indexdb::decode_item(raw, tenancy);
      if (!decoded.is_ok()) {
        return decoded.take_status().with_context(part + ": item " + to_hex(raw.substr(0, 64)));
      }
      const indexdb::Item& it = *decoded;
      // Single-node: everything is tenant 0:0 (what --tenant 0:0 selects).
      const bool tenanted = it.has_tenant || tenancy == metric::Tenancy::kSingle;
      if (f.tenant && (!tenanted || it.account_id != f.tenant->account_id || it.project_id != f.tenant->project_id)) {
        return Status::ok();
      }
      if (f.date && (!it.has_date || it.date != *f.date)) return Status::ok();
      return l.add(item_row(*g, part, it, raw));
    }));
  }
  return out.flush();
}

Status inspect_dates(const std::string& dir, const DatesOptions& o, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, open_for_reading(dir, c.target_ptr()));
  const size_t tb = metric::tenant_bytes(sd.flavour.tenancy);
  const bool per_table = sd.flavour.per_partition_index();
  // (index, tenant, date) -> MetricIDs, minus the deleted IDs that apply to that index. With
  // generations the index is "" (the union over curr and prev, as the server searches them);
  // per-partition, each partition index and legacy table is its own row.
  std::map<std::tuple<std::string, uint32_t, uint32_t, uint64_t>, std::set<uint64_t>> days;
  std::set<uint64_t> deleted_everywhere;                        // ns 4 of (legacy) curr and prev
  std::map<std::string, std::set<uint64_t>> deleted_in;         // ns 4 of a partition index
  for (const auto* g : sd.searched_tables()) {
    const std::string label = per_table ? g->rel + (g->legacy ? " (legacy)" : "") : "";
    auto& deleted = g->role == "partition" ? deleted_in[label] : deleted_everywhere;
    VMT_TRY(for_each_item(*g, [&](ByteView item, const std::string& part) -> Status {
      if (item.empty()) return Status::ok();
      uint8_t ns = byte_at(item, 0);
      if (ns == indexdb::kNsDeletedMetricID && item.size() == 9) {
        deleted.insert(load_u64(item.data() + 1));
        return Status::ok();
      }
      if (ns != indexdb::kNsDateToMetricID) return Status::ok();
      if (item.size() != indexdb::date_to_metric_id_item_size(sd.flavour.tenancy)) {
        return corruption(part + ": ns 5 item must be " + std::to_string(indexdb::date_to_metric_id_item_size(sd.flavour.tenancy)) + " bytes; got " +
                          std::to_string(item.size()) + " (" + to_hex(item) + ")");
      }
      uint32_t acc = tb ? load_u32(item.data() + 1) : 0, proj = tb ? load_u32(item.data() + 5) : 0;
      if (o.tenant && (acc != o.tenant->account_id || proj != o.tenant->project_id)) return Status::ok();
      days[{label, acc, proj, load_u64(item.data() + 1 + tb)}].insert(load_u64(item.data() + 1 + tb + 8));
      return Status::ok();
    }));
  }
  std::vector<std::string> columns = {"TENANT", "DATE", "METRIC_IDS"};
  if (per_table) columns.insert(columns.begin(), "INDEX");
  Listing l(out, c.json, columns);
  for (auto& [key, ids] : days) {
    const auto& [label, acc, proj, day] = key;
    for (uint64_t d : deleted_everywhere) ids.erase(d);
    if (auto it = deleted_in.find(label); it != deleted_in.end()) {
      for (uint64_t d : it->second) ids.erase(d);
    }
    Row r;
    if (per_table) r.str("index", label);
    r.str("tenant", std::to_string(acc) + ":" + std::to_string(proj))
        .json("account_id", acc)
        .json("project_id", proj)
        .str("date", format_date(day))
        .json("day", day);
    // Text: the count, then with --ids the MetricIDs in the same cell.
    std::string count = std::to_string(ids.size());
    if (o.ids) {
      count += "  ";
      bool first = true;
      for (uint64_t id : ids) {
        count += (first ? "" : ",") + std::to_string(id);
        first = false;
      }
      r.json("metric_ids_count", ids.size()).both("metric_ids", json_ids(std::vector<uint64_t>(ids.begin(), ids.end())), count);
    } else {
      r.both("metric_ids_count", ids.size(), count);
    }
    VMT_TRY(l.add(r));
  }
  VMT_TRY(l.finish());
  return out.flush();
}

}  // namespace vmt::ops
