#include "query/selector.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "base/hex.h"
#include "base/utf8.h"

namespace vmt::query {

namespace {

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_ascii_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Identifier characters: MetricsQL accepts Unicode letters (unicode.IsLetter); every non-ASCII
// character counts as one here, a superset that only lets through names no series can have.
bool ident_first(unsigned char c) { return is_ascii_letter(c) || c == '_' || c == ':' || c >= 0x80; }
bool ident_next(unsigned char c) { return ident_first(c) || is_digit(c) || c == '.'; }

// The server matches a regexp as a literal prefix plus one of a few fast forms (lib/storage/
// tag_filters.go getOptimizedReMatchFuncExt at v1.93.7): '.*', '.+', 'lit.*', 'lit.+', '.*lit',
// '.+lit', '.*lit.*', '.*lit.+', '.+lit.*', '.+lit.+' after the prefix. Those forms compare bytes,
// so their '.*' and '.+' match newlines, which Go's (and RE2's) '.' does not. A pattern of that
// shape is rewritten with (?s:.*) / (?s:.+) so that it matches what the server matches; any
// other pattern is left to RE2, as the server leaves it to Go's regexp.
std::string server_regexp(const std::string& pat) {
  struct Tok {
    bool dot;      // '.*' or '.+'
    std::string text;
  };
  std::vector<Tok> toks;
  for (size_t i = 0; i < pat.size();) {
    char c = pat[i];
    if (c == '.' && i + 1 < pat.size() && (pat[i + 1] == '*' || pat[i + 1] == '+')) {
      // A quantifier after '.*' ('.*?', '.*+') is no fast form.
      if (i + 2 < pat.size() && (pat[i + 2] == '?' || pat[i + 2] == '*' || pat[i + 2] == '+' || pat[i + 2] == '{')) return pat;
      toks.push_back({true, pat.substr(i, 2)});
      i += 2;
      continue;
    }
    std::string lit;
    if (c == '\\') {
      // Escaped punctuation is a literal; \d, \w, \pL and friends are classes.
      if (i + 1 >= pat.size() || std::isalnum(static_cast<unsigned char>(pat[i + 1]))) return pat;
      lit = pat.substr(i, 2);
      i += 2;
    } else if (std::string_view(".+*?()|[]{}^$").find(c) != std::string_view::npos) {
      return pat;
    } else {
      lit = std::string(1, c);
      ++i;
    }
    // A literal char followed by a quantifier is no literal.
    if (i < pat.size() && (pat[i] == '*' || pat[i] == '+' || pat[i] == '?' || pat[i] == '{')) return pat;
    if (toks.empty() || toks.back().dot) toks.push_back({false, ""});
    toks.back().text += lit;
  }
  // Drop the literal prefix; what remains must be a fast form with at least one dot token.
  size_t k = !toks.empty() && !toks[0].dot ? 1 : 0;
  size_t n = toks.size() - k;
  bool fast = false;
  if (n == 1) fast = toks[k].dot;                                            // .*  .+
  if (n == 2) fast = toks[k].dot != toks[k + 1].dot;                         // lit.* / .*lit
  if (n == 3) fast = toks[k].dot && !toks[k + 1].dot && toks[k + 2].dot;     // .*lit.*
  if (!fast) return pat;
  std::string out;
  for (const auto& t : toks) out += t.dot ? "(?s:" + t.text + ")" : t.text;
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<Selector> parse() {
    Selector sel;
    sel.text = std::string(s_);
    skip_space();
    std::string name;
    bool has_name = false;
    if (pos_ < s_.size() && (ident_first(byte()) || s_[pos_] == '\\')) {
      VMT_ASSIGN_OR_RETURN(name, ident("a metric name"));
      has_name = true;
      skip_space();
    }
    if (pos_ < s_.size() && s_[pos_] == '{') {
      ++pos_;
      VMT_TRY(filters(sel));
    } else if (!has_name) {
      return fail("expected a metric name or '{'");
    }
    skip_space();
    if (pos_ != s_.size()) return fail("unexpected text after the selector (only a series selector is accepted)");
    if (sel.branches.empty()) {
      if (!has_name) return fail("a selector needs a metric name or at least one label filter");
      sel.branches.emplace_back();
    }
    if (has_name) {
      Matcher m;
      m.label = "__name__";
      m.value = name;
      for (auto& b : sel.branches) b.matchers.insert(b.matchers.begin(), m);
    }
    return sel;
  }

 private:
  unsigned char byte() const { return static_cast<unsigned char>(s_[pos_]); }

  Status fail(const std::string& what) const {
    return invalid_argument("selector \"" + std::string(s_) + "\": offset " + std::to_string(pos_) + ": " + what);
  }

  void skip_space() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  // An identifier with MetricsQL's escapes: '\' then \xHH, \uHHHH or any one character.
  Result<std::string> ident(const char* what) {
    std::string out;
    while (pos_ < s_.size()) {
      unsigned char c = byte();
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) return fail(std::string("unfinished escape in ") + what);
        char e = s_[pos_ + 1];
        if ((e == 'x' || e == 'u') && pos_ + 2 < s_.size()) {
          size_t digits = e == 'x' ? 2 : 4;
          uint32_t cp = 0;
          bool ok = pos_ + 2 + digits <= s_.size();
          for (size_t i = 0; ok && i < digits; ++i) {
            int h = hex_value(s_[pos_ + 2 + i]);
            if (h < 0) ok = false;
            cp = cp * 16 + uint32_t(h);
          }
          if (ok) {
            utf8::append(out, cp);
            pos_ += 2 + digits;
            continue;
          }
        }
        const size_t n = utf8::decode_rune(s_.substr(pos_ + 1)).second;   // a character, or one bad byte
        out.append(s_.substr(pos_ + 1, n));
        pos_ += 1 + n;
        continue;
      }
      if (out.empty() ? !ident_first(c) : !ident_next(c)) break;
      const size_t n = utf8::decode_rune(s_.substr(pos_)).second;
      out.append(s_.substr(pos_, n));
      pos_ += n;
    }
    if (out.empty()) return fail(std::string("expected ") + what);
    return out;
  }

