// Baseline for tests/bench/route.sh: read and parse Prometheus text on one thread, as fast as
// libcore does it, and do nothing else. Prints "<rows> <bad lines>".
#include <cstdio>

#include "prom/line_reader.h"
#include "prom/parser.h"

int main(int argc, char** argv) {
  unsigned long long rows = 0, bad = 0;
  vmt::prom::Row row;
  vmt::prom::ParseScratch scratch;
  for (int i = 1; i < argc; ++i) {
    vmt::prom::LineReader reader;
    if (!reader.open(argv[i]).is_ok()) return 3;
    vmt::ByteView line;
    while (reader.next(&line)) {
      vmt::Status st = vmt::prom::parse_line(line, row, scratch);
      if (st.is_ok()) {
        ++rows;
      } else if (!vmt::prom::is_skip(st)) {
        ++bad;
      }
    }
    if (!reader.status().is_ok()) return 1;
  }
  std::printf("%llu %llu\n", rows, bad);
  return 0;
}
