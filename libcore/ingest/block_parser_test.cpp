#include "ingest/block_parser.h"
#include "metric/tsid_gen.h"

#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <random>
#include <tuple>


using namespace vmt;
using namespace vmt::ingest;

namespace {

// The lines of prometheus-text.md §12 and variations around the cache's split.
const char* const kLines[] = {
    "foo 1", "foo{bar=\"baz\"} 1 1700000000000", "foo{bar=\"baz\"} 1 1700000000", "foo 1 2147483647",
    "foo 1 2147483648", "foo 1 0", "foo 1 -1", "foo 1 1.5", "foo 1 1700000000.123", "foo 1 1700000000000.9",
    "foo 1 Inf", "foo 1 NaN", "foo 1 1e30", "foo 1 +1700000000", "foo 1 2 3", "foo{a=\"b\",} 1 5", "foo{} 1 5",
    "foo{ } 1 5", "foo {a=\"b\"} 1 5", "foo\t{a=\"b\"}\t1\t5", "foo{ a = \"b\" } 1 5", "foo{a=\"b\"}1 5",
    "{__name__=\"foo\"} 1 5", "foo{__name__=\"bar\"} 1 5", "foo{a=\"x\\\"y\\\\z\\nw\"} 1 5", "foo{a=\"x\\ty\"} 1 5",
    "foo{a=\"b\\\\\"} 1 5", "foo{a=\"b\\\"} 1 5", "foo{a=\"x\"y\"} 1 5", "foo{a=\"1\",a=\"2\"} 1 5",
    "foo{a=\"\"} 1 5", "foo{=\"x\"} 1 5", "foo{a b=\"c\"} 1 5", "foo{,a=\"b\"} 1 5", "foo{a}b=\"c\"} 1 5",
    "foo{a=\"b\" c=\"d\"} 1 5", "foo{a='b'} 1 5", "foo{\"quoted\"} 1 5", "foo bar{a=\"b\"} 1 5",
    "foo.bar-baz:qux/\xc3\xbc 1 5", "foo# 1 5", "foo NaN 5", "foo nan 5", "foo +Inf 5", "foo -infinity 5",
    "foo 0x1F 5", "foo 1_000 5", "foo 1.2.3 5", "foo +1 5", "foo -5. 5", "foo .5 5", "foo 5. 5", "foo -0 5",
    "foo 00012 5", "foo 1e3 5", "foo 1E-2 5", "foo 1e400 5", "foo 12345678901234567890 5", "foo 1 # comment",
    "foo 1#comment", "foo{a=\"b\"} 1 2 # c", "foo", "foo ", "foo{a=\"b\"}", "foo{a=\"b\"} ", "   foo 1 5",
    "foo 1 5 \t ", "foo\t1\t123", "foo{a=\"b\"} 1 5\r", "# HELP foo x", "# TYPE foo counter", "#foo 1",
    "foo_bucket{le=\"+Inf\"} 3 5", "foo 1 # {trace_id=\"abc\"} 2 123", "foo{a=\"b\"} 1 # {trace_id=\"abc\"} 2 123",
    "foo 1 # {", "foo{a=\"#\"} 1 5", "", "foo bar 1 5", "foo 1 5 6", "foo{a=\"} 1 5\"} 1 5", "foo{a=\"b\"} x 5",
    "foo{a=\"b\"} 1 y", "foo{a=\"b\"}junk 1 5", "m{i=\"1\"} 1 5", "m{i=\"1\"}  2  6  ", "m{i=\"1\"} 3 7e0",
};

std::string all_lines() {
  std::string text;
  for (const char* l : kLines) {
    text += l;
    text += '\n';
  }
  text.pop_back();
  return text;
}

struct Parsed {
  std::vector<std::tuple<std::string, uint64_t, int64_t, uint64_t>> rows;  // key, hash, ts, value bits
  std::vector<std::pair<uint64_t, std::string>> bad;
  uint64_t lines = 0, skipped = 0;
  bool operator==(const Parsed&) const = default;
};

// The importer's side of the series text index: a key gets the next id when first seen, and
// what the parser lists to remember is put in the index under that id. Rows served from the index
// are given their key back through the id, so that a parse with the index compares with one
// without.
struct Consumer {
  SeriesTextIndex index{size_t(4) << 20};
  std::map<std::string, uint32_t> ids;
  std::vector<std::string> keys;
  uint64_t index_rows = 0;
};

Parsed parse(BlockParser& p, const std::string& text, Consumer* c = nullptr) {
  ParsedBlock b;
  b.text = text;
  b.first_line = 1;
  p.parse(b);
  Parsed out;
  std::vector<uint32_t> row_ids;
  for (const auto& r : b.rows) {
    uint64_t bits;
    std::memcpy(&bits, &r.value, 8);
    std::string key;
    uint64_t hash = r.hash;
    if (r.from_index()) {
      REQUIRE(c != nullptr);
      REQUIRE(b.generation == c->index.generation());
      REQUIRE(r.series() < c->keys.size());
      key = c->keys[r.series()];
      hash = metric::xxhash64(key);
      ++c->index_rows;
    } else {
      key = b.keys.substr(r.key_off, r.key_len);
    }
    if (c) {
      auto [it, added] = c->ids.emplace(key, uint32_t(c->keys.size()));
      if (added) c->keys.push_back(key);
      row_ids.push_back(it->second);
    }
    out.rows.emplace_back(key, hash, r.timestamp, bits);
  }
  if (c) {
    for (const auto& m : b.remember) {
      REQUIRE(!b.rows[m.row].from_index());
      c->index.insert(ByteView(b.text).substr(m.text_off, m.text_len), m.text_hash, row_ids[m.row], m.stats);
    }
  } else {
    CHECK(b.remember.empty());
  }
  for (const auto& l : b.bad) out.bad.emplace_back(l.line, l.message);
  out.lines = b.lines;
  out.skipped = b.skipped;
  return out;
}

}  // namespace

