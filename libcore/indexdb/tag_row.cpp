#include "indexdb/tag_row.h"

#include "base/byte_reader.h"
#include "metric/metric_name.h"

namespace vmt::indexdb {

void TagRow::encode_prefix(Bytes& out, metric::Tenancy t) const {
  put_u8(out, ns);
  if (t == metric::Tenancy::kCluster) {
    put_u32(out, account_id);
    put_u32(out, project_id);
  }
  if (ns == kNsDateTagToMetricIDs) put_u64(out, date);
  metric::escape_append(out, key);
  metric::escape_append(out, value);
}

void TagRow::encode(Bytes& out, metric::Tenancy t) const {
  encode_prefix(out, t);
  for (uint64_t id : metric_ids) put_u64(out, id);
}

namespace {

Result<size_t> parse_prefix(ByteView item, metric::Tenancy t, TagRow* row) {
  ByteReader r(item);
  VMT_ASSIGN_OR_RETURN(uint8_t ns, r.u8("nsPrefix"));
  if (ns != kNsTagToMetricIDs && ns != kNsDateTagToMetricIDs) {
    return corruption("tag row: nsPrefix must be 1 or 6; got " + std::to_string(ns));
  }
  uint32_t acc = 0, proj = 0;
  if (t == metric::Tenancy::kCluster) {
    VMT_ASSIGN_OR_RETURN(acc, r.u32("AccountID"));
    VMT_ASSIGN_OR_RETURN(proj, r.u32("ProjectID"));
  }
  uint64_t date = 0;
  if (ns == kNsDateTagToMetricIDs) {
    VMT_ASSIGN_OR_RETURN(date, r.u64("date"));
  }
  Bytes scratch;
  VMT_ASSIGN_OR_RETURN(ByteView key, metric::unescape(r, scratch, "tag key"));
  if (row) row->key.assign(key);
  VMT_ASSIGN_OR_RETURN(ByteView value, metric::unescape(r, scratch, "tag value"));
  if (row) {
    row->value.assign(value);
    row->ns = ns;
    row->account_id = acc;
    row->project_id = proj;
    row->date = date;
  }
  return r.pos();
}

}  // namespace

Result<size_t> TagRow::prefix_len(ByteView item, metric::Tenancy t) { return parse_prefix(item, t, nullptr); }

Result<TagRow> TagRow::decode(ByteView item, metric::Tenancy t) {
  TagRow row;
  VMT_ASSIGN_OR_RETURN(size_t n, parse_prefix(item, t, &row));
  ByteView tail = item.substr(n);
  if (tail.empty() || tail.size() % 8 != 0) {
    return corruption("tag row: the MetricID tail must be a non-empty multiple of 8 bytes; got " +
                      std::to_string(tail.size()) + " bytes");
  }
  row.metric_ids.reserve(tail.size() / 8);
  for (size_t i = 0; i < tail.size(); i += 8) row.metric_ids.push_back(load_u64(tail.data() + i));
  return row;
}

KeyKind classify_key(ByteView key) {
  KeyKind k;
  if (key.empty()) {
    k.kind = KeyKind::kMetricName;
    return k;
  }
  if (key.size() == 1 && byte_at(key, 0) == 0xFF) {
    k.kind = KeyKind::kReverseMetricName;
    return k;
  }
  if (byte_at(key, 0) == 0xFE) {
    uint64_t len = 0;
    int n = decode_varuint(key.data() + 1, key.size() - 1, &len);
    if (n > 0 && len <= key.size() - 1 - size_t(n)) {
      k.kind = KeyKind::kComposite;
      k.metric_group.assign(key.substr(1 + size_t(n), size_t(len)));
      k.tag_key.assign(key.substr(1 + size_t(n) + size_t(len)));
      return k;
    }
  }
  k.kind = KeyKind::kTag;
  k.tag_key.assign(key);
  return k;
}

std::string describe_key(ByteView key) {
  KeyKind k = classify_key(key);
  switch (k.kind) {
    case KeyKind::kMetricName: return "__name__";
    case KeyKind::kReverseMetricName: return "reverse(__name__)";
    case KeyKind::kComposite: return "composite(" + k.metric_group + ", " + k.tag_key + ")";
    case KeyKind::kTag: return k.tag_key;
  }
  return k.tag_key;
}

void composite_key(Bytes& out, ByteView metric_group, ByteView tag_key) {
  out.push_back(static_cast<char>(0xFE));
  put_varuint(out, metric_group.size());
  out.append(metric_group);
  out.append(tag_key);
}

}  // namespace vmt::indexdb
