// tsdb-route's output: one file per node, named after its index and address, written under a
// temporary name and renamed when the whole run succeeded (a failed run leaves no node file).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/compress_writer.h"
#include "base/status.h"
#include "route/block_router.h"

namespace vmt::route {

const char* format_extension(OutputFormat f);  // "prom", "wire"

// The output file name of node i: "node-<i>_<address>.<ext>", every byte of the address outside
// [A-Za-z0-9.-] replaced by '_' and the address cut to 100 bytes. The index keeps names unique.
std::string node_file_name(size_t i, const std::string& addr, OutputFormat f);
// The same without the extension (the node directories of tsdb-route --from-storage).
std::string node_base_name(size_t i, const std::string& addr);

// One output file per node, written as <name>.tmp and renamed by commit(); abort() removes them.
class NodeFiles {
 public:
  ~NodeFiles() { abort(); }

  // Refuses a directory holding anything but (with clear, which removes them) our node-* files;
  // wire files start with the client handshake.
  Status open(const std::string& dir, const std::vector<std::string>& nodes, OutputFormat f, bool clear,
              Compression compress);
  Status write(size_t i, ByteView data) { return data.empty() ? Status::ok() : files_[i]->write(data); }
  uint64_t bytes(size_t i) const { return files_[i]->bytes_written(); }
  const std::string& path(size_t i) const { return paths_[i]; }
  size_t size() const { return files_.size(); }

  Status commit();
  void abort();

 private:
  std::vector<std::unique_ptr<CompressWriter>> files_;
  std::vector<std::string> paths_;
};

}  // namespace vmt::route
