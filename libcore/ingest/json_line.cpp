#include "ingest/json_line.h"

#include <simdjson.h>

#include <cmath>
#include <string>

namespace vmt::ingest {

namespace od = simdjson::ondemand;

struct JsonLineParser::Impl {
  od::parser parser;
  std::string padded;   // the line, with simdjson's padding after it
  Bytes arena;          // unescaped keys and values the row's views point into
  std::vector<std::pair<size_t, size_t>> spans;   // (key off, key len, value off, value len) pairs
};

namespace {

Status fail(const std::string& what) { return invalid_argument(what); }

std::string err_text(simdjson::error_code e) { return simdjson::error_message(e); }

// getSpecialFloat64FromString.
bool special_float(std::string_view s, double* out) {
  bool minus = false;
  if (!s.empty() && s[0] == '-') {
    minus = true;
    s.remove_prefix(1);
  }
  if (s == "infinity" || s == "Infinity" || s == "Inf" || s == "inf") {
    *out = minus ? -INFINITY : INFINITY;
    return true;
  }
  if (s == "null" || s == "Null" || s == "nan" || s == "NaN") {
    *out = std::nan("");
    return true;
  }
  return false;
}

// The `metric` object: its keys and values unescaped into the arena, as (offset, length) spans;
// *name_at: the span of the first __name__ key.
Status read_metric(od::value& v, Bytes& arena, std::vector<std::pair<size_t, size_t>>& spans, size_t* name_at) {
  od::object obj;
  if (v.get_object().get(obj)) return fail("missing `metric` object");
  for (auto tag : obj) {
    std::string_view k, val;
    if (auto e = tag.unescaped_key().get(k)) return fail("cannot unmarshal `metric`: " + err_text(e));
    if (auto e = tag.value().get_string().get(val)) {
      return fail("cannot unmarshal `metric`: value of \"" + std::string(k) + "\": " + err_text(e));
    }
    const size_t ko = arena.size();
    arena.append(k);
    const size_t vo = arena.size();
    arena.append(val);
    if (k == "__name__" && *name_at == SIZE_MAX) *name_at = spans.size();
    spans.emplace_back(ko, k.size());
    spans.emplace_back(vo, val.size());
  }
  return Status::ok();
}

// One element of `values`: a number, null (NaN), or a special float's name.
Status read_value(od::value& x, size_t i, double* f) {
  const auto at = [&] { return "cannot unmarshal value at position " + std::to_string(i) + ": "; };
  od::json_type t;
  if (auto e = x.type().get(t)) return fail(at() + err_text(e));
  if (t == od::json_type::number) {
    // simdjson reads JSON numbers correctly rounded (and refuses what is not one).
    if (auto e = x.get_double().get(*f)) return fail(at() + err_text(e));
  } else if (t == od::json_type::null) {
    *f = std::nan("");
  } else if (t == od::json_type::string) {
    std::string_view s;
    if (x.get_string().get(s) || !special_float(s, f)) return fail(at() + "unsupported string: \"" + std::string(s) + "\"");
  } else {
    return fail(at() + "unsupported value type");
  }
  return Status::ok();
}

Status read_values(od::value& v, std::vector<double>& out) {
  od::array arr;
  if (v.get_array().get(arr)) return fail("missing `values` array");
  size_t i = 0;
  for (auto el : arr) {
    od::value x;
    if (auto e = el.get(x)) return fail("cannot unmarshal value at position " + std::to_string(i) + ": " + err_text(e));
    double f = 0;
    VMT_TRY(read_value(x, i++, &f));
    out.push_back(f);
  }
  return Status::ok();
}

Status read_timestamps(od::value& v, std::vector<int64_t>& out) {
  od::array arr;
  if (v.get_array().get(arr)) return fail("missing `timestamps` array");
  size_t i = 0;
  for (auto el : arr) {
    int64_t t = 0;
    if (auto e = el.get_int64().get(t)) {
      return fail("cannot unmarshal timestamp at position " + std::to_string(i) + ": " + err_text(e));
    }
    out.push_back(t);
    ++i;
  }
  return Status::ok();
}

}  // namespace

JsonLineParser::JsonLineParser() : impl_(std::make_unique<Impl>()) {}
JsonLineParser::~JsonLineParser() = default;

Status JsonLineParser::parse(ByteView line, JsonLine& out) {
  Impl& m = *impl_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  m.padded.assign(line.data(), line.size());
  m.padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
  out.row.tags.clear();
  out.row.metric = ByteView();
  out.values.clear();
  out.timestamps.clear();
  m.arena.clear();
  m.spans.clear();

  od::document doc;
  if (auto e = m.parser.iterate(m.padded.data(), line.size(), m.padded.size()).get(doc)) {
    return fail("cannot parse json line: " + err_text(e));
  }
  od::object top;
  if (auto e = doc.get_object().get(top)) return fail("cannot parse json line: " + err_text(e));

  bool have_metric = false, have_values = false, have_ts = false;
  size_t name_at = SIZE_MAX;
  // Keys in any order; the first of a repeated key wins, as fastjson's Get does.
  for (auto field : top) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return fail("cannot parse json line: " + err_text(e));
    od::value v;
    if (auto e = field.value().get(v)) return fail("cannot parse json line: " + err_text(e));
    if (key == "metric" && !have_metric) {
      have_metric = true;
      VMT_TRY(read_metric(v, m.arena, m.spans, &name_at));
    } else if (key == "values" && !have_values) {
      have_values = true;
      VMT_TRY(read_values(v, out.values));
    } else if (key == "timestamps" && !have_ts) {
      have_ts = true;
      VMT_TRY(read_timestamps(v, out.timestamps));
    }
  }
  // Nothing may follow the object (current_location fails once every token is consumed).
  if (const char* rest = nullptr; !doc.current_location().get(rest)) {
    return fail("cannot parse json line: " + err_text(simdjson::TRAILING_CONTENT));
  }
  if (!have_metric) return fail("missing `metric` object");
  if (m.spans.empty()) return fail("missing tags");
  if (out.values.empty()) return fail("missing `values` array");
  if (out.timestamps.empty()) return fail("missing `timestamps` array");
  if (out.timestamps.size() != out.values.size()) {
    return fail("`timestamps` array size must match `values` array size; got " + std::to_string(out.timestamps.size()) +
                "; want " + std::to_string(out.values.size()));
  }
  if (name_at == SIZE_MAX || m.spans[name_at + 1].second == 0) {
    return fail("missing `__name__` in `metric`: a series needs a name");
  }
  for (size_t i = 0; i < m.spans.size(); i += 2) {
    const ByteView k(m.arena.data() + m.spans[i].first, m.spans[i].second);
    const ByteView v(m.arena.data() + m.spans[i + 1].first, m.spans[i + 1].second);
    if (i == name_at) {
      out.row.metric = v;
    } else {
      out.row.tags.push_back(metric::Label{k, v});
    }
  }
  return Status::ok();
}

}  // namespace vmt::ingest
