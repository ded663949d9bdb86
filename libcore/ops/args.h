// Parsers for the command-line values the tools share: tenants, dates, times, durations.
// Errors are invalid_argument (exit code 2) and quote the bad value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "layout/flavour.h"
#include "metric/tenancy.h"

namespace vmt::ops {

using Tenant = metric::Tenant;

// "A:P" or "A" (project 0), as in vminsert's /insert/<A:P>/ URLs.
Result<Tenant> parse_tenant(const std::string& s);
// "YYYY-MM-DD" -> days since 1970-01-01 (the indexdb date).
Result<uint64_t> parse_date(const std::string& s);
std::string format_date(uint64_t day);  // YYYY-MM-DD
// A point in time, to ms: RFC3339 ("2023-11-01T00:00:00Z", fractional seconds and offsets
// allowed), "YYYY-MM-DD", unix seconds ("1698796800", "1698796800.5"), or milliseconds with an
// "ms" suffix ("1698796800000ms").
Result<int64_t> parse_time_ms(const std::string& s);
std::string format_time_ms(int64_t ms);  // RFC3339 UTC with milliseconds
// A duration like VictoriaMetrics flags: "15s", "1m", "2h", "7d", "1w", "1y" (365 days), or a bare
// number of months of 31 days when bare_months (as -retentionPeriod). Result in ms.
Result<int64_t> parse_duration_ms(const std::string& s, bool bare_months);
// --retention, as vmstorage reads -retentionPeriod in every tool: a duration or bare months, at
// least one day (0 too is refused, as the server refuses it). Result in ms.
Result<int64_t> parse_retention_ms(const std::string& s);

// --target VERSION, shared by every tool: "" (not given) is nullopt; else layout::parse_target.
Result<std::optional<layout::Flavour>> parse_target_flag(const std::string& s);
// The flag's help text.
constexpr const char* kTargetHelp =
    "the server release DIR is for, as its tag reads: v1.93.7, v1.93.7-cluster, v1.148.2, v1.136-cluster "
    "(default: detected from DIR)";

}  // namespace vmt::ops