  bool keyword_or() {
    if (s_.compare(pos_, 2, "or") != 0) return false;
    size_t after = pos_ + 2;
    if (after < s_.size() && ident_next(static_cast<unsigned char>(s_[after]))) return false;
    pos_ = after;
    return true;
  }

  Status filters(Selector& sel) {
    sel.branches.emplace_back();
    for (;;) {
      skip_space();
      if (pos_ >= s_.size()) return fail("missing '}'");
      if (s_[pos_] == '}') {
        ++pos_;
        break;
      }
      if (!sel.branches.back().matchers.empty() && keyword_or()) {
        sel.branches.emplace_back();
        continue;
      }
      Matcher m;
      size_t at = pos_;
      VMT_ASSIGN_OR_RETURN(m.label, ident("a label name"));
      skip_space();
      if (s_.compare(pos_, 2, "=~") == 0) {
        m.op = Matcher::kRe, pos_ += 2;
      } else if (s_.compare(pos_, 2, "!~") == 0) {
        m.op = Matcher::kNre, pos_ += 2;
      } else if (s_.compare(pos_, 2, "!=") == 0) {
        m.op = Matcher::kNeq, pos_ += 2;
      } else if (pos_ < s_.size() && s_[pos_] == '=') {
        m.op = Matcher::kEq, pos_ += 1;
      } else {
        return fail("expected one of = != =~ !~ after label \"" + m.label + "\"");
      }
      skip_space();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'' && s_[pos_] != '`')) {
        return fail("expected a quoted string");
      }
      size_t qpos = pos_;
      auto v = unquote_go(s_, &pos_);
      if (!v.is_ok()) {
        pos_ = qpos;
        return fail(v.status().message());
      }
      m.value = std::move(*v);
      if (m.op == Matcher::kRe || m.op == Matcher::kNre) {
        RE2::Options opt;
        opt.set_log_errors(false);
        // Go's regexp: UTF-8, '.' without newline, leftmost-first; anchored at both ends by FullMatch.
        // The server rewrites l!~".*" to l!~".+" (tag_filters.go Add): series without l match.
        std::string pat = m.op == Matcher::kNre && m.value == ".*" ? ".+" : m.value;
        RE2 check(pat, opt);
        if (!check.ok()) {
          pos_ = at;
          return fail("invalid regexp \"" + m.value + "\": " + check.error());
        }
        auto re = std::make_shared<RE2>(server_regexp(pat), opt);
        m.re = std::move(re);
      }
      sel.branches.back().matchers.push_back(std::move(m));
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
      } else if (pos_ < s_.size() && s_[pos_] != '}' && !(s_.compare(pos_, 2, "or") == 0)) {
        return fail("expected ',' or '}'");
      }
    }
    // An `or` with nothing after it (`{a="b" or}`) leaves an empty branch: refused like the server.
    for (const auto& b : sel.branches) {
      if (b.matchers.empty() && sel.branches.size() > 1) return fail("empty `or` branch");
    }
    if (sel.branches.size() == 1 && sel.branches[0].matchers.empty()) sel.branches.clear();
    return Status::ok();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

void append_quoted(std::string& out, const std::string& v) {
  out.push_back('"');
  for (char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace

bool Matcher::positive_matches(std::string_view v) const {
  if (op == kEq || op == kNeq) return v == value;
  return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re);
}

bool Matcher::matches(std::string_view v) const { return positive_matches(v) != negative(); }

std::string Matcher::to_string() const {
  static const char* ops[] = {"=", "!=", "=~", "!~"};
  std::string out = label + ops[op];
  append_quoted(out, value);
  return out;
}

bool Conjunction::matches(const metric::MetricName& mn) const {
  if (matchers.empty()) return !mn.metric_group.empty();  // {__name__!=""}
  for (const auto& m : matchers) {
    std::string_view v;
    if (m.is_name()) {
      v = mn.metric_group;
    } else {
      for (const auto& t : mn.tags) {
        if (t.key == m.label) {
          v = t.value;
          break;
        }
      }
    }
    if (!m.matches(v)) return false;
  }
  return true;
}

bool Selector::matches(const metric::MetricName& mn) const {
  for (const auto& b : branches) {
    if (b.matches(mn)) return true;
  }
  return false;
}

Result<Selector> parse_selector(std::string_view text) { return Parser(text).parse(); }

bool matches_any(const std::vector<Selector>& sels, const metric::MetricName& mn) {
  if (sels.empty()) return true;
  for (const auto& s : sels) {
    if (s.matches(mn)) return true;
  }
  return false;
}

}  // namespace vmt::query
