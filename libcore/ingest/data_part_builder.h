// write_data_part: the samples of one partition -> one data part, laid out as vmstorage lays out
// the part it ends up with after merging its in-memory parts.
//
// Spec: data-part.md §10 (rows sorted by (TSID, timestamp); blocks of consecutive rows of one
// MetricID, at most 8192 rows; one decimal Scale per block; PrecisionBits of the block), merge.md
// §6.3 (with dedup, every block is deduplicated before it is encoded, storage/dedup.h;
// MinDedupInterval in metadata.json), data-part.md §7 (index/metaindex compression level of a merge output from its
// rows per block), §15.A (file order, fsyncs). Writing is storage::PartWriter's (part_writer.h).
// Sorting is a counting sort by series (the registry's ids) followed by a sort of the series by
// TSID; rows of one series keep their input order unless their timestamps go backwards, then they
// are sorted by timestamp (stable; VM's sort is not, so equal timestamps may be ordered
// differently there). Blocks are encoded on opt.threads threads in batches, then written in order.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "ingest/partition_rows.h"
#include "ingest/series_registry.h"
#include "metric/tenancy.h"
#include "storage/inmemory_part.h"
#include "storage/part_header.h"

namespace vmt::ingest {

struct DataPartOptions {
  metric::Tenancy tenancy = metric::Tenancy::kCluster;  // the target's layout
  int64_t dedup_interval_ms = 0;  // 0 = no dedup
  uint8_t precision_bits = 64;    // 1..64
  bool exact_values = false;      // decimal::exact_decimal instead of the server's FromFloat (JSON lines)
  unsigned threads = 1;
};

struct DataPartResult {
  storage::PartHeader header;  // RowsCount after dedup
  uint64_t rows_in = 0;        // rows given, before dedup
  uint64_t size_bytes = 0;     // the four .bin files: the merge policy's part size
};

// Writes every row of `rows` into the part directory `dir` (created; it must not exist), or into
// `*memory` when memory is not null. Every series in `rows` must have its TSID settled. The rows
// must not be empty (a part needs a block).
Status write_data_part(const PartitionRows& rows, const SeriesRegistry& registry, const DataPartOptions& opt,
                       const std::string& dir, storage::InmemoryPart* memory, DataPartResult* out);

}  // namespace vmt::ingest
