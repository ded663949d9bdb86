// Values of tsdb-import's options: byte sizes (also read by tsdb-route's and tsdb-inspect's
// --mem-limit and tsdb-merge's --max-disk) and unsigned integers. Errors are invalid_argument
// (exit 2) and quote the bad value. The other shared ones (tenant, durations, times) are in
// args.h; the --extra-label parser is ingest::parse_extra_label (raw_name.h).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace vmt::ops {

// A byte size like VictoriaMetrics' flagutil.Bytes: a number, optionally fractional, with an
// optional suffix KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024):
// "268435456", "256MiB", "1.5GB". The result must fit in 63 bits.
Result<uint64_t> parse_byte_size(const std::string& s);
// --mem-limit: a byte size of at least min_bytes (a whole number of KiB), else "--mem-limit must be
// at least <min>" with min in MiB or KiB.
Result<uint64_t> parse_mem_limit(const std::string& s, uint64_t min_bytes);

// An unsigned decimal integer (leading zeros allowed), as for --metric-id-base.
Result<uint64_t> parse_uint64(const std::string& s, const char* what);

}  // namespace vmt::ops
