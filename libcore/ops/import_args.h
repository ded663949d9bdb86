// Values of tsdb-import's options that no other tool shares. Errors are invalid_argument (exit 2)
// and quote the bad value. The shared ones (tenant, durations, times) are in args.h; the
// --extra-label parser is ingest::parse_extra_label (raw_name.h).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace vmt::ops {

// A byte size like VictoriaMetrics' flagutil.Bytes: a number, optionally fractional, with an
// optional suffix KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024):
// "268435456", "256MiB", "1.5GB". The result must fit in 63 bits.
Result<uint64_t> parse_byte_size(const std::string& s);

// An unsigned decimal integer (leading zeros allowed), as for --metric-id-base.
Result<uint64_t> parse_uint64(const std::string& s, const char* what);

}  // namespace vmt::ops
