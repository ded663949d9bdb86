// tsdb-inspect metaindex / blocks: one part directory, data or indexdb (mergeset).
// Spec: data-part.md §5, §8; mergeset.md §5, §6.
#include <vector>

#include "base/fs.h"
#include "base/hex.h"
#include "encoding/marshal_type.h"
#include "layout/storage_dir.h"
#include "mergeset/part_reader.h"
#include "ops/args.h"
#include "ops/format.h"
#include "ops/inspect.h"
#include "ops/listing.h"
#include "ops/render.h"
#include "storage/part_reader.h"

namespace vmt::ops {

namespace {

bool is_mergeset_part(const std::string& dir) {
  return fs::exists(fs::join(dir, "items.bin")) || fs::exists(fs::join(dir, "lens.bin"));
}

nlohmann::ordered_json tsid_json(const metric::TSID& t) {
  nlohmann::ordered_json j;
  j["account_id"] = t.account_id;
  j["project_id"] = t.project_id;
  j["metric_group_id"] = json_id(t.metric_group_id);
  j["job_id"] = t.job_id;
  j["instance_id"] = t.instance_id;
  j["metric_id"] = json_id(t.metric_id);
  return j;
}

std::string tsid_text(const metric::TSID& t) {
  return std::to_string(t.account_id) + ":" + std::to_string(t.project_id) + " " + hex16(t.metric_group_id) + " " +
         std::to_string(t.job_id) + " " + std::to_string(t.instance_id) + " " + std::to_string(t.metric_id);
}

}  // namespace

// --target, else what the part's bytes say; a part that decodes neither way is read as cluster,
// whose errors then name the damage.
// metaindex and blocks take one part directory: say what was given instead and where parts are.
static Status check_part_dir(const std::string& dir) {
  if (!fs::exists(dir)) return invalid_argument(dir + ": does not exist");
  if (!fs::is_dir(dir)) return invalid_argument(dir + ": not a directory");
  if (fs::is_dir(fs::join(dir, "data")) || fs::is_dir(fs::join(dir, "indexdb"))) {
    return invalid_argument(dir + " is a storage directory; metaindex and blocks take one part directory, such as " +
                            dir + "/data/small/YYYY_MM/<PART> or " + dir + "/data/indexdb/YYYY_MM/<PART> "
                            "(tsdb-inspect parts " + dir + " lists them)");
  }
  if (!fs::exists(fs::join(dir, "metadata.json")) && !fs::exists(fs::join(dir, "metaindex.bin"))) {
    return invalid_argument(dir + ": not a part directory (no metadata.json or metaindex.bin; a partition or table "
                            "directory holds parts, one per subdirectory)");
  }
  return Status::ok();
}

metric::Tenancy InspectCommon::part_tenancy(const std::string& part_dir) const {
  if (target) return target->tenancy;
  auto detected = is_mergeset_part(part_dir) ? layout::detect_index_part_tenancy(part_dir) : layout::detect_part_tenancy(part_dir);
  return detected.value_or(metric::Tenancy::kCluster);
}

Status inspect_metaindex(const std::string& part_dir, const InspectCommon& c, Output& out) {
  VMT_TRY(check_part_dir(part_dir));
  if (is_mergeset_part(part_dir)) {
    VMT_ASSIGN_OR_RETURN(auto pr, mergeset::PartReader::open(part_dir));
    Listing l(out, c.json, {"ROW", "BLOCK_HEADERS", "INDEX_BLOCK_OFFSET", "INDEX_BLOCK_SIZE", "FIRST_ITEM"});
    size_t i = 0;
    for (const auto& r : pr->metaindex()) {
      VMT_TRY(l.add(Row()
                        .num("row", i++)
                        .num("block_headers_count", r.block_headers_count)
                        .num("index_block_offset", r.index_block_offset)
                        .num("index_block_size", r.index_block_size)
                        .str("first_item", to_hex(r.first_item))));
    }
    VMT_TRY(l.finish());
    return out.flush();
  }
  storage::PartReader pr;
  VMT_TRY(pr.open(part_dir, c.part_tenancy(part_dir)));
  Listing l(out, c.json, {"ROW", "TSID(acc:proj mg job inst mid)", "BLOCK_HEADERS", "MIN_TIMESTAMP", "MIN_TIME",
                          "MAX_TIMESTAMP", "MAX_TIME", "INDEX_BLOCK_OFFSET", "INDEX_BLOCK_SIZE"});
  size_t i = 0;
  for (const auto& r : pr.metaindex()) {
    VMT_TRY(l.add(Row()
                      .num("row", i++)
                      .both("tsid", tsid_json(r.tsid), tsid_text(r.tsid))
                      .num("block_headers_count", r.block_headers_count)
                      .timestamp("min_timestamp", r.min_timestamp)
                      .timestamp("max_timestamp", r.max_timestamp)
                      .num("index_block_offset", r.index_block_offset)
                      .num("index_block_size", r.index_block_size)));
  }
  VMT_TRY(l.finish());
  return out.flush();
}

namespace {

// `inspect blocks` of an indexdb part: each block header, and with `rows` its items in hex under
// a header of their own (as data blocks' rows).
Status mergeset_blocks(const std::string& part_dir, bool rows, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(auto pr, mergeset::PartReader::open(part_dir));
  VMT_TRY(pr->seek_to_first());
  Listing l(out, c.json,
            {"BLOCK", "INDEX_BLOCK", "ITEMS", "TYPE", "ITEMS_OFFSET", "ITEMS_SIZE", "LENS_OFFSET", "LENS_SIZE",
             "COMMON_PREFIX", "FIRST_ITEM"},
            rows);
  for (uint64_t block = 0; pr->valid(); ++block) {
    const auto& bh = pr->block_header();
    Row r;
    r.num("block", block)
        .num("index_block", pr->index_block_number())
        .num("items_count", bh.items_count)
        .str("marshal_type", mergeset::marshal_type_name(bh.marshal_type))
        .num("items_block_offset", bh.items_block_offset)
        .num("items_block_size", bh.items_block_size)
        .num("lens_block_offset", bh.lens_block_offset)
        .num("lens_block_size", bh.lens_block_size)
        .str("common_prefix", to_hex(bh.common_prefix))
        .str("first_item", to_hex(bh.first_item));
    if (rows) {
      auto items = nlohmann::ordered_json::array();
      Table it({"  ITEM", "HEX"});
      for (size_t i = 0; i < pr->block_items().size(); ++i) {
        items.push_back(to_hex(pr->block_items()[i]));
        it.add({"  " + std::to_string(i), items.back()});
      }
      VMT_TRY(l.add(r.json("items", std::move(items)), it));
    } else {
      VMT_TRY(l.add(r));
    }
    VMT_TRY(pr->next_block());
  }
  VMT_TRY(l.finish());
  return out.flush();
}

// One data block header (and with `rows` its samples: JSON arrays, or `samples` a table of them).
Row data_block(const storage::Block& b, uint64_t n, uint64_t index_block, bool rows, const std::vector<double>& vals,
               Table* samples) {
  const auto& h = b.header;
  Row r;
  r.num("block", n)
      .json("index_block", index_block)
      .both("tsid", tsid_json(h.tsid), tsid_text(h.tsid))
      .num("rows_count", h.rows_count)
      .timestamp("min_timestamp", h.min_timestamp)
      .timestamp("max_timestamp", h.max_timestamp)
      .num("first_value", h.first_value)
      .num("scale", h.scale)
      .num("precision_bits", h.precision_bits)
      .str("timestamps_marshal_type", encoding::marshal_type_name(h.timestamps_marshal_type))
      .str("values_marshal_type", encoding::marshal_type_name(h.values_marshal_type))
      .num("timestamps_block_offset", h.timestamps_block_offset)
      .num("timestamps_block_size", h.timestamps_block_size)
      .num("values_block_offset", h.values_block_offset)
      .num("values_block_size", h.values_block_size);
  if (!rows) return r;
  // JSON: the values as the export prints them; text: as exposition numbers, with each
  // timestamp's UTC time.
  Bytes v = "[";
  for (size_t i = 0; i < vals.size(); ++i) {
    if (i) v.push_back(',');
    append_export_number(v, vals[i]);
  }
  v += "]";
  r.json("timestamps", b.timestamps).json("mantissas", b.values).json("values", nlohmann::ordered_json::parse(v));
  for (size_t i = 0; i < b.timestamps.size(); ++i) {
    Bytes p;
    append_prom_number(p, vals[i]);
    samples->add({"  " + std::to_string(i), std::to_string(b.timestamps[i]), format_time_ms(b.timestamps[i]), p,
                  std::to_string(b.values[i])});
  }
  return r;
}

}  // namespace

Status inspect_blocks(const std::string& part_dir, bool rows, const InspectCommon& c, Output& out) {
  VMT_TRY(check_part_dir(part_dir));
  if (is_mergeset_part(part_dir)) return mergeset_blocks(part_dir, rows, c, out);
  storage::PartReader pr;
  VMT_TRY(pr.open(part_dir, c.part_tenancy(part_dir)));
  storage::Block b;
  std::vector<double> vals;
  // With rows, each block, then its samples in a table of their own, so that every value sits
  // under its own header.
  Listing l(out, c.json,
            {"BLOCK", "TSID(acc:proj mg job inst mid)", "ROWS", "MIN_TIMESTAMP", "MIN_TIME", "MAX_TIMESTAMP",
             "MAX_TIME", "FIRST_VALUE", "SCALE", "PB", "TS_TYPE", "VAL_TYPE", "TS_OFFSET", "TS_SIZE", "VAL_OFFSET",
             "VAL_SIZE"},
            rows);
  for (;;) {
    bool eof = false;
    if (rows) {
      VMT_TRY(pr.next(b, &eof));
    } else {
      VMT_TRY(pr.next_header(b.header, &eof));
    }
    if (eof) break;
    if (rows) {
      vals.clear();
      b.append_float_values(vals);
    }
    Table samples({"  ROW", "TIMESTAMP", "TIME", "VALUE", "MANTISSA"});
    const Row r = data_block(b, pr.position().block, pr.position().index_block, rows, vals, &samples);
    VMT_TRY(rows ? l.add(r, samples) : l.add(r));
  }
  VMT_TRY(pr.verify_totals());
  VMT_TRY(l.finish());
  return out.flush();
}

}  // namespace vmt::ops
