#include "ingest/series_text_index.h"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>


using namespace vmt;
using vmt::ingest::SeriesTextIndex;

namespace {

std::string text_of(uint32_t i) { return "m{i=\"" + std::to_string(i) + "\",job=\"j\"}"; }

}  // namespace

TEST_SUITE("ingest/series_text_index") {
  TEST_CASE("a text remembered in a generation is found in it, with its series and stats; not in the next") {
    SeriesTextIndex idx(1 << 20);
    const uint32_t g = idx.generation();
    metric::RawStats st;
    st.too_long_label_values = 3;
    for (uint32_t i = 0; i < 1000; ++i) {
      const std::string t = text_of(i);
      CHECK(idx.insert(t, ingest::series_text_hash(t), i * 7, i == 5 ? st : metric::RawStats()));
    }
    CHECK_FALSE(idx.insert(text_of(3), ingest::series_text_hash(text_of(3)), 99, {}));  // known already
    CHECK(idx.entries() == 1000);
    for (uint32_t i = 0; i < 1000; ++i) {
      const std::string t = text_of(i);
      SeriesTextIndex::Hit h;
      REQUIRE(idx.find(t, ingest::series_text_hash(t), g, &h));
      CHECK(h.series == i * 7);
      CHECK(h.stats.too_long_label_values == (i == 5 ? 3u : 0u));
    }
    SeriesTextIndex::Hit h;
    CHECK_FALSE(idx.find("m", ingest::series_text_hash("m"), g, &h));
    // A prefix of a known text, and a text with a known text's hash, are not that text.
    const std::string t0 = text_of(0);
    CHECK_FALSE(idx.find(ByteView(t0).substr(0, t0.size() - 1), ingest::series_text_hash(t0), g, &h));
    CHECK_FALSE(idx.find("other", ingest::series_text_hash(t0), g, &h));
    // The next generation: every entry stale; the same text can be remembered again, with
    // another series, and only that one is found.
    idx.next_generation();
    CHECK(idx.generation() != g);
    CHECK_FALSE(idx.find(t0, ingest::series_text_hash(t0), idx.generation(), &h));
    CHECK(idx.find(t0, ingest::series_text_hash(t0), g, &h));  // an old generation's block still sees its own
    CHECK(idx.insert(t0, ingest::series_text_hash(t0), 12345, {}));
    REQUIRE(idx.find(t0, ingest::series_text_hash(t0), idx.generation(), &h));
    CHECK(h.series == 12345);
    REQUIRE(idx.find(t0, ingest::series_text_hash(t0), g, &h));
    CHECK(h.series == 0);
  }

  TEST_CASE("full: nothing more is remembered, what is known is still found") {
    SeriesTextIndex idx(64 << 10);  // the smallest arena: 64 KiB
    uint32_t stored = 0;
    for (uint32_t i = 0; i < 5000; ++i) {
      const std::string t = text_of(i);
      if (idx.insert(t, ingest::series_text_hash(t), i, {})) ++stored;
    }
    CHECK(stored > 100);
    CHECK(stored < 5000);
    CHECK(idx.entries() == stored);
    CHECK(idx.memory_bytes() <= (64 << 10) + 2 * 8 * stored);
    uint32_t found = 0;
    for (uint32_t i = 0; i < 5000; ++i) {
      const std::string t = text_of(i);
      SeriesTextIndex::Hit h;
      if (idx.find(t, ingest::series_text_hash(t), idx.generation(), &h)) {
        CHECK(h.series == i);
        ++found;
      }
    }
    CHECK(found == stored);
  }

  TEST_CASE("parser threads read while the consumer remembers: what they find is always right") {
    SeriesTextIndex idx(8 << 20);
    const uint32_t n = 40000;
    std::atomic<bool> done{false};
    std::atomic<uint64_t> hits{0}, wrong{0};
    auto reader = [&](uint32_t seed) {
      uint64_t x = seed;
      while (!done.load(std::memory_order_relaxed)) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        const uint32_t i = uint32_t(x >> 33) % n;
        const std::string t = text_of(i);
        SeriesTextIndex::Hit h;
        if (idx.find(t, ingest::series_text_hash(t), idx.generation(), &h)) {
          hits.fetch_add(1, std::memory_order_relaxed);
          if (h.series != i + 1) wrong.fetch_add(1, std::memory_order_relaxed);
        }
      }
    };
    std::thread r1(reader, 1), r2(reader, 2);
    for (uint32_t i = 0; i < n; ++i) {
      const std::string t = text_of(i);
      REQUIRE(idx.insert(t, ingest::series_text_hash(t), i + 1, {}));
    }
    // Let the readers find the last ones too.
    while (hits.load() < 100000) std::this_thread::yield();
    done = true;
    r1.join();
    r2.join();
    CHECK(wrong.load() == 0);
    CHECK(hits.load() >= 100000);
  }
}
