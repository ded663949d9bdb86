// MetricName: a series' identity, in the two byte forms VictoriaMetrics uses.
//
// Spec: metricname-tsid.md §1-§4. Go: lib/storage/metric_name.go@v1.93.7-cluster.
//
// Canonical form (MetricName.Marshal; the index form, §4):
//   AccountID    u32 BE                       [cluster only: metric/tenancy.h]
//   ProjectID    u32 BE                       [cluster only]
//   MetricGroup  esc(s)                       empty name = a lone 0x01
//   tags         esc(key) esc(value) ...      canonical order (sort_tags), to the end; no count
// esc(s) copies s with 0x00 -> 00 30, 0x01 -> 00 31, 0x02 -> 00 32 and appends the terminator 0x01.
//
// Raw form (MarshalMetricNameRaw; what vminsert sends, the tsid-cache key, §2), always with the
// tenant (single-node's form lacks it, but we use raw names only as vminsert's wire form and as
// our own series-cache key, where the tenant keeps tenants apart):
//   AccountID u32 BE, ProjectID u32 BE, then records  u16 BE len + name, u16 BE len + value
//   in input order, to the end. An empty name means __name__.
//
// Invariants checked by the decoders: every string terminated, escapes only 00 30/31/32 (canonical);
// every record complete (raw). Neither decoder checks tag order or duplicates (Go does not either).
// Implemented in metric_name.cpp (escaping, canonical, sort) and metric_name_raw.cpp (raw).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/byte_reader.h"
#include "base/coding.h"
#include "base/status.h"
#include "metric/tenancy.h"

namespace vmt::metric {

constexpr char kEscapeChar = 0x00;        // escapeChar
constexpr char kTagSeparatorChar = 0x01;  // tagSeparatorChar: ends every escaped string
constexpr char kKvSeparatorChar = 0x02;   // kvSeparatorChar: name | 0x02 | TSID in index items

// marshalTagValue: appends esc(s) and the terminating 0x01.
void escape_append(Bytes& out, ByteView s);

// unmarshalTagValue: consumes one escaped string and its 0x01 from `in`. Returns a view into the
// input when the span holds no 0x00, else into `scratch` (overwritten). Fails on a missing
// terminator or a 0x00 not followed by '0', '1' or '2'. `field` names the string in errors.
Result<ByteView> unescape(ByteReader& in, Bytes& scratch, const char* field);

struct Tag {
  Bytes key;
  Bytes value;
  bool operator==(const Tag& o) const { return key == o.key && value == o.value; }
};

// One label of a raw name: views into the caller's buffers. encode_raw() shrinks and renames them
// in place, exactly like Go mutates its prompb.Label slice.
struct Label {
  ByteView name;
  ByteView value;
};

// vminsert's label limits (metricname-tsid.md §2.2, §3).
struct RawLimits {
  static constexpr size_t kMaxLabelNameLen = 256;  // maxLabelNameLen (a constant in Go)
  size_t max_labels = 30;                          // -maxLabelsPerTimeseries
  size_t max_value_len = 16384;                    // -maxLabelValueLen
};

// The counters MarshalMetricNameRaw increments.
struct RawStats {
  uint64_t metrics_with_dropped_labels = 0;  // vm_metrics_with_dropped_labels_total (once per name)
  uint64_t too_long_label_names = 0;         // vm_too_long_label_names_total (per label)
  uint64_t too_long_label_values = 0;        // vm_too_long_label_values_total (per label)

  RawStats& operator+=(const RawStats& o) {
    metrics_with_dropped_labels += o.metrics_with_dropped_labels;
    too_long_label_names += o.too_long_label_names;
    too_long_label_values += o.too_long_label_values;
    return *this;
  }
  // What a counter set gained since `before` (an earlier copy of it).
  RawStats operator-(const RawStats& before) const {
    return RawStats{metrics_with_dropped_labels - before.metrics_with_dropped_labels,
                    too_long_label_names - before.too_long_label_names,
                    too_long_label_values - before.too_long_label_values};
  }
};

struct MetricName {
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  Bytes metric_group;     // the __name__ value; may be empty
  std::vector<Tag> tags;  // canonical after sort_tags()

  void reset();
  // AddTagBytes: the key "__name__" APPENDS to metric_group (Go quirk); any other key, including
  // the empty one, becomes a tag.
  void add_tag(ByteView key, ByteView value);

  // sortTags (§4.3): stable sort by sort key (commonTagKeys code, else the key), then drop
  // duplicate keys keeping the LAST occurrence in input order.
  void sort_tags();

  // MetricName.Marshal: appends the canonical form. Does not sort; call sort_tags() first.
  void encode_canonical(Bytes& out, Tenancy t) const;
  // MetricName.Unmarshal: the whole input must be one canonical name (single-node: tenant 0:0).
  static Result<MetricName> decode_canonical(ByteView src, Tenancy t);
  // The same into mn, reusing the memory of its strings (loops over millions of names).
  static Status decode_canonical_into(ByteView src, Tenancy t, MetricName& mn);

  // MetricName.UnmarshalRaw: an empty name REPLACES metric_group, "__name__" appends to it.
  static Result<MetricName> decode_raw(ByteView src);

  // ("__name__", group) first when the group is non-empty (vmselect's export does the same), then
  // the tags in stored order.
  std::vector<std::pair<std::string, std::string>> labels_for_export() const;

