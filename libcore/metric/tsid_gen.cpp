#include "metric/tsid_gen.h"

#include <xxhash.h>

namespace vmt::metric {

uint64_t xxhash64(ByteView b) { return XXH64(b.data(), b.size(), 0); }

TSID generate_tsid(const MetricName& mn, uint64_t metric_id) {
  TSID t;
  t.account_id = mn.account_id;
  t.project_id = mn.project_id;
  t.metric_group_id = xxhash64(mn.metric_group);
  if (!mn.tags.empty()) t.job_id = static_cast<uint32_t>(xxhash64(mn.tags[0].value));
  if (mn.tags.size() >= 2) t.instance_id = static_cast<uint32_t>(xxhash64(mn.tags[1].value));
  t.metric_id = metric_id;
  return t;
}

}  // namespace vmt::metric
