// Shared helpers for unit tests: where the fixtures are, scratch directories.
#pragma once

#include <stdlib.h>

#include <string>

#include "base/fs.h"

namespace vmt::test {

// ../shared/fixtures/vm-cluster-1.93 relative to the repository root (tests run from there), or
// $VMT_FIXTURES. The fixtures are the ground truth written by a real vmstorage v1.93.7-cluster.
inline std::string fixtures_dir() {
  if (const char* env = ::getenv("VMT_FIXTURES")) return env;
  return "../shared/fixtures/vm-cluster-1.93";
}
inline std::string fixture(const std::string& rel) { return fs::join(fixtures_dir(), rel); }

// A fresh directory under /tmp, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/vmt-test-XXXXXX";
    char* d = ::mkdtemp(tmpl);
    path_ = d ? d : "/tmp";
  }
  ~TempDir() { (void)fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& rel) const { return fs::join(path_, rel); }

 private:
  std::string path_;
};

}  // namespace vmt::test
