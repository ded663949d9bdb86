#include "base/go_json.h"

#include <charconv>
#include <cstdio>

#include "base/hex.h"
#include "base/utf8.h"

namespace vmt::go_json {

namespace {

constexpr size_t kMaxDepth = 10000;  // encoding/json's maxNestingDepth

// Go's quoteChar: how a byte is shown in "invalid character ..." messages. The byte is taken as
// the rune of the same number (0xEF shows as 'ï') and quoted like strconv.Quote.
std::string quote_char(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  char buf[16];
  switch (c) {
    case '\a': return "'\\a'";
    case '\b': return "'\\b'";
    case '\f': return "'\\f'";
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    case '\t': return "'\\t'";
    case '\v': return "'\\v'";
    case '\\': return "'\\\\'";
    default: break;
  }
  if (c < 0x20 || c == 0x7F) {
    std::snprintf(buf, sizeof buf, "'\\x%02x'", c);
    return buf;
  }
  if (c < 0x80) return std::string("'") + char(c) + "'";
  if (c < 0xA1 || c == 0xAD) {  // C1 controls, NBSP and soft hyphen are not printable in Go
    std::snprintf(buf, sizeof buf, "'\\u%04x'", c);
    return buf;
  }
  return std::string("'") + char(0xC0 | (c >> 6)) + char(0x80 | (c & 0x3F)) + "'";
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Scanner {
 public:
  explicit Scanner(ByteView in) : in_(in) {}

  Result<Value> run() {
    Value top;
    // Open containers: their bracket, and where their kept contents go (null past kKeptDepth).
    std::vector<std::pair<char, Value*>> stack;
    std::string key;   // the key of the member about to be read, when its object is kept
    skip_space();
    for (bool want_value = true;;) {
      if (want_value) {
        if (at_end()) return eof();
        const char c = in_[pos_];
        Value* slot = place(top, stack, key);
        if (c == '{' || c == '[') {
          if (stack.size() >= kMaxDepth) return invalid("exceeded max depth");
          if (slot) slot->kind = c == '{' ? Kind::object : Kind::array;
          stack.emplace_back(c, stack.size() < kKeptDepth ? slot : nullptr);
          ++pos_;
          skip_space();
          if (at_end()) return eof();
          if (in_[pos_] == (c == '{' ? '}' : ']')) {
            ++pos_;
            stack.pop_back();
            want_value = false;
          } else if (c == '{') {
            VMT_TRY(read_key(stack.back().second ? &key : nullptr));
          }
        } else {
          VMT_TRY(read_scalar(slot));
          want_value = false;
        }
        skip_space();
        continue;
      }
      if (stack.empty()) {
        if (!at_end()) return invalid("after top-level value");
        return top;
      }
      if (at_end()) return eof();
      const char c = in_[pos_];
      const bool in_object = stack.back().first == '{';
      if (c == ',') {
        ++pos_;
        skip_space();
        if (in_object) VMT_TRY(read_key(stack.back().second ? &key : nullptr));
        want_value = true;
      } else if (c == (in_object ? '}' : ']')) {
        ++pos_;
        stack.pop_back();
        skip_space();
      } else {
        return invalid(in_object ? "after object key:value pair" : "after array element");
      }
    }
  }

 private:
  bool at_end() const { return pos_ >= in_.size(); }
  void skip_space() {
    while (!at_end() && is_space(in_[pos_])) ++pos_;
  }
  Status eof() const { return corruption("unexpected end of JSON input"); }
  // Go's scanner ends the input by feeding it one ' ': inside a literal, a number or an escape
  // that is the error it reports, rather than "unexpected end".
  Status eof_as_space(const std::string& context) const {
    return corruption("invalid character ' ' " + context + " at offset " + std::to_string(pos_));
  }
  Status invalid(const std::string& context) const {
    return corruption("invalid character " + quote_char(static_cast<unsigned char>(in_[pos_])) + " " +
                      context + " at offset " + std::to_string(pos_));
  }

  // Where the next value goes: the top, a new member or element of a kept container, or nowhere.
  // The returned pointer stays valid while the value is open: its container gains no other child
  // until it is closed.
  static Value* place(Value& top, std::vector<std::pair<char, Value*>>& stack, std::string& key) {
    if (stack.empty()) return &top;
    Value* parent = stack.back().second;
    if (!parent) return nullptr;
    if (parent->kind == Kind::object) {
      parent->members.push_back(Member{std::move(key), Value{}});
      return &parent->members.back().value;
    }
    parent->elements.emplace_back();
    return &parent->elements.back();
  }

  // At the start of an object key: the string, the spaces and the ':' after it.
  Status read_key(std::string* out) {
    if (at_end()) return eof();
    if (in_[pos_] != '"') return invalid("looking for beginning of object key string");
    VMT_TRY(read_string(out));
    skip_space();
    if (at_end()) return eof();
    if (in_[pos_] != ':') return invalid("after object key");
    ++pos_;
    skip_space();
    return Status::ok();
  }

  Status read_scalar(Value* out) {
    const char c = in_[pos_];
    if (c == '"') {
      if (out) out->kind = Kind::string;
      return read_string(out ? &out->text : nullptr);
    }
    if (c == '-' || is_digit(c)) {
      const size_t start = pos_;
      VMT_TRY(read_number());
      if (out) {
        out->kind = Kind::number;
        out->text = std::string(in_.substr(start, pos_ - start));
      }
      return Status::ok();
    }
    const char* word = c == 't' ? "true" : c == 'f' ? "false" : c == 'n' ? "null" : nullptr;
    if (!word) return invalid("looking for beginning of value");
    for (const char* w = word; *w; ++w, ++pos_) {
      if (at_end()) return eof_as_space(std::string("in literal ") + word + " (expecting '" + *w + "')");
      if (in_[pos_] != *w) {
        return invalid((std::string("in literal ") + word + " (expecting '" + *w + "')").c_str());
      }
    }
    if (out) {
      out->kind = c == 'n' ? Kind::null : Kind::boolean;
      out->text = word;
    }
    return Status::ok();
  }

  Status read_number() {
    if (in_[pos_] == '-') {
      ++pos_;
      if (at_end()) return eof_as_space("in numeric literal");
      if (!is_digit(in_[pos_])) return invalid("in numeric literal");
    }
    if (in_[pos_] == '0') {
      ++pos_;
    } else {
      while (!at_end() && is_digit(in_[pos_])) ++pos_;
    }
    if (!at_end() && in_[pos_] == '.') {
      ++pos_;
      if (at_end()) return eof_as_space("after decimal point in numeric literal");
      if (!is_digit(in_[pos_])) return invalid("after decimal point in numeric literal");
      while (!at_end() && is_digit(in_[pos_])) ++pos_;
    }
    if (!at_end() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
      ++pos_;
      if (!at_end() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
      if (at_end()) return eof_as_space("in exponent of numeric literal");
      if (!is_digit(in_[pos_])) return invalid("in exponent of numeric literal");
      while (!at_end() && is_digit(in_[pos_])) ++pos_;
    }
    return Status::ok();
  }

  // At the opening quote. Unquotes into *out (when given) the way Go's unquote does.
  Status read_string(std::string* out) {
    ++pos_;
    for (;;) {
      if (at_end()) return eof();
      const unsigned char c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') {
        ++pos_;
        return Status::ok();
      }
      if (c < 0x20) return invalid("in string literal");
      if (c == '\\') {
        VMT_TRY(read_escape(out));
        continue;
      }
      if (c < 0x80) {
        if (out) out->push_back(char(c));
        ++pos_;
        continue;
      }
      // A run of non-ASCII bytes up to the next byte the scanner cares about, decoded as Go does.
      size_t end = pos_;
      while (end < in_.size() && static_cast<unsigned char>(in_[end]) >= 0x80) ++end;
      while (pos_ < end) {
        auto [r, n] = utf8::decode_rune(in_.substr(pos_, end - pos_));
        if (out) utf8::append(*out, r);
        pos_ += n;
      }
    }
  }

  // Four hex digits after "\u" at pos_; -1 with the error set when they are not.
  Result<uint32_t> read_u4() {
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      if (at_end()) return eof_as_space("in \\u hexadecimal character escape");
      const int h = hex_value(in_[pos_]);
      if (h < 0) return invalid("in \\u hexadecimal character escape");
      r = (r << 4) | uint32_t(h);
    }
    return r;
  }

  Status read_escape(std::string* out) {
    ++pos_;  // the backslash
    if (at_end()) return eof_as_space("in string escape code");
    const char e = in_[pos_];
    char plain = 0;
    switch (e) {
      case '"': plain = '"'; break;
      case '\\': plain = '\\'; break;
      case '/': plain = '/'; break;
      case 'b': plain = '\b'; break;
      case 'f': plain = '\f'; break;
      case 'n': plain = '\n'; break;
      case 'r': plain = '\r'; break;
      case 't': plain = '\t'; break;
      case 'u': break;
      default: return invalid("in string escape code");
    }
    ++pos_;
    if (plain) {
      if (out) out->push_back(plain);
      return Status::ok();
    }
    VMT_ASSIGN_OR_RETURN(uint32_t r, read_u4());
    if (r >= 0xD800 && r < 0xE000) {
      // Go pairs a high surrogate with a directly following "\uDC00".."\uDFFF"; anything else
      // leaves U+FFFD and the next escape is read on its own.
      uint32_t rune = utf8::kReplacement;
      if (r < 0xDC00 && in_.substr(pos_, 2) == "\\u") {
        const size_t save = pos_;
        pos_ += 2;
        auto low = read_u4();
        if (low.is_ok() && *low >= 0xDC00 && *low < 0xE000) {
          rune = 0x10000 + ((r - 0xD800) << 10) + (*low - 0xDC00);
        } else {
          pos_ = save;  // the scanner re-reads it as its own escape (and reports any error there)
        }
      }
      r = rune;
    }
    if (out) utf8::append(*out, r);
    return Status::ok();
  }

  ByteView in_;
  size_t pos_ = 0;
};

}  // namespace

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::null: return "null";
    case Kind::boolean: return "bool";
    case Kind::number: return "number";
    case Kind::string: return "string";
    case Kind::object: return "object";
    case Kind::array: return "array";
  }
  return "unknown";
}

