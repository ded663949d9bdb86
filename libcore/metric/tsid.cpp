#include "metric/tsid.h"

#include "base/hex.h"

namespace vmt::metric {

std::string TSID::to_string() const {
  return std::to_string(account_id) + ":" + std::to_string(project_id) + "/mg=" + hex16(metric_group_id) +
         "/job=" + std::to_string(job_id) + "/inst=" + std::to_string(instance_id) +
         "/mid=" + std::to_string(metric_id);
}

}  // namespace vmt::metric
