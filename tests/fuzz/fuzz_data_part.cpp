// Fuzz target: a whole data part through PartReader, from memory.
//
// Input container (also written by gen_storage_corpus.cpp): five sections in the order
// metadata.json, metaindex.bin, index.bin, timestamps.bin, values.bin, each as
//   u32 BE length ‖ bytes
// A length beyond the remaining input is clipped; missing sections are empty.
//
// Properties: never crash, hang or over-allocate; every block the reader accepts can be copied
// through PartWriter and read back with identical headers and data; a lossless block that
// decodes re-encodes to the same rows.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/coding.h"
#include "storage/block.h"
#include "storage/part_reader.h"
#include "storage/part_writer.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

void split(ByteView in, ByteView out[5]) {
  for (int i = 0; i < 5; ++i) {
    if (in.size() < 4) {
      out[i] = {};
      in = {};
      continue;
    }
    size_t n = load_u32(in.data());
    in.remove_prefix(4);
    if (n > in.size()) n = in.size();
    out[i] = in.substr(0, n);
    in.remove_prefix(n);
  }
}

bool sorted(const std::vector<int64_t>& v) {
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] < v[i - 1]) return false;
  }
  return true;
}

}  // namespace

static int run_one(const uint8_t* data, size_t size, vmt::metric::Tenancy tenancy) {
  ByteView f[5];
  split(ByteView(reinterpret_cast<const char*>(data), size), f);
  auto ph = PartHeader::decode_json(f[0]);
  if (!ph.is_ok()) return 0;

  // Pass 1: decoded blocks (a decode error of one block does not stop the stream).
  {
    PartReader r;
    if (!r.open_memory(ph.value(), tenancy, f[1], f[2], f[3], f[4], "fuzz").is_ok()) return 0;
    Block b;
    BlockHeader again;
    Bytes ts_data, vs_data;
    std::vector<int64_t> ts2, vs2;
    std::string last_error;
    for (int guard = 0; guard < 1000000; ++guard) {
      bool eof = false;
      Status st = r.next(b, &eof);
      if (eof) {
        (void)r.verify_totals();
        break;
      }
      if (!st.is_ok()) {
        if (st.message() == last_error) break;   // sticky: the stream is over
        last_error = st.message();                // a block's data did not decode: go on
        continue;
      }
      if (b.header.precision_bits == 64 && sorted(b.timestamps)) {
        encode_block(again, ts_data, vs_data, b.timestamps.data(), b.values.data(), b.rows(), b.header.scale, 64);
        if (!decode_block_data(again, ts_data, vs_data, ts2, vs2).is_ok()) __builtin_trap();
        if (ts2 != b.timestamps || vs2 != b.values) __builtin_trap();
      }
    }
  }

  // Pass 2: raw blocks copied through a writer must read back the same.
  PartReader r;
  if (!r.open_memory(ph.value(), tenancy, f[1], f[2], f[3], f[4], "fuzz").is_ok()) return 0;
  InmemoryPart copy;
  PartWriter w;
  w.open_memory(&copy, tenancy, -5);
  w.allow_series_min_backwards();   // the reader accepts what the server's merge writes; so does a copy
  std::vector<BlockHeader> headers;
  std::vector<Bytes> payloads;
  bool eof = false;
  while (true) {
    RawBlock raw;
    if (!r.next_raw(raw, &eof).is_ok()) return 0;
    if (eof) break;
    if (!w.write_raw(raw.header, raw.timestamps_data, raw.values_data).is_ok()) __builtin_trap();
    headers.push_back(raw.header);
    payloads.emplace_back(Bytes(raw.timestamps_data) + "|" + Bytes(raw.values_data));
  }
  if (!w.close(ph->min_dedup_interval).is_ok()) __builtin_trap();
  PartReader back;
  if (!back.open_memory(copy, "copy").is_ok()) __builtin_trap();
  for (size_t i = 0;; ++i) {
    RawBlock raw;
    if (!back.next_raw(raw, &eof).is_ok()) __builtin_trap();
    if (eof) {
      if (i != headers.size()) __builtin_trap();
      break;
    }
    if (i >= headers.size()) __builtin_trap();
    // Offsets are the writer's; everything else is copied.
    BlockHeader want = headers[i];
    want.timestamps_block_offset = raw.header.timestamps_block_offset;
    want.values_block_offset = raw.header.values_block_offset;
    if (!(raw.header == want) || Bytes(raw.timestamps_data) + "|" + Bytes(raw.values_data) != payloads[i]) {
      __builtin_trap();
    }
  }
  if (!back.verify_totals().is_ok()) __builtin_trap();
  return 0;
}

// Every input as a cluster part (89-byte headers, 64-byte metaindex rows) and a single-node one
// (81, 56).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  run_one(data, size, vmt::metric::Tenancy::kCluster);
  return run_one(data, size, vmt::metric::Tenancy::kSingle);
}
