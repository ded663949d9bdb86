// Shared helpers for unit tests: where the fixtures are, scratch directories.
#pragma once

#include <stdlib.h>

#include <stdexcept>
#include <string>

#include "base/fs.h"

namespace vmt::test {

// ../shared/fixtures/vm-cluster-1.93 relative to the repository root (tests run from there), or
// $VMT_FIXTURES. The fixtures are the ground truth written by a real vmstorage v1.93.7-cluster.
inline std::string fixtures_dir() {
  if (const char* env = ::getenv("VMT_FIXTURES")) return env;
  return "../shared/fixtures/vm-cluster-1.93";
}
// A path inside them that must exist: a test never passes because its ground truth was absent
// (the exception fails the test case, naming the path).
inline std::string fixture(const std::string& rel) {
  std::string p = fs::join(fixtures_dir(), rel);
  if (!fs::exists(p)) throw std::runtime_error("fixture missing: " + p + " (set VMT_FIXTURES?)");
  return p;
}

// A fresh directory under /tmp, removed by the destructor. If none can be made the test fails:
// it never falls back to a shared directory, which the destructor would then remove.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/vmt-test-XXXXXX";
    char* d = ::mkdtemp(tmpl);
    if (d == nullptr) throw std::runtime_error("cannot create a scratch directory under /tmp");
    path_ = d;
  }
  ~TempDir() { (void)fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& rel) const { return fs::join(path_, rel); }

 private:
  std::string path_;
};

}  // namespace vmt::test
