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
    Table t({"ROW", "BLOCK_HEADERS", "INDEX_BLOCK_OFFSET", "INDEX_BLOCK_SIZE", "FIRST_ITEM"});
    size_t i = 0;
    for (const auto& r : pr->metaindex()) {
      if (c.json) {
        nlohmann::ordered_json j;
        j["row"] = i;
        j["block_headers_count"] = r.block_headers_count;
        j["index_block_offset"] = r.index_block_offset;
        j["index_block_size"] = r.index_block_size;
        j["first_item"] = to_hex(r.first_item);
        append_json_line(out.buf(), j);
      } else {
        t.add({std::to_string(i), std::to_string(r.block_headers_count), std::to_string(r.index_block_offset),
               std::to_string(r.index_block_size), to_hex(r.first_item)});
      }
      ++i;
    }
    if (!c.json) t.render(out.buf());
    return out.flush();
  }
  storage::PartReader pr;
  VMT_TRY(pr.open(part_dir, c.part_tenancy(part_dir)));
  Table t({"ROW", "TSID(acc:proj mg job inst mid)", "BLOCK_HEADERS", "MIN_TIMESTAMP", "MIN_TIME", "MAX_TIMESTAMP", "MAX_TIME",
           "INDEX_BLOCK_OFFSET", "INDEX_BLOCK_SIZE"});
  size_t i = 0;
  for (const auto& r : pr.metaindex()) {
    if (c.json) {
      nlohmann::ordered_json j;
      j["row"] = i;
      j["tsid"] = tsid_json(r.tsid);
      j["block_headers_count"] = r.block_headers_count;
      j["min_timestamp"] = r.min_timestamp;
      j["max_timestamp"] = r.max_timestamp;
      j["index_block_offset"] = r.index_block_offset;
      j["index_block_size"] = r.index_block_size;
      append_json_line(out.buf(), j);
    } else {
      t.add({std::to_string(i), tsid_text(r.tsid), std::to_string(r.block_headers_count), std::to_string(r.min_timestamp),
             format_time_ms(r.min_timestamp), std::to_string(r.max_timestamp), format_time_ms(r.max_timestamp),
             std::to_string(r.index_block_offset), std::to_string(r.index_block_size)});
    }
    ++i;
  }
  if (!c.json) t.render(out.buf());
  return out.flush();
}

