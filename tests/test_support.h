// Shared helpers for unit tests: where the fixtures are, scratch directories.
#pragma once

#include <stdlib.h>

#include <algorithm>
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

// Series (lines) and samples (entries of each line's "timestamps" array) of a server export file
// (/api/v1/export), counted by plain scanning: what tests expect comes from the fixture itself,
// never from a number typed in, and never from the parser under test.
struct ExportCounts {
  size_t series = 0, samples = 0;
};
inline ExportCounts count_export(const std::string& path) {
  auto text = fs::read_file(path, size_t(1) << 30);
  if (!text.is_ok()) throw std::runtime_error("cannot read " + path + ": " + text.status().message());
  ExportCounts c;
  const std::string key = "\"timestamps\":[";
  for (size_t pos = 0; (pos = text->find(key, pos)) != std::string::npos;) {
    ++c.series;
    pos += key.size();
    const size_t end = text->find(']', pos);
    if (end == std::string::npos) throw std::runtime_error(path + ": unterminated timestamps array");
    if (end > pos) c.samples += 1 + size_t(std::count(text->begin() + long(pos), text->begin() + long(end), ','));
    pos = end;
  }
  return c;
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
