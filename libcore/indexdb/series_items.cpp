#include "indexdb/series_items.h"

#include "indexdb/item.h"
#include "indexdb/tag_row.h"

namespace vmt::indexdb {

namespace {

// Rows a-d of indexdb.md §4.1 after `prefix` (ns acc proj [date]).
void append_tag_rows(mergeset::Items& out, ByteView prefix, uint64_t metric_id, const metric::MetricName& mn) {
  auto row = [&](ByteView key, ByteView value) {
    out.mutable_data().append(prefix);
    metric::escape_append(out.mutable_data(), key);
    metric::escape_append(out.mutable_data(), value);
    put_u64(out.mutable_data(), metric_id);
    out.end_item();
  };
  row(ByteView(), mn.metric_group);
  if (mn.metric_group.find('.') != Bytes::npos) {
    Bytes rev(mn.metric_group.rbegin(), mn.metric_group.rend());
    row(ByteView("\xFF", 1), rev);
  }
  for (const auto& t : mn.tags) row(t.key, t.value);
  Bytes ck;
  for (const auto& t : mn.tags) {
    ck.clear();
    composite_key(ck, mn.metric_group, t.key);
    row(ck, t.value);
  }
}

}  // namespace

void append_global_items(mergeset::Items& out, metric::Tenancy t, const metric::TSID& tsid,
                         const metric::MetricName& mn, ByteView canonical_mn) {
  tenant_prefix(out.mutable_data(), kNsMetricIDToMetricName, t, mn.account_id, mn.project_id);
  put_u64(out.mutable_data(), tsid.metric_id);
  out.mutable_data().append(canonical_mn);
  out.end_item();

  tenant_prefix(out.mutable_data(), kNsMetricIDToTSID, t, mn.account_id, mn.project_id);
  put_u64(out.mutable_data(), tsid.metric_id);
  tsid.encode(out.mutable_data(), t);
  out.end_item();

  Bytes prefix;
  tenant_prefix(prefix, kNsTagToMetricIDs, t, mn.account_id, mn.project_id);
  append_tag_rows(out, prefix, tsid.metric_id, mn);
}

void append_per_day_id_items(mergeset::Items& out, metric::Tenancy t, uint64_t date, const metric::TSID& tsid,
                             ByteView canonical_mn) {
  tenant_prefix(out.mutable_data(), kNsDateToMetricID, t, tsid.account_id, tsid.project_id);
  put_u64(out.mutable_data(), date);
  put_u64(out.mutable_data(), tsid.metric_id);
  out.end_item();

  // ns 7 has no tenant prefix: in the cluster the tenant is inside canonicalMN, after the date.
  put_u8(out.mutable_data(), kNsDateMetricNameToTSID);
  put_u64(out.mutable_data(), date);
  out.mutable_data().append(canonical_mn);
  put_u8(out.mutable_data(), metric::kKvSeparatorChar);
  tsid.encode(out.mutable_data(), t);
  out.end_item();
}

void append_per_day_items(mergeset::Items& out, metric::Tenancy t, uint64_t date, const metric::TSID& tsid,
                          const metric::MetricName& mn, ByteView canonical_mn) {
  append_per_day_id_items(out, t, date, tsid, canonical_mn);

  Bytes prefix;
  tenant_prefix(prefix, kNsDateTagToMetricIDs, t, mn.account_id, mn.project_id);
  put_u64(prefix, date);
  append_tag_rows(out, prefix, tsid.metric_id, mn);
}

}  // namespace vmt::indexdb