  bool operator==(const MetricName& o) const {
    return account_id == o.account_id && project_id == o.project_id &&
           metric_group == o.metric_group && tags == o.tags;
  }
};

// MetricName.Unmarshal without building a MetricName (for loops over millions of names): reads
// the tenant (cluster), then calls on_group(metric group) and on_tag(key, value) for each tag in
// stored order, with views that live until the call returns. Errors as decode_canonical's.
template <typename OnGroup, typename OnTag>
Status walk_canonical(ByteView src, Tenancy t, OnGroup&& on_group, OnTag&& on_tag) {
  ByteReader in(src);
  if (t == Tenancy::kCluster) {
    VMT_TRY(in.u32("AccountID").status());
    VMT_TRY(in.u32("ProjectID").status());
  }
  Bytes scratch_k, scratch_v;  // used only by escaped strings
  VMT_ASSIGN_OR_RETURN(ByteView group, unescape(in, scratch_v, "MetricGroup"));
  on_group(group);
  for (size_t n = 0; !in.empty(); ++n) {
    // The context expression is evaluated only on error.
    VMT_ASSIGN_OR_RETURN_CTX(ByteView key, unescape(in, scratch_k, "tag key"), "tag #" + std::to_string(n));
    VMT_ASSIGN_OR_RETURN_CTX(ByteView value, unescape(in, scratch_v, "tag value"), "tag #" + std::to_string(n));
    on_tag(key, value);
  }
  return Status::ok();
}

// MetricName.UnmarshalRaw without building a MetricName: reads the tenant into *account_id and
// *project_id, then calls on_label(name, value) for each record in order, with views into src
// (an empty name is the metric's; "__name__" is passed as it is). Used by decode_raw and
// RawCanonicalizer. Errors name the record and what is missing.
template <typename OnLabel>
Status walk_raw(ByteView src, uint32_t* account_id, uint32_t* project_id, OnLabel&& on_label) {
  ByteReader in(src);
  VMT_ASSIGN_OR_RETURN(*account_id, in.u32("AccountID"));
  VMT_ASSIGN_OR_RETURN(*project_id, in.u32("ProjectID"));
  for (size_t record = 0; !in.empty(); ++record) {
    // The context expressions are evaluated only on error.
    VMT_ASSIGN_OR_RETURN_CTX(uint16_t name_len, in.u16("label name length"), "label #" + std::to_string(record));
    VMT_ASSIGN_OR_RETURN_CTX(ByteView name, in.take(name_len, "label name"), "label #" + std::to_string(record));
    VMT_ASSIGN_OR_RETURN_CTX(uint16_t value_len, in.u16("label value length"), "label #" + std::to_string(record));
    VMT_ASSIGN_OR_RETURN_CTX(ByteView value, in.take(value_len, "label value"), "label #" + std::to_string(record));
    on_label(name, value);
  }
  return Status::ok();
}

// The sort key sortTags uses for a tag key: the 3-byte commonTagKeys code for job-like and
// instance-like keys (and their capitalised forms), else the key itself.
ByteView tag_sort_key(ByteView key);

// MetricName.UnmarshalRaw + sortTags + Marshal in one pass over views, without building a
// MetricName: the importer's parser threads turn every new series into the key of its registry
// with it. The output equals decode_raw, sort_tags and encode_canonical's byte for byte (unit test,
// tests/fuzz/fuzz_metric_name.cpp); its buffers are reused, so nothing is allocated per name once
// they have grown (tags are sorted by insertion, which is stable, up to 64 of them).
class RawCanonicalizer {
 public:
  // Appends the canonical form (tenancy t) of raw name `raw` to out; on error, as decode_raw's,
  // out is unchanged.
  Status append(ByteView raw, Tenancy t, Bytes& out);
  // The same for the raw name encode_raw would make of `labels` (limits applied already:
  // apply_raw_limits, and only the labels it counts), without making it: the import's parser
  // threads canonicalise every new series straight from its parsed labels. Only for values of at
  // most 65535 bytes (a longer one wraps its length in the raw name: decode that instead).
  void append_labels(uint32_t account_id, uint32_t project_id, std::span<const Label> labels, Tenancy t, Bytes& out);

 private:
  struct Entry {
    ByteView sort_key, key, value;
  };
  void add(ByteView name, ByteView value);  // one record of the raw name
  void finish(uint32_t account_id, uint32_t project_id, Tenancy t, Bytes& out);
  std::vector<Entry> tags_;
  Bytes group_;
};

// MarshalMetricNameRaw(dst, acc, proj, labels) (§2.2). Walks labels by position: positions >=
// max_labels are dropped (the position counts skipped labels too); a name is cut to 256 bytes and
// a value to max_value_len, IN PLACE; empty values are skipped; a name "__name__" becomes empty,
// IN PLACE. Lengths are written as u16 without a guard, as in Go: with max_value_len > 65535 a
// longer value wraps its length field (§2.2 hazard). stats may be null.
void encode_raw(Bytes& out, uint32_t account_id, uint32_t project_id, std::vector<Label>& labels,
                const RawLimits& limits, RawStats* stats);
// encode_raw's limits alone, applied to labels in place as it applies them (counted in stats);
// returns how many of the labels it writes from (the rest are past max_labels), those with an
// empty value still among them (encode_raw skips them).
size_t apply_raw_limits(std::vector<Label>& labels, const RawLimits& limits, RawStats* stats);

}  // namespace vmt::metric
