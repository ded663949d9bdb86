#include "prom/series_text_cache.h"

#include <doctest/doctest.h>

#include <string>

#include <cstring>
#include <random>

#include "metric/tsid_gen.h"
#include "prom/parser.h"

using namespace vmt;
using namespace vmt::prom;

TEST_SUITE("prom/series_text_cache") {
  TEST_CASE("split_sample_line takes the series text, value and timestamp from the end") {
    ByteView s, v, t;
    REQUIRE(split_sample_line("  foo{a=\"b c\"}\t1.5  1700000000000 \t", &s, &v, &t));
    CHECK(s == "foo{a=\"b c\"}");
    CHECK(v == "1.5");
    CHECK(t == "1700000000000");
    CHECK(!split_sample_line("foo 1", &s, &v, &t));          // no timestamp
    CHECK(!split_sample_line("foo 1 2\r", &s, &v, &t));      // CR at the end: not a number char
    CHECK(!split_sample_line("1 2", &s, &v, &t));            // no series text
    CHECK(!split_sample_line("foo{a=\"b\"}1 2", &s, &v, &t));  // glued value: not this shape
    CHECK(!split_sample_line("# HELP foo Help text.", &s, &v, &t));  // comments
    CHECK(!split_sample_line(" \t# TYPE foo gauge", &s, &v, &t));
    // Elsewhere a '#' or CR is the remember rule's business.
    REQUIRE(split_sample_line("foo{a=\"#\"} 1 2", &s, &v, &t));
    CHECK(s == "foo{a=\"#\"}");
  }

  TEST_CASE("split_sample_line's 32-byte path splits every line as the byte loop does") {
    std::mt19937_64 rng(31);
    const std::string pieces[] = {" ", "\t", "  ", "1", "-2.5e3", "+Inf", "NaN", "x", "#", "{a=\"b c\"}", "\r", "\xe1",
                                  "1700000000000", "0x1F", "a.b", "=", "}", "@", "[", "`", "{", "/", ":", "Z", "z", "9"};
    const size_t n = sizeof(pieces) / sizeof(pieces[0]);
    size_t shaped = 0, compared = 0;
    for (int i = 0; i < 200000; ++i) {
      std::string line;
      const size_t parts = 1 + rng() % 14;
      for (size_t k = 0; k < parts; ++k) line += pieces[rng() % n];
      if (rng() % 2) line = "metric_name_of_some_length{job=\"x\"}" + line;
      if (rng() % 2) {  // a tail of the shape, of every length around the 32-byte window
        const std::string ws[] = {" ", "\t", "  ", " \t "};
        const std::string tok[] = {"1", "-2.5e3", "+Inf", "1700000000000", "0.000000000000000000001", "17000000000000000000000000000"};
        line += ws[rng() % 4] + tok[rng() % 6] + ws[rng() % 4] + tok[rng() % 6];
        if (rng() % 2) line += ws[rng() % 4];
      }
      ByteView s1, v1, t1, s2, v2, t2;
      const bool a = split_sample_line(line, &s1, &v1, &t1);
      size_t s = 0;
      while (s < line.size() && (line[s] == ' ' || line[s] == '\t')) ++s;
      const bool comment = s == line.size() || line[s] == '#';
      const bool b = !comment && split_sample_line_bytes(line, s, &s2, &v2, &t2);
      CAPTURE(line);
      REQUIRE(a == b);
      ++compared;
      if (!a) continue;
      ++shaped;
      CHECK(s1.data() == s2.data());
      CHECK(s1.size() == s2.size());
      CHECK(v1.data() == v2.data());
      CHECK(v1.size() == v2.size());
      CHECK(t1.data() == t2.data());
      CHECK(t1.size() == t2.size());
    }
    CHECK(shaped > 10000);
    CHECK(compared == 200000);
  }

  TEST_CASE("tail_is_row never lets a series text with a '#' or a CR be remembered") {
    Row row;
    ParseScratch scratch;
    REQUIRE(parse_line("x 1 2", row, scratch).is_ok());
    // A '#' or CR at any place of series texts up to 50 bytes (16 bytes are looked at a step).
    for (size_t len = 1; len <= 50; ++len) {
      for (size_t at = 0; at < len; ++at) {
        for (char c : {'#', '\r'}) {
          std::string text(len, 'x');
          text[at] = c;
          CAPTURE(len);
          CAPTURE(at);
          CHECK(!tail_is_row(text, "1", "2", row));
        }
      }
      CHECK(tail_is_row(std::string(len, 'x'), "1", "2", row));
    }
    CHECK(!tail_is_row("x", "1", "3", row));   // another timestamp than the parse's
    CHECK(tail_is_row("x", "1.0", "2", row));   // the same value, written otherwise
  }

  TEST_CASE("parse_sample_tail reads the tail as parse_line does, wherever parse_line takes both tokens") {
    std::mt19937_64 rng(9);
    const char* tokens[] = {"1", "-5.", "NaN", "+Inf", "1e400", "0x1", "12345678901234567890", ".5", "1.2.3", "-0",
                            "inf", "2147483647", "2147483648", "-2147483648", "1700000000.123", "9.3e18", "1e19", "0"};
    const size_t n = sizeof(tokens) / sizeof(tokens[0]);
    size_t compared = 0;
    Row row;
    ParseScratch scratch;
    for (int i = 0; i < 20000; ++i) {
      const std::string line = std::string("m{a=\"b\"} ") + tokens[rng() % n] + " " + tokens[rng() % n];
      ByteView series, value, ts;
      REQUIRE(split_sample_line(line, &series, &value, &ts));
      double v = 0;
      int64_t t = 0;
      const bool tail = parse_sample_tail(value, ts, &v, &t);
      const Status st = parse_line(line, row, scratch);
      // Either both read the line, with the same numbers (bit for bit: NaN payloads too), or
      // neither does.
      REQUIRE(tail == st.is_ok());
      if (!tail) continue;
      REQUIRE(row.has_timestamp);
      CHECK(t == row.timestamp);
      CHECK(std::memcmp(&v, &row.value, sizeof v) == 0);
      ++compared;
    }
    CHECK(compared > 1000);
  }

  TEST_CASE("the cache is bounded and starts over when full") {
    SeriesTextCache c(1000);
    for (int i = 0; i < 100; ++i) {
      std::string s = "series-" + std::to_string(i);
      c.insert(s, uint64_t(i) * 7919, "rawrawrawraw", 1, metric::RawStats{});
    }
    CHECK(c.size() < 100);
    SeriesTextCache::Entry e;
    CHECK(c.find("series-99", 99 * 7919, &e));
    CHECK(e.raw == "rawrawrawraw");
    CHECK(!c.find("series-0", 0, &e));
  }

  TEST_CASE("a cache whose fills go unread shrinks and gives its memory back; one that is read grows again") {
    SeriesTextCache c(8 << 20);
    const std::string name(100, 'r');
    SeriesTextCache::Entry e;
    auto text = [](int i) { return "series-with-a-longish-text-" + std::to_string(i); };
    // 400k distinct series in a cycle: each comes back after more than a fill holds, so no fill
    // serves a hit.
    size_t peak = 0;
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 200000; ++i) {
        const std::string t = text(i);
        if (!c.find(t, metric::xxhash64(t), &e)) c.insert(t, metric::xxhash64(t), name, 1, metric::RawStats{});
        peak = std::max(peak, c.memory_bytes());
      }
    }
    CHECK(peak > (8u << 20));
    CHECK(c.cap_bytes() == SeriesTextCache::kMinBytes);
    CHECK(c.memory_bytes() < (4u << 20));
    // 2000 series read again and again: a fill of them serves many hits, and the cap doubles
    // at each start over until it is back at its maximum.
    int hits = 0;
    for (int round = 0; round < 400; ++round) {
      for (int i = 0; i < 2000; ++i) {
        const std::string t = text(round % 8 == 0 ? 1000000 + round * 2000 + i : i);  // some new ones, to fill
        if (c.find(t, metric::xxhash64(t), &e)) {
          ++hits;
          CHECK(e.raw == name);
        } else {
          c.insert(t, metric::xxhash64(t), name, 1, metric::RawStats{});
        }
      }
    }
    CHECK(hits > 300000);
    CHECK(c.cap_bytes() == (8u << 20));
    c.reset_cap();
    CHECK(c.cap_bytes() == (8u << 20));
  }
}
