// tsdb-inspect parts: the layout of a data directory with each part's metadata.json.
// Spec: storage-layout.md §1-§3, data-part.md §9 and §14, mergeset.md §3-§4.
#include "base/fs.h"
#include "layout/part_size.h"
#include "layout/storage_dir.h"
#include "mergeset/part_header.h"
#include "ops/args.h"
#include "ops/index_scan.h"
#include "ops/inspect.h"
#include "ops/render.h"
#include "storage/part_header.h"

namespace vmt::ops {

namespace {

const char* yes_no(bool b) { return b ? "yes" : "no"; }

// The flavour line: what the directory is, and from what: the tenancy from a data part or an index
// item (else the --target or the default), the index layout from data/indexdb/.
void flavour(const layout::StorageDir& sd, const InspectCommon& c, Output& out) {
  const std::string tenancy_from = sd.tenancy ? sd.tenancy_evidence : c.target ? "--target" : "nothing to detect: default";
  if (c.json) {
    nlohmann::ordered_json j;
    j["type"] = "flavour";
    j["flavour"] = sd.flavour.to_string();
    j["tenancy"] = metric::tenancy_name(sd.flavour.tenancy);
    j["tenancy_from"] = tenancy_from;
    j["index_layout"] = layout::index_layout_name(sd.flavour.index);
    append_json_line(out.buf(), j);
  } else {
    out.buf() += "# flavour: " + sd.flavour.to_string() + " (" + metric::tenancy_name(sd.flavour.tenancy) + " from " +
                 tenancy_from + "; index: " + layout::index_layout_name(sd.flavour.index) +
                 (sd.flavour.per_partition_index() ? ", data/indexdb/YYYY_MM" : ", indexdb/<generation>") + ")\n\n";
  }
}

// Every data part of every partition: a JSON line each, or a row of `data`.
void data_parts(const layout::StorageDir& sd, const InspectCommon& c, Output& out, Table& data) {
  for (const auto& p : sd.partitions) {
    if (c.json) {
      nlohmann::ordered_json j;
      j["type"] = "partition";
      j["name"] = p.name;
      j["name_valid"] = p.name_valid;
      j["has_parts_json"] = p.has_parts_json;
      j["parts"] = p.parts.size();
      append_json_line(out.buf(), j);
    }
    for (const auto& part : p.parts) {
      const uint64_t size = layout::part_size(part.path).value_or(0);  // 0: damaged (verify says how)
      auto ph = part.exists ? storage::PartHeader::read_dir(part.path)
                            : Result<storage::PartHeader>(not_found("part directory is missing"));
      if (c.json) {
        nlohmann::ordered_json j;
        j["type"] = "data_part";
        j["partition"] = p.name;
        j["kind"] = part.big ? "big" : "small";
        j["name"] = part.name;
        j["path"] = part.path;
        j["listed"] = part.listed;
        j["exists"] = part.exists;
        if (ph.is_ok()) {
          j["rows_count"] = ph->rows_count;
          j["blocks_count"] = ph->blocks_count;
          j["min_timestamp"] = ph->min_timestamp;
          j["max_timestamp"] = ph->max_timestamp;
          j["min_dedup_interval"] = ph->min_dedup_interval;
        } else {
          j["error"] = ph.status().message();
        }
        j["size_bytes"] = size;
        append_json_line(out.buf(), j);
      } else if (ph.is_ok()) {
        data.add({p.name, part.big ? "big" : "small", part.name, yes_no(part.listed), std::to_string(ph->rows_count),
                  std::to_string(ph->blocks_count), format_time_ms(ph->min_timestamp), format_time_ms(ph->max_timestamp),
                  std::to_string(ph->min_dedup_interval), std::to_string(size)});
      } else {
        data.add({p.name, part.big ? "big" : "small", part.name, yes_no(part.listed), "-", "-", "-", "-", "-",
                  std::to_string(size) + "  (" + ph.status().message() + ")"});
      }
    }
  }
}

// Every index table (generations, per-partition indexes) and its parts: a JSON line each, or a
// row of `idx`.
void index_tables(const layout::StorageDir& sd, const InspectCommon& c, Output& out, Table& idx) {
  for (const auto* t : sd.all_tables()) {
    const auto& g = *t;
    const bool partition = g.role == "partition";
    const std::string role = g.legacy ? "legacy " + g.role : g.role;
    if (c.json) {
      nlohmann::ordered_json j;
      j["type"] = partition ? "partition_index" : "generation";
      j["name"] = g.name;
      j["index"] = g.rel;
      j["role"] = g.role;
      if (g.legacy) j["legacy"] = true;
      j["has_parts_json"] = g.has_parts_json;
      j["parts"] = g.parts.size();
      append_json_line(out.buf(), j);
    }
    for (const auto& part : g.parts) {
      const uint64_t size = layout::part_size(part.path).value_or(0);
      auto ph = part.exists ? mergeset::read_part_header(part.path)
                            : Result<mergeset::PartHeader>(not_found("part directory is missing"));
      if (c.json) {
        nlohmann::ordered_json j;
        j["type"] = "indexdb_part";
        j[partition ? "partition" : "generation"] = g.name;
        j["index"] = g.rel;
        if (g.legacy) j["legacy"] = true;
        j["role"] = g.role;
        j["name"] = part.name;
        j["path"] = part.path;
        j["listed"] = part.listed;
        j["exists"] = part.exists;
        if (ph.is_ok()) {
          j["items_count"] = ph->items_count;
          j["blocks_count"] = ph->blocks_count;
        } else {
          j["error"] = ph.status().message();
        }
        j["size_bytes"] = size;
        append_json_line(out.buf(), j);
      } else if (ph.is_ok()) {
        idx.add({g.rel, role, part.name, yes_no(part.listed), std::to_string(ph->items_count),
                 std::to_string(ph->blocks_count), std::to_string(size)});
      } else {
        idx.add({g.rel, role, part.name, yes_no(part.listed), "-", "-", std::to_string(size) + "  (" + ph.status().message() + ")"});
      }
    }
    if (!c.json && g.parts.empty()) idx.add({g.rel, role, "(no parts)", "", "", "", ""});
  }
}

}  // namespace

Status inspect_parts(const std::string& dir, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, open_for_reading(dir, c.target_ptr()));
  flavour(sd, c, out);
  Table data({"PARTITION", "KIND", "PART", "LISTED", "ROWS", "BLOCKS", "MIN_TIMESTAMP", "MAX_TIMESTAMP", "DEDUP_MS", "SIZE"});
  data_parts(sd, c, out, data);
  Table idx({"INDEX", "ROLE", "PART", "LISTED", "ITEMS", "BLOCKS", "SIZE"});
  index_tables(sd, c, out, idx);
  if (!c.json) {
    out.buf() += "# data parts (" + std::to_string(sd.partitions.size()) + " partitions)\n";
    data.render(out.buf());
    out.buf() += "\n# index tables (" + std::to_string(sd.partition_indexes.size()) + " per partition, " +
                 std::to_string(sd.generations.size()) + " indexdb generations)\n";
    idx.render(out.buf());
    if (sd.min_timestamp_for_composite_index) {
      out.buf() += "\nminTimestampForCompositeIndex: " + std::to_string(*sd.min_timestamp_for_composite_index) + "\n";
    }
  }
  return out.flush();
}

}  // namespace vmt::ops
