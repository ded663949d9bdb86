// tsdb-inspect's operations: each reads a data directory (never writes it) and renders a model
// as text or JSON lines. Spec references are per function; output formats are in man/tsdb-inspect.1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "layout/flavour.h"
#include "ops/args.h"
#include "ops/tool.h"
#include "query/index_search.h"
#include "query/selector.h"

namespace vmt::ops {

struct InspectCommon {
  bool json = false;
  bool strict = false;  // verify --strict: warnings (harmless oddities the server reads past) are problems
  std::optional<layout::Flavour> target;  // --target: checked against what the directory holds
  const layout::Flavour* target_ptr() const { return target ? &*target : nullptr; }
  // The tenancy to read one part directory (data or mergeset) with: --target's, else what the
  // part's bytes say; cluster when they say nothing, whose errors then name the damage.
  metric::Tenancy part_tenancy(const std::string& part_dir) const;
};

// Partitions, parts (small/big, listed or not), metadata.json values and file sizes; indexdb
// generations and their parts.
Status inspect_parts(const std::string& dir, const InspectCommon& c, Output& out);

// Metaindex rows of a data part or a mergeset part (detected from metadata.json).
Status inspect_metaindex(const std::string& part_dir, const InspectCommon& c, Output& out);

// Block headers of a data part (optionally its rows) or of a mergeset part (optionally its items).
Status inspect_blocks(const std::string& part_dir, bool rows, const InspectCommon& c, Output& out);

struct IndexFilter {
  std::optional<uint8_t> ns;
  std::optional<Tenant> tenant;
  std::optional<uint64_t> date;
  bool all_generations = false;  // default: the searched ones (curr, prev)
};
Status inspect_index(const std::string& dir, const IndexFilter& f, const InspectCommon& c, Output& out);

struct DatesOptions {
  std::optional<Tenant> tenant;
  bool ids = false;  // list the MetricIDs, not only their count
};
Status inspect_dates(const std::string& dir, const DatesOptions& o, const InspectCommon& c, Output& out);

// What series/labels/label-values/analyze select: --match (OR-ed), --start/--end, --tenant.
struct QueryOptions {
  std::vector<query::Selector> match;
  query::TimeRange range;
  std::optional<Tenant> tenant;
  uint64_t mem_limit_bytes = 0;  // series: the found series held before sorted runs are written (0: no limit)
};
Result<std::vector<query::Selector>> parse_selectors(const std::vector<std::string>& texts);

// One JSON object per series, as an element of /api/v1/series `data`; in a cluster without
// --tenant, vm_account_id and vm_project_id are added as the server's multitenant queries do.
Status inspect_series(const std::vector<std::string>& dirs, const QueryOptions& q, const InspectCommon& c, Output& out);
// Label names (/api/v1/labels) and one label's values (/api/v1/label/N/values), one a line.
Status inspect_labels(const std::vector<std::string>& dirs, const QueryOptions& q, const InspectCommon& c, Output& out);
Status inspect_label_values(const std::string& label, const std::vector<std::string>& dirs, const QueryOptions& q,
                            const InspectCommon& c, Output& out);

struct AnalyzeOptions {
  QueryOptions query;
  std::optional<uint64_t> date;  // --date: one UTC day
  size_t top_n = 10;
  std::string focus_label;
  bool per_node = false;
};
// The exact /api/v1/status/tsdb report (query/tsdb_status.h) over the directories.
Status inspect_analyze(const std::vector<std::string>& dirs, const AnalyzeOptions& a, const InspectCommon& c, Output& out);

struct ExportOptions {
  std::optional<layout::Flavour> target;
  std::optional<Tenant> tenant;
  std::string format = "jsonl";     // jsonl | prom
  std::vector<query::Selector> match;  // OR-ed; empty = all
  int64_t start_ms = INT64_MIN;
  int64_t end_ms = INT64_MAX;
  // --skip-damaged: read each part through first; a damaged one is reported on stderr and left out
  // (ExportStats::damaged_parts), the rest exported.
  bool skip_damaged = false;
};
struct ExportStats {
  uint64_t series = 0, samples = 0, blocks = 0;
  uint64_t damaged_parts = 0;   // skipped by --skip-damaged
};
Status inspect_export(const std::string& dir, const ExportOptions& o, Output& out, ExportStats* stats);

// Structural checks and cross-checks of a data directory or of one part directory. Problems go to
// `out` (one per line, or JSON lines); *exit_code is 1 when any was found.
Status inspect_verify(const std::string& path, const InspectCommon& c, Output& out, int* exit_code);

}  // namespace vmt::ops
