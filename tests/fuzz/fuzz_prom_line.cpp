// Fuzz target: arbitrary bytes as Prometheus exposition text. Every line goes through parse_line;
// the whole input also goes through LineReader (so gzip/zstd inputs exercise the decoders).
// Invariants: no crash; a sample has a non-empty metric; every view lies in the line or the scratch.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "prom/fastfloat.h"
#include "prom/line_reader.h"
#include "prom/parser.h"

using namespace vmt;

namespace {

bool inside(ByteView v, ByteView a, const Bytes& b) {
  if (v.empty()) return true;
  auto in = [&](const char* lo, size_t n) { return v.data() >= lo && v.data() + v.size() <= lo + n; };
  return in(a.data(), a.size()) || in(b.data(), b.size());
}

void check_line(ByteView line, prom::Row& row, prom::ParseScratch& scratch) {
  Status st = prom::parse_line(line, row, scratch);
  if (!st.is_ok()) {
    if (!prom::is_skip(st) && st.code() != Code::invalid_argument) __builtin_trap();
    return;
  }
  if (row.metric.empty() || !inside(row.metric, line, scratch.arena)) __builtin_trap();
  for (const auto& t : row.tags) {
    if (t.name.empty() || !inside(t.name, line, scratch.arena) || !inside(t.value, line, scratch.arena)) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(reinterpret_cast<const char*>(data), size);
  prom::Row row;
  prom::ParseScratch scratch;
  check_line(in, row, scratch);  // the whole input as one line
  size_t start = 0;
  while (start <= in.size()) {
    size_t nl = in.find('\n', start);
    if (nl == ByteView::npos) nl = in.size();
    check_line(in.substr(start, nl - start), row, scratch);
    double f;
    (void)prom::parse_float(in.substr(start, nl - start), &f);
    start = nl + 1;
  }

  int fd = memfd_create("fuzz", 0);
  if (fd < 0) return 0;
  if (write(fd, data, size) != static_cast<ssize_t>(size) || lseek(fd, 0, SEEK_SET) != 0) {
    close(fd);
    return 0;
  }
  prom::LineReaderOptions opt;
  opt.chunk_size = 61;
  opt.max_line_size = 4096;
  prom::LineReader reader;
  if (!reader.open_fd(fd, "fuzz", true, opt).is_ok()) return 0;
  ByteView line;
  uint64_t lines = 0;
  while (reader.next(&line) && lines < 100000) {
    if (line.size() > opt.max_line_size) __builtin_trap();
    check_line(line, row, scratch);
    ++lines;
  }
  return 0;
}
