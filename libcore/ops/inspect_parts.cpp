// tsdb-inspect parts: the layout of a data directory with each part's metadata.json.
// Spec: storage-layout.md §1-§3, data-part.md §9 and §14, mergeset.md §3-§4.
#include "base/fs.h"
#include "layout/part_size.h"
#include "layout/storage_dir.h"
#include "mergeset/part_header.h"
#include "ops/args.h"
#include "ops/index_scan.h"
#include "ops/inspect.h"
#include "ops/listing.h"
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

// Every data part of every partition: a JSON line each (after its partition's), or a row.
Status data_parts(const layout::StorageDir& sd, Listing& l) {
  for (const auto& p : sd.partitions) {
    VMT_TRY(l.add(Row()
                      .json("type", "partition")
                      .json("name", p.name)
                      .json("name_valid", p.name_valid)
                      .json("has_parts_json", p.has_parts_json)
                      .json("parts", p.parts.size())));
    for (const auto& part : p.parts) {
      const uint64_t size = layout::part_size(part.path).value_or(0);  // 0: damaged (verify says how)
      auto ph = part.exists ? storage::PartHeader::read_dir(part.path)
                            : Result<storage::PartHeader>(not_found("part directory is missing"));
      Row r;
      r.json("type", "data_part")
          .both("partition", p.name, p.name)
          .str("kind", part.big ? "big" : "small")
          .str("name", part.name)
          .json("path", part.path)
          .both("listed", part.listed, yes_no(part.listed))
          .json("exists", part.exists);
      if (ph.is_ok()) {
        r.num("rows_count", ph->rows_count)
            .num("blocks_count", ph->blocks_count)
            .both("min_timestamp", ph->min_timestamp, format_time_ms(ph->min_timestamp))
            .both("max_timestamp", ph->max_timestamp, format_time_ms(ph->max_timestamp))
            .num("min_dedup_interval", ph->min_dedup_interval)
            .num("size_bytes", size);
      } else {
        for (int k = 0; k < 5; ++k) r.cell("-");
        r.json("error", ph.status().message()).both("size_bytes", size, std::to_string(size) + "  (" + ph.status().message() + ")");
      }
      VMT_TRY(l.add(r));
    }
  }
  return Status::ok();
}

// Every index table (generations, per-partition indexes) and its parts: a JSON line each, or a row.
Status index_tables(const layout::StorageDir& sd, Listing& l) {
  for (const auto* t : sd.all_tables()) {
    const auto& g = *t;
    const bool partition = g.role == "partition";
    const std::string role = g.legacy ? "legacy " + g.role : g.role;
    Row table;
    table.json("type", partition ? "partition_index" : "generation").json("name", g.name).json("index", g.rel);
    table.json("role", g.role);
    if (g.legacy) table.json("legacy", true);
    table.json("has_parts_json", g.has_parts_json).json("parts", g.parts.size());
    VMT_TRY(l.add(table));
    for (const auto& part : g.parts) {
      const uint64_t size = layout::part_size(part.path).value_or(0);
      auto ph = part.exists ? mergeset::read_part_header(part.path)
                            : Result<mergeset::PartHeader>(not_found("part directory is missing"));
      Row r;
      r.json("type", "indexdb_part").json(partition ? "partition" : "generation", g.name).both("index", g.rel, g.rel);
      if (g.legacy) r.json("legacy", true);
      r.both("role", g.role, role)
          .str("name", part.name)
          .json("path", part.path)
          .both("listed", part.listed, yes_no(part.listed))
          .json("exists", part.exists);
      if (ph.is_ok()) {
        r.num("items_count", ph->items_count).num("blocks_count", ph->blocks_count).num("size_bytes", size);
      } else {
        r.cell("-").cell("-");
        r.json("error", ph.status().message()).both("size_bytes", size, std::to_string(size) + "  (" + ph.status().message() + ")");
      }
      VMT_TRY(l.add(r));
    }
    if (g.parts.empty()) VMT_TRY(l.add(Row().cell(g.rel).cell(role).cell("(no parts)").cell("").cell("").cell("").cell("")));
  }
  return Status::ok();
}

}  // namespace

Status inspect_parts(const std::string& dir, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, open_for_reading(dir, c.target_ptr()));
  flavour(sd, c, out);
  Listing data(out, c.json, {"PARTITION", "KIND", "PART", "LISTED", "ROWS", "BLOCKS", "MIN_TIMESTAMP", "MAX_TIMESTAMP", "DEDUP_MS", "SIZE"});
  VMT_TRY(data_parts(sd, data));
  // Text: both tables at the end, each under its heading; JSON: every line as it comes.
  Listing idx(out, c.json, {"INDEX", "ROLE", "PART", "LISTED", "ITEMS", "BLOCKS", "SIZE"});
  VMT_TRY(index_tables(sd, idx));
  if (!c.json) {
    out.buf() += "# data parts (" + std::to_string(sd.partitions.size()) + " partitions)\n";
    VMT_TRY(data.finish());
    out.buf() += "\n# index tables (" + std::to_string(sd.partition_indexes.size()) + " per partition, " +
                 std::to_string(sd.generations.size()) + " indexdb generations)\n";
    VMT_TRY(idx.finish());
    if (sd.min_timestamp_for_composite_index) {
      out.buf() += "\nminTimestampForCompositeIndex: " + std::to_string(*sd.min_timestamp_for_composite_index) + "\n";
    }
  }
  return out.flush();
}

}  // namespace vmt::ops
