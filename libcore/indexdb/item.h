// Index items of every namespace, decoded for inspection and cross-checks.
//
// Spec: indexdb.md §3-§4, §7 ([cluster] layouts; single-node drops every "acc · proj" below, and
// its canonicalMN has no tenant: metric/tenancy.h):
//   00  legacy MetricName->TSID   00 · canonicalMN · 02 · TSID            (neither written nor read)
//   01  Tag->MetricIDs            01 · acc · proj · esc(k) esc(v) · MetricID+
//   02  MetricID->TSID            02 · acc · proj · MetricID · TSID(32)             49 bytes (single: 33)
//   03  MetricID->MetricName      03 · acc · proj · MetricID · canonicalMN
//   04  deleted MetricID          04 · MetricID                                     9 bytes, no tenant
//   05  Date->MetricID            05 · acc · proj · date · MetricID                 25 bytes (single: 17)
//   06  (Date,Tag)->MetricIDs     06 · acc · proj · date · esc(k) esc(v) · MetricID+
//   07  (Date,MetricName)->TSID   07 · date · canonicalMN(acc proj ...) · 02 · TSID(32)
// canonicalMN never contains an unescaped 02, so in ns 0/7 the byte before the TSID is 02.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "indexdb/tag_row.h"
#include "metric/metric_name.h"
#include "metric/tsid.h"

namespace vmt::indexdb {

constexpr uint8_t kNsMetricNameToTSIDLegacy = 0;
constexpr uint8_t kNsMetricIDToTSID = 2;
constexpr uint8_t kNsMetricIDToMetricName = 3;
constexpr uint8_t kNsDeletedMetricID = 4;
constexpr uint8_t kNsDateToMetricID = 5;
constexpr uint8_t kNsDateMetricNameToTSID = 7;

// "tag", "metricID->TSID", ... for dumps; "unknown" beyond 7.
const char* ns_name(uint8_t ns);
// Accepts "1".."7" or a name as printed by ns_name / the man page.
bool parse_ns(const std::string& s, uint8_t* ns);

// The fixed-size items: ns 2 (02 · [acc · proj] · MetricID · TSID: 49 / 33 bytes) and ns 5
// (05 · [acc · proj] · date · MetricID: 25 / 17 bytes).
constexpr size_t metric_id_to_tsid_item_size(metric::Tenancy t) { return 1 + metric::tenant_bytes(t) + 8 + metric::TSID::size(t); }
constexpr size_t date_to_metric_id_item_size(metric::Tenancy t) { return 1 + metric::tenant_bytes(t) + 16; }

struct Item {
  uint8_t ns = 0;
  bool has_tenant = false;  // a cluster item of a tenant (single-node items have none)
  uint32_t account_id = 0, project_id = 0;
  bool has_date = false;
  uint64_t date = 0;
  std::vector<uint64_t> metric_ids;  // ns 1, 6 (one or more); 2, 3, 4, 5 (one)
  bool has_tsid = false;
  metric::TSID tsid;  // ns 0, 2, 7
  TagRow tag;         // ns 1, 6
  bool has_name = false;
  metric::MetricName name;  // ns 0, 3, 7
};

// Decodes one item completely; a corrupt item yields corruption naming the namespace and field.
Result<Item> decode_item(ByteView item, metric::Tenancy t);

// The common prefix used to look items up: ns · acc · proj (ns 1/2/3/5/6); ns alone in single-node.
void tenant_prefix(Bytes& out, uint8_t ns, metric::Tenancy t, uint32_t account_id, uint32_t project_id);

}  // namespace vmt::indexdb
