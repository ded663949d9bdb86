// Helpers shared by the mergeset unit tests (not part of libcore's API).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "../../tests/test_support.h"
#include "base/fs.h"
#include "base/hex.h"
#include "mergeset/items.h"
#include "mergeset/part_reader.h"
#include "mergeset/part_writer.h"

namespace vmt::mergeset::testutil {

// mergeset.md §12 / indexdb.md §9: the 18 items of one series, tenant 42:7, in sorted order.
inline std::vector<Bytes> worked_example_items() {
  static const char* kHex[] = {
      "010000002a0000000701687474705f72657175657374735f746f74616c011789abcd00000001",
      "010000002a00000007696e7374616e63650168313a39313030011789abcd00000001",
      "010000002a000000076a6f6201617069011789abcd00000001",
      "010000002a0000000770617468012f78011789abcd00000001",
      "010000002a00000007fe13687474705f72657175657374735f746f74616c696e7374616e63650168313a39313030011789abcd00000001",
      "010000002a00000007fe13687474705f72657175657374735f746f74616c6a6f6201617069011789abcd00000001",
      "010000002a00000007fe13687474705f72657175657374735f746f74616c70617468012f78011789abcd00000001",
      "020000002a000000071789abcd000000010000002a00000007a20bcc1fd95ad8621f5ff62f0257b7901789abcd00000001",
      "030000002a000000071789abcd000000010000002a00000007687474705f72657175657374735f746f74616c016a6f620161706901696e7374616e63650168313a393130300170617468012f7801",
      "050000002a000000070000000000004cce1789abcd00000001",
      "060000002a000000070000000000004cce01687474705f72657175657374735f746f74616c011789abcd00000001",
      "060000002a000000070000000000004cce696e7374616e63650168313a39313030011789abcd00000001",
      "060000002a000000070000000000004cce6a6f6201617069011789abcd00000001",
      "060000002a000000070000000000004cce70617468012f78011789abcd00000001",
      "060000002a000000070000000000004ccefe13687474705f72657175657374735f746f74616c696e7374616e63650168313a39313030011789abcd00000001",
      "060000002a000000070000000000004ccefe13687474705f72657175657374735f746f74616c6a6f6201617069011789abcd00000001",
      "060000002a000000070000000000004ccefe13687474705f72657175657374735f746f74616c70617468012f78011789abcd00000001",
      "070000000000004cce0000002a00000007687474705f72657175657374735f746f74616c016a6f620161706901696e7374616e63650168313a393130300170617468012f7801020000002a00000007a20bcc1fd95ad8621f5ff62f0257b7901789abcd00000001",
  };
  std::vector<Bytes> out;
  for (const char* h : kHex) out.push_back(*from_hex(h));
  return out;
}

inline Bytes unhex(ByteView h) {
  Bytes clean;
  for (char c : h) if (c != ' ' && c != '\n') clean.push_back(c);
  return *from_hex(clean);
}

// Writes items into an in-memory part.
inline Result<PartFiles> write_part(const std::vector<Bytes>& items, PartWriterOptions opt = {}) {
  PartWriter w;
  w.open_in_memory(std::move(opt));
  for (const auto& it : items) VMT_TRY(w.add(it));
  VMT_TRY(w.close());
  return w.take_files();
}

// Every item of a part, by a full scan.
inline Result<std::vector<Bytes>> read_all(PartReader& r) {
  std::vector<Bytes> out;
  VMT_TRY(r.seek_to_first());
  while (r.valid()) {
    out.emplace_back(r.item());
    VMT_TRY(r.next());
  }
  return out;
}

// Every indexdb part directory of the fixtures: <...>/indexdb/<generation>/<part>/metadata.json.
inline std::vector<std::string> fixture_part_dirs() {
  std::vector<std::string> out;
  std::vector<std::string> stack{vmt::test::fixtures_dir()};
  while (!stack.empty()) {
    std::string d = stack.back();
    stack.pop_back();
    auto entries = fs::list_dir(d);
    if (!entries.is_ok()) continue;
    for (const auto& e : *entries) {
      if (!e.is_dir) continue;
      std::string p = fs::join(d, e.name);
      if (fs::base_name(fs::dir_name(fs::dir_name(p))) == "indexdb" && fs::is_file(fs::join(p, "metadata.json"))) {
        out.push_back(p);
      } else {
        stack.push_back(p);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Generation directories (mergeset tables) of the fixtures: <...>/indexdb/<generation>.
inline std::vector<std::string> fixture_table_dirs() {
  std::vector<std::string> out;
  std::vector<std::string> stack{vmt::test::fixtures_dir()};
  while (!stack.empty()) {
    std::string d = stack.back();
    stack.pop_back();
    auto entries = fs::list_dir(d);
    if (!entries.is_ok()) continue;
    for (const auto& e : *entries) {
      if (!e.is_dir) continue;
      std::string p = fs::join(d, e.name);
      if (e.name == "indexdb") {
        auto gens = fs::list_dir(p);
        if (!gens.is_ok()) continue;
        for (const auto& g : *gens) if (g.is_dir) out.push_back(fs::join(p, g.name));
      } else {
        stack.push_back(p);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline PartFiles read_part_files(const std::string& dir) {
  PartFiles pf;
  for (int i = 0; i < kPartFileCount; ++i) {
    auto b = fs::read_file(fs::join(dir, part_file_name(PartFile(i))), 1 << 30);
    if (b.is_ok()) pf.file(PartFile(i)) = std::move(b).value();
  }
  return pf;
}

inline Status write_part_files(const std::string& dir, const PartFiles& pf) {
  VMT_TRY(fs::mkdir_p(dir));
  for (int i = 0; i < kPartFileCount; ++i) {
    VMT_TRY(fs::write_file_sync(fs::join(dir, part_file_name(PartFile(i))), pf.file(PartFile(i))));
  }
  return Status::ok();
}

// Deterministic pseudo-random bytes (xorshift), for incompressible items.
struct Rng {
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  Bytes bytes(size_t n) {
    Bytes b(n, '\0');
    for (auto& c : b) c = char(next());
    return b;
  }
};

}  // namespace vmt::mergeset::testutil
