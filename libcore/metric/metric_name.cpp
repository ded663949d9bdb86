// MetricName: escaping, canonical marshal/unmarshal, canonical tag order.
// Spec: metricname-tsid.md §4. Raw names live in metric_name_raw.cpp.
#include "metric/metric_name.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>

namespace vmt::metric {

namespace {

// The offset of the first byte of s at or after `from` that escape_append escapes (0x00-0x02), or
// s.size(). 16 bytes a step (SSE2, every x86-64): names and label values rarely hold one, and
// this scan was most of escape_append's time, which every new series and index item pays.
inline size_t find_escaped(ByteView s, size_t from) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i two = _mm_set1_epi8(2);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // min(v, 2) == v exactly for the bytes <= 2 (unsigned).
    const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, two), v));
    if (mask != 0) return i + size_t(__builtin_ctz(unsigned(mask)));
  }
#endif
  for (; i < s.size(); ++i) {
    if (byte_at(s, i) <= 2) return i;
  }
  return s.size();
}

}  // namespace

void escape_append(Bytes& out, ByteView s) {
  size_t start = 0;
  for (size_t i = find_escaped(s, 0); i < s.size(); i = find_escaped(s, start)) {
    out.append(s.data() + start, i - start);
    out.push_back(kEscapeChar);
    out.push_back(static_cast<char>('0' + byte_at(s, i)));
    start = i + 1;
  }
  out.append(s.data() + start, s.size() - start);
  out.push_back(kTagSeparatorChar);
}

Result<ByteView> unescape(ByteReader& in, Bytes& scratch, const char* field) {
  ByteView rest = in.rest();
  // Labels are short: one pass to the end (0x01) that also finds any escape (0x00) beats two
  // memchr calls.
  size_t plain = 0;
  while (plain < rest.size() && static_cast<unsigned char>(rest[plain]) > 1) ++plain;
  if (plain < rest.size() && rest[plain] == kTagSeparatorChar) {
    VMT_TRY(in.skip(plain + 1, field));
    return rest.substr(0, plain);
  }
  const void* end = std::memchr(rest.data(), kTagSeparatorChar, rest.size());
  if (end == nullptr) {
    return in.error_here(Code::corruption, std::string("cannot unmarshal ") + field +
                                               ": cannot find the end of tag value (0x01) in " +
                                               std::to_string(rest.size()) + " bytes");
  }
  size_t n = static_cast<size_t>(static_cast<const char*>(end) - rest.data());
  ByteView span = rest.substr(0, n);
  if (std::memchr(span.data(), kEscapeChar, span.size()) == nullptr) {
    VMT_TRY(in.skip(n + 1, field));
    return span;
  }
  scratch.clear();
  for (size_t i = 0; i < n; ++i) {
    char c = span[i];
    if (c != kEscapeChar) {
      scratch.push_back(c);
      continue;
    }
    if (i + 1 >= n) {
      return Status(Code::corruption, "offset " + std::to_string(in.offset() + i) +
                                          ": cannot unmarshal " + field + ": missing escaped char");
    }
    char e = span[++i];
    if (e < '0' || e > '2') {
      return Status(Code::corruption, "offset " + std::to_string(in.offset() + i) +
                                          ": cannot unmarshal " + field +
                                          ": unsupported escaped char 0x" +
                                          "0123456789abcdef"[byte_at(span, i) >> 4] +
                                          "0123456789abcdef"[byte_at(span, i) & 15]);
    }
    scratch.push_back(static_cast<char>(e - '0'));
  }
  VMT_TRY(in.skip(n + 1, field));
  return ByteView(scratch);
}

void MetricName::reset() {
  account_id = 0;
  project_id = 0;
  metric_group.clear();
  tags.clear();
}

void MetricName::add_tag(ByteView key, ByteView value) {
  if (key == "__name__") {
    metric_group.append(value);  // AddTagBytes appends, it does not replace
    return;
  }
  tags.push_back(Tag{Bytes(key), Bytes(value)});
}

