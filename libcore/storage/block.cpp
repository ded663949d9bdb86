#include "storage/block.h"

#include <cassert>
#include <string>

#include "encoding/decimal.h"
#include "encoding/int64_array.h"
#include "encoding/marshal_type.h"

namespace vmt::storage {

namespace {

std::string column_desc(const char* column, const char* type_field, uint8_t type, size_t n, size_t size) {
  return std::string("cannot decode ") + column + " (" + type_field + "=" +
         encoding::marshal_type_name(type) + " (" + std::to_string(type) + "), " + std::to_string(n) +
         " rows, " + std::to_string(size) + " bytes)";
}

// checkTimestampsBounds (lib/storage/block.go): run for the plain types 5/6 with PrecisionBits 64.
Status check_timestamps_bounds(const std::vector<int64_t>& ts, int64_t min_ts, int64_t max_ts) {
  if (ts.empty()) return Status::ok();
  // The server sets MinTimestamp and MaxTimestamp from the first and the last row of every block it
  // writes, and relies on them without checking (a search skips blocks by them): both are exact.
  if (ts[0] != min_ts) {
    return corruption("timestamp of row 0 of " + std::to_string(ts.size()) + " must equal MinTimestamp=" +
                      std::to_string(min_ts) + "; got " + std::to_string(ts[0]));
  }
  for (size_t i = 1; i < ts.size(); ++i) {
    if (ts[i] < ts[i - 1]) {
      return corruption("timestamp of row " + std::to_string(i) + " cannot be smaller than that of row " +
                        std::to_string(i - 1) + " (" + std::to_string(ts.size()) + " rows); got " +
                        std::to_string(ts[i]) + " vs " + std::to_string(ts[i - 1]));
    }
  }
  if (ts.back() != max_ts) {
    return corruption("timestamp of the last row " + std::to_string(ts.size() - 1) + " must equal MaxTimestamp=" +
                      std::to_string(max_ts) + "; got " + std::to_string(ts.back()));
  }
  return Status::ok();
}

}  // namespace

void Block::append_float_values(std::vector<double>& out) const {
  decimal::append_decimal_to_float(out, values.data(), values.size(), header.scale);
}

namespace {

Status check_rows(const BlockHeader& bh) {
  if (bh.rows_count == 0 || bh.rows_count > kMaxRowsPerBlockRead) {
    return corruption("RowsCount must be in 1.." + std::to_string(kMaxRowsPerBlockRead) + "; got " +
                      std::to_string(bh.rows_count));
  }
  return Status::ok();
}

}  // namespace

Status decode_timestamps(const BlockHeader& bh, ByteView data, std::vector<int64_t>& out, bool check_all_types) {
  VMT_TRY(check_rows(bh));
  const size_t n = bh.rows_count;
  out.clear();
  Status st = encoding::decode_int64_array(out, data, bh.timestamps_marshal_type, bh.min_timestamp, n);
  if (st.is_ok() && out.size() != n) {
    st = corruption("got " + std::to_string(out.size()) + " items; want " + std::to_string(n));
  }
  if (st.is_ok()) {
    if (bh.precision_bits < 64) {
      // Lossy timestamps: restore the order and the header bounds exactly as VM does.
      encoding::ensure_non_decreasing(out.data(), n, bh.min_timestamp, bh.max_timestamp);
    } else if (check_all_types || encoding::needs_validation(bh.timestamps_marshal_type)) {
      // VM checks the bounds only for the plain types (silent corruption of uncompressed bytes);
      // the other types have no free bytes (Const, DeltaConst) or a zstd frame around them.
      st = check_timestamps_bounds(out, bh.min_timestamp, bh.max_timestamp);
    }
  }
  if (!st.is_ok()) {
    return std::move(st).with_context(
        column_desc("timestamps", "TimestampsMarshalType", bh.timestamps_marshal_type, n, data.size()));
  }
  return Status::ok();
}

Status decode_values(const BlockHeader& bh, ByteView data, std::vector<int64_t>& out) {
  VMT_TRY(check_rows(bh));
  const size_t n = bh.rows_count;
  out.clear();
  Status st = encoding::decode_int64_array(out, data, bh.values_marshal_type, bh.first_value, n);
  if (st.is_ok() && out.size() != n) {
    st = corruption("got " + std::to_string(out.size()) + " items; want " + std::to_string(n));
  }
  // FirstValue is the first row's value in every block the server writes (the delta types start
  // from it; the plain types store it twice).
  if (st.is_ok() && n > 0 && out[0] != bh.first_value) {
    st = corruption("value of row 0 must equal FirstValue=" + std::to_string(bh.first_value) + "; got " +
                    std::to_string(out[0]));
  }
  if (!st.is_ok()) {
    return std::move(st).with_context(
        column_desc("values", "ValuesMarshalType", bh.values_marshal_type, n, data.size()));
  }
  return Status::ok();
}

Status decode_block_data(const BlockHeader& bh, ByteView timestamps_data, ByteView values_data,
                         std::vector<int64_t>& timestamps, std::vector<int64_t>& values) {
  VMT_TRY(decode_timestamps(bh, timestamps_data, timestamps));
  return decode_values(bh, values_data, values);
}

void encode_block(BlockHeader& bh, Bytes& timestamps_data, Bytes& values_data, const int64_t* timestamps,
                  const int64_t* values, size_t n, int16_t scale, uint8_t precision_bits) {
  assert(n >= 1 && n <= kMaxRowsPerBlockRead);
  values_data.clear();
  encoding::EncodedInt64s ev = encoding::encode_int64_array(values_data, values, n, precision_bits);
  timestamps_data.clear();
  encoding::EncodedInt64s et = encoding::encode_int64_array(timestamps_data, timestamps, n, precision_bits);
  bh.min_timestamp = et.first;
  bh.max_timestamp = timestamps[n - 1];
  bh.first_value = ev.first;
  bh.timestamps_block_size = uint32_t(timestamps_data.size());
  bh.values_block_size = uint32_t(values_data.size());
  bh.rows_count = uint32_t(n);
  bh.scale = scale;
  bh.timestamps_marshal_type = uint8_t(et.type);
  bh.values_marshal_type = uint8_t(ev.type);
  bh.precision_bits = precision_bits;
}

}  // namespace vmt::storage
