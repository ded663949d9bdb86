#include "mergeset/merge.h"

#include <doctest/doctest.h>

#include "mergeset/table.h"
#include "mergeset/test_util.h"

using namespace vmt;
using namespace vmt::mergeset;

namespace {
std::vector<Bytes> numbered(const char* prefix, int from, int to, int step) {
  std::vector<Bytes> v;
  for (int i = from; i < to; i += step) {
    Bytes b = prefix;
    put_u32(b, uint32_t(i));
    b += Bytes(size_t(50 + i % 30), 'v');
    v.push_back(b);
  }
  return v;
}
}  // namespace

TEST_SUITE("mergeset/merge") {
  TEST_CASE("merges parts into one sorted stream, keeping duplicates") {
    std::vector<std::vector<Bytes>> inputs = {numbered("\x01k", 0, 3000, 2), numbered("\x01k", 1, 3000, 3),
                                              numbered("\x01k", 0, 3000, 5)};
    std::vector<Bytes> want;
    std::vector<std::unique_ptr<PartReader>> readers;
    std::vector<PartReader*> ptrs;
    for (const auto& in : inputs) {
      want.insert(want.end(), in.begin(), in.end());
      auto pf = testutil::write_part(in);
      REQUIRE(pf.is_ok());
      auto r = PartReader::open_in_memory(*pf);
      REQUIRE(r.is_ok());
      ptrs.push_back(r->get());
      readers.push_back(std::move(r).value());
    }
    std::sort(want.begin(), want.end());
    PartWriter w;
    w.open_in_memory({});
    MergeStats stats;
    REQUIRE(merge_parts(ptrs, w, &stats).is_ok());
    CHECK(stats.items_in == want.size());
    CHECK(stats.items_out == want.size());
    auto out = PartReader::open_in_memory(w.take_files());
    REQUIRE(out.is_ok());
    auto got = testutil::read_all(**out);
    REQUIRE(got.is_ok());
    CHECK(*got == want);

    // Seek over the merged view of the inputs.
    ItemMerger m(ptrs);
    for (size_t i = 0; i < want.size(); i += 101) {
      ByteView key = ByteView(want[i]).substr(0, 4);
      REQUIRE(m.seek(key).is_ok());
      size_t at = size_t(std::lower_bound(want.begin(), want.end(), Bytes(key)) - want.begin());
      for (size_t k = 0; k < 20 && at + k < want.size(); ++k) {
        REQUIRE(m.valid());
        CHECK(m.item() == ByteView(want[at + k]));
        REQUIRE(m.next().is_ok());
      }
    }
  }

  TEST_CASE("merge_part_dirs: fixture parts merge into one valid part") {
    auto dirs = testutil::fixture_part_dirs();
    std::vector<Bytes> want;
    for (const auto& d : dirs) {
      auto r = PartReader::open(d);
      REQUIRE(r.is_ok());
      auto items = testutil::read_all(**r);
      REQUIRE(items.is_ok());
      want.insert(want.end(), items->begin(), items->end());
    }
    std::sort(want.begin(), want.end());
    vmt::test::TempDir tmp;
    const std::string dst = tmp.sub(new_part_name(0x18EA240D99112670ull));
    MergeStats stats;
    Status st = merge_part_dirs(dirs, dst, {}, &stats);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    CHECK(stats.items_in == want.size());
    auto r = PartReader::open(dst);
    REQUIRE(r.is_ok());
    auto got = testutil::read_all(**r);
    REQUIRE(got.is_ok());
    CHECK(*got == want);
    CHECK((*r)->header().blocks_count == stats.blocks_out);
    REQUIRE(write_part_names(tmp.path(), {fs::base_name(dst)}).is_ok());
    auto parts = list_parts(tmp.path());
    REQUIRE(parts.is_ok());
    CHECK(parts->size() == 1);
  }

  TEST_CASE("a transform sees every item in order; keeping none writes no part") {
    const std::vector<Bytes> in = numbered("\x01k", 0, 2000, 1);
    auto pf = testutil::write_part(in);
    REQUIRE(pf.is_ok());
    auto r = PartReader::open_in_memory(*pf);
    REQUIRE(r.is_ok());
    std::vector<Bytes> seen;
    ItemTransform every_third;
    every_third.push = [&, n = 0](ByteView item, const ItemEmit& emit) mutable {
      seen.emplace_back(item);
      return n++ % 3 == 0 ? emit(item) : Status::ok();
    };
    bool finished = false;
    every_third.finish = [&](const ItemEmit& emit) {
      finished = true;
      return emit(in.back());   // what a transform held back comes out at the end
    };
    PartWriter w;
    w.open_in_memory({});
    MergeStats stats;
    REQUIRE(merge_parts({r->get()}, w, &stats, &every_third).is_ok());
    CHECK(seen == in);
    CHECK(finished);
    std::vector<Bytes> want;
    for (size_t i = 0; i < in.size(); i += 3) want.push_back(in[i]);
    want.push_back(in.back());
    CHECK(stats.items_in == in.size());
    CHECK(stats.items_out == want.size());
    auto out = PartReader::open_in_memory(w.take_files());
    REQUIRE(out.is_ok());
    CHECK(*testutil::read_all(**out) == want);

    REQUIRE((*r)->seek_to_first().is_ok());
    ItemTransform none;
    none.push = [](ByteView, const ItemEmit&) { return Status::ok(); };
    PartWriter w2;
    w2.open_in_memory({});
    REQUIRE(merge_parts({r->get()}, w2, &stats, &none).is_ok());
    CHECK(stats.items_in == in.size());
    CHECK(stats.items_out == 0);
    CHECK(stats.blocks_out == 0);
  }

  TEST_CASE("merge passes every output block through prepareBlock") {
    std::vector<Bytes> a = numbered("\x01k", 0, 4000, 2), b = numbered("\x01k", 1, 4000, 2);
    auto pa = testutil::write_part(a), pb = testutil::write_part(b);
    REQUIRE(pa.is_ok());
    REQUIRE(pb.is_ok());
    auto ra = PartReader::open_in_memory(*pa), rb = PartReader::open_in_memory(*pb);
    REQUIRE(ra.is_ok());
    REQUIRE(rb.is_ok());
    size_t calls = 0;
    PartWriterOptions opt;
    opt.prepare_block = [&](const Items& in, Items& out) {
      ++calls;
      for (size_t i = 0; i < in.size(); ++i) {
        if (i == 0 || i + 1 == in.size() || i % 2 == 0) out.push_back(in[i]);
      }
      return true;
    };
    PartWriter w;
    w.open_in_memory(opt);
    MergeStats stats;
    REQUIRE(merge_parts({ra->get(), rb->get()}, w, &stats).is_ok());
    CHECK(calls == stats.blocks_out);
    CHECK(stats.items_in == a.size() + b.size());
    CHECK(stats.items_out < stats.items_in);
    CHECK(stats.prepare_block_fallbacks == 0);
    auto out = PartReader::open_in_memory(w.take_files());
    REQUIRE(out.is_ok());
    auto n = (*out)->verify();
    REQUIRE(n.is_ok());
    CHECK(*n == stats.items_out);
  }

  TEST_CASE("a corrupt source fails the merge with its file named") {
    auto dirs = testutil::fixture_part_dirs();
    PartFiles pf = testutil::read_part_files(dirs.front());
    pf.lens[pf.lens.size() / 2] ^= 0x55;
    pf.lens[pf.lens.size() / 2 + 1] ^= 0x55;
    auto r = PartReader::open_in_memory(pf, "SRC");
    REQUIRE(r.is_ok());
    PartWriter w;
    w.open_in_memory({});
    Status st = merge_parts({r->get()}, w);
    if (!st.is_ok()) CHECK(st.message().find("SRC/") == 0);
  }
}
