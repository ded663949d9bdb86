#include "indexdb/series_purge.h"

#include <algorithm>
#include <string>

#include "indexdb/item.h"
#include "indexdb/tag_row.h"
#include "mergeset/items.h"

namespace vmt::indexdb {

bool SeriesPurge::is_deleted(uint64_t id) const { return std::binary_search(deleted_.begin(), deleted_.end(), id); }

Status SeriesPurge::flush_run(const Emit& emit) {
  if (!run_changed_) {
    for (size_t i = 0; i < held_.size(); ++i) VMT_TRY(emit(held_[i]));
  } else {
    order_.resize(held_.size());
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = uint32_t(i);
    std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) { return held_[a] < held_[b]; });
    for (uint32_t i : order_) VMT_TRY(emit(held_[i]));
  }
  held_.clear();
  return Status::ok();
}

Status SeriesPurge::push(ByteView item, const Emit& emit) {
  ++stats_.items_in;
  const uint8_t ns = item.empty() ? 0xFF : uint8_t(byte_at(item, 0));
  const bool tag_row = ns == kNsTagToMetricIDs || ns == kNsDateTagToMetricIDs;
  if (!held_.empty() && (!tag_row || item.size() < run_prefix_.size() ||
                         item.substr(0, run_prefix_.size()) != ByteView(run_prefix_))) {
    VMT_TRY(flush_run(emit));
  }
  auto bad = [&](const std::string& what) {
    return corruption(std::string("namespace ") + std::to_string(ns) + " (" + ns_name(ns) + ") item " +
                      mergeset::item_hex(item) + ": " + what);
  };
  const size_t tenant = metric::tenant_bytes(tenancy_);
  uint64_t id = 0;
  switch (ns) {
    case kNsTagToMetricIDs:
    case kNsDateTagToMetricIDs: {
      auto plen = TagRow::prefix_len(item, tenancy_);
      if (!plen.is_ok()) return bad(plen.status().message());
      const ByteView ids = item.substr(*plen);
      if (ids.empty() || ids.size() % 8 != 0) return bad("MetricID tail is not a non-empty multiple of 8 bytes");
      scratch_.assign(item.substr(0, *plen));
      size_t kept = 0;
      for (size_t i = 0; i < ids.size(); i += 8) {
        const uint64_t v = load_u64(ids.data() + i);
        if (is_deleted(v)) continue;
        put_u64(scratch_, v);
        ++kept;
      }
      const bool changed = kept != ids.size() / 8;
      if (kept == 0) {
        ++stats_.items_dropped;
        return Status::ok();
      }
      if (changed) ++stats_.items_rewritten;
      // Every row of the current prefix is held until the prefix ends (see the header).
      if (held_.empty()) {
        run_prefix_.assign(item.substr(0, *plen));
        run_changed_ = false;
      }
      run_changed_ = run_changed_ || changed;
      held_.push_back(changed ? ByteView(scratch_) : item);
      return Status::ok();
    }
    case kNsMetricIDToTSID:
    case kNsMetricIDToMetricName:
      if (item.size() < 1 + tenant + 8) return bad("too short for a MetricID");
      id = load_u64(item.data() + 1 + tenant);
      break;
    case kNsMetricNameToTSIDLegacy:
    case kNsDateToMetricID:
    case kNsDateMetricNameToTSID:
      if (item.size() < 1 + 8) return bad("too short for a MetricID");
      id = load_u64(item.data() + item.size() - 8);
      break;
    default:   // ns 4 and namespaces we do not know: no series of their own to remove
      return emit(item);
  }
  if (is_deleted(id)) {
    ++stats_.items_dropped;
    return Status::ok();
  }
  return emit(item);
}

Status SeriesPurge::finish(const Emit& emit) {
  if (!held_.empty()) VMT_TRY(flush_run(emit));
  return Status::ok();
}

}  // namespace vmt::indexdb
