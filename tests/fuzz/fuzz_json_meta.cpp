// Fuzz target: the JSON files of a data directory: data and table parts.json, a data part's and a
// mergeset part's metadata.json, and the reader under them all (base/go_json).
// Properties:
//   - never crash or throw; whatever decodes re-encodes and decodes to the same value;
//   - go_json accepts exactly what Go's encoding/json accepts. Go is not here, so it is checked
//     against what Go's grammar shares with nlohmann/json's strict parser: the two must agree on
//     every input that avoids their known differences (Go refuses a BOM, which nlohmann skips, and
//     a NUL, where nlohmann stops; Go takes invalid UTF-8 and unpaired surrogate escapes in
//     strings, which nlohmann refuses; nlohmann refuses numbers past a double's range; Go stops at
//     depth 10000). Those differences are checked
//     directly: a BOM or NUL is always refused, and every unquoted string is valid UTF-8.
//     tests/fixtures/go-json/cases.tsv holds Go's own verdicts on 793 inputs (a unit test).
#include <cstdint>
#include <nlohmann/json.hpp>

#include "base/go_json.h"
#include "layout/parts_json.h"
#include "mergeset/part_header.h"
#include "storage/part_header.h"

namespace {

bool valid_utf8(vmt::ByteView s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      unsigned char lo = 0x80, hi = 0xBF;
      if (k == 1 && c == 0xE0) lo = 0xA0;
      if (k == 1 && c == 0xED) hi = 0x9F;
      if (k == 1 && c == 0xF0) lo = 0x90;
      if (k == 1 && c == 0xF4) hi = 0x8F;
      if (cc < lo || cc > hi) return false;
    }
    i += n;
  }
  return true;
}

bool has_surrogate_escape(vmt::ByteView s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] == '\\' && s[i + 1] == 'u' && (s[i + 2] == 'd' || s[i + 2] == 'D')) return true;
  }
  return false;
}

void check_strings(const vmt::go_json::Value& v) {
  if (!valid_utf8(v.text)) __builtin_trap();
  for (const auto& m : v.members) {
    if (!valid_utf8(m.key)) __builtin_trap();
    check_strings(m.value);
  }
  for (const auto& e : v.elements) check_strings(e);
}

// nlohmann's verdict, or -1 where its grammar is not Go's: it refuses numbers that overflow a
// double ("1e400", error 406), which Go's scanner accepts.
struct Acceptor {
  using json = nlohmann::json;
  bool overflow = false;
  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const std::string&) { return true; }
  bool string(std::string&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) { return true; }
  bool end_object() { return true; }
  bool start_array(std::size_t) { return true; }
  bool end_array() { return true; }
  bool key(std::string&) { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    overflow = e.id == 406;
    return false;
  }
};

int nlohmann_accepts(vmt::ByteView in) {
  Acceptor a;
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(in.begin(), in.end(), &a);
  } catch (const std::exception&) {
    return -1;
  }
  return a.overflow ? -1 : ok ? 1 : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmt::ByteView in(reinterpret_cast<const char*>(data), size);

  auto doc = vmt::go_json::parse(in);
  if (doc.is_ok()) check_strings(*doc);
  const bool bom = in.substr(0, 3) == "\xEF\xBB\xBF";
  const bool nul = in.find('\0') != vmt::ByteView::npos;
  if ((bom || nul) && doc.is_ok()) __builtin_trap();
  if (!bom && !nul && size < 10000 && valid_utf8(in) && !has_surrogate_escape(in)) {
    const int theirs = nlohmann_accepts(in);
    if (theirs >= 0 && doc.is_ok() != (theirs == 1)) __builtin_trap();
  }

  if (auto d = vmt::layout::DataPartsJson::decode(in); d.is_ok()) {
    auto again = vmt::layout::DataPartsJson::decode(d->encode());
    if (!again.is_ok()) __builtin_trap();
  }
  if (auto t = vmt::layout::TablePartsJson::decode(in); t.is_ok()) {
    auto again = vmt::layout::TablePartsJson::decode(t->encode());
    if (!again.is_ok()) __builtin_trap();
  }
  if (auto ph = vmt::storage::PartHeader::decode_json(in); ph.is_ok()) {
    auto again = vmt::storage::PartHeader::decode_json(ph->to_json());
    if (!again.is_ok() || !(*again == *ph)) __builtin_trap();
  }
  if (auto mh = vmt::mergeset::PartHeader::from_json(in); mh.is_ok()) {
    auto again = vmt::mergeset::PartHeader::from_json(mh->to_json());
    if (!again.is_ok() || !(*again == *mh)) __builtin_trap();
  }
  return 0;
}
