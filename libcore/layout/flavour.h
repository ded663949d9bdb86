// Flavour: which server release a storage directory is for, as far as its bytes differ.
//
// Two independent axes (doc/flavours.md §0; the byte formats are otherwise the same from v1.93 to
// v1.148):
//   tenancy       cluster (vmstorage) or single-node (victoria-metrics): TSID width, tenant
//                 prefixes of index items and names (metric/tenancy.h)
//   index layout  generations: indexdb/<16 hex>/ tables, curr/prev/next rotated (up to v1.132);
//                 per-partition: data/indexdb/YYYY_MM/ tables, one per monthly partition, with any
//                 indexdb/<gen> tables left from an upgrade read as legacy indexes (from v1.133)
// A directory's flavour is detected (detect_flavour in storage_dir.h); `--target VERSION` names it
// where nothing can be detected, or checks what was. Directory removal differs with the release:
// rename to *.must-remove.N (up to v1.122) or a .delete-this-dir marker file (from v1.123; the
// per-partition releases we support all use it).
#pragma once

#include <optional>
#include <string>

#include "base/status.h"
#include "metric/tenancy.h"

namespace vmt::layout {

enum class IndexLayout : uint8_t { kGenerations, kPerPartition };

struct Flavour {
  metric::Tenancy tenancy = metric::Tenancy::kCluster;
  IndexLayout index = IndexLayout::kGenerations;

  bool cluster() const { return tenancy == metric::Tenancy::kCluster; }
  bool per_partition_index() const { return index == IndexLayout::kPerPartition; }
  // Directories are removed through a `.delete-this-dir` marker (v1.123+), not by renaming.
  bool delete_marker() const { return per_partition_index(); }
  bool operator==(const Flavour&) const = default;

  // "v1.93 cluster", "v1.133+ single-node": the oldest release line with this layout ("v1.93" for
  // generations, "v1.133+" for per-partition) and the tenancy.
  std::string to_string() const;
};

// The default of a new directory when no --target is given: v1.93.7-cluster (scripts written
// before flavours keep working).
constexpr Flavour kDefaultFlavour{};

// Parses a release as its git tag reads, with or without the "v" and the patch number:
// "v1.93.7", "1.93-cluster", "v1.148.2", "v1.136.16-cluster". Release lines we support: 1.93,
// 1.136, 1.148; any other is invalid_argument naming them.
Result<Flavour> parse_target(const std::string& release);
std::string supported_targets();  // for --help and errors

const char* index_layout_name(IndexLayout l);  // "generations" / "per-partition"

}  // namespace vmt::layout
