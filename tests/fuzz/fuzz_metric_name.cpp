// Fuzz target: arbitrary bytes as a canonical and as a raw MetricName.
// Invariants: no crash; a canonical name that decodes re-encodes to bytes that decode to the same
// name, and to the very same bytes when the input has no raw 0x02 (the only byte esc() would
// escape that the decoder also accepts unescaped); a raw name that decodes canonicalises (by
// MetricName and by RawCanonicalizer, to the same bytes; one fails where the other does) and
// round-trips through the canonical form, and re-marshalled under limits it canonicalises from its
// labels (RawCanonicalizer::append_labels) as from those raw bytes; the series element written
// straight from canonical bytes (ops::append_labels_json) succeeds exactly when decoding does and
// equals quoting the decoded labels one by one.
#include <cstdint>
#include <cstring>

#include "metric/metric_name.h"
#include "metric/tsid_gen.h"
#include "ops/format.h"

using namespace vmt;
using vmt::metric::MetricName;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(reinterpret_cast<const char*>(data), size);

  for (auto t : {vmt::metric::Tenancy::kCluster, vmt::metric::Tenancy::kSingle}) {
    auto canonical = MetricName::decode_canonical(in, t);
    if (canonical.is_ok()) {
      Bytes again;
      canonical->encode_canonical(again, t);
      auto back = MetricName::decode_canonical(again, t);
      if (!back.is_ok() || !(*back == *canonical)) __builtin_trap();
      if (std::memchr(in.data(), 0x02, in.size()) == nullptr && again != in) __builtin_trap();
    }
    Bytes labels = "{";
    const bool rendered = vmt::ops::append_labels_json(labels, in, t).is_ok();
    if (rendered != canonical.is_ok()) __builtin_trap();
    if (!rendered && labels != "{") __builtin_trap();
    if (rendered) {
      Bytes want = "{";
      for (const auto& [k, v] : canonical->labels_for_export()) {
        if (want.size() > 1) want += ",";
        append_json_string(want, k);
        want += ":";
        append_json_string(want, v);
      }
      if (labels != want) __builtin_trap();
    }
  }

  auto raw = MetricName::decode_raw(in);
  {
    metric::RawCanonicalizer one_pass;
    Bytes out;
    if (one_pass.append(in, vmt::metric::Tenancy::kSingle, out).is_ok() != raw.is_ok()) __builtin_trap();
  }
  if (raw.is_ok()) {
    MetricName mn = *raw;
    mn.sort_tags();
    for (size_t i = 1; i < mn.tags.size(); ++i) {
      if (metric::tag_sort_key(mn.tags[i].key) < metric::tag_sort_key(mn.tags[i - 1].key)) __builtin_trap();
      if (mn.tags[i].key == mn.tags[i - 1].key) __builtin_trap();
    }
    Bytes enc;
    mn.encode_canonical(enc, vmt::metric::Tenancy::kCluster);
    // The one-pass canonicaliser of the import's parser threads gives the same bytes.
    metric::RawCanonicalizer one_pass;
    Bytes fast;
    if (!one_pass.append(in, vmt::metric::Tenancy::kCluster, fast).is_ok() || fast != enc) __builtin_trap();
    auto back = MetricName::decode_canonical(enc, vmt::metric::Tenancy::kCluster);
    if (!back.is_ok() || !(*back == mn)) __builtin_trap();
    (void)metric::generate_tsid(mn, 1);
    // Re-marshal the raw labels: the limits must hold for the output.
    std::vector<metric::Label> labels = {{"", raw->metric_group}};
    for (const auto& t : raw->tags) labels.push_back({t.key, t.value});
    Bytes re;
    metric::RawLimits lim;
    lim.max_labels = 5;
    lim.max_value_len = 7;
    std::vector<metric::Label> same = labels;
    metric::encode_raw(re, raw->account_id, raw->project_id, labels, lim, nullptr);
    // Straight from the labels, the canonical name is that of the raw bytes just written.
    {
      metric::RawCanonicalizer from_raw, from_labels;
      Bytes want, got;
      if (!from_raw.append(re, vmt::metric::Tenancy::kCluster, want).is_ok()) __builtin_trap();
      const size_t n = metric::apply_raw_limits(same, lim, nullptr);
      from_labels.append_labels(raw->account_id, raw->project_id, std::span<const metric::Label>(same.data(), n),
                                vmt::metric::Tenancy::kCluster, got);
      if (got != want) __builtin_trap();
    }
    auto re_mn = MetricName::decode_raw(re);
    if (!re_mn.is_ok() || re_mn->tags.size() > 5) __builtin_trap();
    for (const auto& t : re_mn->tags) {
      if (t.value.size() > 7 || t.key.size() > 256 || t.value.empty()) __builtin_trap();
    }
  }
  return 0;
}
