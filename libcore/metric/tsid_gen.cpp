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

Result<TSID> generate_tsid_canonical(ByteView canonical, Tenancy t, uint64_t metric_id, size_t* tags, Bytes& scratch) {
  TSID out;
  ByteReader in(canonical);
  if (t == Tenancy::kCluster) {
    VMT_ASSIGN_OR_RETURN(out.account_id, in.u32("AccountID"));
    VMT_ASSIGN_OR_RETURN(out.project_id, in.u32("ProjectID"));
  }
  VMT_ASSIGN_OR_RETURN(ByteView group, unescape(in, scratch, "MetricGroup"));
  out.metric_group_id = xxhash64(group);
  *tags = 0;
  for (; *tags < 2 && !in.empty(); ++*tags) {
    VMT_TRY_CTX(unescape(in, scratch, "tag key").status(), "tag #" + std::to_string(*tags));
    VMT_ASSIGN_OR_RETURN_CTX(ByteView value, unescape(in, scratch, "tag value"), "tag #" + std::to_string(*tags));
    const uint32_t h = static_cast<uint32_t>(xxhash64(value));
    (*tags == 0 ? out.job_id : out.instance_id) = h;
  }
  out.metric_id = metric_id;
  return out;
}

}  // namespace vmt::metric
