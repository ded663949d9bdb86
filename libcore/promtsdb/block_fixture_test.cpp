// The blocks of tests/fixtures/prom-2.42, written by the real Prometheus 2.42 (promtool from known
// OpenMetrics input, and a real server's snapshot with tombstones): read whole, every checksum
// verified, every sample meta.json announces decoded; every single-byte flip of an index and a
// chunk segment either detected or harmless. (The sample values themselves are judged against the
// input and the server's exports end to end: tests/e2e/t_prom.sh.)
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <set>
#include <sstream>

#include "base/fs.h"
#include "promtsdb/block_set.h"
#include "promtsdb/crc32c.h"

using namespace vmt;
using namespace vmt::promtsdb;

namespace {

const std::string kDir = "tests/fixtures/prom-2.42";

std::vector<std::string> block_dirs(const std::string& parent) {
  std::vector<std::string> out;
  auto entries = fs::list_dir(parent);
  REQUIRE(entries.is_ok());
  for (const auto& e : *entries) {
    if (fs::exists(fs::join(fs::join(parent, e.name), "meta.json"))) out.push_back(fs::join(parent, e.name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Everything a block yields, flattened for comparison.
struct Read {
  std::vector<std::string> labels;
  std::vector<std::pair<int64_t, uint64_t>> samples;
  bool operator==(const Read&) const = default;
};

Status read_all(const IndexFile& index, const ChunkFiles& chunks, Read* out) {
  SeriesEntry e;
  SkipCounts skipped;
  std::vector<Sample> s;
  for (uint32_t ref : index.all_series()) {
    VMT_TRY(index.series(ref, &e));
    std::string l;
    for (const auto& p : e.labels) l += std::string(p.name) + "=" + std::string(p.value) + ",";
    out->labels.push_back(l);
    s.clear();
    VMT_TRY(series_samples(chunks, nullptr, e, INT64_MIN, INT64_MAX, &s, &skipped, "block"));
    for (const auto& x : s) out->samples.push_back({x.t, std::bit_cast<uint64_t>(x.v)});
  }
  return Status::ok();
}

// What the OpenMetrics input promtool was given holds, counted by plain scanning (not by the
// reader under test): its samples (lines), distinct series, and distinct (series, timestamp).
struct InputCounts {
  size_t samples = 0, series = 0, distinct = 0;
};
// The blocks promtool wrote, as the fixture's MANIFEST.txt lists them (git keeps that list even
// where a checkout would lose a directory).
size_t manifest_blocks() {
  auto text = fs::read_file(kDir + "/MANIFEST.txt", 1 << 20);
  REQUIRE(text.is_ok());
  size_t n = 0;
  for (size_t pos = 0; (pos = text->find("F blocks/", pos)) != std::string::npos; ++pos) {
    const size_t eol = text->find('\n', pos);
    const std::string line = text->substr(pos, eol - pos);
    if (line.find('/', 9) != std::string::npos && line.find("/meta.json ") != std::string::npos) ++n;
  }
  return n;
}

// The blocks as `promtool tsdb list` (the real peer) printed them in meta/: min time, max time
// (exclusive), samples.
struct Listed {
  int64_t min_time, max_time;
  uint64_t samples;
};
std::vector<Listed> promtool_list(const std::string& file) {
  auto text = fs::read_file(kDir + "/meta/" + file, 1 << 20);
  REQUIRE(text.is_ok());
  std::vector<Listed> out;
  std::istringstream in(*text);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string ulid, duration;
    Listed l{};
    if (f >> ulid >> l.min_time >> l.max_time >> duration >> l.samples) out.push_back(l);
  }
  REQUIRE(!out.empty());
  return out;
}

// The groups of overlapping windows among promtool's listing: a block joins a group while it
// starts before the group's end (windows are [min, max)).
size_t overlap_groups(std::vector<Listed> v) {
  std::sort(v.begin(), v.end(), [](const Listed& a, const Listed& b) { return a.min_time < b.min_time; });
  size_t groups = 0;
  int64_t end = INT64_MIN;
  for (const auto& l : v) {
    if (groups == 0 || l.min_time >= end) {
      ++groups;
      end = l.max_time;
    } else {
      end = std::max(end, l.max_time);
    }
  }
  return groups;
}

// A "NAME: N;" figure of vmctl's import log (meta/vmctl-snapshot.log).
uint64_t vmctl_figure(const std::string& name) {
  auto text = fs::read_file(kDir + "/meta/vmctl-snapshot.log", 1 << 20);
  REQUIRE(text.is_ok());
  const std::string key = "  " + name + ": ";
  const size_t at = text->find(key);
  REQUIRE(at != std::string::npos);
  return std::stoull(text->substr(at + key.size()));
}

// Snapshot blocks whose tombstones hold intervals, as the fixture's stdlib-only describer
// (inspect_tsdb.py, meta/inspect.txt) decoded them.
size_t described_blocks_with_tombstones() {
  auto text = fs::read_file(kDir + "/meta/inspect.txt", 1 << 20);
  REQUIRE(text.is_ok());
  const size_t snap = text->find("# snapshot:");
  REQUIRE(snap != std::string::npos);
  std::istringstream in(text->substr(snap));
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    const size_t at = line.find("  tombstones ");
    const size_t iv = line.find(" intervals");
    if (at == 0 && iv != std::string::npos) {
      const size_t comma = line.rfind(", ", iv);
      n += std::stoull(line.substr(comma + 2)) > 0;
    }
  }
  return n;
}

InputCounts count_input() {
  std::set<std::string> series, pairs;
  InputCounts c;
  for (const char* name : {"a.om", "b.om"}) {
    auto text = fs::read_file(kDir + "/input/" + name, 16 << 20);
    REQUIRE(text.is_ok());
    size_t pos = 0;
    while (pos < text->size()) {
      size_t eol = text->find('\n', pos);
      if (eol == std::string::npos) eol = text->size();
      const std::string line = text->substr(pos, eol - pos);
      pos = eol + 1;
      if (line.empty() || line[0] == '#') continue;
      // name{labels} value timestamp: the series is everything before the value.
      const size_t ts = line.rfind(' '), val = line.rfind(' ', ts - 1);
      REQUIRE(val != std::string::npos);
      series.insert(line.substr(0, val));
      pairs.insert(line.substr(0, val) + "@" + line.substr(ts + 1));
      ++c.samples;
    }
  }
  c.series = series.size();
  c.distinct = pairs.size();
  return c;
}

}  // namespace

TEST_SUITE("promtsdb/block (fixtures)") {
  TEST_CASE("every block of promtool's output: all series, every announced sample, label order") {
    uint64_t blocks = 0, samples = 0;
    for (const auto& d : block_dirs(kDir + "/blocks")) {
      Block b;
      REQUIRE_MESSAGE(b.open(d).is_ok(), d);
      CHECK(b.meta().version == 1);
      CHECK(b.series_count() == b.meta().num_series);
      SeriesEntry e, prev;
      std::vector<Sample> s;
      SkipCounts skipped;
      for (size_t i = 0; i < b.series_count(); ++i) {
        REQUIRE(b.series(i, &e).is_ok());
        if (i > 0) CHECK(compare_labels(prev.labels, e.labels) < 0);  // the index's order is labels.Compare's
        CHECK(std::is_sorted(e.labels.begin(), e.labels.end(), [](const LabelPair& a, const LabelPair& c) { return a.name < c.name; }));
        const size_t from = s.size();
        REQUIRE(b.samples(e, INT64_MIN, INT64_MAX, &s, &skipped).is_ok());
        for (size_t k = from + 1; k < s.size(); ++k) CHECK(s[k - 1].t < s[k].t);
        for (const auto& c : e.chunks) CHECK(c.mint <= c.maxt);
        prev = e;
      }
      CHECK(s.size() == b.meta().num_samples);
      CHECK(skipped.histogram_chunks == 0);
      ++blocks;
      samples += s.size();
    }
    REQUIRE(manifest_blocks() > 0);
    CHECK(blocks == manifest_blocks());
    CHECK(samples == count_input().samples);   // every line of the input is stored
  }

  TEST_CASE("the block set merges overlapping blocks: one sample per timestamp, series in order") {
    BlockSet set;
    std::vector<std::string> notes;
    REQUIRE(set.open(kDir + "/blocks", INT64_MIN, INT64_MAX, &notes).is_ok());
    CHECK(set.block_count() == manifest_blocks());
    CHECK(set.group_count() == overlap_groups(promtool_list("promtool-list-blocks.txt")));
    MergedSeries m;
    SkipCounts skipped;
    std::set<std::string> seen;
    uint64_t samples = 0, merged = 0;
    while (true) {
      auto more = set.next(&m, &skipped);
      REQUIRE(more.is_ok());
      if (!*more) break;
      for (size_t k = 1; k < m.samples.size(); ++k) CHECK(m.samples[k - 1].t < m.samples[k].t);
      samples += m.samples.size();
      merged += m.blocks > 1;
      std::string key;
      for (const auto& l : m.labels) key += std::string(l.name) + "=" + std::string(l.value) + ",";
      seen.insert(key);
    }
    const InputCounts in = count_input();
    REQUIRE(in.series > 0);
    CHECK(seen.size() == in.series);  // distinct series of a.om and b.om
    CHECK(merged > 0);
    // Every input line is stored; merged, each (series, timestamp) of the input comes out once.
    CHECK(samples == in.distinct);
    CHECK(in.distinct < in.samples);  // the overlapping inputs do repeat timestamps
  }

  TEST_CASE("--start/--end cut samples and skip blocks outside the range") {
    BlockSet set;
    std::vector<std::string> notes;
    const int64_t start = 1795154400000, end = 1795161599999;  // 2026-11-20 06:00 .. 07:59:59.999
    REQUIRE(set.open(kDir + "/blocks", start, end, &notes).is_ok());
    CHECK(set.block_count() < manifest_blocks());
    MergedSeries m;
    SkipCounts skipped;
    uint64_t n = 0;
    while (*set.next(&m, &skipped)) {
      for (const auto& s : m.samples) {
        CHECK(s.t >= start);
        CHECK(s.t <= end);
      }
      n += m.samples.size();
    }
    CHECK(n > 0);
  }

  TEST_CASE("the real server's tombstones: read, sorted, and their samples dropped") {
    uint64_t with_stones = 0, deleted = 0, announced = 0;
    for (const auto& d : block_dirs(kDir + "/snapshot")) {
      Tombstones t;
      REQUIRE(t.read(fs::join(d, "tombstones")).is_ok());
      with_stones += t.series() > 0;
      Block b;
      REQUIRE(b.open(d).is_ok());
      SeriesEntry e;
      std::vector<Sample> s;
      SkipCounts skipped;
      for (size_t i = 0; i < b.series_count(); ++i) {
        REQUIRE(b.series(i, &e).is_ok());
        REQUIRE(b.samples(e, INT64_MIN, INT64_MAX, &s, &skipped).is_ok());
        if (const auto* ivs = t.find(e.ref)) {
          for (const auto& x : s) CHECK_FALSE(deleted_in(*ivs, x.t));
        }
        s.clear();
      }
      deleted += skipped.deleted_samples;
      announced += b.meta().num_samples;
    }
    CHECK(with_stones == described_blocks_with_tombstones());
    // vmctl reads through Prometheus' own querier: it read what meta.json announces and sent all
    // but the deleted samples.
    uint64_t listed = 0;
    for (const auto& l : promtool_list("promtool-list-snapshot.txt")) listed += l.samples;
    CHECK(announced == listed);
    CHECK(announced == vmctl_figure("samples"));
    CHECK(deleted == vmctl_figure("samples") - vmctl_figure("total samples"));
    CHECK(deleted > 0);
  }

  TEST_CASE("every flipped byte of an index and a chunk segment is detected or changes nothing") {
    const std::string d = block_dirs(kDir + "/blocks").front();
    auto index_bytes = fs::read_file(fs::join(d, "index"), 1 << 20);
    auto seg_bytes = fs::read_file(fs::join(d, "chunks/000001"), 1 << 20);
    REQUIRE(index_bytes.is_ok());
    REQUIRE(seg_bytes.is_ok());
    IndexFile index;
    ChunkFiles chunks;
    REQUIRE(index.parse(*index_bytes, "index").is_ok());
    REQUIRE(chunks.add_segment(*seg_bytes, "000001").is_ok());
    Read want;
    REQUIRE(read_all(index, chunks, &want).is_ok());
    size_t detected = 0, harmless = 0;
    for (int which = 0; which < 2; ++which) {
      const Bytes& orig = which == 0 ? *index_bytes : *seg_bytes;
      for (size_t i = 0; i < orig.size(); ++i) {
        Bytes b = orig;
        b[i] = char(b[i] ^ 0x20);
        IndexFile ix;
        ChunkFiles cf;
        Read got;
        Status s = which == 0 ? ix.parse(b, "index") : ix.parse(*index_bytes, "index");
        if (s.is_ok()) s = cf.add_segment(which == 1 ? ByteView(b) : ByteView(*seg_bytes), "000001");
        if (s.is_ok()) s = read_all(ix, cf, &got);
        if (!s.is_ok()) {
          ++detected;
        } else {
          // Undetected flips lie where the format has no checksum and we do not read: the label
          // indices and label offset table Prometheus no longer uses, padding.
          CHECK_MESSAGE(got == want, (which == 0 ? "index" : "chunks"), " byte ", i);
          ++harmless;
        }
      }
    }
    MESSAGE(detected << " flips detected, " << harmless << " harmless");
    CHECK(detected > harmless);
  }
}

TEST_SUITE("promtsdb/tombstones") {
  TEST_CASE("intervals are inclusive, merged when they touch or overlap") {
    Tombstones t;
    Bytes f;
    put_u32(f, kTombstonesMagic);
    put_u8(f, 1);
    Bytes stones;
    auto add = [&](uint64_t ref, int64_t a, int64_t b) { put_varuint(stones, ref); put_varint(stones, a); put_varint(stones, b); };
    add(7, 10, 20);
    add(7, 21, 30);   // touches: merged
    add(7, 50, 60);
    add(7, 55, 70);   // overlaps: merged
    add(9, -5, -1);
    f += stones;
    put_u32(f, crc32c(stones));
    REQUIRE(t.parse(f, "t").is_ok());
    REQUIRE(t.find(7) != nullptr);
    CHECK(t.find(7)->size() == 2);
    CHECK(deleted_in(*t.find(7), 10));
    CHECK(deleted_in(*t.find(7), 30));
    CHECK_FALSE(deleted_in(*t.find(7), 31));
    CHECK(deleted_in(*t.find(7), 70));
    CHECK_FALSE(deleted_in(*t.find(7), 9));
    CHECK(deleted_in(*t.find(9), -3));
    CHECK(t.find(8) == nullptr);
    f[f.size() - 1] ^= 1;
    CHECK(t.parse(f, "t").message().find("t: offset") == 0);
  }
}
