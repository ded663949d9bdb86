// Dedup: the samples of one block thinned to one per dedup interval, as vmstorage does it to every
// block it writes when -dedup.minScrapeInterval > 0.
//
// Spec: merge.md §6.1-§6.3 (lib/storage/dedup.go: needsDedup, deduplicateSamplesDuringMerge;
// block.go: Block.deduplicateSamplesDuringMerge). With interval d (ms):
//   buckets      (k·d − d, k·d]: left-open, right-closed, ending at multiples of d
//   kept         per bucket the sample with the LARGEST timestamp; among samples sharing it the
//                largest int64 mantissa (+Inf > stale marker > ordinary values > −Inf), i.e. the
//                v1.93.7 rule, not HEAD's "non-stale first"
//   per block    dedup runs on each output block alone (data-part.md §10 step 4, merge.md §4.4),
//                so a bucket that straddles two blocks keeps one sample in each
// The walk is a literal port, including Go's truncating '%' for negative timestamps (the
// ingestion path never has those). Used by block_stream_merge.cpp; libcore/ingest has a copy it
// can drop in favour of this one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vmt::storage {

// needsDedup: whether dedup_samples would change anything (n >= 2 and interval_ms > 0 required).
bool needs_dedup(const int64_t* timestamps, size_t n, int64_t interval_ms);

// deduplicateSamplesDuringMerge on sorted timestamps and their mantissas, in place. Returns the
// number of samples kept (n when nothing is dropped or interval_ms <= 0).
size_t dedup_samples(int64_t* timestamps, int64_t* values, size_t n, int64_t interval_ms);

}  // namespace vmt::storage
