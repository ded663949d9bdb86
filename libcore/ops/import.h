// tsdb-import's operation: runs ingest::run_import with bad lines and progress on stderr, then
// prints the summary (its format is documented in man/tsdb-import.1, OUTPUT FORMAT).
//
// Exit status: 0 when the import finished, bad lines skipped and counted (VictoriaMetrics accepts
// the rest of a request the same way); 1 with --strict at the first bad line, on an input error
// (unreadable or truncated compressed input, a line over 256 KiB) or bad data in DIR, nothing
// written; 2 usage; 3 DIR locked by a running vmstorage, or an I/O error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "ingest/importer.h"
#include "layout/flavour.h"

namespace vmt::ops {

// The summary lines (without the "tsdb-import: " prefix).
std::vector<std::string> render_import_summary(const ingest::ImportStats& s);

// The flavour to write: what DIR holds (checked against target), else target, else v1.93.7-cluster.
// A v1.93 directory given a v1.133+ target gets what that server would add to it: per-partition
// indexes next to the generations, which become legacy.
Result<layout::Flavour> import_flavour(const std::string& dir, const std::optional<layout::Flavour>& target);

// json: the summary as one JSON object on stdout (64-bit IDs as strings) instead of the text lines
// on stderr; quiet: no summary (warnings and errors still go to stderr).
Status run_import_tool(ingest::ImportOptions opt, const std::optional<layout::Flavour>& target, bool json = false,
                       bool quiet = false);
// The --json summary line.
std::string render_import_summary_json(const ingest::ImportStats& s);

}  // namespace vmt::ops
