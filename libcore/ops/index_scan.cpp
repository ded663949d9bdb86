#include "ops/index_scan.h"

#include "ops/tool.h"

namespace vmt::ops {

Result<layout::StorageDir> open_for_reading(const std::string& dir, const layout::Flavour* target) {
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, layout::open_storage_dir(dir, target));
  if (sd.locked) {
    log_line("warning: " + dir + "/flock.lock is held: a running vmstorage or victoria-metrics owns this directory, "
             "and parts may change while they are read (stop it, or read a snapshot)");
  }
  return sd;
}

std::vector<const layout::IndexTable*> tables_to_scan(const layout::StorageDir& sd, bool all) {
  return all ? sd.all_tables() : sd.searched_tables();
}

}  // namespace vmt::ops
