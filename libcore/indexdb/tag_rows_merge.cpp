#include "indexdb/tag_rows_merge.h"

#include <algorithm>
#include <vector>

#include "indexdb/tag_row.h"

namespace vmt::indexdb {

namespace {

struct Merger {
  std::vector<uint64_t> pending;
  Bytes prev_prefix;  // prefix bytes of the row the pending IDs belong to

  void flush(mergeset::Items& out) {
    if (pending.empty()) return;
    std::sort(pending.begin(), pending.end());
    pending.erase(std::unique(pending.begin(), pending.end()), pending.end());
    Bytes& d = out.mutable_data();
    d.append(prev_prefix);
    for (uint64_t id : pending) put_u64(d, id);
    out.end_item();
    pending.clear();
  }
};

Status merge_pass(const mergeset::Items& in, mergeset::Items& out, uint8_t ns, metric::Tenancy t) {
  out.clear();
  size_t n = in.size();
  auto copy_all = [&] {
    out.clear();
    for (size_t i = 0; i < n; ++i) out.push_back(in[i]);
  };
  if (n <= 2) { copy_all(); return Status::ok(); }
  ByteView first = in.front(), last = in.back();
  if ((!first.empty() && byte_at(first, 0) > ns) || (!last.empty() && byte_at(last, 0) < ns)) {
    copy_all();
    return Status::ok();
  }
  Merger m;
  out.reserve(in.data_size(), n);
  for (size_t i = 0; i < n; ++i) {
    ByteView item = in[i];
    if (item.empty() || byte_at(item, 0) != ns || i == 0 || i == n - 1) {
      m.flush(out);
      out.push_back(item);
      continue;
    }
    auto plen = TagRow::prefix_len(item, t);
    if (!plen.is_ok()) {
      copy_all();
      return plen.take_status().with_context("cannot merge tag rows: item " + std::to_string(i) + " (" +
                                             mergeset::item_hex(item) + ")");
    }
    ByteView prefix = item.substr(0, *plen);
    ByteView ids = item.substr(*plen);
    if (ids.empty() || ids.size() % 8 != 0) {
      copy_all();
      return corruption("cannot merge tag rows: item " + std::to_string(i) + ": MetricID tail of " +
                        std::to_string(ids.size()) + " bytes is not a non-empty multiple of 8");
    }
    size_t count = ids.size() / 8;
    if (count >= kMaxMetricIDsPerRow) {
      m.flush(out);
      out.push_back(item);
      continue;
    }
    if (prefix != ByteView(m.prev_prefix)) {
      m.flush(out);
      m.prev_prefix.assign(prefix);
    }
    for (size_t k = 0; k < count; ++k) m.pending.push_back(load_u64(ids.data() + 8 * k));
    if (m.pending.size() >= kMaxMetricIDsPerRow) m.flush(out);
  }
  m.flush(out);
  if (!out.is_sorted()) copy_all();
  return Status::ok();
}

}  // namespace

Status merge_tag_to_metric_ids_rows(const mergeset::Items& in, mergeset::Items& out, metric::Tenancy t) {
  mergeset::Items tmp;
  Status st = merge_pass(in, tmp, kNsTagToMetricIDs, t);
  if (st.is_ok()) st = merge_pass(tmp, out, kNsDateTagToMetricIDs, t);
  if (!st.is_ok()) {
    out.clear();
    for (size_t i = 0; i < in.size(); ++i) out.push_back(in[i]);
  }
  return st;
}

}  // namespace vmt::indexdb
