#include "indexdb/item.h"

#include "base/byte_reader.h"

namespace vmt::indexdb {

const char* ns_name(uint8_t ns) {
  switch (ns) {
    case 0: return "metricName->TSID(legacy)";
    case 1: return "tag->metricIDs";
    case 2: return "metricID->TSID";
    case 3: return "metricID->metricName";
    case 4: return "deletedMetricID";
    case 5: return "date->metricID";
    case 6: return "date+tag->metricIDs";
    case 7: return "date+metricName->TSID";
  }
  return "unknown";
}

bool parse_ns(const std::string& s, uint8_t* ns) {
  if (s.size() == 1 && s[0] >= '0' && s[0] <= '7') {
    *ns = uint8_t(s[0] - '0');
    return true;
  }
  for (uint8_t i = 0; i <= 7; ++i) {
    if (s == ns_name(i)) {
      *ns = i;
      return true;
    }
  }
  return false;
}

void tenant_prefix(Bytes& out, uint8_t ns, metric::Tenancy t, uint32_t account_id, uint32_t project_id) {
  put_u8(out, ns);
  if (t == metric::Tenancy::kCluster) {
    put_u32(out, account_id);
    put_u32(out, project_id);
  }
}

namespace {

Status decode_name_tsid(ByteView rest, metric::Tenancy t, Item* it, const char* what) {
  // rest = canonicalMN · 02 · TSID
  const size_t tsid_size = metric::TSID::size(t);
  if (rest.size() < metric::tenant_bytes(t) + 1 + tsid_size) {
    return corruption(std::string(what) + ": too short for canonicalMN, 02 and a TSID: " + std::to_string(rest.size()) + " bytes");
  }
  size_t sep = rest.size() - tsid_size - 1;
  if (rest[sep] != metric::kKvSeparatorChar) {
    return corruption(std::string(what) + ": the byte before the TSID must be 02 (kvSeparatorChar)");
  }
  VMT_ASSIGN_OR_RETURN_CTX(it->name, metric::MetricName::decode_canonical(rest.substr(0, sep), t), what);
  it->has_name = true;
  it->tsid = metric::TSID::load(rest.data() + sep + 1, t);
  it->has_tsid = true;
  return Status::ok();
}

}  // namespace

Result<Item> decode_item(ByteView item, metric::Tenancy t) {
  Item it;
  ByteReader r(item);
  VMT_ASSIGN_OR_RETURN(uint8_t ns, r.u8("nsPrefix"));
  it.ns = ns;
  switch (ns) {
    case kNsMetricNameToTSIDLegacy:
      VMT_TRY(decode_name_tsid(r.rest(), t, &it, "ns 0"));
      it.account_id = it.name.account_id;
      it.project_id = it.name.project_id;
      it.has_tenant = t == metric::Tenancy::kCluster;
      return it;
    case kNsTagToMetricIDs:
    case kNsDateTagToMetricIDs: {
      VMT_ASSIGN_OR_RETURN(it.tag, TagRow::decode(item, t));
      it.has_tenant = t == metric::Tenancy::kCluster;
      it.account_id = it.tag.account_id;
      it.project_id = it.tag.project_id;
      it.has_date = ns == kNsDateTagToMetricIDs;
      it.date = it.tag.date;
      it.metric_ids = it.tag.metric_ids;
      return it;
    }
    case kNsMetricIDToTSID:
    case kNsMetricIDToMetricName:
    case kNsDateToMetricID: {
      it.has_tenant = t == metric::Tenancy::kCluster;
      if (t == metric::Tenancy::kCluster) {
        VMT_ASSIGN_OR_RETURN(it.account_id, r.u32("AccountID"));
        VMT_ASSIGN_OR_RETURN(it.project_id, r.u32("ProjectID"));
      }
      if (ns == kNsDateToMetricID) {
        it.has_date = true;
        VMT_ASSIGN_OR_RETURN(it.date, r.u64("date"));
      }
      VMT_ASSIGN_OR_RETURN(uint64_t mid, r.u64("MetricID"));
      it.metric_ids.push_back(mid);
      if (ns == kNsMetricIDToTSID) {
        if (r.remaining() != metric::TSID::size(t)) {
          return corruption("ns 2: want a " + std::to_string(metric::TSID::size(t)) + "-byte " +
                            metric::tenancy_name(t) + " TSID after the MetricID; got " +
                            std::to_string(r.remaining()) + " bytes");
        }
        it.tsid = metric::TSID::load(r.rest().data(), t);
        it.has_tsid = true;
      } else if (ns == kNsMetricIDToMetricName) {
        VMT_ASSIGN_OR_RETURN_CTX(it.name, metric::MetricName::decode_canonical(r.rest(), t), "ns 3: MetricName");
        it.has_name = true;
      } else if (!r.empty()) {
        return corruption("ns 5: item must be exactly " + std::to_string(date_to_metric_id_item_size(t)) +
                          " bytes; got " + std::to_string(item.size()));
      }
      return it;
    }
    case kNsDeletedMetricID: {
      if (item.size() != 9) return corruption("ns 4: item must be exactly 9 bytes; got " + std::to_string(item.size()));
      VMT_ASSIGN_OR_RETURN(uint64_t mid, r.u64("MetricID"));
      it.metric_ids.push_back(mid);
      return it;
    }
    case kNsDateMetricNameToTSID: {
      it.has_date = true;
      VMT_ASSIGN_OR_RETURN(it.date, r.u64("date"));
      VMT_TRY(decode_name_tsid(r.rest(), t, &it, "ns 7"));
      it.has_tenant = t == metric::Tenancy::kCluster;
      it.account_id = it.name.account_id;
      it.project_id = it.name.project_id;
      it.metric_ids.push_back(it.tsid.metric_id);
      return it;
    }
    default:
      return corruption("unknown nsPrefix " + std::to_string(ns));
  }
}

}  // namespace vmt::indexdb