Result<Value> parse(ByteView text) { return Scanner(text).run(); }

bool key_matches(ByteView key, ByteView field) {
  size_t i = 0;
  for (char fc : field) {
    const char f = char(fc >= 'A' && fc <= 'Z' ? fc + 32 : fc);
    if (i >= key.size()) return false;
    const unsigned char c = static_cast<unsigned char>(key[i]);
    if (c < 0x80) {
      if (char(c >= 'A' && c <= 'Z' ? c + 32 : c) != f) return false;
      ++i;
    } else if (f == 's' && key.substr(i, 2) == "\xC5\xBF") {  // U+017F LATIN SMALL LETTER LONG S
      i += 2;
    } else if (f == 'k' && key.substr(i, 3) == "\xE2\x84\xAA") {  // U+212A KELVIN SIGN
      i += 3;
    } else {
      return false;
    }
  }
  return i == key.size();
}

Status type_error(const char* field, const Value& v, const char* go_type) {
  std::string what = kind_name(v.kind);
  if (v.kind == Kind::number) what += " " + v.text;
  return corruption("cannot unmarshal " + what + " into " + field + " of type " + go_type);
}

namespace {

// strconv.ParseUint / ParseInt on the literal: the whole text, nothing else ("-0" only signed).
template <typename T>
Result<T> parse_integer(const Value& v, const char* field, const char* go_type) {
  T n = 0;
  const char* b = v.text.data();
  const char* e = b + v.text.size();
  auto [p, ec] = std::from_chars(b, e, n);
  if (v.kind != Kind::number || ec != std::errc() || p != e) return type_error(field, v, go_type);
  return n;
}

}  // namespace

Result<uint64_t> to_uint64(const Value& v, const char* field) { return parse_integer<uint64_t>(v, field, "uint64"); }
Result<int64_t> to_int64(const Value& v, const char* field) { return parse_integer<int64_t>(v, field, "int64"); }

}  // namespace vmt::go_json