TEST_SUITE("ingest/block_parser") {
  TEST_CASE("the series text index gives exactly what a full parse gives, line by line (§12 table)") {
    const std::string text = all_lines();
    const RowNaming naming{42, 7, {{"dc", "x"}}, {}, metric::Tenancy::kCluster};
    Consumer c;
    BlockParser plain(naming, 1600000000000);
    BlockParser indexed(naming, 1600000000000, &c.index);
    Parsed want = parse(plain, text);
    CHECK(want.lines == sizeof(kLines) / sizeof(kLines[0]));
    CHECK(parse(indexed, text, &c) == want);  // fills the index
    CHECK(c.index_rows == 0);
    CHECK(parse(indexed, text, &c) == want);  // served from it
    CHECK(c.index_rows > 20);
    // A new generation (the registry started afresh): nothing is served until remembered again.
    c.index.next_generation();
    c.ids.clear();
    c.keys.clear();
    c.index_rows = 0;
    CHECK(parse(indexed, text, &c) == want);
    CHECK(c.index_rows == 0);
    CHECK(parse(indexed, text, &c) == want);
    CHECK(c.index_rows > 20);
  }

  TEST_CASE("randomised: series texts seen before with other values and timestamps") {
    std::mt19937_64 rng(5);
    const char* series[] = {"m{i=\"1\"}", "m", "m{i=\"1\",j=\"\"}", "m bar{a=\"b\"}", "m{a=\"x y\"}", "m{a=\"} 1 2\"}",
                            "{__name__=\"m\"}", "m#", "m{a=\"\\\"\"}", "m{a=\"1\"}junk"};
    const char* values[] = {"1", "-5.", "NaN", "+Inf", "1e400", "0x1", "12345678901234567890", ".5", "1.2.3", "-0",
                            "inf", "Infinity", "+1", "1e", ""};
    const char* sep[] = {" ", "\t", "  ", " \t"};
    std::string text;
    for (int i = 0; i < 5000; ++i) {
      text += series[rng() % 10];
      text += sep[rng() % 4];
      text += values[rng() % 15];
      text += sep[rng() % 4];
      text += values[rng() % 15];
      if (rng() % 5 == 0) text += sep[rng() % 4];
      text += '\n';
    }
    Consumer c;
    BlockParser plain(RowNaming{}, 1);
    BlockParser indexed(RowNaming{}, 1, &c.index);
    Parsed want = parse(plain, text);
    CHECK(want.rows.size() > 100);
    CHECK(parse(indexed, text, &c) == want);
    CHECK(parse(indexed, text, &c) == want);
    CHECK(c.index_rows > 100);
  }

  TEST_CASE("a row's key is the canonical name vmstorage makes of its raw name, hashed") {
    for (auto tenancy : {metric::Tenancy::kCluster, metric::Tenancy::kSingle}) {
      const RowNaming naming{42, 7, {{"dc", "x"}}, {}, tenancy};
      for (bool use_index : {false, true}) {
        Consumer c;
        BlockParser p(naming, 1, use_index ? &c.index : nullptr);
        // Two spellings of one series (label order, a duplicate whose last value wins), twice
        // each so that the index serves the second.
        const std::string text = "m{job=\"a\",b=\"1\"} 1 10\nm{b=\"0\",job=\"a\",b=\"1\"} 2 20\n"
                                 "m{job=\"a\",b=\"1\"} 3 30\nm{b=\"0\",job=\"a\",b=\"1\"} 4 40";
        (void)parse(p, text, use_index ? &c : nullptr);
        const Parsed got = parse(p, text, use_index ? &c : nullptr);
        CHECK(c.index_rows == (use_index ? 4u : 0u));
        REQUIRE(got.rows.size() == 4);
        const std::string key = std::get<0>(got.rows[0]);
        for (const auto& r : got.rows) {
          CHECK(std::get<0>(r) == key);
          CHECK(std::get<1>(r) == metric::xxhash64(key));
        }
        auto mn = metric::MetricName::decode_canonical(key, tenancy);
        REQUIRE(mn.is_ok());
        CHECK(mn->account_id == (tenancy == metric::Tenancy::kCluster ? 42u : 0u));
        CHECK(mn->project_id == (tenancy == metric::Tenancy::kCluster ? 7u : 0u));
        CHECK(mn->metric_group == "m");
        REQUIRE(mn->tags.size() == 3);
        CHECK(mn->tags[0] == metric::Tag{"dc", "x"});   // commonTagKeys first, by code: dc 0x09,
        CHECK(mn->tags[1] == metric::Tag{"job", "a"});  // job 0x20
        CHECK(mn->tags[2] == metric::Tag{"b", "1"});
      }
    }
  }
}
