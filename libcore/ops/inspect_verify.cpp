// tsdb-inspect verify: every structural check of every part, and the cross-checks between data and
// indexdb that decide whether vmstorage can find and serve what is stored.
//
// Spec: storage-layout.md §3-§4 (what the server checks at open and later), §6.2 (what a series
// needs to be found), data-part.md §10 (invariants), mergeset.md §4-§7, indexdb.md §4-§7, §10.
// Goes on past a bad part; every problem is one line; a summary line ends the report. The steps are
// in verify_parts.cpp and verify_cross_check.cpp (verifier.h).
#include <algorithm>

#include "base/fs.h"
#include "ops/index_scan.h"
#include "ops/render.h"
#include "ops/verifier.h"

namespace vmt::ops {

namespace verify_detail {

// A finding: one JSON line, or one text line ("PATH: MESSAGE", notes after "note: ").
void Verifier::problem(const std::string& where, const std::string& msg) {
  ++problems;
  (void)findings.add(Row().json("type", "problem").json("path", where).json("message", msg).cell(where + ":").cell(msg));
}

void Verifier::note(const std::string& where, const std::string& msg) {
  (void)findings.add(
      Row().json("type", "note").json("path", where).json("message", msg).cell("note:").cell(where + ":").cell(msg));
}

void Verifier::unlisted(const layout::PartEntry& part) {
  if (!part.leftover.empty()) {
    note(part.path, "not listed in parts.json: " + part.leftover + "; vmstorage deletes it at open, and so does the next tsdb-import or tsdb-merge");
  } else {
    problem(part.path, "a directory parts.json does not list: vmstorage deletes it at open, with any data it holds; "
                       "no tool of ours deletes it unless asked by name (tsdb-merge --remove-unlisted " + part.name + ")");
  }
}

void Verifier::each_part(const std::vector<layout::PartEntry>& parts, const std::function<void(const std::string&)>& read) {
  for (const auto& part : parts) {
    if (part.listed && !part.exists) {
      problem(part.path, "listed in parts.json but missing: vmstorage panics at open");
    } else if (!part.listed) {
      unlisted(part);
    } else {
      read(part.path);
    }
  }
}

void Verifier::storage_dir(const std::string& root, const layout::StorageDir& sd) {
  tenancy = sd.flavour.tenancy;
  const bool per_partition = sd.flavour.per_partition_index();
  for (const auto& p : sd.partitions) {
    std::string pdir = fs::join(root, "data/*/" + p.name);
    if (!p.name_valid) problem(pdir, "partition name is not YYYY_MM: vmstorage panics at open");
    if (!p.has_parts_json) note(p.small_dir, "no parts.json: vmstorage takes every subdirectory as a part and writes it at open");
    each_part(p.parts, [&](const std::string& path) { data_part(path, &p); });
  }
  auto searched = sd.searched_tables();
  for (const auto* t : sd.all_tables()) {
    const auto& g = *t;
    const bool is_searched = std::find(searched.begin(), searched.end(), t) != searched.end();
    IndexFacts* facts = !is_searched ? nullptr
                        : g.role == "partition" ? &groups[g.name]
                        : per_partition ? &groups["legacy"] : &groups["searched"];
    if (g.role == "stale") {
      note(g.path, g.legacy ? "a legacy generation vmstorage deletes at open (it keeps the two before the newest)"
                            : "older than the newest three generations: vmstorage deletes it at open");
    }
    each_part(g.parts, [&](const std::string& path) { index_part(path, facts); });
  }
  // Temporary files of an interrupted write (parts.json.tmp.N, ...): harmless, removed by the
  // next of our writers.
  std::vector<std::string> dirs;
  for (const auto& p : sd.partitions) dirs.push_back(p.small_dir);
  for (const auto* t : sd.all_tables()) dirs.push_back(t->path);
  dirs.push_back(fs::join(root, "metadata"));
  for (const auto& d : dirs) {
    auto entries = fs::list_dir(d);
    if (!entries.is_ok()) continue;
    for (const auto& e : *entries) {
      if (!e.is_dir && e.name.find(".tmp.") != std::string::npos) {
        note(fs::join(d, e.name), "temporary file of an interrupted write: ignored by vmstorage, removed by the next tsdb-import or tsdb-merge");
      }
    }
  }
  if (!sd.min_timestamp_for_composite_index) {
    note(fs::join(root, "metadata/minTimestampForCompositeIndex"), "missing or not 8 bytes: vmstorage re-creates it");
  }
  cross_check(root, per_partition);
}

void Verifier::summary(const std::string& path, size_t partitions, size_t generations) {
  (void)findings.add(Row()
                         .json("type", "summary")
                         .json("path", path)
                         .json("partitions", partitions)
                         .json("data_parts", data_parts)
                         .json("rows", rows)
                         .json("blocks", blocks)
                         .json("generations", generations)
                         .json("indexdb_parts", index_parts)
                         .json("items", items)
                         .json("series", data.size())
                         .json("problems", problems)
                         .cell("verify: " + path + ": " + std::to_string(partitions) + " partitions, " +
                               std::to_string(data_parts) + " data parts (" + std::to_string(rows) + " rows, " +
                               std::to_string(blocks) + " blocks, " + std::to_string(data.size()) + " series), " +
                               std::to_string(generations) + " indexdb generations, " + std::to_string(index_parts) +
                               " indexdb parts (" + std::to_string(items) + " items): " + std::to_string(problems) +
                               (problems == 1 ? " problem" : " problems")));
}

}  // namespace verify_detail

namespace {

using verify_detail::Verifier;

bool has_file(const std::string& dir, const char* f) { return fs::exists(fs::join(dir, f)); }

}  // namespace

Status inspect_verify(const std::string& path, const InspectCommon& c, Output& out, int* exit_code) {
  if (!fs::exists(path)) return invalid_argument(path + ": does not exist");
  if (!fs::is_dir(path)) return invalid_argument(path + ": not a directory");
  Verifier v(c, out);
  size_t partitions = 0, generations = 0;
  if (has_file(path, "items.bin") || has_file(path, "lens.bin")) {
    v.tenancy = c.part_tenancy(path);
    v.index_part(path, nullptr);
  } else if (has_file(path, "timestamps.bin") || has_file(path, "values.bin") ||
             (has_file(path, "metadata.json") && !fs::is_dir(fs::join(path, "data")))) {
    v.tenancy = c.part_tenancy(path);
    v.data_part(path, nullptr);
    // Alone, without an index to say which TSID is right: any MetricID with two is a problem.
    for (const auto& [mid, ds] : v.data) {
      for (const auto& o : ds.others) {
        v.problem(path, "MetricID " + std::to_string(mid) + " appears with two TSIDs: " + ds.tsid.to_string() +
                            " and " + o.second.to_string());
      }
    }
  } else {
    auto sd = open_for_reading(path, c.target_ptr());
    if (!sd.is_ok()) {
      // Not a storage directory, or a --target that contradicts it: a usage error, not a finding.
      if (sd.status().code() == Code::invalid_argument) return sd.take_status();
      v.problem(path, sd.status().message());
    } else {
      v.storage_dir(path, *sd);
      partitions = sd->partitions.size();
      generations = sd->generations.size() + sd->partition_indexes.size();
    }
  }
  v.summary(path, partitions, generations);
  *exit_code = v.problems ? kExitData : kExitOk;
  return out.flush();
}

}  // namespace vmt::ops
