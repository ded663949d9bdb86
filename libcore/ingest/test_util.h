// Helpers shared by the ingest unit tests: registries with settled TSIDs.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "ingest/series_registry.h"
#include "metric/metric_name.h"
#include "metric/tsid_gen.h"

namespace vmt::ingest::itest {

inline Bytes raw_name(uint32_t acc, uint32_t proj, const std::vector<std::pair<std::string, std::string>>& labels) {
  std::vector<metric::Label> ls;
  for (const auto& [n, v] : labels) ls.push_back({n, v});
  Bytes out;
  metric::encode_raw(out, acc, proj, ls, metric::RawLimits{}, nullptr);
  return out;
}

// The registry's key of a raw name: its canonical form, as the parser threads make it.
inline Bytes series_key(const Bytes& raw, metric::Tenancy t = metric::Tenancy::kCluster) {
  metric::RawCanonicalizer canon;
  Bytes key;
  REQUIRE(canon.append(raw, t, key).is_ok());
  return key;
}

// Adds a series and gives it a new TSID with `metric_id`.
inline uint32_t add_series(SeriesRegistry& r, const Bytes& raw, uint32_t date, uint64_t metric_id) {
  bool created = false;
  const Bytes key = series_key(raw, r.tenancy());
  const uint32_t id = r.find_or_add(key, metric::xxhash64(key), date, &created);
  REQUIRE(created);
  auto mn = metric::MetricName::decode_canonical(r.canonical(id), r.tenancy());
  REQUIRE(mn.is_ok());
  Series& s = r.at(id);
  s.tsid = metric::generate_tsid(*mn, metric_id);
  s.origin = SeriesOrigin::created;
  return id;
}

}  // namespace vmt::ingest::itest