namespace {

struct CommonKey {
  ByteView name;
  ByteView code;
};

// commonTagKeys. Do not change: the codes decide the order of every stored MetricName.
constexpr std::array<CommonKey, 24> kCommonKeys = {{
    // job-like: \x00\x00..
    {"namespace", ByteView("\x00\x00\x00", 3)},
    {"ns", ByteView("\x00\x00\x01", 3)},
    {"datacenter", ByteView("\x00\x00\x08", 3)},
    {"dc", ByteView("\x00\x00\x09", 3)},
    {"environment", ByteView("\x00\x00\x0c", 3)},
    {"env", ByteView("\x00\x00\x0d", 3)},
    {"cluster", ByteView("\x00\x00\x10", 3)},
    {"service", ByteView("\x00\x00\x18", 3)},
    {"job", ByteView("\x00\x00\x20", 3)},
    {"model", ByteView("\x00\x00\x28", 3)},
    {"type", ByteView("\x00\x00\x30", 3)},
    {"sensor_type", ByteView("\x00\x00\x38", 3)},
    {"SensorType", ByteView("\x00\x00\x38", 3)},
    {"db", ByteView("\x00\x00\x40", 3)},
    // instance-like: \x00\x01..
    {"instance", ByteView("\x00\x01\x00", 3)},
    {"host", ByteView("\x00\x01\x08", 3)},
    {"server", ByteView("\x00\x01\x10", 3)},
    {"pod", ByteView("\x00\x01\x18", 3)},
    {"node", ByteView("\x00\x01\x20", 3)},
    {"device", ByteView("\x00\x01\x28", 3)},
    {"tenant", ByteView("\x00\x01\x30", 3)},
    {"client", ByteView("\x00\x01\x38", 3)},
    {"name", ByteView("\x00\x01\x40", 3)},
    {"measurement", ByteView("\x00\x01\x48", 3)},
}};

// Go builds the map from each name k and strings.ToUpper(k[:1]) + k[1:], so "Job", "Instance",
// "Sensor_type" (and "SensorType" twice) all map to the same code.
bool matches(ByteView key, ByteView name) {
  if (key.size() != name.size() || key.empty()) return false;
  char first = name[0];
  char upper = (first >= 'a' && first <= 'z') ? static_cast<char>(first - 'a' + 'A') : first;
  if (key[0] != first && key[0] != upper) return false;
  return key.substr(1) == name.substr(1);
}

}  // namespace

ByteView tag_sort_key(ByteView key) {
  if (key.size() < 2 || key.size() > 11) return key;  // "ns".."measurement"
  for (const CommonKey& ck : kCommonKeys) {
    if (matches(key, ck.name)) return ck.code;
  }
  return key;
}

void MetricName::sort_tags() {
  if (tags.empty()) return;
  struct Entry {
    ByteView sort_key;
    size_t index;
  };
  std::vector<Entry> order;
  order.reserve(tags.size());
  for (size_t i = 0; i < tags.size(); ++i) order.push_back(Entry{tag_sort_key(tags[i].key), i});
  std::stable_sort(order.begin(), order.end(),
                   [](const Entry& a, const Entry& b) { return a.sort_key < b.sort_key; });
  // Dedup on the ORIGINAL keys: a tag whose key equals the previously kept one replaces it, so the
  // last occurrence in input order wins (the sort is stable).
  std::vector<Tag> sorted;
  sorted.reserve(tags.size());
  for (const Entry& e : order) {
    Tag& t = tags[e.index];
    if (!sorted.empty() && sorted.back().key == t.key) {
      sorted.back() = std::move(t);
    } else {
      sorted.push_back(std::move(t));
    }
  }
  tags = std::move(sorted);
}

void MetricName::encode_canonical(Bytes& out, Tenancy t) const {
  if (t == Tenancy::kCluster) {
    put_u32(out, account_id);
    put_u32(out, project_id);
  }
  escape_append(out, metric_group);
  for (const Tag& t : tags) {
    escape_append(out, t.key);
    escape_append(out, t.value);
  }
}

Result<MetricName> MetricName::decode_canonical(ByteView src, Tenancy t) {
  MetricName mn;
  VMT_TRY(decode_canonical_into(src, t, mn));
  return mn;
}

Status MetricName::decode_canonical_into(ByteView src, Tenancy t, MetricName& mn) {
  mn.account_id = mn.project_id = 0;
  if (t == Tenancy::kCluster && src.size() >= 8) {
    mn.account_id = load_u32(src.data());
    mn.project_id = load_u32(src.data() + 4);
  }
  size_t n = 0;  // tags decoded; the strings of mn.tags[n..] are reused
  VMT_TRY(walk_canonical(
      src, t, [&](ByteView group) { mn.metric_group.assign(group); },
      [&](ByteView key, ByteView value) {
        if (n == mn.tags.size()) mn.tags.emplace_back();
        mn.tags[n].key.assign(key);
        mn.tags[n].value.assign(value);
        ++n;
      }));
  mn.tags.resize(n);
  return Status::ok();
}

std::vector<std::pair<std::string, std::string>> MetricName::labels_for_export() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(tags.size() + 1);
  if (!metric_group.empty()) out.emplace_back("__name__", metric_group);
  for (const Tag& t : tags) out.emplace_back(t.key, t.value);
  return out;
}

}  // namespace vmt::metric
