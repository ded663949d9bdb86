// tsdb-inspect index / dates: indexdb items decoded per namespace; the Date->MetricID keys.
// Spec: indexdb.md §3-§4, §7 (ns 5 enumeration), §4.4 (deleted MetricIDs are subtracted).
#include <map>
#include <set>

#include "base/fs.h"
#include "base/hex.h"
#include "indexdb/item.h"
#include "ops/index_scan.h"
#include "ops/inspect.h"
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

}  // namespace

Status inspect_index(const std::string& dir, const IndexFilter& f, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, layout::open_storage_dir(dir));
  uint64_t shown = 0;
  for (const auto* g : generations_to_scan(sd, f.all_generations)) {
    VMT_TRY(for_each_item(*g, [&](ByteView raw, const std::string& part) -> Status {
      if (f.ns && (raw.empty() || byte_at(raw, 0) != *f.ns)) return Status::ok();
      auto decoded = indexdb::decode_item(raw);
      if (!decoded.is_ok()) {
        return decoded.take_status().with_context(part + ": item " + to_hex(raw.substr(0, 64)));
      }
      const indexdb::Item& it = *decoded;
      if (f.tenant && (!it.has_tenant || it.account_id != f.tenant->account_id || it.project_id != f.tenant->project_id)) {
        return Status::ok();
      }
      if (f.date && (!it.has_date || it.date != *f.date)) return Status::ok();
      ++shown;
      if (c.json) {
        nlohmann::ordered_json j;
        j["generation"] = g->name;
        j["part"] = fs::base_name(part);
        j["ns"] = it.ns;
        j["ns_name"] = indexdb::ns_name(it.ns);
        if (it.has_tenant) {
          j["account_id"] = it.account_id;
          j["project_id"] = it.project_id;
        }
        if (it.has_date) {
          j["date"] = format_date(it.date);
          j["day"] = it.date;
        }
        if (it.ns == indexdb::kNsTagToMetricIDs || it.ns == indexdb::kNsDateTagToMetricIDs) {
          j["key"] = indexdb::describe_key(it.tag.key);
          j["value"] = it.tag.value;
        }
        j["metric_ids"] = it.metric_ids;
        if (it.has_tsid) {
          nlohmann::ordered_json t;
          t["metric_group_id"] = it.tsid.metric_group_id;
          t["job_id"] = it.tsid.job_id;
          t["instance_id"] = it.tsid.instance_id;
          t["metric_id"] = it.tsid.metric_id;
          j["tsid"] = t;
        }
        if (it.has_name) j["metric"] = labels_json(it.name);
        j["item"] = to_hex(raw);
        append_json_line(out.buf(), j);
      } else {
        std::string line = g->name + " " + fs::base_name(part) + " ns=" + std::to_string(it.ns) + " " + indexdb::ns_name(it.ns);
        if (it.has_tenant) line += " tenant=" + std::to_string(it.account_id) + ":" + std::to_string(it.project_id);
        if (it.has_date) line += " date=" + format_date(it.date);
        if (it.ns == indexdb::kNsTagToMetricIDs || it.ns == indexdb::kNsDateTagToMetricIDs) {
          line += " " + printable(indexdb::describe_key(it.tag.key)) + "=\"" + printable(it.tag.value) + "\"";
        }
        if (it.has_name) line += " " + labels_text(it.name);
        line += " metricIDs=";
        for (size_t i = 0; i < it.metric_ids.size(); ++i) line += (i ? "," : "") + std::to_string(it.metric_ids[i]);
        if (it.has_tsid) {
          line += " tsid=" + hex16(it.tsid.metric_group_id) + "/" + std::to_string(it.tsid.job_id) + "/" +
                  std::to_string(it.tsid.instance_id);
        }
        out.buf() += line;
        out.buf().push_back('\n');
      }
      return out.maybe_flush();
    }));
  }
  return out.flush();
}

Status inspect_dates(const std::string& dir, const DatesOptions& o, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, layout::open_storage_dir(dir));
  // (tenant, date) -> MetricIDs, the union over curr and prev, minus deleted IDs.
  std::map<std::tuple<uint32_t, uint32_t, uint64_t>, std::set<uint64_t>> days;
  std::set<uint64_t> deleted;
  for (const auto* g : sd.searched_generations()) {
    VMT_TRY(for_each_item(*g, [&](ByteView item, const std::string& part) -> Status {
      if (item.empty()) return Status::ok();
      uint8_t ns = byte_at(item, 0);
      if (ns == indexdb::kNsDeletedMetricID && item.size() == 9) {
        deleted.insert(load_u64(item.data() + 1));
        return Status::ok();
      }
      if (ns != indexdb::kNsDateToMetricID) return Status::ok();
      if (item.size() != 25) {
        return corruption(part + ": ns 5 item must be 25 bytes; got " + std::to_string(item.size()) + " (" + to_hex(item) + ")");
      }
      uint32_t acc = load_u32(item.data() + 1), proj = load_u32(item.data() + 5);
      if (o.tenant && (acc != o.tenant->account_id || proj != o.tenant->project_id)) return Status::ok();
      days[{acc, proj, load_u64(item.data() + 9)}].insert(load_u64(item.data() + 17));
      return Status::ok();
    }));
  }
  Table t({"TENANT", "DATE", "METRIC_IDS"});
  for (auto& [key, ids] : days) {
    for (uint64_t d : deleted) ids.erase(d);
    auto [acc, proj, day] = key;
    std::string tenant = std::to_string(acc) + ":" + std::to_string(proj);
    if (c.json) {
      nlohmann::ordered_json j;
      j["tenant"] = tenant;
      j["account_id"] = acc;
      j["project_id"] = proj;
      j["date"] = format_date(day);
      j["day"] = day;
      j["metric_ids_count"] = ids.size();
      if (o.ids) j["metric_ids"] = std::vector<uint64_t>(ids.begin(), ids.end());
      append_json_line(out.buf(), j);
    } else {
      std::string count = std::to_string(ids.size());
      if (o.ids) {
        count += "  ";
        bool first = true;
        for (uint64_t id : ids) {
          count += (first ? "" : ",") + std::to_string(id);
          first = false;
        }
      }
      t.add({tenant, format_date(day), count});
    }
  }
  if (!c.json) t.render(out.buf());
  return out.flush();
}

}  // namespace vmt::ops
