#include "mergeset/part_files.h"

namespace vmt::mergeset {

const char* part_file_name(PartFile f) {
  switch (f) {
    case PartFile::metadata: return "metadata.json";
    case PartFile::metaindex: return "metaindex.bin";
    case PartFile::index: return "index.bin";
    case PartFile::items: return "items.bin";
    case PartFile::lens: return "lens.bin";
  }
  return "?";
}

Bytes& PartFiles::file(PartFile f) {
  switch (f) {
    case PartFile::metadata: return metadata_json;
    case PartFile::metaindex: return metaindex;
    case PartFile::index: return index;
    case PartFile::items: return items;
    case PartFile::lens: break;
  }
  return lens;
}

const Bytes& PartFiles::file(PartFile f) const { return const_cast<PartFiles*>(this)->file(f); }

Bytes PartFiles::pack() const {
  Bytes out;
  for (int i = 0; i < kPartFileCount; ++i) {
    const Bytes& b = file(PartFile(i));
    put_u32(out, uint32_t(b.size()));
    out += b;
  }
  return out;
}

PartFiles PartFiles::unpack(ByteView bundle) {
  PartFiles pf;
  size_t pos = 0;
  for (int i = 0; i < kPartFileCount && bundle.size() - pos >= 4; ++i) {
    uint64_t len = load_u32(bundle.data() + pos);
    pos += 4;
    if (len > bundle.size() - pos) len = bundle.size() - pos;
    pf.file(PartFile(i)).assign(bundle.data() + pos, size_t(len));
    pos += size_t(len);
  }
  return pf;
}

}  // namespace vmt::mergeset
