#include "route/node_files.h"

#include <cstdio>

#include "base/fs.h"
#include "route/wire.h"

namespace vmt::route {

const char* format_extension(OutputFormat f) { return f == OutputFormat::wire ? "wire" : "prom"; }

std::string node_base_name(size_t i, const std::string& addr) {
  std::string safe;
  for (char c : addr.substr(0, 100)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    safe.push_back(ok ? c : '_');
  }
  return "node-" + std::to_string(i) + "_" + safe;
}

std::string node_file_name(size_t i, const std::string& addr, OutputFormat f) {
  return node_base_name(i, addr) + "." + format_extension(f);
}

Status NodeFiles::open(const std::string& dir, const std::vector<std::string>& nodes, OutputFormat f, bool clear,
            Compression compress) {
  VMT_TRY(fs::mkdir_p(dir));
  VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(dir));
  std::vector<std::string> others;
  for (const auto& e : entries) {
    const bool ours = !e.is_dir && e.name.rfind("node-", 0) == 0;
    if (ours && clear) {
      VMT_TRY(fs::remove_all(fs::join(dir, e.name)));
    } else {
      others.push_back(e.name);
    }
  }
  if (!others.empty() && !clear) {
    return invalid_argument("--out-dir " + dir + " is not empty (" + others.front() + (others.size() > 1 ? ", ..." : "") +
                            "): files of an earlier run would be imported along with this run's; give an empty "
                            "directory, or --force to remove the node-* files of an earlier run first");
  }
  files_.resize(nodes.size());
  paths_.resize(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    paths_[i] = fs::join(dir, node_file_name(i, nodes[i], f) + compression_suffix(compress));
    files_[i] = std::make_unique<CompressWriter>();
    VMT_TRY(files_[i]->open(paths_[i] + ".tmp", compress));
    if (f == OutputFormat::wire) {
      Bytes hs;
      append_client_handshake(hs);
      VMT_TRY(files_[i]->write(hs));
    }
  }
  return Status::ok();
}

Status NodeFiles::commit() {
  for (auto& f : files_) VMT_TRY(f->close());
  for (const auto& p : paths_) VMT_TRY(fs::rename(p + ".tmp", p));
  files_.clear();
  paths_.clear();
  return Status::ok();
}
void NodeFiles::abort() {
  for (size_t i = 0; i < files_.size(); ++i) {
    files_[i].reset();  // closes without fsync
    (void)::remove((paths_[i] + ".tmp").c_str());
  }
  files_.clear();
  paths_.clear();
}

}  // namespace vmt::route
