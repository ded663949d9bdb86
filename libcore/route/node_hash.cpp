// -storageNode parsing and node hashes. Spec: routing.md §3.1.
#include "route/node_hash.h"

#include <set>

#include "metric/tsid_gen.h"

namespace vmt::route {

uint64_t node_hash(ByteView addr) { return metric::xxhash64(addr); }

namespace {

// strconv.Unquote for the escapes an address could need; anything else leaves the item quoted,
// as Go keeps the raw item when Unquote fails.
bool unquote(const std::string& quoted, std::string* out) {
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"') return false;
  std::string s;
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    char c = quoted[i];
    if (c == '"') return false;
    if (c == '\\') {
      if (i + 2 >= quoted.size()) return false;
      char n = quoted[++i];
      if (n != '"' && n != '\\') return false;
      c = n;
    }
    s.push_back(c);
  }
  *out = std::move(s);
  return true;
}

}  // namespace

std::vector<std::string> split_array_flag(const std::string& value) {
  std::vector<std::string> items;
  if (value.empty()) return items;
  std::string_view s = value;
  for (;;) {
    std::string_view item, tail;
    if (s.empty() || s[0] != '"') {
      size_t n = s.find(',');
      item = n == std::string_view::npos ? s : s.substr(0, n);
      tail = n == std::string_view::npos ? std::string_view() : s.substr(n);
      items.emplace_back(item);
    } else {
      // getNextArrayValue: the closing quote is the first '"' not escaped by an odd number of '\'.
      size_t end = std::string_view::npos;
      for (size_t i = 1; i < s.size(); ++i) {
        if (s[i] != '"') continue;
        size_t bs = 0;
        while (bs < i - 1 && s[i - 1 - bs] == '\\') ++bs;
        if (bs % 2 == 0) {
          end = i + 1;
          break;
        }
      }
      if (end == std::string_view::npos) {  // no closing quote: the rest, as it is
        items.emplace_back(s);
        return items;
      }
      std::string raw(s.substr(0, end)), unq;
      items.push_back(unquote(raw, &unq) ? unq : raw);
      tail = s.substr(end);
    }
    if (tail.empty()) return items;
    if (tail[0] == ',') tail.remove_prefix(1);
    s = tail;
  }
}

Result<std::vector<std::string>> parse_storage_nodes(const std::vector<std::string>& flag_values) {
  std::vector<std::string> nodes;
  for (const auto& v : flag_values) {
    for (auto& item : split_array_flag(v)) nodes.push_back(std::move(item));
  }
  if (nodes.empty()) return invalid_argument("--storage-node: at least one address is needed");
  std::set<std::string> seen;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].empty()) {
      return invalid_argument("--storage-node: address #" + std::to_string(i) + " is empty");
    }
    if (!seen.insert(nodes[i]).second) {
      return invalid_argument("--storage-node: duplicate address \"" + nodes[i] + "\" (vminsert refuses to start)");
    }
  }
  return nodes;
}

}  // namespace vmt::route