namespace {

// `inspect blocks` of an indexdb part: each block header, and with `rows` its items in hex.
Status mergeset_blocks(const std::string& part_dir, bool rows, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(auto pr, mergeset::PartReader::open(part_dir));
  VMT_TRY(pr->seek_to_first());
  const std::vector<std::string> columns = {"BLOCK",      "INDEX_BLOCK", "ITEMS",         "TYPE",
                                            "ITEMS_OFFSET", "ITEMS_SIZE", "LENS_OFFSET",   "LENS_SIZE",
                                            "COMMON_PREFIX", "FIRST_ITEM"};
  Table t(columns);
  uint64_t block = 0;
  while (pr->valid()) {
    const auto& bh = pr->block_header();
    if (c.json) {
      nlohmann::ordered_json j;
      j["block"] = block;
      j["index_block"] = pr->index_block_number();
      j["items_count"] = bh.items_count;
      j["marshal_type"] = mergeset::marshal_type_name(bh.marshal_type);
      j["items_block_offset"] = bh.items_block_offset;
      j["items_block_size"] = bh.items_block_size;
      j["lens_block_offset"] = bh.lens_block_offset;
      j["lens_block_size"] = bh.lens_block_size;
      j["common_prefix"] = to_hex(bh.common_prefix);
      j["first_item"] = to_hex(bh.first_item);
      if (rows) {
        auto items = nlohmann::ordered_json::array();
        for (size_t i = 0; i < pr->block_items().size(); ++i) items.push_back(to_hex(pr->block_items()[i]));
        j["items"] = std::move(items);
      }
      append_json_line(out.buf(), j);
    } else {
      t.add({std::to_string(block), std::to_string(pr->index_block_number()), std::to_string(bh.items_count),
             mergeset::marshal_type_name(bh.marshal_type), std::to_string(bh.items_block_offset),
             std::to_string(bh.items_block_size), std::to_string(bh.lens_block_offset),
             std::to_string(bh.lens_block_size), to_hex(bh.common_prefix), to_hex(bh.first_item)});
      if (rows) {
        // The block, then its items under a header of their own (as data blocks' rows).
        t.render(out.buf());
        t = Table(columns);
        Table it({"  ITEM", "HEX"});
        for (size_t i = 0; i < pr->block_items().size(); ++i) {
          it.add({"  " + std::to_string(i), to_hex(pr->block_items()[i])});
        }
        it.render(out.buf());
        out.buf() += "\n";
      }
    }
    ++block;
    VMT_TRY(pr->next_block());
    VMT_TRY(out.maybe_flush());
  }
  if (!c.json && !rows) t.render(out.buf());
  return out.flush();
}

// One data block header (and with `rows` its samples) as a JSON line.
void data_block_json(const storage::Block& b, uint64_t n, uint64_t index_block, bool rows,
                     const std::vector<double>& vals, Bytes& out) {
  const auto& h = b.header;
  nlohmann::ordered_json j;
  j["block"] = n;
  j["index_block"] = index_block;
  j["tsid"] = tsid_json(h.tsid);
  j["rows_count"] = h.rows_count;
  j["min_timestamp"] = h.min_timestamp;
  j["max_timestamp"] = h.max_timestamp;
  j["first_value"] = h.first_value;
  j["scale"] = h.scale;
  j["precision_bits"] = h.precision_bits;
  j["timestamps_marshal_type"] = encoding::marshal_type_name(h.timestamps_marshal_type);
  j["values_marshal_type"] = encoding::marshal_type_name(h.values_marshal_type);
  j["timestamps_block_offset"] = h.timestamps_block_offset;
  j["timestamps_block_size"] = h.timestamps_block_size;
  j["values_block_offset"] = h.values_block_offset;
  j["values_block_size"] = h.values_block_size;
  if (rows) {
    j["timestamps"] = b.timestamps;
    j["mantissas"] = b.values;
    Bytes v = "[";
    for (size_t i = 0; i < vals.size(); ++i) {
      if (i) v.push_back(',');
      append_export_number(v, vals[i]);
    }
    v += "]";
    j["values"] = nlohmann::ordered_json::parse(v);
  }
  append_json_line(out, j);
}

const std::vector<std::string>& data_block_columns() {
  static const std::vector<std::string> header = {"BLOCK", "TSID(acc:proj mg job inst mid)", "ROWS", "MIN_TIMESTAMP",
                                                  "MIN_TIME", "MAX_TIMESTAMP", "MAX_TIME", "FIRST_VALUE", "SCALE", "PB",
                                                  "TS_TYPE", "VAL_TYPE", "TS_OFFSET", "TS_SIZE", "VAL_OFFSET", "VAL_SIZE"};
  return header;
}

// One data block header as a row under data_block_columns().
std::vector<std::string> data_block_row(const storage::BlockHeader& h, uint64_t n) {
  return {std::to_string(n), tsid_text(h.tsid), std::to_string(h.rows_count), std::to_string(h.min_timestamp),
          format_time_ms(h.min_timestamp), std::to_string(h.max_timestamp), format_time_ms(h.max_timestamp),
          std::to_string(h.first_value), std::to_string(h.scale), std::to_string(h.precision_bits),
          encoding::marshal_type_name(h.timestamps_marshal_type), encoding::marshal_type_name(h.values_marshal_type),
          std::to_string(h.timestamps_block_offset), std::to_string(h.timestamps_block_size),
          std::to_string(h.values_block_offset), std::to_string(h.values_block_size)};
}

// A block's samples under a header of their own.
void data_block_rows_table(const storage::Block& b, const std::vector<double>& vals, Bytes& out) {
  Table rt({"  ROW", "TIMESTAMP", "TIME", "VALUE", "MANTISSA"});
  for (size_t i = 0; i < b.timestamps.size(); ++i) {
    Bytes v;
    append_prom_number(v, vals[i]);
    rt.add({"  " + std::to_string(i), std::to_string(b.timestamps[i]), format_time_ms(b.timestamps[i]), v,
            std::to_string(b.values[i])});
  }
  rt.render(out);
  out += "\n";
}

}  // namespace

Status inspect_blocks(const std::string& part_dir, bool rows, const InspectCommon& c, Output& out) {
  VMT_TRY(check_part_dir(part_dir));
  if (is_mergeset_part(part_dir)) return mergeset_blocks(part_dir, rows, c, out);
  storage::PartReader pr;
  VMT_TRY(pr.open(part_dir, c.part_tenancy(part_dir)));
  storage::Block b;
  std::vector<double> vals;
  Table t(data_block_columns());
  for (;;) {
    bool eof = false;
    if (rows) {
      VMT_TRY(pr.next(b, &eof));
    } else {
      VMT_TRY(pr.next_header(b.header, &eof));
    }
    if (eof) break;
    const uint64_t n = pr.position().block;
    if (rows) {
      vals.clear();
      b.append_float_values(vals);
    }
    if (c.json) {
      data_block_json(b, n, pr.position().index_block, rows, vals, out.buf());
    } else if (!rows) {
      t.add(data_block_row(b.header, n));
    } else {
      // Each block, then its rows in a table of their own, so that every value sits under its
      // own header.
      Table bt(data_block_columns());
      bt.add(data_block_row(b.header, n));
      bt.render(out.buf());
      data_block_rows_table(b, vals, out.buf());
    }
    VMT_TRY(out.maybe_flush());
  }
  VMT_TRY(pr.verify_totals());
  if (!c.json && !rows) t.render(out.buf());
  return out.flush();
}

}  // namespace vmt::ops
