#include "ops/listing.h"

namespace vmt::ops {

Status Listing::add(const Row& r) {
  if (json_) {
    if (!r.json_object().empty()) append_json_line(out_.buf(), r.json_object());
    return out_.maybe_flush();
  }
  if (r.cells().empty()) return Status::ok();
  if (!lines_) {
    table_.add(r.cells());
    return Status::ok();
  }
  for (size_t i = 0; i < r.cells().size(); ++i) {
    if (i) out_.buf().push_back(' ');
    out_.buf() += r.cells()[i];
  }
  out_.buf().push_back('\n');
  return out_.maybe_flush();
}

Status Listing::add(const Row& r, const Table& detail) {
  VMT_TRY(add(r));
  if (json_) return Status::ok();
  table_.render(out_.buf());
  table_ = Table(columns_);
  detail.render(out_.buf());
  out_.buf() += "\n";
  return out_.maybe_flush();
}

Status Listing::finish() {
  if (!json_ && !with_details_ && !lines_) table_.render(out_.buf());
  return out_.maybe_flush();
}

}  // namespace vmt::ops
